package store

import (
	"context"
	"strings"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// Discount codes as staff manage them. Checkout reads codes by key and
// counts their uses (FindDiscountsByCodeKeys, UseDiscount and the rest, in
// cart.go and order.go); this file lists, locks, changes and deletes them.

// DiscountFilter narrows ListDiscounts and CountDiscounts.
type DiscountFilter struct {
	// CodePrefix keeps the codes whose key (model.NormalizeDiscountCode)
	// starts with it; give it normalised.
	CodePrefix string
	// Active keeps the active (true) or inactive (false) codes.
	Active *bool
}

func (f DiscountFilter) apply(q *gorm.DB) *gorm.DB {
	if f.CodePrefix != "" {
		// code_key is compared byte for byte, so the prefix is a range of
		// the unique index on every database.
		q = q.Where("code_key LIKE ? ESCAPE '!'", escapeLike(f.CodePrefix)+"%")
	}
	if f.Active != nil {
		q = q.Where("active = ?", *f.Active)
	}
	return q
}

// escapeLike escapes LIKE's wildcards (and the escape character, !) in s.
func escapeLike(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}

// ListDiscounts returns a page of discount codes in ID order (the order
// they were created).
func (s *Store) ListDiscounts(ctx context.Context, f DiscountFilter, pg Page) ([]model.Discount, bool, error) {
	return pageByID[model.Discount](f.apply(s.db.WithContext(ctx).Table("discounts")), "id", pg)
}

// CountDiscounts counts the discount codes the filter passes.
func (s *Store) CountDiscounts(ctx context.Context, f DiscountFilter) (int64, error) {
	var n int64
	err := f.apply(s.db.WithContext(ctx).Table("discounts")).Count(&n).Error
	return n, TranslateError(err)
}

// FindDiscountsByIDs returns the discount codes with these IDs.
func (s *Store) FindDiscountsByIDs(ctx context.Context, ids []int64) ([]model.Discount, error) {
	return findByIDs[model.Discount](ctx, s, "discounts", ids)
}

// LockDiscount reads the discount code for update in the transaction it is
// called in: checkouts counting a use of it wait until the transaction
// ends, so a check against its used count holds until then. NotFound when
// there is none.
func (s *Store) LockDiscount(ctx context.Context, id int64) (*model.Discount, error) {
	var d model.Discount
	err := s.db.WithContext(ctx).Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&d).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &d, nil
}

// UpdateDiscount writes what staff may change of a discount code: all but
// its used count (checkout's) and creation time. A code another discount
// has is a Conflict (the unique index on code_key decides).
func (s *Store) UpdateDiscount(ctx context.Context, d *model.Discount) error {
	res := s.db.WithContext(ctx).Table("discounts").Where("id = ?", d.ID).Updates(map[string]any{
		"code": d.Code, "code_key": d.CodeKey, "kind": d.Kind, "value": d.Value, "min_subtotal": d.MinSubtotal,
		"starts_at": d.StartsAt, "ends_at": d.EndsAt, "usage_limit": d.UsageLimit,
		"per_customer_limit": d.PerCustomerLimit, "product_ids": d.ProductIDs, "category_ids": d.CategoryIDs,
		"active": d.Active, "updated_at": d.UpdatedAt,
	})
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return notFound()
	}
	return nil
}

// DeleteDiscount deletes a discount code that has never been used: no use
// counted and none recorded (uses given back by cancelled unpaid orders do
// not count). It is one conditional DELETE, so a checkout counting a use
// at the same moment either comes first (and the code stays, IN_USE) or
// finds the code gone. NotFound when there is no such code.
func (s *Store) DeleteDiscount(ctx context.Context, id int64) error {
	db := s.db.WithContext(ctx)
	res := db.Exec(`DELETE FROM discounts WHERE id = ? AND used_count = 0
		AND NOT EXISTS (SELECT 1 FROM discount_usages u WHERE u.discount_id = ?)`, id, id)
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var ds []model.Discount
	if err := db.Table("discounts").Where("id = ?", id).Find(&ds).Error; err != nil {
		return TranslateError(err)
	}
	if len(ds) == 0 {
		return notFound()
	}
	return &model.Error{Code: model.CodeInUse, Message: "the code has been used; deactivate it instead (discountCodeDeactivate)"}
}
