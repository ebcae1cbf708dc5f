package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/graph-gophers/dataloader/v7"
	"github.com/langran/langran/checkout"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// loaderCatalog prices carts for GraphQL reads: variants and products come
// through the request's dataloaders, so a cart's merchandise costs no
// second query, and several carts in one request share one batch.
type loaderCatalog struct {
	st       *store.Store
	delivery checkout.Delivery
}

// DeliveryRate implements checkout.Catalog, once per request for each
// request and handle.
func (c loaderCatalog) DeliveryRate(ctx context.Context, req model.ShippingRequest, handle string) (model.DeliveryOption, bool) {
	if c.delivery == nil || handle == "" {
		return model.DeliveryOption{}, false
	}
	type rated struct {
		opt model.DeliveryOption
		ok  bool
	}
	v, _ := store.LoadersFrom(ctx).Memo(fmt.Sprintf("delivery-rate %s %+v", handle, req), func() (any, error) {
		opt, ok := c.delivery.Rate(ctx, req, handle)
		return rated{opt, ok}, nil
	})
	r := v.(rated)
	return r.opt, r.ok
}

// delivery is the shipping service as carts use it, nil when there is none.
func (r *Resolver) delivery() checkout.Delivery {
	if r.Shipping == nil {
		return nil
	}
	return r.Shipping
}

func loadAll[V any](ctx context.Context, ids []int64, load func(context.Context, []int64) dataloader.ThunkMany[*V]) (map[int64]*V, error) {
	out := map[int64]*V{}
	if len(ids) == 0 {
		return out, nil
	}
	vals, errs := load(ctx, ids)()
	for i, id := range ids {
		if i < len(errs) && errs[i] != nil {
			if model.ErrorCodeOf(errs[i]) == model.CodeNotFound {
				continue
			}
			return nil, errs[i]
		}
		out[id] = vals[i]
	}
	return out, nil
}

// VariantsWithProducts reads through the request's loaders, whose caches
// the cart's other fields share: one joined batch, which also primes the
// variant and product loaders.
func (c loaderCatalog) VariantsWithProducts(ctx context.Context, ids []int64) (map[int64]*model.ProductVariant, map[int64]*model.Product, error) {
	found, err := loadAll(ctx, ids, store.LoadersFrom(ctx).VariantWithProduct.LoadMany)
	if err != nil {
		return nil, nil, err
	}
	vs := make(map[int64]*model.ProductVariant, len(found))
	ps := make(map[int64]*model.Product, len(found))
	for id, r := range found {
		vs[id], ps[r.Product.ID] = r.Variant, r.Product
	}
	return vs, ps, nil
}

func (c loaderCatalog) Ancestors(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	out := map[int64][]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	groups, errs := store.LoadersFrom(ctx).AncestorsByCategory.LoadMany(ctx, ids)()
	for i, id := range ids {
		if i < len(errs) && errs[i] != nil {
			return nil, errs[i]
		}
		for _, r := range groups[i] {
			out[id] = append(out[id], r.AncestorID)
		}
	}
	return out, nil
}

func (c loaderCatalog) Discounts(ctx context.Context, keys []string) (map[string]*model.Discount, error) {
	return checkout.StoreCatalog{St: c.st}.Discounts(ctx, keys)
}

func (c loaderCatalog) Uses(ctx context.Context, ids []int64, buyerKey string) (map[int64]int, error) {
	return c.st.CountDiscountUses(ctx, ids, buyerKey)
}

// carts is a request's view of the carts it has read or changed: the
// latest version of each, so that fields resolved after a mutation (in the
// same request) see the cart as the mutation left it.
type carts struct {
	mu     sync.Mutex
	latest map[int64]*model.Cart
}

type cartsKey struct{}

// quoteKey names one version of a cart's price in the request's memo.
type quoteKey struct{ cart *model.Cart }

func cartsOf(ctx context.Context) *carts {
	v, _ := store.LoadersFrom(ctx).Memo(cartsKey{}, func() (any, error) {
		return &carts{latest: map[int64]*model.Cart{}}, nil
	})
	return v.(*carts)
}

// seeCart records c as the request's latest version of the cart. A changed
// cart's lines are read again, unless the change handed them over.
func seeCart(ctx context.Context, c *model.Cart, changed bool) *model.Cart {
	if c == nil {
		return nil
	}
	cs := cartsOf(ctx)
	cs.mu.Lock()
	cs.latest[c.ID] = c
	cs.mu.Unlock()
	if changed {
		l := store.LoadersFrom(ctx)
		l.CartLinesByCart.Clear(ctx, c.ID)
		l.CartByKey.Clear(ctx, c.CartKey)
		if c.Lines != nil {
			// The change handed over the lines it stored.
			l.CartLinesByCart.Prime(ctx, c.ID, c.Lines)
		}
	}
	return c
}

// cartLines returns the cart's lines, oldest first.
func cartLines(ctx context.Context, cartID int64) ([]model.CartLine, error) {
	return store.LoadersFrom(ctx).CartLinesByCart.Load(ctx, cartID)()
}

// quoteOf prices the latest version of the cart, once per version per
// request: cost, problems, discount codes and every line's cost share it.
func (r *Resolver) quoteOf(ctx context.Context, cartID int64) (*checkout.Quote, error) {
	cs := cartsOf(ctx)
	cs.mu.Lock()
	c := cs.latest[cartID]
	cs.mu.Unlock()
	if c == nil {
		return nil, fmt.Errorf("cart %d priced before it was read", cartID)
	}
	v, err := store.LoadersFrom(ctx).Memo(quoteKey{c}, func() (any, error) {
		lines, err := cartLines(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		return r.Checkout.Quote(ctx, loaderCatalog{r.Store, r.delivery()}, c, lines)
	})
	if err != nil {
		return nil, err
	}
	return v.(*checkout.Quote), nil
}

func money(minor int64, cur model.CurrencyCode) *model.Money {
	return &model.Money{Minor: minor, Currency: cur}
}

// cartPayload answers a cart mutation.
func cartPayload(ctx context.Context, c *model.Cart, err error) (*gqlmodel.CartPayload, error) {
	ue, err := userErrors(err)
	if len(ue) > 0 || err != nil {
		return &gqlmodel.CartPayload{UserErrors: ue}, err
	}
	return &gqlmodel.CartPayload{Cart: seeCart(ctx, c, true), UserErrors: ue}, nil
}

// decodeCartKey decodes a cart ID given in the argument at path.
func decodeCartKey(path []string, id string) (string, error) {
	k, err := model.DecodeCartID(id)
	if err != nil {
		return "", model.InvalidField(path, "%s is not a valid Cart ID", path[len(path)-1])
	}
	return k, nil
}

// at appends an index and a name to a field path.
func at(path []string, i int, name string) []string {
	return append(slices.Clone(path), fmt.Sprint(i), name)
}

// decodeLineInputs converts cart lines to add.
func decodeLineInputs(path []string, in []gqlmodel.CartLineInput) ([]checkout.LineInput, error) {
	if len(in) > model.MaxCartLines {
		return nil, &model.Error{Code: model.CodeLimitExceeded, Field: path,
			Message: fmt.Sprintf("at most %d lines at once", model.MaxCartLines)}
	}
	out := make([]checkout.LineInput, len(in))
	for i, l := range in {
		id, err := decodeID(at(path, i, "merchandiseId"), l.MerchandiseID, model.TypeProductVariant)
		if err != nil {
			return nil, err
		}
		out[i] = checkout.LineInput{VariantID: id, Quantity: 1}
		if l.Quantity != nil {
			out[i].Quantity = *l.Quantity
		}
	}
	return out, nil
}

// decodeBuyer converts a buyer identity. The customer is the one the
// access token names, or the signed-in caller; a token naming someone
// other than the signed-in caller is refused.
func (r *Resolver) decodeBuyer(ctx context.Context, path []string, in *gqlmodel.CartBuyerIdentityInput) (*checkout.BuyerInput, error) {
	v := model.ViewerFrom(ctx)
	var b checkout.BuyerInput
	if v.Kind == model.ViewerCustomer {
		id := v.ID
		b.CustomerID = &id
	}
	if in == nil {
		if b.CustomerID == nil {
			return nil, nil
		}
		return &b, nil
	}
	b.Email, b.Phone, b.CountryCode = in.Email, in.Phone, in.CountryCode
	if in.CustomerAccessToken != nil {
		field := append(slices.Clone(path), "customerAccessToken")
		id, err := r.Auth.CustomerOfToken(ctx, *in.CustomerAccessToken)
		if err != nil {
			return nil, model.WithField(err, field...)
		}
		if b.CustomerID != nil && *b.CustomerID != id {
			return nil, &model.Error{Code: model.CodeForbidden, Field: field,
				Message: "the token is another customer's than the signed-in one"}
		}
		b.CustomerID = &id
	}
	if in.DeliveryAddress != nil {
		a, err := decodeAddress("deliveryAddress", *in.DeliveryAddress)
		if err != nil {
			return nil, underField(err, path...)
		}
		b.DeliveryAddress = &a
	}
	return &b, nil
}

// underField puts an error's field path under prefix.
func underField(err error, prefix ...string) error {
	var me *model.Error
	if errors.As(err, &me) {
		c := *me
		c.Field = append(slices.Clone(prefix), me.Field...)
		return &c
	}
	return err
}

// loadCart returns the cart with key, nil when there is none the caller may
// use (see checkout.Service.Usable).
func (r *Resolver) loadCart(ctx context.Context, key string) (*model.Cart, error) {
	c, err := store.LoadersFrom(ctx).CartByKey.Load(ctx, key)()
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && !r.Checkout.Usable(ctx, c)) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return seeCart(ctx, c, false), nil
}

// primeLines loads the lines' variants and their products in one batch
// each, the same batches pricing asks for, so that each line's merchandise
// and product come from the loaders' cache rather than from batches of
// whatever lines happen to resolve together.
func primeLines(ctx context.Context, st *store.Store, lines []model.CartLine) error {
	return primeVariants(ctx, st, lines, func(l *model.CartLine) int64 { return l.VariantID })
}

// primeVariants loads the variants the items name, and their products, in
// one batch each before the items' fields resolve. A loader's batch
// gathers the loads that arrive within its short wait; on a slow or busy
// machine the items' own loads can straddle two waits, and one batch
// becomes two.
func primeVariants[T any](ctx context.Context, st *store.Store, items []T, variant func(*T) int64) error {
	cat := loaderCatalog{st: st}
	ids := make([]int64, len(items))
	for i := range items {
		ids[i] = variant(&items[i])
	}
	_, _, err := cat.VariantsWithProducts(ctx, ids)
	return err
}
