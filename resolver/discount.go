package resolver

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/catalog"
	"github.com/langran/langran/discount"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// decodeDiscountInput decodes discountCodeCreate's and discountCodeUpdate's
// input: the percentage to basis points, amounts to minor units of the
// store's currency, IDs to numbers. The workflow checks the rest.
func decodeDiscountInput(in gqlmodel.DiscountCodeInput) (discount.Input, error) {
	out := discount.Input{Code: in.Code, Kind: in.Kind, Active: in.Active}
	if in.Percentage != nil {
		p, err := model.ParsePercentage([]string{"input", "percentage"}, *in.Percentage)
		if err != nil {
			return out, err
		}
		out.Percentage = &p
	}
	if in.Amount != nil {
		a, err := model.ParsePrice([]string{"input", "amount"}, *in.Amount, catalog.Currency())
		if err != nil {
			return out, err
		}
		out.Amount = &a
	}
	if in.MinSubtotal.IsSet() {
		out.MinSubtotal.Set = true
		if v := in.MinSubtotal.Value(); v != nil {
			a, err := model.ParsePrice([]string{"input", "minSubtotal"}, *v, catalog.Currency())
			if err != nil {
				return out, err
			}
			out.MinSubtotal.Value = &a
		}
	}
	out.StartsAt = discount.Opt[time.Time]{Set: in.StartsAt.IsSet(), Value: in.StartsAt.Value()}
	out.EndsAt = discount.Opt[time.Time]{Set: in.EndsAt.IsSet(), Value: in.EndsAt.Value()}
	out.UsageLimit = discount.Opt[int]{Set: in.UsageLimit.IsSet(), Value: in.UsageLimit.Value()}
	out.PerCustomerLimit = discount.Opt[int]{Set: in.PerCustomerLimit.IsSet(), Value: in.PerCustomerLimit.Value()}
	for _, l := range []struct {
		name string
		ids  []string
		t    model.NodeType
		dst  **[]int64
	}{{"productIds", in.ProductIds, model.TypeProduct, &out.ProductIDs}, {"categoryIds", in.CategoryIds, model.TypeCategory, &out.CategoryIDs}} {
		if l.ids == nil {
			continue
		}
		ids := make([]int64, len(l.ids))
		for i, s := range l.ids {
			var err error
			if ids[i], err = decodeID([]string{"input", l.name, strconv.Itoa(i)}, s, l.t); err != nil {
				return out, err
			}
		}
		*l.dst = &ids
	}
	return out, nil
}

// maxDiscountQuery bounds discountCodes' filter.query: a code's length.
const maxDiscountQuery = model.MaxDiscountCode

// discountFilter decodes discountCodes' filter.
func discountFilter(f *gqlmodel.DiscountCodeFilter) (store.DiscountFilter, error) {
	var out store.DiscountFilter
	if f == nil {
		return out, nil
	}
	if f.Query != nil {
		q := model.NormalizeDiscountCode(*f.Query)
		if len(q) > maxDiscountQuery || strings.ContainsRune(q, 0) {
			return out, model.InvalidField([]string{"filter", "query"}, "query is the start of a code, at most %d characters", maxDiscountQuery)
		}
		out.CodePrefix = q
	}
	out.Active = f.Active
	return out, nil
}

// discountPayload answers discountCodeCreate, discountCodeUpdate and
// discountCodeDeactivate.
func discountPayload(ctx context.Context, st *store.Store, d *model.Discount, err error) (*gqlmodel.DiscountCodePayload, error) {
	ue, err := userErrors(err)
	out := &gqlmodel.DiscountCodePayload{UserErrors: ue}
	if len(ue) == 0 && err == nil {
		afterWrite(ctx)
		out.DiscountCode = d
		discountsAhead(newPrefetcher(ctx, st), []*model.Discount{d}, discountSelections(ctx, "discountCode"))
	}
	return out, err
}

// decodeDiscountID decodes the id argument of a discount code mutation.
func decodeDiscountID(id string) (int64, error) {
	return decodeID([]string{"id"}, id, model.TypeDiscountCode)
}

// loadDiscountNode answers node(id) for a discount code: as discountCodes,
// for whoever may manage discounts; null for anyone else.
func loadDiscountNode(ctx context.Context, id int64) (gqlmodel.Node, error) {
	if !model.ViewerFrom(ctx).Can(model.PermManageDiscounts) {
		return nil, nil
	}
	d, err := store.LoadersFrom(ctx).DiscountByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return d, nil
}

// discountsAhead loads, for a list of discount codes, the products and
// categories the query selects on them, for the whole list at once, and
// looks ahead into what it selects on those (the catalog types resolve
// serially and count on it). sel is what the query selects on the codes.
func discountsAhead(p *prefetcher, items []*model.Discount, sel ast.SelectionSet) {
	if p == nil || len(items) == 0 || len(sel) == 0 {
		return
	}
	var products, categories []graphql.CollectedField
	for _, f := range graphql.CollectFields(p.op, sel, []string{"DiscountCode", "Node"}) {
		switch f.Name {
		case "products":
			products = append(products, f)
		case "categories":
			categories = append(categories, f)
		}
	}
	// Best effort, as every look-ahead: on failure the field resolvers
	// load what they need themselves and report the error at their path.
	if len(products) > 0 {
		_ = p.productsThen(restrictedIDs(items, (*model.Discount).ProductIDList), products)
	}
	if len(categories) > 0 {
		_ = categoriesThen(p, restrictedIDs(items, (*model.Discount).CategoryIDList), categories)
	}
}

// restrictedIDs returns the distinct IDs the codes are restricted to.
func restrictedIDs(items []*model.Discount, list func(*model.Discount) []int64) []int64 {
	var out []int64
	seen := map[int64]bool{}
	for _, d := range items {
		for _, id := range list(d) {
			if !seen[id] {
				seen[id] = true
				out = append(out, id)
			}
		}
	}
	return out
}

// discountSelections returns what the current field (a payload) selects
// on its discount code, under field.
func discountSelections(ctx context.Context, field string) ast.SelectionSet {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || !graphql.HasOperationContext(ctx) {
		return nil
	}
	var out ast.SelectionSet
	for _, f := range graphql.CollectFields(graphql.GetOperationContext(ctx), fc.Field.Selections, []string{fc.Field.Definition.Type.Name()}) {
		if f.Name == field {
			out = append(out, f.Selections...)
		}
	}
	return out
}

// discountProducts returns the products a code is restricted to that the
// viewer may see, in the order staff gave them.
func discountProducts(ctx context.Context, d *model.Discount) ([]*model.Product, error) {
	ps, errs := store.LoadersFrom(ctx).ProductByID.LoadMany(ctx, d.ProductIDList())()
	out := []*model.Product{}
	for i, p := range ps {
		if errs != nil && errs[i] != nil {
			if model.ErrorCodeOf(errs[i]) == model.CodeNotFound {
				continue
			}
			return nil, errs[i]
		}
		if visibleTo(ctx, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// discountCategories returns the categories a code is restricted to.
func discountCategories(ctx context.Context, d *model.Discount) ([]*model.Category, error) {
	cs, errs := store.LoadersFrom(ctx).CategoryByID.LoadMany(ctx, d.CategoryIDList())()
	out := []*model.Category{}
	for i, c := range cs {
		if errs != nil && errs[i] != nil {
			if model.ErrorCodeOf(errs[i]) == model.CodeNotFound {
				continue
			}
			return nil, errs[i]
		}
		out = append(out, c)
	}
	return out, nil
}
