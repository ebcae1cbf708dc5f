package resolver

import (
	"context"
	"strconv"

	"github.com/langran/langran/catalog"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// visibleTo reports whether the request's viewer may see p (one rule,
// model.Product.VisibleTo): the storefront sees active products, staff who
// may read products see every one.
func visibleTo(ctx context.Context, p *model.Product) bool { return p.VisibleTo(model.ViewerFrom(ctx)) }

// afterWrite forgets what the request's loaders cached, so that the
// mutation's payload (and any later mutation of the same request) reads
// what was written.
func afterWrite(ctx context.Context) { store.LoadersFrom(ctx).ClearAll() }

// productPayload builds the payload of a product mutation.
func productPayload(ctx context.Context, p *model.Product, err error) (*gqlmodel.ProductPayload, error) {
	ue, err := userErrors(err)
	out := &gqlmodel.ProductPayload{UserErrors: ue}
	if len(ue) == 0 && err == nil {
		afterWrite(ctx)
		out.Product = p
	}
	return out, err
}

// decodeProductInput decodes productCreate's and productUpdate's input,
// given in the argument arg.
func decodeProductInput(in gqlmodel.ProductInput, arg string) (catalog.ProductInput, error) {
	out := catalog.ProductInput{Handle: in.Handle, Title: in.Title, TitleTH: in.TitleTh, Description: in.Description,
		DescriptionTH: in.DescriptionTh, Status: in.Status}
	if in.CategoryID.IsSet() {
		out.CategoryID.Set = true
		if v := in.CategoryID.Value(); v != nil {
			id, err := decodeID([]string{arg, "categoryId"}, *v, model.TypeCategory)
			if err != nil {
				return out, err
			}
			out.CategoryID.Value = &id
		}
	}
	if in.Tags != nil {
		tags := in.Tags
		out.Tags = &tags
	}
	if in.Variants != nil {
		vs := make([]catalog.VariantInput, len(in.Variants))
		for i, v := range in.Variants {
			var err error
			if vs[i], err = decodeVariantInput(v, []string{arg, "variants", strconv.Itoa(i)}); err != nil {
				return out, err
			}
		}
		out.Variants = &vs
	}
	if in.Images != nil {
		ims, err := decodeImageInputs(in.Images, []string{arg, "images"})
		if err != nil {
			return out, err
		}
		out.Images = &ims
	}
	return out, nil
}

// decodeVariants decodes a list of variant inputs given in the argument arg.
func decodeVariants(in []gqlmodel.ProductVariantInput, arg string) ([]catalog.VariantInput, error) {
	out := make([]catalog.VariantInput, len(in))
	for i, v := range in {
		var err error
		if out[i], err = decodeVariantInput(v, []string{arg, strconv.Itoa(i)}); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// decodeVariantInput decodes one variant input at field path f: prices to
// minor units of the store's currency, the weight to grams.
func decodeVariantInput(in gqlmodel.ProductVariantInput, f []string) (catalog.VariantInput, error) {
	at := func(name string) []string { return append(append([]string{}, f...), name) }
	var out catalog.VariantInput
	if in.ID != nil {
		id, err := decodeID(at("id"), *in.ID, model.TypeProductVariant)
		if err != nil {
			return out, err
		}
		out.ID = id
	}
	if in.Sku.IsSet() {
		out.SKU = catalog.Opt[string]{Set: true, Value: in.Sku.Value()}
	}
	if in.Price != nil {
		p, err := model.ParsePrice(at("price"), *in.Price, catalog.Currency())
		if err != nil {
			return out, err
		}
		out.Price = &p
	}
	if in.CompareAtPrice.IsSet() {
		out.CompareAtPrice.Set = true
		if v := in.CompareAtPrice.Value(); v != nil {
			p, err := model.ParsePrice(at("compareAtPrice"), *v, catalog.Currency())
			if err != nil {
				return out, err
			}
			out.CompareAtPrice.Value = &p
		}
	}
	out.Inventory = in.InventoryQuantity
	if in.Weight.IsSet() {
		out.WeightGrams.Set = true
		if w := in.Weight.Value(); w != nil {
			unit := model.WeightGrams
			if in.WeightUnit != nil {
				unit = *in.WeightUnit
			}
			g, err := model.WeightInGrams(at("weight"), *w, unit)
			if err != nil {
				return out, err
			}
			out.WeightGrams.Value = &g
		}
	}
	if in.SelectedOptions != nil {
		sel := make([]model.SelectedOption, len(in.SelectedOptions))
		for i, o := range in.SelectedOptions {
			sel[i] = model.SelectedOption{Name: o.Name, Value: o.Value}
		}
		out.Options = &sel
	}
	return out, nil
}

// decodeImageInputs decodes images given at field path f.
func decodeImageInputs(in []gqlmodel.ImageInput, f []string) ([]catalog.ImageInput, error) {
	out := make([]catalog.ImageInput, len(in))
	for i, im := range in {
		out[i] = catalog.ImageInput{URL: im.URL, AltText: im.AltText, Width: im.Width, Height: im.Height}
		if im.ID != nil {
			id, err := decodeID(append(append([]string{}, f...), strconv.Itoa(i), "id"), *im.ID, model.TypeProductImage)
			if err != nil {
				return nil, err
			}
			out[i].ID = id
		}
	}
	return out, nil
}

// decodeIDs decodes a list of global IDs of type want given in the argument arg.
func decodeIDs(ids []string, arg string, want model.NodeType) ([]int64, error) {
	out := make([]int64, len(ids))
	for i, s := range ids {
		var err error
		if out[i], err = decodeID([]string{arg, strconv.Itoa(i)}, s, want); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// allStatuses is what staff lists show when no status is asked for.
var allStatuses = []model.ProductStatus{model.ProductActive, model.ProductDraft, model.ProductArchived}

// decodeAdminProductFilter decodes the staff product filter with the same
// checks as the storefront's.
func decodeAdminProductFilter(f *gqlmodel.AdminProductFilter) (store.ProductFilter, error) {
	out := store.ProductFilter{Statuses: allStatuses}
	if f == nil {
		return out, nil
	}
	sf, err := decodeProductFilter(&gqlmodel.ProductFilter{CategoryID: f.CategoryID, Query: f.Query, Tag: f.Tag})
	if err != nil {
		return out, err
	}
	sf.Statuses = allStatuses
	if f.Status != nil {
		if !f.Status.Valid() {
			return out, model.InvalidField([]string{"filter", "status"}, "unknown status")
		}
		sf.Statuses = []model.ProductStatus{*f.Status}
	}
	return sf, nil
}

// importPayload turns an import's result into productImport's payload.
func importPayload(res *catalog.ImportResult, err error) (*gqlmodel.ProductImportPayload, error) {
	ue, err := userErrors(model.WithField(err, "file"))
	out := &gqlmodel.ProductImportPayload{UserErrors: ue, RowErrors: []gqlmodel.ProductImportRowError{}}
	if res == nil || err != nil {
		return out, err
	}
	s := res.Summary
	out.Summary = &gqlmodel.ProductImportSummary{Imported: s.Imported, Rows: s.Rows, ProductsCreated: s.ProductsCreated,
		ProductsUpdated: s.ProductsUpdated, ProductsUnchanged: s.ProductsUnchanged, VariantsCreated: s.VariantsCreated,
		VariantsUpdated: s.VariantsUpdated, VariantsDeleted: s.VariantsDeleted}
	out.RowErrorCount = len(res.RowErrors)
	for i, re := range res.RowErrors {
		if i == maxRowErrorsListed {
			break
		}
		e := gqlmodel.ProductImportRowError{Row: re.Row, Code: string(re.Code), Message: re.Message}
		if re.Column != "" {
			col := re.Column
			e.Column = &col
		}
		out.RowErrors = append(out.RowErrors, e)
	}
	return out, nil
}

// maxRowErrorsListed bounds the row errors productImport lists.
const maxRowErrorsListed = 500

// categoryPayload builds the payload of a category mutation.
func categoryPayload(ctx context.Context, c *model.Category, err error) (*gqlmodel.CategoryPayload, error) {
	ue, err := userErrors(err)
	out := &gqlmodel.CategoryPayload{UserErrors: ue}
	if len(ue) == 0 && err == nil {
		afterWrite(ctx)
		out.Category = c
	}
	return out, err
}

// maxExportProducts bounds what productExport answers in one response; the
// command line exports any number.
const maxExportProducts = 20_000
