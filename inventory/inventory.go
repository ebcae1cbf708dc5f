// Package inventory is the workflow of staff changing stock: adjustments
// (inventoryAdjust, idempotent by the caller's key), counts set by
// compare-and-set (inventorySet), and how a variant's stock is kept
// (inventoryItemUpdate). Each runs in one transaction that changes the
// stock, records the movement in the ledger and the write in the audit
// log, and is run again whole when the database says a new attempt may
// succeed (store.RetryTx). Checkout takes, releases and ships stock with
// the store's functions inside its own transaction.
package inventory

import (
	"context"
	"encoding/json"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// AuditFunc records a write in the audit log within tx, the write's own
// transaction: auth.Audit, which server.go wires in.
type AuditFunc func(ctx context.Context, tx *store.Store, v *model.Viewer, action, objectType string, objectID int64,
	before, after map[string]any) error

// Service runs staff writes to stock.
type Service struct {
	st    *store.Store
	audit AuditFunc
}

// New returns the inventory workflow over st, recording writes with audit.
func New(st *store.Store, audit AuditFunc) *Service { return &Service{st: st, audit: audit} }

// adjustScope is the idempotency scope of inventoryAdjust's keys.
const adjustScope = "inventoryAdjust"

// AdjustInput is inventoryAdjust's arguments, decoded.
type AdjustInput struct {
	VariantID      int64
	Delta          int
	Reason         model.InventoryReason
	Reference      string
	IdempotencyKey string
}

// Result is what a stock write did: the variant as it is now and the
// movement the write recorded (nil when the stock did not move).
type Result struct {
	Variant  *model.ProductVariant
	Movement *model.InventoryMovement
	// Replayed is true when the idempotency key had been used for this
	// request before: Movement is the first request's, nothing changed.
	Replayed bool
}

// Adjust changes a variant's stock on hand by in.Delta. The caller's
// idempotency key makes it safe to send again: the same key with the same
// arguments returns the first result and changes nothing (even while the
// first is still running: the second waits for it); with other arguments
// it is IDEMPOTENCY_KEY_REUSED. Errors name the argument they are about.
func (s *Service) Adjust(ctx context.Context, v *model.Viewer, in AdjustInput) (*Result, error) {
	if err := model.CheckIdempotencyKey([]string{"idempotencyKey"}, in.IdempotencyKey); err != nil {
		return nil, err
	}
	if err := model.CheckInventoryDelta([]string{"delta"}, in.Delta); err != nil {
		return nil, err
	}
	if !in.Reason.StaffMay() {
		return nil, model.InvalidField([]string{"reason"}, "%s movements are recorded by the system; choose another reason", in.Reason)
	}
	if err := model.CheckInventoryReference([]string{"reference"}, in.Reference); err != nil {
		return nil, err
	}
	actor := model.ActorOf(v)
	keyHash := model.IdempotencyKeyHash(actor, in.IdempotencyKey)
	reqHash := model.RequestHash(struct {
		VariantID int64
		Delta     int
		Reason    model.InventoryReason
		Reference string
	}{in.VariantID, in.Delta, in.Reason, in.Reference})
	var out Result
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		out = Result{}
		prior, err := tx.ClaimIdempotencyKey(ctx, adjustScope, keyHash, reqHash)
		if err != nil {
			return model.WithField(err, "idempotencyKey")
		}
		if prior != nil {
			var m model.InventoryMovement
			if err := json.Unmarshal([]byte(*prior), &m); err != nil {
				return err
			}
			out.Movement, out.Replayed = &m, true
			return nil
		}
		m, err := tx.AdjustInventory(ctx, in.VariantID, in.Delta, in.Reason, in.Reference, actor)
		if err != nil {
			return stockErrorField(err, "delta")
		}
		saved, err := json.Marshal(m)
		if err != nil {
			return err
		}
		if err := tx.SaveIdempotencyResult(ctx, adjustScope, keyHash, string(saved)); err != nil {
			return err
		}
		out.Movement = m
		return s.audit(ctx, tx, v, "inventory.adjust", string(model.TypeProductVariant), in.VariantID,
			map[string]any{"inventoryQuantity": m.QuantityAfter - m.Delta},
			map[string]any{"inventoryQuantity": m.QuantityAfter, "reason": m.Reason, "reference": m.Reference})
	})
	if err != nil {
		return nil, err
	}
	return s.withVariant(ctx, &out, in.VariantID)
}

// SetInput is inventorySet's arguments, decoded.
type SetInput struct {
	VariantID       int64
	Quantity        int
	CompareQuantity int
	Reason          model.InventoryReason
	Reference       string
}

// Set sets a variant's stock on hand to in.Quantity if it is
// in.CompareQuantity now, which makes a count safe while stock moves: a
// count made before a sale does not undo the sale. When the stock is not
// in.CompareQuantity the error is STOCK_CHANGED on compareQuantity, and
// CurrentQuantity of it (model.StockConflict) says what it is.
func (s *Service) Set(ctx context.Context, v *model.Viewer, in SetInput) (*Result, error) {
	if err := model.CheckInventory([]string{"quantity"}, in.Quantity); err != nil {
		return nil, err
	}
	if err := model.CheckInventory([]string{"compareQuantity"}, in.CompareQuantity); err != nil {
		return nil, err
	}
	if in.Reason == "" {
		in.Reason = model.ReasonCorrection
	}
	if !in.Reason.StaffMay() {
		return nil, model.InvalidField([]string{"reason"}, "%s movements are recorded by the system; choose another reason", in.Reason)
	}
	if err := model.CheckInventoryReference([]string{"reference"}, in.Reference); err != nil {
		return nil, err
	}
	var out Result
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		out = Result{}
		m, err := tx.SetInventory(ctx, in.VariantID, in.Quantity, in.CompareQuantity, in.Reason, in.Reference, model.ActorOf(v))
		if model.ErrorCodeOf(err) == model.CodeStockChanged {
			return model.WithField(err, "compareQuantity")
		}
		if err != nil {
			return stockErrorField(err, "quantity")
		}
		out.Movement = m
		if m == nil {
			return nil // nothing changed, nothing to audit
		}
		return s.audit(ctx, tx, v, "inventory.set", string(model.TypeProductVariant), in.VariantID,
			map[string]any{"inventoryQuantity": in.CompareQuantity},
			map[string]any{"inventoryQuantity": in.Quantity, "reason": m.Reason, "reference": m.Reference})
	})
	if err != nil {
		return nil, err
	}
	return s.withVariant(ctx, &out, in.VariantID)
}

// ItemInput is inventoryItemUpdate's input, decoded: nil fields stay.
type ItemInput struct {
	Tracked        *bool
	AllowBackorder *bool
	// LowStockThresholdSet with a nil LowStockThreshold clears it.
	LowStockThresholdSet bool
	LowStockThreshold    *int
}

// UpdateItem changes how a variant's stock is kept: tracked or not,
// backorders allowed or not, and its low-stock threshold (0 to the largest
// stock; null clears it). Errors on the input name the field under
// "input".
func (s *Service) UpdateItem(ctx context.Context, v *model.Viewer, variantID int64, in ItemInput) (*model.ProductVariant, error) {
	if in.LowStockThresholdSet && in.LowStockThreshold != nil {
		if err := model.CheckInventory([]string{"input", "lowStockThreshold"}, *in.LowStockThreshold); err != nil {
			return nil, err
		}
	}
	var out *model.ProductVariant
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		before, err := tx.FindVariantsByIDs(ctx, []int64{variantID})
		if err != nil {
			return err
		}
		if len(before) == 0 {
			return &model.Error{Code: model.CodeNotFound, Field: []string{"variantId"}, Message: "no such variant"}
		}
		after, err := tx.UpdateInventoryItem(ctx, variantID, store.InventoryItemChange{Tracked: in.Tracked,
			AllowBackorder: in.AllowBackorder, LowStockThresholdSet: in.LowStockThresholdSet, LowStockThreshold: in.LowStockThreshold})
		if err != nil {
			return model.WithField(err, "variantId")
		}
		out = after
		b, a := itemFields(&before[0]), itemFields(after)
		if sameFields(b, a) {
			return nil
		}
		return s.audit(ctx, tx, v, "inventoryItem.update", string(model.TypeProductVariant), variantID, b, a)
	})
	return out, err
}

// IdempotencyKeyLifetime is how long an idempotency key is honoured at
// least: clients retry within minutes; a day leaves room for a queue that
// was down for the night.
const IdempotencyKeyLifetime = 24 * time.Hour

// PruneIdempotencyKeys deletes the idempotency keys older than
// IdempotencyKeyLifetime (of every scope: checkout's too), a batch at a
// time, and returns how many it deleted. Safe to run on every instance.
func (s *Service) PruneIdempotencyKeys(ctx context.Context) (int64, error) {
	const batch = 500
	before := time.Now().UTC().Add(-IdempotencyKeyLifetime)
	var total int64
	for {
		n, err := s.st.PruneIdempotencyKeys(ctx, before, batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
	}
}

// withVariant reads the variant a write was about, as it is after it.
func (s *Service) withVariant(ctx context.Context, r *Result, variantID int64) (*Result, error) {
	vs, err := s.st.FindVariantsByIDs(ctx, []int64{variantID})
	if err != nil {
		return nil, err
	}
	if len(vs) == 1 {
		r.Variant = &vs[0]
	}
	return r, nil
}

// itemFields is what the audit log keeps of how a variant's stock is kept.
func itemFields(v *model.ProductVariant) map[string]any {
	var threshold any
	if v.LowStockThreshold != nil {
		threshold = *v.LowStockThreshold
	}
	return map[string]any{"tracked": v.InventoryTracked, "allowBackorder": v.AllowBackorder, "lowStockThreshold": threshold}
}

func sameFields(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// stockErrorField names the argument of a store error about a stock
// write: the variant when there is none, else field (the quantity that
// broke a rule).
func stockErrorField(err error, field string) error {
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return model.WithField(err, "variantId")
	}
	return model.WithField(err, field)
}
