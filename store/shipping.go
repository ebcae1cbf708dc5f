package store

import (
	"context"

	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// Shipping zones, their areas and rates: the built-in table provider's
// configuration. The whole configuration is small (model.MaxShippingZones
// zones), so writes take turns on it (LockShippingZones) and reads load
// what they need in one statement per table.

// ListShippingZones returns every zone in ID order.
func (s *Store) ListShippingZones(ctx context.Context) ([]model.ShippingZone, error) {
	var out []model.ShippingZone
	err := s.db.WithContext(ctx).Order("id").Find(&out).Error
	return out, TranslateError(err)
}

// FindShippingZonesByIDs returns the zones with these IDs.
func (s *Store) FindShippingZonesByIDs(ctx context.Context, ids []int64) ([]model.ShippingZone, error) {
	var out []model.ShippingZone
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&out).Error
	return out, TranslateError(err)
}

// LockShippingZones reads every zone in ID order. On MySQL it locks them
// (and, with the gap locks of a full scan, the table against new ones), so
// shipping writes take turns: a place cannot be put in two zones, nor the
// zone limit passed, by two writes that did not see each other. Call it
// first in the transaction.
func (s *Store) LockShippingZones(ctx context.Context) ([]model.ShippingZone, error) {
	q := s.db.WithContext(ctx).Order("id")
	if s.dialect == MySQL {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var out []model.ShippingZone
	return out, TranslateError(q.Find(&out).Error)
}

// FindShippingAreas returns the areas of every zone: what matching a
// destination to its zone reads, for every delivery priced, so it is
// scanned by hand.
func (s *Store) FindShippingAreas(ctx context.Context) ([]model.ShippingZoneArea, error) {
	out, err := scanAll(s.db.WithContext(ctx).Table("shipping_zone_areas").Select("zone_id, kind, value").
		Order("zone_id, kind, value"), scanShippingArea)
	if out == nil && err == nil {
		out = []model.ShippingZoneArea{}
	}
	return out, err
}

// FindShippingAreasByZoneIDs returns the areas of these zones.
func (s *Store) FindShippingAreasByZoneIDs(ctx context.Context, ids []int64) ([]model.ShippingZoneArea, error) {
	var out []model.ShippingZoneArea
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("zone_id IN ?", ids).Order("zone_id, kind, value").Find(&out).Error
	return out, TranslateError(err)
}

// FindShippingAreasByValues returns the areas, of any zone, with these
// kinds and values: which zone holds a place already.
func (s *Store) FindShippingAreasByValues(ctx context.Context, areas []model.ShippingZoneArea) ([]model.ShippingZoneArea, error) {
	var out []model.ShippingZoneArea
	if len(areas) == 0 {
		return out, nil
	}
	values := make([]string, len(areas))
	for i, a := range areas {
		values[i] = a.Value
	}
	var rows []model.ShippingZoneArea
	if err := s.db.WithContext(ctx).Where("value IN ?", values).Find(&rows).Error; err != nil {
		return nil, TranslateError(err)
	}
	want := make(map[model.ShippingZoneArea]bool, len(areas))
	for _, a := range areas {
		want[model.ShippingZoneArea{Kind: a.Kind, Value: a.Value}] = true
	}
	for _, r := range rows {
		if want[model.ShippingZoneArea{Kind: r.Kind, Value: r.Value}] {
			out = append(out, r)
		}
	}
	return out, nil
}

// InsertShippingZone inserts a zone and its areas.
func (s *Store) InsertShippingZone(ctx context.Context, z *model.ShippingZone, areas []model.ShippingZoneArea) error {
	if err := s.db.WithContext(ctx).Create(z).Error; err != nil {
		return TranslateError(err)
	}
	return s.insertAreas(ctx, z.ID, areas)
}

func (s *Store) insertAreas(ctx context.Context, zoneID int64, areas []model.ShippingZoneArea) error {
	if len(areas) == 0 {
		return nil
	}
	rows := make([]model.ShippingZoneArea, len(areas))
	for i, a := range areas {
		rows[i] = model.ShippingZoneArea{ZoneID: zoneID, Kind: a.Kind, Value: a.Value}
	}
	return TranslateError(s.db.WithContext(ctx).CreateInBatches(rows, 500).Error)
}

// UpdateShippingZone writes a zone's name and replaces its areas with
// areas.
func (s *Store) UpdateShippingZone(ctx context.Context, z *model.ShippingZone, areas []model.ShippingZoneArea) error {
	db := s.db.WithContext(ctx)
	res := db.Model(&model.ShippingZone{}).Where("id = ?", z.ID).
		Updates(map[string]any{"name": z.Name, "updated_at": z.UpdatedAt})
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	if err := db.Where("zone_id = ?", z.ID).Delete(&model.ShippingZoneArea{}).Error; err != nil {
		return TranslateError(err)
	}
	return s.insertAreas(ctx, z.ID, areas)
}

// DeleteShippingZone deletes a zone with its areas and rates.
func (s *Store) DeleteShippingZone(ctx context.Context, id int64) error {
	db := s.db.WithContext(ctx)
	if err := db.Where("zone_id = ?", id).Delete(&model.ShippingRate{}).Error; err != nil {
		return TranslateError(err)
	}
	if err := db.Where("zone_id = ?", id).Delete(&model.ShippingZoneArea{}).Error; err != nil {
		return TranslateError(err)
	}
	res := db.Where("id = ?", id).Delete(&model.ShippingZone{})
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	return nil
}

// FindShippingRatesByZoneIDs returns the rates of these zones, active or
// not, by zone and position, scanned by hand (every delivery priced reads
// its zone's rates).
func (s *Store) FindShippingRatesByZoneIDs(ctx context.Context, ids []int64) ([]model.ShippingRate, error) {
	if len(ids) == 0 {
		return []model.ShippingRate{}, nil
	}
	out, err := scanAll(s.db.WithContext(ctx).Table("shipping_rates").Select(shippingRateColumns).
		Where("zone_id IN ?", ids).Order("zone_id, position, id"), scanShippingRate)
	if out == nil && err == nil {
		out = []model.ShippingRate{}
	}
	return out, err
}

// FindShippingRatesByIDs returns the rates with these IDs.
func (s *Store) FindShippingRatesByIDs(ctx context.Context, ids []int64) ([]model.ShippingRate, error) {
	var out []model.ShippingRate
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("id IN ?", ids).Order("id").Find(&out).Error
	return out, TranslateError(err)
}

// FindShippingRateByHandle returns the rate with exactly this handle, or
// NotFound.
func (s *Store) FindShippingRateByHandle(ctx context.Context, handle string) (*model.ShippingRate, error) {
	var r model.ShippingRate
	if err := s.db.WithContext(ctx).Where("handle = ?", handle).Take(&r).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &r, nil
}

// InsertShippingRate inserts a rate.
func (s *Store) InsertShippingRate(ctx context.Context, r *model.ShippingRate) error {
	return TranslateError(s.db.WithContext(ctx).Create(r).Error)
}

// UpdateShippingRate writes every field of rate r.ID but its zone and
// creation time.
func (s *Store) UpdateShippingRate(ctx context.Context, r *model.ShippingRate) error {
	res := s.db.WithContext(ctx).Model(&model.ShippingRate{}).Where("id = ?", r.ID).
		Select("*").Omit("id", "zone_id", "created_at").Updates(r)
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	return nil
}

// DeleteShippingRate deletes a rate.
func (s *Store) DeleteShippingRate(ctx context.Context, id int64) error {
	res := s.db.WithContext(ctx).Where("id = ?", id).Delete(&model.ShippingRate{})
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	return nil
}
