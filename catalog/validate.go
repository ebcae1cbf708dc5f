package catalog

import (
	"cmp"
	"context"
	"slices"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// complete checks the rules that concern one product's new state as a
// whole, and fills in what follows from it: the options and the variants'
// titles. Rules about the rest of the catalog (taken handles and SKUs,
// categories) are checkAgainstCatalog's.
func (d *draft) complete() error {
	r := d.after
	if r.Product.Title == "" {
		return &model.Error{Code: model.CodeBlank, Field: d.field("title"), Message: "title is required"}
	}
	if len(r.Variants) > model.MaxVariantsPerProduct {
		return model.InvalidField(d.field("variants"), "a product has at most %d variants", model.MaxVariantsPerProduct)
	}
	if len(r.Images) > model.MaxImagesPerProduct {
		return model.InvalidField(d.field("images"), "a product has at most %d images", model.MaxImagesPerProduct)
	}
	if len(r.Tags) > model.MaxTagsPerProduct {
		return model.InvalidField(d.field("tags"), "a product has at most %d tags", model.MaxTagsPerProduct)
	}
	tagAt := map[string]int{}
	for i, t := range r.Tags {
		k := model.TagKey(t)
		if j, dup := tagAt[k]; dup {
			f := d.field("tags")
			if i < len(d.tagPaths) && d.tagPaths[i] != nil {
				f = d.tagPaths[i]
			}
			return &model.Error{Code: model.CodeTaken, Field: f,
				Message: "tag " + quote(t) + " repeats " + quote(r.Tags[j]) + " (tags ignore case)"}
		}
		tagAt[k] = i
	}
	skuAt := map[string]int{}
	for i, v := range r.Variants {
		if v.SKU == nil {
			continue
		}
		k := model.SKUKey(*v.SKU)
		if j, dup := skuAt[k]; dup {
			i = laterOf(d, j, i)
			return &model.Error{Code: model.CodeTaken, Field: d.variantField(i, "sku", d.field("variants")),
				Message: "two variants of the product have the SKU " + quote(*v.SKU) + " (SKUs ignore case)"}
		}
		skuAt[k] = i
	}
	if err := d.syncOptions(); err != nil {
		return err
	}
	if r.Product.Status == model.ProductActive && len(r.Variants) == 0 {
		f := d.field("status")
		if _, ok := d.fields["status"]; !ok {
			f = d.field("variants")
		}
		return model.InvalidField(f, "an active product needs at least one variant")
	}
	return nil
}

func quote(s string) string { return "\"" + s + "\"" }

// checkAgainstCatalog checks the drafts against the rest of the catalog:
// handles and SKUs must not belong to another product (TAKEN), categories
// must exist (NOT_FOUND). A product without a handle gets one made from its
// title. It returns the first problem; catalogProblems returns them all.
//
// The database's unique indexes stay the last word: a handle or SKU taken
// by a concurrent write after these checks fails the save, and the write
// runs again (see write), when these checks see it.
func (s *Service) checkAgainstCatalog(ctx context.Context, tx *store.Store, drafts []*draft) error {
	problems, err := catalogProblems(ctx, tx, drafts)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		return problems[0]
	}
	return nil
}

// catalogProblems is checkAgainstCatalog returning every problem, in the
// drafts' order within each kind.
func catalogProblems(ctx context.Context, tx *store.Store, drafts []*draft) ([]*model.Error, error) {
	var all []*model.Error
	for _, check := range []func(context.Context, *store.Store, []*draft) ([]*model.Error, error){
		checkHandles, checkSKUs, checkCategories} {
		problems, err := check(ctx, tx, drafts)
		if err != nil {
			return nil, err
		}
		all = append(all, problems...)
	}
	return all, nil
}

func checkHandles(ctx context.Context, tx *store.Store, drafts []*draft) ([]*model.Error, error) {
	var given []string
	var problems []*model.Error
	at := map[string]*draft{}
	for _, d := range drafts {
		p := &d.after.Product
		if p.Handle == "" {
			h, err := freeHandle(ctx, tx, store.ProductHandles, p.Title, "product")
			if err != nil {
				return nil, err
			}
			p.Handle = h
			continue
		}
		if d.before != nil && d.before.Product.Handle == p.Handle {
			continue
		}
		if _, dup := at[p.Handle]; dup {
			problems = append(problems, &model.Error{Code: model.CodeTaken, Field: d.field("handle"), Message: "handle " + quote(p.Handle) + " is taken"})
			continue
		}
		at[p.Handle] = d
		given = append(given, p.Handle)
	}
	if len(given) == 0 {
		return problems, nil
	}
	taken, err := tx.FindProductsByHandles(ctx, given)
	if err != nil {
		return nil, err
	}
	for _, p := range taken {
		if d := at[p.Handle]; d.after.Product.ID != p.ID {
			problems = append(problems, &model.Error{Code: model.CodeTaken, Field: d.field("handle"), Message: "handle " + quote(p.Handle) + " is taken"})
		}
	}
	return problems, nil
}

// freeHandle returns the first free handle made from title (or from
// fallback when the title has no ASCII letters or digits): the plain one,
// then with -2, -3, …
func freeHandle(ctx context.Context, tx *store.Store, table store.HandleTable, title, fallback string) (string, error) {
	base := model.HandleFrom(title)
	if base == "" {
		base = fallback
	}
	taken, err := tx.HandlesLike(ctx, table, base)
	if err != nil {
		return "", err
	}
	for n := 1; ; n++ {
		if h := model.HandleWithSuffix(base, n); !slices.Contains(taken, h) {
			return h, nil
		}
	}
}

// checkSKUs refuses a SKU that another product's variant has, unless that
// variant loses it in the same write, and a SKU two drafts share.
func checkSKUs(ctx context.Context, tx *store.Store, drafts []*draft) ([]*model.Error, error) {
	type use struct {
		d *draft
		i int
	}
	var problems []*model.Error
	uses := map[string]use{}
	final := map[int64]string{} // variant ID -> its SKU key after the write ("" none)
	saved := map[int64]bool{}   // products written by these drafts
	var keys []string
	for _, d := range drafts {
		if d.before != nil {
			saved[d.before.Product.ID] = true
			for _, v := range d.before.Variants {
				final[v.ID] = "" // deleted unless it is in after
			}
		}
		for i, v := range d.after.Variants {
			k := ""
			if v.SKU != nil {
				k = model.SKUKey(*v.SKU)
			}
			if v.ID != 0 {
				final[v.ID] = k
			}
			if k == "" {
				continue
			}
			if prev, dup := uses[k]; dup {
				if prev.d != d { // within one product, complete() reports it
					problems = append(problems, &model.Error{Code: model.CodeTaken, Field: d.variantField(i, "sku", d.field("variants")),
						Message: "SKU " + quote(*v.SKU) + " is also given to " + quote(prev.d.after.Product.Handle)})
				}
				continue
			}
			uses[k] = use{d, i}
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return problems, nil
	}
	holders, err := tx.FindVariantsBySKUKeys(ctx, keys)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(holders, func(a, b model.ProductVariant) int { return cmp.Compare(a.ID, b.ID) })
	for _, h := range holders {
		k := model.SKUKey(derefOr(h.SKU, ""))
		u, ok := uses[k]
		if !ok {
			continue
		}
		if saved[h.ProductID] && final[h.ID] != k {
			continue // the SKU moves away from h in this write
		}
		if u.d.after.Variants[u.i].ID == h.ID {
			continue // the same variant keeps its SKU
		}
		problems = append(problems, &model.Error{Code: model.CodeTaken, Field: u.d.variantField(u.i, "sku", u.d.field("variants")),
			Message: "SKU " + quote(*u.d.after.Variants[u.i].SKU) + " belongs to another variant"})
	}
	return problems, nil
}

// checkCategories refuses a category ID that names no category.
func checkCategories(ctx context.Context, tx *store.Store, drafts []*draft) ([]*model.Error, error) {
	changed := func(d *draft) bool {
		c := d.after.Product.CategoryID
		return c != nil && (d.before == nil || !equalID(d.before.Product.CategoryID, c))
	}
	var ids []int64
	for _, d := range drafts {
		if changed(d) {
			ids = append(ids, *d.after.Product.CategoryID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	found, err := tx.FindCategoriesByIDs(ctx, ids)
	if err != nil {
		return nil, err
	}
	var problems []*model.Error
	for _, d := range drafts {
		if !changed(d) {
			continue
		}
		c := *d.after.Product.CategoryID
		if !slices.ContainsFunc(found, func(x model.Category) bool { return x.ID == c }) {
			problems = append(problems, notFoundAt(d.field("categoryId"), "category"))
		}
	}
	return problems, nil
}

func equalID(a, b *int64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}
