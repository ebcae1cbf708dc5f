// Package discount is the workflow of staff managing discount codes:
// creating, changing, deactivating and deleting them. Each write runs in
// one transaction that checks the code as a whole (model.Discount.Check),
// writes it and records it in the audit log, and is run again whole when
// the database says a new attempt may succeed (store.RetryTx). Checkout
// prices codes and counts their uses with the store's functions inside its
// own transaction; a write here locks the code's row, so a check against
// its used count holds against checkouts running at the same time.
package discount

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// AuditFunc records a write in the audit log within tx, the write's own
// transaction: auth.Audit, which server.go wires in.
type AuditFunc func(ctx context.Context, tx *store.Store, v *model.Viewer, action, objectType string, objectID int64,
	before, after map[string]any) error

// Service runs staff writes to discount codes.
type Service struct {
	st    *store.Store
	audit AuditFunc
	now   func() time.Time
}

// New returns the discount workflow over st, recording writes with audit.
func New(st *store.Store, audit AuditFunc) *Service {
	return &Service{st: st, audit: audit, now: func() time.Time { return time.Now().UTC().Truncate(time.Second) }}
}

// Opt is an input value that may be left out (Set false), given (Value
// non-nil) or given as null to clear it (Set true, Value nil).
type Opt[T any] struct {
	Set   bool
	Value *T
}

// Input is discountCodeCreate's and discountCodeUpdate's input (the
// argument "input"), decoded: amounts in minor units, the percentage in
// basis points, IDs as numbers. In an update, what is left out stays.
type Input struct {
	Code             *string
	Kind             *model.DiscountKind
	Percentage       *model.RateBasisPoints
	Amount           *int64
	MinSubtotal      Opt[int64]
	StartsAt         Opt[time.Time]
	EndsAt           Opt[time.Time]
	UsageLimit       Opt[int]
	PerCustomerLimit Opt[int]
	// ProductIDs and CategoryIDs, when given, replace the code's lists;
	// empty lists lift the restriction.
	ProductIDs  *[]int64
	CategoryIDs *[]int64
	Active      *bool
}

func input(name string, more ...string) []string { return append([]string{"input", name}, more...) }

// Create adds a discount code; it is active unless in.Active says not.
// A code another discount has, ignoring case, is TAKEN on input.code.
func (s *Service) Create(ctx context.Context, v *model.Viewer, in Input) (*model.Discount, error) {
	if in.Code == nil {
		return nil, &model.Error{Code: model.CodeBlank, Field: input("code"), Message: "code is required"}
	}
	if in.Kind == nil {
		return nil, &model.Error{Code: model.CodeBlank, Field: input("kind"), Message: "kind is required"}
	}
	var out *model.Discount
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		now := s.now()
		d := &model.Discount{Active: true, CreatedAt: now, UpdatedAt: now}
		if err := s.apply(ctx, tx, d, in); err != nil {
			return err
		}
		if err := takenCode(tx.CreateDiscount(ctx, d)); err != nil {
			return err
		}
		out = d
		return s.audit(ctx, tx, v, "discountCode.create", string(model.TypeDiscountCode), d.ID, nil, fields(d))
	})
	return out, err
}

// Update changes discount code id. The usage limit may not go below the
// uses counted already (INVALID on input.usageLimit): the code's row is
// locked while the write checks it, so a checkout cannot count a use in
// between.
func (s *Service) Update(ctx context.Context, v *model.Viewer, id int64, in Input) (*model.Discount, error) {
	var out *model.Discount
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		cur, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		d := *cur
		if err := s.apply(ctx, tx, &d, in); err != nil {
			return err
		}
		out = &d
		before, after := fields(cur), fields(&d)
		if sameFields(before, after) {
			return nil // nothing changed, nothing to write or audit
		}
		d.UpdatedAt = s.now()
		if err := takenCode(tx.UpdateDiscount(ctx, &d)); err != nil {
			return err
		}
		return s.audit(ctx, tx, v, "discountCode.update", string(model.TypeDiscountCode), id, before, after)
	})
	return out, err
}

// Deactivate stops discount code id from applying to carts and checkouts;
// its uses and history stay. Deactivating an inactive code changes nothing.
// discountCodeUpdate with active: true brings it back.
func (s *Service) Deactivate(ctx context.Context, v *model.Viewer, id int64) (*model.Discount, error) {
	var out *model.Discount
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		cur, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		d := *cur
		out = &d
		if !d.Active {
			return nil
		}
		d.Active, d.UpdatedAt = false, s.now()
		if err := tx.UpdateDiscount(ctx, &d); err != nil {
			return err
		}
		return s.audit(ctx, tx, v, "discountCode.deactivate", string(model.TypeDiscountCode), id,
			map[string]any{"active": true}, map[string]any{"active": false})
	})
	return out, err
}

// Delete deletes discount code id if it has never been used; a code that
// has is IN_USE on id (deactivate it instead), so that orders' codes keep
// meaning something.
func (s *Service) Delete(ctx context.Context, v *model.Viewer, id int64) error {
	return s.st.RetryTx(ctx, func(tx *store.Store) error {
		cur, err := lock(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := tx.DeleteDiscount(ctx, id); err != nil {
			if e, ok := model.AsError(err); ok && e.Code == model.CodeInUse {
				return &model.Error{Code: model.CodeInUse, Field: []string{"id"}, Message: fmt.Sprintf(
					"the code %s has been used %d times and cannot be deleted; deactivate it instead (discountCodeDeactivate)",
					cur.Code, cur.UsedCount)}
			}
			return model.WithField(err, "id")
		}
		return s.audit(ctx, tx, v, "discountCode.delete", string(model.TypeDiscountCode), id, fields(cur), nil)
	})
}

// lock reads and locks discount code id; NOT_FOUND on id when there is none.
func lock(ctx context.Context, tx *store.Store, id int64) (*model.Discount, error) {
	d, err := tx.LockDiscount(ctx, id)
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, &model.Error{Code: model.CodeNotFound, Field: []string{"id"}, Message: "no such discount code"}
	}
	return d, err
}

// apply applies in to d and checks the result: the value against the
// kind, the restrictions against the catalog, and the code as a whole.
func (s *Service) apply(ctx context.Context, tx *store.Store, d *model.Discount, in Input) error {
	if in.Code != nil {
		code, err := model.CheckDiscountCode(input("code"), *in.Code)
		if err != nil {
			return err
		}
		d.Code, d.CodeKey = code, model.NormalizeDiscountCode(code)
	}
	if in.Kind != nil {
		if !in.Kind.Valid() {
			return model.InvalidField(input("kind"), "kind must be PERCENTAGE, FIXED_AMOUNT or FREE_SHIPPING")
		}
		if *in.Kind != d.Kind {
			d.Kind, d.Value = *in.Kind, 0 // a new kind needs its own value
		}
	}
	switch {
	case in.Percentage != nil && d.Kind != model.DiscountPercentage:
		return model.InvalidField(input("percentage"), "only a PERCENTAGE code takes a percentage")
	case in.Amount != nil && d.Kind != model.DiscountFixedAmount:
		return model.InvalidField(input("amount"), "only a FIXED_AMOUNT code takes an amount")
	case in.Percentage != nil:
		d.Value = int64(*in.Percentage)
	case in.Amount != nil:
		d.Value = *in.Amount
	}
	if d.Kind == model.DiscountPercentage && d.Value == 0 {
		return &model.Error{Code: model.CodeBlank, Field: input("percentage"), Message: "a PERCENTAGE code needs a percentage"}
	}
	if d.Kind == model.DiscountFixedAmount && d.Value == 0 && in.Amount == nil {
		return &model.Error{Code: model.CodeBlank, Field: input("amount"), Message: "a FIXED_AMOUNT code needs an amount"}
	}
	if in.MinSubtotal.Set {
		d.MinSubtotal = 0
		if in.MinSubtotal.Value != nil {
			d.MinSubtotal = *in.MinSubtotal.Value
		}
	}
	setTime(&d.StartsAt, in.StartsAt)
	setTime(&d.EndsAt, in.EndsAt)
	setOpt(&d.UsageLimit, in.UsageLimit)
	setOpt(&d.PerCustomerLimit, in.PerCustomerLimit)
	if in.Active != nil {
		d.Active = *in.Active
	}
	if err := d.Check(func(name string) []string { return input(name) }); err != nil {
		return err
	}
	if in.ProductIDs != nil {
		ids, err := restriction(ctx, "productIds", *in.ProductIDs, func(ctx context.Context, ids []int64) ([]int64, error) {
			ps, err := tx.FindProductsByIDs(ctx, ids)
			return idsOf(ps, func(p *model.Product) int64 { return p.ID }), err
		})
		if err != nil {
			return err
		}
		d.ProductIDs = model.JoinIDs(ids)
	}
	if in.CategoryIDs != nil {
		ids, err := restriction(ctx, "categoryIds", *in.CategoryIDs, func(ctx context.Context, ids []int64) ([]int64, error) {
			cs, err := tx.FindCategoriesByIDs(ctx, ids)
			return idsOf(cs, func(c *model.Category) int64 { return c.ID }), err
		})
		if err != nil {
			return err
		}
		d.CategoryIDs = model.JoinIDs(ids)
	}
	return nil
}

// restriction checks a list of product or category IDs given in
// input.<name>: at most model.MaxDiscountRestrictions, each once, each
// existing (NOT_FOUND names the first that does not).
func restriction(ctx context.Context, name string, ids []int64, existing func(context.Context, []int64) ([]int64, error)) ([]int64, error) {
	if len(ids) > model.MaxDiscountRestrictions {
		return nil, model.InvalidField(input(name), "a code is restricted to at most %d products and %d categories",
			model.MaxDiscountRestrictions, model.MaxDiscountRestrictions)
	}
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return nil, model.InvalidField(input(name, strconv.Itoa(i)), "listed twice")
		}
	}
	if len(ids) == 0 {
		return ids, nil
	}
	found, err := existing(ctx, ids)
	if err != nil {
		return nil, err
	}
	for i, id := range ids {
		if !slices.Contains(found, id) {
			return nil, &model.Error{Code: model.CodeNotFound, Field: input(name, strconv.Itoa(i)), Message: "no such " + what(name)}
		}
	}
	return ids, nil
}

func what(name string) string {
	if name == "categoryIds" {
		return "category"
	}
	return "product"
}

func idsOf[T any](rows []T, id func(*T) int64) []int64 {
	out := make([]int64, len(rows))
	for i := range rows {
		out[i] = id(&rows[i])
	}
	return out
}

func setOpt[T any](dst **T, o Opt[T]) {
	if o.Set {
		*dst = o.Value
	}
}

// setTime sets a date to the second: DATETIME columns keep no fraction,
// and MySQL would round one rather than drop it.
func setTime(dst **time.Time, o Opt[time.Time]) {
	if !o.Set {
		return
	}
	if o.Value == nil {
		*dst = nil
		return
	}
	t := o.Value.UTC().Truncate(time.Second)
	*dst = &t
}

// takenCode turns the unique index's refusal of a code into TAKEN on
// input.code: the index decides when two writes take one code at once.
func takenCode(err error) error {
	if model.ErrorCodeOf(err) == model.CodeConflict {
		return &model.Error{Code: model.CodeTaken, Field: input("code"), Message: "another discount has this code (codes ignore case)"}
	}
	return err
}

// fields is what the audit log keeps of a discount code.
func fields(d *model.Discount) map[string]any {
	out := map[string]any{"code": d.Code, "kind": d.Kind, "minSubtotal": model.FormatMinor(d.MinSubtotal, 2),
		"startsAt": d.StartsAt, "endsAt": d.EndsAt, "usageLimit": d.UsageLimit, "perCustomerLimit": d.PerCustomerLimit,
		"productIds": gids(model.TypeProduct, d.ProductIDList()), "categoryIds": gids(model.TypeCategory, d.CategoryIDList()),
		"active": d.Active}
	switch d.Kind {
	case model.DiscountPercentage:
		out["percentage"] = model.FormatMinor(d.Value, 2)
	case model.DiscountFixedAmount:
		out["amount"] = model.FormatMinor(d.Value, 2)
	}
	return out
}

func gids(t model.NodeType, ids []int64) []string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = model.EncodeGlobalID(t, id)
	}
	return out
}

func sameFields(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
