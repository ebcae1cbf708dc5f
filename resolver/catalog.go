package resolver

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// storeCurrency is the currency catalog prices are kept in.
const storeCurrency = model.CurrencyTHB

// Input bounds for catalog arguments; longer input is rejected, not truncated.
const (
	maxQueryLen   = 200
	maxQueryWords = 8
	maxHandleLen  = 255
	maxTagLen     = 255
)

// visibleToStorefront reports whether the storefront may see p. Staff views
// will widen this; every path to a product (typed field, node, relation)
// goes through it so that they agree.
func visibleToStorefront(p *model.Product) bool {
	return p != nil && p.Status == model.ProductActive
}

func invalidArg(field, msg string) *model.Error {
	return &model.Error{Code: model.CodeInvalid, Message: msg, Field: []string{field}}
}

// decodeProductFilter validates the storefront filter and converts it.
func decodeProductFilter(f *gqlmodel.ProductFilter) (store.ProductFilter, error) {
	var out store.ProductFilter
	if f == nil {
		return out, nil
	}
	if f.CategoryID != nil {
		id, err := model.DecodeGlobalIDOf(*f.CategoryID, model.TypeCategory)
		if err != nil {
			return out, invalidArg("categoryId", "categoryId is not a valid Category ID")
		}
		out.CategoryID = &id
	}
	if f.Query != nil {
		if utf8.RuneCountInString(*f.Query) > maxQueryLen || !utf8.ValidString(*f.Query) {
			return out, invalidArg("query", "query must be valid text of at most 200 characters")
		}
		// Each word is a scan of the titles and descriptions; bound them.
		if len(strings.Fields(*f.Query)) > maxQueryWords {
			return out, invalidArg("query", "query may have at most 8 words")
		}
		out.Query = *f.Query
	}
	if f.Tag != nil {
		if len(*f.Tag) > maxTagLen {
			return out, invalidArg("tag", "tag must be at most 255 bytes")
		}
		out.Tag = *f.Tag
	}
	out.Available = f.Available
	if f.Price != nil {
		digits := storeCurrency.MinorDigits()
		for _, b := range []struct {
			raw   *string
			dst   **int64
			field string
		}{{f.Price.Min, &out.MinPrice, "min"}, {f.Price.Max, &out.MaxPrice, "max"}} {
			if b.raw == nil {
				continue
			}
			v, err := model.ParseMinor(*b.raw, digits)
			if err != nil || v < 0 {
				return out, invalidArg("price."+b.field, "price."+b.field+" must be a non-negative amount such as \"250.00\"")
			}
			*b.dst = &v
		}
		if out.MinPrice != nil && out.MaxPrice != nil && *out.MinPrice > *out.MaxPrice {
			return out, invalidArg("price", "price.min must not exceed price.max")
		}
	}
	return out, nil
}

var sortKeys = map[gqlmodel.ProductSortKeys]store.ProductSortKey{
	gqlmodel.ProductSortKeysID:        store.SortByID,
	gqlmodel.ProductSortKeysTitle:     store.SortByTitle,
	gqlmodel.ProductSortKeysPrice:     store.SortByPrice,
	gqlmodel.ProductSortKeysCreatedAt: store.SortByCreatedAt,
}

func decodeSort(k *gqlmodel.ProductSortKeys, reverse *bool) (store.ProductSortKey, bool) {
	sort := store.SortByID
	if k != nil {
		if s, ok := sortKeys[*k]; ok {
			sort = s
		}
	}
	return sort, reverse != nil && *reverse
}

// productConnection builds the connection for a page of products.
func productConnection(products []model.Product, more bool, pg store.Page, count func(context.Context) (int64, error)) *gqlmodel.ProductConnection {
	conn := &gqlmodel.ProductConnection{
		Edges: make([]gqlmodel.ProductEdge, len(products)),
		Nodes: make([]*model.Product, len(products)),
		Count: count,
	}
	for i := range products {
		p := &products[i]
		conn.Edges[i] = gqlmodel.ProductEdge{Cursor: model.EncodeCursor(store.CursorFor(pg.Sort, p)), Node: p}
		conn.Nodes[i] = p
	}
	var start, end *string
	if n := len(conn.Edges); n > 0 {
		start, end = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	conn.PageInfo = pageInfo(pg, more, start, end)
	return conn
}

// variantCursor is the cursor of a variant in its product's variant list.
func variantCursor(v *model.ProductVariant) string {
	return model.EncodeCursor(model.Cursor{SortKey: "POSITION", ID: v.ID, Value: strconv.Itoa(v.Position)})
}

// loadProduct returns the product with id if the storefront may see it, nil otherwise.
func loadProduct(ctx context.Context, id int64) (*model.Product, error) {
	p, err := store.LoadersFrom(ctx).ProductByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && !visibleToStorefront(p)) {
		return nil, nil
	}
	return p, err
}

// loadVariant returns the variant with id if its product is visible, nil otherwise.
func loadVariant(ctx context.Context, id int64) (*model.ProductVariant, error) {
	v, err := store.LoadersFrom(ctx).VariantByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := loadProduct(ctx, v.ProductID)
	if p == nil || err != nil {
		return nil, err
	}
	return v, nil
}

// loadCategory returns the category with id, nil when there is none.
func loadCategory(ctx context.Context, id int64) (*model.Category, error) {
	c, err := store.LoadersFrom(ctx).CategoryByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	return c, err
}

// loadNode resolves a global ID to its object, applying the same visibility
// rules as the typed fields. Unknown or hidden objects are nil, not errors.
func loadNode(ctx context.Context, id string) (gqlmodel.Node, error) {
	g, err := model.DecodeGlobalID(id)
	if err != nil {
		return nil, invalidArg("id", "invalid ID")
	}
	l := store.LoadersFrom(ctx)
	switch g.Type {
	case model.TypeProduct:
		p, err := loadProduct(ctx, g.ID)
		if p == nil {
			return nil, err
		}
		return p, nil
	case model.TypeProductVariant:
		v, err := loadVariant(ctx, g.ID)
		if v == nil {
			return nil, err
		}
		return v, nil
	case model.TypeCategory:
		c, err := loadCategory(ctx, g.ID)
		if c == nil {
			return nil, err
		}
		return c, nil
	case model.TypeProductOption:
		o, err := l.OptionByID.Load(ctx, g.ID)()
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if p, err := loadProduct(ctx, o.ProductID); p == nil {
			return nil, err
		}
		return o, nil
	}
	// Images have IDs but are not nodes: Image does not implement Node.
	return nil, nil
}

// pointersTo returns pointers to the elements of xs, in order.
func pointersTo[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}
