package resolver

import (
	"context"
	"strconv"
	"unicode"
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

// checkText refuses text that is not valid UTF-8 or holds control
// characters (a NUL byte, say): databases treat those differently (SQLite
// ends a pattern at NUL, MariaDB ignores it), and no catalog text has them.
func checkText(path []string, s string, maxRunes int) error {
	if !utf8.ValidString(s) {
		return model.InvalidField(path, "%s must be valid UTF-8 text", path[len(path)-1])
	}
	if utf8.RuneCountInString(s) > maxRunes {
		return model.InvalidField(path, "%s must be at most %d characters", path[len(path)-1], maxRunes)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return model.InvalidField(path, "%s must not contain control characters", path[len(path)-1])
		}
	}
	return nil
}

// decodeProductFilter validates the storefront filter and converts it.
func decodeProductFilter(f *gqlmodel.ProductFilter) (store.ProductFilter, error) {
	var out store.ProductFilter
	if f == nil {
		return out, nil
	}
	field := func(names ...string) []string { return append([]string{"filter"}, names...) }
	if f.CategoryID != nil {
		id, err := model.DecodeGlobalIDOf(*f.CategoryID, model.TypeCategory)
		if err != nil {
			return out, model.InvalidField(field("categoryId"), "categoryId is not a valid Category ID")
		}
		out.CategoryID = &id
	}
	if f.Query != nil {
		if err := checkText(field("query"), *f.Query, maxQueryLen); err != nil {
			return out, err
		}
		// Each word is a condition on the search index; bound them.
		if len(model.SearchWords(*f.Query)) > maxQueryWords {
			return out, model.InvalidField(field("query"), "query may have at most %d words", maxQueryWords)
		}
		out.Query = *f.Query
	}
	if f.Tag != nil {
		if err := checkText(field("tag"), *f.Tag, maxTagLen); err != nil {
			return out, err
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
				return out, model.InvalidField(field("price", b.field), "price.%s must be a non-negative amount such as \"250.00\"", b.field)
			}
			*b.dst = &v
		}
		if out.MinPrice != nil && out.MaxPrice != nil && *out.MinPrice > *out.MaxPrice {
			return out, model.InvalidField(field("price"), "price.min must not exceed price.max")
		}
	}
	return out, nil
}

// productSortKeys maps the schema's sort keys to the store's.
var productSortKeys = map[gqlmodel.ProductSortKeys]store.ProductSortKey{
	gqlmodel.ProductSortKeysID:        store.SortByID,
	gqlmodel.ProductSortKeysTitle:     store.SortByTitle,
	gqlmodel.ProductSortKeysPrice:     store.SortByPrice,
	gqlmodel.ProductSortKeysCreatedAt: store.SortByCreatedAt,
}

// decodeProductsPage decodes the paging and order arguments of a products
// connection (Query.products, Category.products). TITLE sorts in the
// request's language, so its cursors only work in that language.
func decodeProductsPage(ctx context.Context, a pageArgs, sortKey *gqlmodel.ProductSortKeys, reverse *bool) (store.Page, error) {
	sort := store.SortByID
	if sortKey != nil {
		s, ok := productSortKeys[*sortKey]
		if !ok {
			return store.Page{}, model.InvalidField([]string{"sortKey"}, "unknown sort key")
		}
		sort = s
	}
	pg := store.Page{Sort: sort, Reverse: reverse != nil && *reverse, Language: model.LanguageFrom(ctx)}
	decoded, err := decodePage(a, pg.CursorKey())
	if err != nil {
		return pg, err
	}
	decoded.Sort, decoded.Reverse, decoded.Language = pg.Sort, pg.Reverse, pg.Language
	return decoded, nil
}

// listProducts answers a products connection for filter f: the page, its
// count on demand, and the look-ahead into what the query asks of them.
func listProducts(ctx context.Context, st *store.Store, f store.ProductFilter, a pageArgs,
	sortKey *gqlmodel.ProductSortKeys, reverse *bool) (*gqlmodel.Connection[model.Product], error) {
	pg, err := decodeProductsPage(ctx, a, sortKey, reverse)
	if err != nil {
		return nil, err
	}
	products, more, err := st.ListProducts(ctx, f, pg)
	if err != nil {
		return nil, err
	}
	count := func(ctx context.Context) (int64, error) { return st.CountProducts(ctx, f) }
	conn := newConnection(products, more, pg, productCursor(pg), count)
	ahead(newPrefetcher(ctx, st), conn.Nodes, productRelations, connectionNodes)
	return conn, nil
}

// productCursor returns the cursor function of a products page.
func productCursor(pg store.Page) func(*model.Product) model.Cursor {
	return pg.CursorFor
}

// variantCursor is the cursor of a variant in its product's variant list.
func variantCursor(v *model.ProductVariant) model.Cursor {
	return model.Cursor{SortKey: variantCursorKey, ID: v.ID, Value: strconv.Itoa(v.Position)}
}

// categoryCursor is the cursor of a category in the list of all categories.
func categoryCursor(c *model.Category) model.Cursor { return idCursor(c.ID) }

// loadProduct returns the product with id if the viewer may see it (see
// visibleTo: the storefront sees active products, staff every one), nil
// otherwise. Every path to a product in hand (typed fields, node, nodes,
// the product behind a variant, image or option) goes through it or
// visibleTo; lists filter in SQL.
func loadProduct(ctx context.Context, id int64) (*model.Product, error) {
	p, err := store.LoadersFrom(ctx).ProductByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && !visibleTo(ctx, p)) {
		return nil, nil
	}
	return p, err
}

// loadOwned loads an object that belongs to a product (a variant, image or
// option) and returns it only if its product is visible, nil otherwise.
func loadOwned[T any](ctx context.Context, load func(context.Context, int64) (*T, error), id int64, owner func(*T) int64) (*T, error) {
	v, err := load(ctx, id)
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	p, err := loadProduct(ctx, owner(v))
	if p == nil || err != nil {
		return nil, err
	}
	return v, nil
}

// loadVariant returns the variant with id if its product is visible, nil otherwise.
func loadVariant(ctx context.Context, id int64) (*model.ProductVariant, error) {
	return loadOwned(ctx, func(ctx context.Context, id int64) (*model.ProductVariant, error) {
		return store.LoadersFrom(ctx).VariantByID.Load(ctx, id)()
	}, id, func(v *model.ProductVariant) int64 { return v.ProductID })
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
// field names the argument the ID came in, for the error of a malformed one.
func (r *Resolver) loadNode(ctx context.Context, id string, field []string) (gqlmodel.Node, error) {
	g, err := model.DecodeGlobalID(id)
	if err != nil {
		// A cart's ID holds its secret key rather than a number.
		if key, cerr := model.DecodeCartID(id); cerr == nil {
			c, err := r.loadCart(ctx, key)
			if c == nil {
				return nil, err
			}
			return c, nil
		}
		return nil, model.InvalidField(field, "invalid ID")
	}
	l := store.LoadersFrom(ctx)
	var node gqlmodel.Node
	switch g.Type {
	case model.TypeProduct:
		p, err := loadProduct(ctx, g.ID)
		if p == nil {
			return nil, err
		}
		node = p
	case model.TypeProductVariant:
		v, err := loadVariant(ctx, g.ID)
		if v == nil {
			return nil, err
		}
		node = v
	case model.TypeCategory:
		c, err := loadCategory(ctx, g.ID)
		if c == nil {
			return nil, err
		}
		node = c
	case model.TypeProductOption:
		o, err := loadOwned(ctx, func(ctx context.Context, id int64) (*model.ProductOption, error) {
			return l.OptionByID.Load(ctx, id)()
		}, g.ID, func(o *model.ProductOption) int64 { return o.ProductID })
		if o == nil {
			return nil, err
		}
		node = o
	case model.TypeProductImage:
		i, err := loadOwned(ctx, func(ctx context.Context, id int64) (*model.ProductImage, error) {
			return l.ImageByID.Load(ctx, id)()
		}, g.ID, func(i *model.ProductImage) int64 { return i.ProductID })
		if i == nil {
			return nil, err
		}
		node = i
	case model.TypeOrder:
		o, err := loadOrder(ctx, g.ID, "")
		if o == nil {
			return nil, err
		}
		node = o
	case model.TypeOrderLine:
		ol, err := l.OrderLineByID.Load(ctx, g.ID)()
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		if o, err := loadOrder(ctx, ol.OrderID, ""); o == nil {
			return nil, err
		}
		node = ol
	case model.TypePayment:
		p, err := loadPayment(ctx, g.ID)
		if p == nil {
			return nil, err
		}
		node = p
	case model.TypePaymentTransaction:
		t, err := loadPaymentTx(ctx, g.ID)
		if t == nil {
			return nil, err
		}
		node = t
	case model.TypeCartLine:
		// A line's ID holds none of its cart's secret.
		return nil, nil
	case model.TypeDiscountCode:
		return loadDiscountNode(ctx, g.ID)
	default:
		return loadAccountNode(ctx, g)
	}
	return node, nil
}

// nodesAhead looks ahead for nodes of any type: each type's nodes are
// prefetched together with what the query selects on that type.
func nodesAhead(p *prefetcher, nodes []gqlmodel.Node) {
	var products []*model.Product
	var variants []*model.ProductVariant
	var categories []*model.Category
	var discounts []*model.Discount
	for _, n := range nodes {
		switch n := n.(type) {
		case *model.Discount:
			discounts = append(discounts, n)
		case *model.Product:
			products = append(products, n)
		case *model.ProductVariant:
			variants = append(variants, n)
		case *model.Category:
			categories = append(categories, n)
		}
	}
	ahead(p, products, productRelations, itemSelections)
	ahead(p, variants, variantRelations, itemSelections)
	ahead(p, categories, categoryRelations, itemSelections)
	if p != nil {
		discountsAhead(p, discounts, currentSelections(p.ctx))
	}
}

// pointersTo returns pointers to the elements of xs, in order.
func pointersTo[T any](xs []T) []*T {
	out := make([]*T, len(xs))
	for i := range xs {
		out[i] = &xs[i]
	}
	return out
}
