package catalog

import (
	"context"
	"encoding/json"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// auditRows records a product write in the audit log: the product itself
// under action when it is new, archived or its fields changed, and each of
// its variants, options and images that was created, changed or deleted,
// under actions such as productVariant.update. Positions of variants and
// options are left out (deleting one shifts the others); images keep
// theirs, which reordering changes.
func (s *Service) auditRows(ctx context.Context, tx *store.Store, v *model.Viewer, action string, before, after *store.ProductRows) error {
	var b store.ProductRows
	if before != nil {
		b = *before
	}
	id := after.Product.ID
	var bp map[string]any
	if before != nil {
		bp = productFields(before)
	}
	ap := productFields(after)
	if before == nil || action == "product.delete" || !sameJSON(bp, ap) {
		if err := s.audit(ctx, tx, v, action, string(model.TypeProduct), id, bp, ap); err != nil {
			return err
		}
	}
	if err := auditChildren(ctx, s, tx, v, "productVariant", model.TypeProductVariant, b.Variants, after.Variants,
		func(x *model.ProductVariant) int64 { return x.ID }, variantFields); err != nil {
		return err
	}
	if err := auditChildren(ctx, s, tx, v, "productOption", model.TypeProductOption, b.Options, after.Options,
		func(x *model.ProductOption) int64 { return x.ID }, optionFields); err != nil {
		return err
	}
	return auditChildren(ctx, s, tx, v, "productImage", model.TypeProductImage, b.Images, after.Images,
		func(x *model.ProductImage) int64 { return x.ID }, imageFields)
}

func auditChildren[T any](ctx context.Context, s *Service, tx *store.Store, v *model.Viewer, prefix string, typ model.NodeType,
	before, after []T, id func(*T) int64, fields func(*T) map[string]any) error {
	old := map[int64]*T{}
	for i := range before {
		old[id(&before[i])] = &before[i]
	}
	for i := range after {
		a := &after[i]
		b, ok := old[id(a)]
		delete(old, id(a))
		switch {
		case !ok:
			if err := s.audit(ctx, tx, v, prefix+".create", string(typ), id(a), nil, fields(a)); err != nil {
				return err
			}
		case !sameJSON(fields(b), fields(a)):
			if err := s.audit(ctx, tx, v, prefix+".update", string(typ), id(a), fields(b), fields(a)); err != nil {
				return err
			}
		}
	}
	for i := range before {
		if b, gone := old[id(&before[i])]; gone {
			if err := s.audit(ctx, tx, v, prefix+".delete", string(typ), id(b), fields(b), nil); err != nil {
				return err
			}
		}
	}
	return nil
}

// optionFields is what the audit log keeps of an option.
func optionFields(o *model.ProductOption) map[string]any {
	return map[string]any{"name": o.Name, "values": o.Values(),
		"product": model.EncodeGlobalID(model.TypeProduct, o.ProductID)}
}

func sameJSON(a, b map[string]any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
