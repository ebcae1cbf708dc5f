package store_test

import (
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// The demo seed brings three zones, and the table reads back as written on
// both databases: areas unique across zones, rates with NULLs and JSON
// brackets, zones deleted with everything in them.
func TestShippingTables(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		zones, err := st.ListShippingZones(ctx)
		if err != nil || len(zones) != 3 {
			t.Fatalf("demo zones: %d, %v", len(zones), err)
		}
		areas, err := st.FindShippingAreas(ctx)
		if err != nil {
			t.Fatal(err)
		}
		// The demo answers the three kinds of destination.
		for d, want := range map[model.ShippingDestination]string{
			{Country: "TH", Province: "กรุงเทพมหานคร", Zip: "10110"}: "Bangkok and vicinity",
			{Country: "TH", Province: "Chiang Mai", Zip: "50200"}:    "Rest of Thailand",
			{Country: "JP", Province: "Tokyo"}:                       "International",
		} {
			id, ok := model.MatchShippingZone(areas, d)
			i := slices.IndexFunc(zones, func(z model.ShippingZone) bool { return z.ID == id })
			if !ok || i < 0 || zones[i].Name != want {
				t.Errorf("%+v: zone %d, want %s", d, id, want)
			}
		}
		rates, err := st.FindShippingRatesByZoneIDs(ctx, []int64{zones[1].ID})
		if err != nil || len(rates) != 2 || rates[0].Handle != "th-standard" || len(rates[0].WeightBrackets()) != 5 {
			t.Fatalf("rest of Thailand rates: %+v, %v", rates, err)
		}
		if p, ok := rates[0].PriceFor(2500, 100000); !ok || p != 8000 {
			t.Errorf("2.5 kg standard: %d, %v", p, ok)
		}
		if p, ok := rates[0].PriceFor(2500, 150000); !ok || p != 0 {
			t.Errorf("2.5 kg standard at the ฿1,500 threshold: %d, %v", p, ok)
		}

		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		// A place in one zone cannot go in another.
		err = st.InTx(ctx, func(tx *store.Store) error {
			return tx.InsertShippingZone(ctx, &model.ShippingZone{Name: "Twice", CreatedAt: now, UpdatedAt: now},
				[]model.ShippingZoneArea{{Kind: model.AreaProvince, Value: "TH-50"}, {Kind: model.AreaCountry, Value: "TH"}})
		})
		if model.ErrorCodeOf(err) != model.CodeConflict {
			t.Errorf("TH in a second zone: %v, want CONFLICT", err)
		}
		if zs, _ := st.ListShippingZones(ctx); len(zs) != 3 {
			t.Errorf("the failed insert left %d zones", len(zs))
		}
		held, err := st.FindShippingAreasByValues(ctx, []model.ShippingZoneArea{
			{Kind: model.AreaCountry, Value: "TH"}, {Kind: model.AreaProvince, Value: "TH"}, {Kind: model.AreaProvince, Value: "TH-10"}})
		if err != nil || len(held) != 2 {
			t.Errorf("areas held: %+v, %v", held, err)
		}

		// A new zone, its areas replaced, a rate updated to NULLs, then the
		// zone deleted with its rate and areas.
		z := &model.ShippingZone{Name: "Japan", CreatedAt: now, UpdatedAt: now}
		if err := st.InsertShippingZone(ctx, z, []model.ShippingZoneArea{{Kind: model.AreaCountry, Value: "JP"}}); err != nil {
			t.Fatal(err)
		}
		z.Name = "East Asia"
		if err := st.UpdateShippingZone(ctx, z, []model.ShippingZoneArea{{Kind: model.AreaCountry, Value: "JP"}, {Kind: model.AreaCountry, Value: "KR"}}); err != nil {
			t.Fatal(err)
		}
		got, err := st.FindShippingAreasByZoneIDs(ctx, []int64{z.ID})
		if err != nil || len(got) != 2 || got[0].Value != "JP" || got[1].Value != "KR" {
			t.Errorf("areas after update: %+v, %v", got, err)
		}
		seven, free := 7, int64(500000)
		r := &model.ShippingRate{ZoneID: z.ID, Handle: "asia-air", Title: "Air", Kind: model.RateFlat, Amount: 60000,
			Currency: model.CurrencyTHB, Active: true, FreeOver: &free, MaxDays: &seven, CreatedAt: now, UpdatedAt: now}
		if err := st.InsertShippingRate(ctx, r); err != nil {
			t.Fatal(err)
		}
		if err := st.InsertShippingRate(ctx, &model.ShippingRate{ZoneID: z.ID, Handle: "asia-air", Title: "Again", Kind: model.RateFlat,
			Currency: model.CurrencyTHB, CreatedAt: now, UpdatedAt: now}); model.ErrorCodeOf(err) != model.CodeConflict {
			t.Errorf("a second rate with one handle: %v, want CONFLICT", err)
		}
		if _, err := st.FindShippingRateByHandle(ctx, "ASIA-AIR"); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("handles match byte for byte: %v", err)
		}
		r.FreeOver, r.MaxDays, r.Active, r.Title = nil, nil, false, "Air mail"
		if err := st.UpdateShippingRate(ctx, r); err != nil {
			t.Fatal(err)
		}
		back, err := st.FindShippingRateByHandle(ctx, "asia-air")
		if err != nil || back.FreeOver != nil || back.MaxDays != nil || back.Active || back.Title != "Air mail" || back.ZoneID != z.ID {
			t.Errorf("rate after update: %+v, %v", back, err)
		}
		if err := st.UpdateShippingRate(ctx, &model.ShippingRate{ID: 9999, Title: "x"}); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("update of a missing rate: %v", err)
		}
		if err := st.DeleteShippingZone(ctx, z.ID); err != nil {
			t.Fatal(err)
		}
		if rs, _ := st.FindShippingRatesByIDs(ctx, []int64{r.ID}); len(rs) != 0 {
			t.Errorf("the zone's rate survived it")
		}
		if as, _ := st.FindShippingAreasByZoneIDs(ctx, []int64{z.ID}); len(as) != 0 {
			t.Errorf("the zone's areas survived it")
		}
		if err := st.DeleteShippingZone(ctx, z.ID); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("deleting it again: %v", err)
		}
		if err := st.DeleteShippingRate(ctx, r.ID); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("deleting a gone rate: %v", err)
		}
	})
}

// Zones' areas and rates are scanned by hand; they must read every field
// as GORM reads it, NULLs and brackets included.
func TestShippingReadsMatchGORM(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		var wantAreas []model.ShippingZoneArea
		if err := st.DB(ctx).Order("zone_id, kind, value").Find(&wantAreas).Error; err != nil {
			t.Fatal(err)
		}
		areas, err := st.FindShippingAreas(ctx)
		if err != nil || len(wantAreas) == 0 || !reflect.DeepEqual(areas, wantAreas) {
			t.Fatalf("areas %+v, %v; GORM reads %+v", areas, err, wantAreas)
		}
		var wantRates []model.ShippingRate
		if err := st.DB(ctx).Order("zone_id, position, id").Find(&wantRates).Error; err != nil {
			t.Fatal(err)
		}
		var zones []int64
		for _, r := range wantRates {
			if !slices.Contains(zones, r.ZoneID) {
				zones = append(zones, r.ZoneID)
			}
		}
		rates, err := st.FindShippingRatesByZoneIDs(ctx, zones)
		if err != nil || len(wantRates) < 5 || !reflect.DeepEqual(rates, wantRates) {
			t.Fatalf("rates %+v, %v; GORM reads %+v", rates, err, wantRates)
		}
	})
}

// A cart with its lines, read in one hand-scanned join (the plain and the
// locking read), is the cart and lines GORM reads separately; a cart
// without lines has none, and an unknown key is NotFound.
func TestCartWithLinesMatchesGORM(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		var variants []int64
		if err := st.DB(ctx).Table("product_variants").Order("id").Limit(2).Pluck("id", &variants).Error; err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Truncate(time.Second)
		customer, seen := int64(7), int64(12345)
		full := &model.Cart{CartKey: "with-lines", CustomerID: &customer, Email: "a@example.com", DeliveryAddress: `{"Zip":"10110"}`,
			DeliveryOption: "table:x", Status: model.CartActive, CreatedAt: now, UpdatedAt: now, ExpiresAt: now.Add(time.Hour)}
		lines := []model.CartLine{{VariantID: variants[0], Quantity: 2, SeenPrice: &seen, CreatedAt: now, UpdatedAt: now},
			{VariantID: variants[1], Quantity: 1, CreatedAt: now, UpdatedAt: now}}
		empty := &model.Cart{CartKey: "empty", Status: model.CartActive, CreatedAt: now, UpdatedAt: now, ExpiresAt: now}
		for _, c := range []*model.Cart{full, empty} {
			ls := lines
			if c == empty {
				ls = nil
			}
			if err := st.CreateCart(ctx, c, ls); err != nil {
				t.Fatal(err)
			}
		}
		for _, key := range []string{"with-lines", "empty"} {
			want, err := st.FindCartByKey(ctx, key)
			if err != nil {
				t.Fatal(err)
			}
			wantLines, err := st.FindCartLinesByCartIDs(ctx, []int64{want.ID})
			if err != nil {
				t.Fatal(err)
			}
			c, got, err := st.FindCartWithLines(ctx, key)
			if err != nil || !reflect.DeepEqual(c, want) || len(got) != len(wantLines) || (len(got) > 0 && !reflect.DeepEqual(got, wantLines)) {
				t.Fatalf("%s: %+v %+v, %v; GORM reads %+v %+v", key, c, got, err, want, wantLines)
			}
			err = st.InTx(ctx, func(tx *store.Store) error {
				lc, lls, err := tx.LockCart(ctx, key)
				if err != nil || !reflect.DeepEqual(lc, c) || !reflect.DeepEqual(lls, got) {
					t.Errorf("%s: locking read %+v %+v, %v; plain %+v %+v", key, lc, lls, err, c, got)
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(lines) != 2 {
			t.Fatal("the test needs lines")
		}
		if _, _, err := st.FindCartWithLines(ctx, "nope"); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Fatalf("unknown key: %v", err)
		}
	})
}
