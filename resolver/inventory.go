package resolver

import (
	"context"
	"errors"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/inventory"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// decodeVariantID decodes the variantId argument of an inventory mutation.
func decodeVariantID(id string) (int64, error) {
	return decodeID([]string{"variantId"}, id, model.TypeProductVariant)
}

// stockPayload splits a stock write's outcome into the payload's parts:
// the variant and movement on success, user errors otherwise, and the
// stock the write found when it failed on a moved stock.
func stockPayload(ctx context.Context, res *inventory.Result, err error) (*model.ProductVariant, *model.InventoryMovement,
	*int, []gqlmodel.UserError, error) {
	var current *int
	var conflict *model.StockConflict
	if model.ErrorCodeOf(err) == model.CodeStockChanged && errors.As(err, &conflict) {
		q := conflict.OnHand
		current = &q
	}
	ue, err := userErrors(err)
	if len(ue) > 0 || err != nil || res == nil {
		return nil, nil, current, ue, err
	}
	afterWrite(ctx)
	return res.Variant, res.Movement, nil, ue, nil
}

// decodeItemInput decodes inventoryItemUpdate's input.
func decodeItemInput(in gqlmodel.InventoryItemInput) inventory.ItemInput {
	out := inventory.ItemInput{Tracked: in.Tracked, AllowBackorder: in.AllowBackorder}
	if in.LowStockThreshold.IsSet() {
		out.LowStockThresholdSet = true
		out.LowStockThreshold = in.LowStockThreshold.Value()
	}
	return out
}

// loadAnyVariant returns the variant with id whatever its product's
// status (for staff, who may read every product), nil when there is none.
func loadAnyVariant(ctx context.Context, id int64) (*model.ProductVariant, error) {
	v, err := store.LoadersFrom(ctx).VariantByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	return v, err
}
