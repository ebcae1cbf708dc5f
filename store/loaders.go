package store

import (
	"context"
	"sync"
	"time"

	"github.com/graph-gophers/dataloader/v7"

	"github.com/langran/langran/model"
)

// LoaderOptions tune the per-request dataloaders.
type LoaderOptions struct {
	// Wait is how long a loader collects keys before it queries. Resolvers of
	// one list level start within microseconds of each other, so a short wait
	// batches them without adding noticeable latency.
	Wait time.Duration
	// MaxBatch caps the keys in one IN (...) list. It must be at least the
	// largest page size, or one page would need two queries.
	MaxBatch int
}

// DefaultLoaderOptions are the options used when none are given.
var DefaultLoaderOptions = LoaderOptions{Wait: time.Millisecond, MaxBatch: 500}

// Loaders batch and cache relation lookups for one request. They see only
// the first caller's context and do no authorization: resolvers check what
// the caller may see.
type Loaders struct {
	ProductByID *dataloader.Loader[int64, *model.Product]
	VariantByID *dataloader.Loader[int64, *model.ProductVariant]
	// VariantWithProduct reads variants joined to their products in one
	// statement (pricing a cart needs both) and primes VariantByID and
	// ProductByID with what it read.
	VariantWithProduct   *dataloader.Loader[int64, *VariantWithProduct]
	CategoryByID         *dataloader.Loader[int64, *model.Category]
	ImageByID            *dataloader.Loader[int64, *model.ProductImage]
	OptionByID           *dataloader.Loader[int64, *model.ProductOption]
	VariantsByProduct    *dataloader.Loader[int64, []model.ProductVariant]
	ImagesByProduct      *dataloader.Loader[int64, []model.ProductImage]
	OptionsByProduct     *dataloader.Loader[int64, []model.ProductOption]
	TagsByProduct        *dataloader.Loader[int64, []model.ProductTag]
	ChildrenByCategory   *dataloader.Loader[int64, []model.Category]
	AncestorsByCategory  *dataloader.Loader[int64, []model.CategoryClosure]
	ProductsInCategory   *dataloader.Loader[CategoryPageKey, CategoryProductsPage]
	ProductCountCategory *dataloader.Loader[int64, int64]
	CustomerByID         *dataloader.Loader[int64, *model.Customer]
	AddressesByCustomer  *dataloader.Loader[int64, []model.MailingAddress]
	StaffByID            *dataloader.Loader[int64, *model.StaffMember]
	APIKeyByID           *dataloader.Loader[int64, *model.APIKey]
	AddressByID          *dataloader.Loader[int64, *model.MailingAddress]
	AuditEntryByID       *dataloader.Loader[int64, *model.AuditEntry]
	CartByKey            *dataloader.Loader[string, *model.Cart]
	CartLinesByCart      *dataloader.Loader[int64, []model.CartLine]
	OrderByID            *dataloader.Loader[int64, *model.Order]
	OrderLinesByOrder    *dataloader.Loader[int64, []model.OrderLine]
	OrderLineByID        *dataloader.Loader[int64, *model.OrderLine]
	OrderEventsByOrder   *dataloader.Loader[int64, []model.OrderEvent]
	ShippingZoneByID     *dataloader.Loader[int64, *model.ShippingZone]
	AreasByShippingZone  *dataloader.Loader[int64, []model.ShippingZoneArea]
	RatesByShippingZone  *dataloader.Loader[int64, []model.ShippingRate]
	MovementByID         *dataloader.Loader[int64, *model.InventoryMovement]
	DiscountByID         *dataloader.Loader[int64, *model.Discount]
	PaymentByID          *dataloader.Loader[int64, *model.Payment]
	PaymentsByOrder      *dataloader.Loader[int64, []model.Payment]
	PaymentTxByID        *dataloader.Loader[int64, *model.PaymentTransaction]
	PaymentTxsByPayment  *dataloader.Loader[int64, []model.PaymentTransaction]
	ReceiptByID          *dataloader.Loader[int64, *model.Receipt]
	ReceiptsByOrder      *dataloader.Loader[int64, []model.Receipt]

	memo sync.Map // key -> *memoCell, see Memo

	claims sync.Map // visitKey -> chan struct{}, see Claim
}

type visitKey struct {
	relation string
	id       int64
}

// Claim lets one prefetch per request fetch a relation of one object. The
// first caller gets claimed=true and must call Release once it has primed
// the loader; later callers get the channel that Release closes, so they can
// wait for the data instead of fetching it again.
func (l *Loaders) Claim(relation string, id int64) (claimed bool, done <-chan struct{}) {
	ch := make(chan struct{})
	actual, loaded := l.claims.LoadOrStore(visitKey{relation, id}, ch)
	return !loaded, actual.(chan struct{})
}

// Release marks a claimed relation as primed (or given up on).
func (l *Loaders) Release(relation string, id int64) {
	if ch, ok := l.claims.Load(visitKey{relation, id}); ok {
		close(ch.(chan struct{}))
	}
}

type memoCell struct {
	once sync.Once
	v    any
	err  error
}

// Memo computes fn once per request for key and gives every caller its
// result: for derived values several fields need, such as a cart's price.
func (l *Loaders) Memo(key any, fn func() (any, error)) (any, error) {
	c, _ := l.memo.LoadOrStore(key, &memoCell{})
	cell := c.(*memoCell)
	cell.once.Do(func() { cell.v, cell.err = fn() })
	return cell.v, cell.err
}

// CategoryPageKey asks for one page of one category's products. Keys that
// differ only in CategoryID are fetched together.
type CategoryPageKey struct {
	CategoryID int64
	Sort       ProductSortKey
	Reverse    bool
	Limit      int
	Backward   bool
	After      model.Cursor // zero when absent
	Before     model.Cursor // zero when absent
	Language   model.Language
}

// Page returns the page the key asks for.
func (k CategoryPageKey) Page() Page {
	pg := Page{Sort: k.Sort, Reverse: k.Reverse, Limit: k.Limit, Backward: k.Backward, Language: k.Language}
	if k.After.SortKey != "" {
		pg.After = &k.After
	}
	if k.Before.SortKey != "" {
		pg.Before = &k.Before
	}
	return pg
}

// NewLoaders builds a fresh set of loaders over s for one request.
func NewLoaders(s *Store, o LoaderOptions) *Loaders {
	if o.Wait <= 0 {
		o.Wait = DefaultLoaderOptions.Wait
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = DefaultLoaderOptions.MaxBatch
	}
	l := &Loaders{
		ProductByID:         byID(o, s.FindProductsByIDs, func(p *model.Product) int64 { return p.ID }),
		VariantByID:         byID(o, s.FindVariantsByIDs, func(v *model.ProductVariant) int64 { return v.ID }),
		CategoryByID:        byID(o, s.FindCategoriesByIDs, func(c *model.Category) int64 { return c.ID }),
		ImageByID:           byID(o, s.FindImagesByIDs, func(i *model.ProductImage) int64 { return i.ID }),
		OptionByID:          byID(o, s.FindOptionsByIDs, func(op *model.ProductOption) int64 { return op.ID }),
		VariantsByProduct:   grouped(o, s.FindVariantsByProductIDs, func(v *model.ProductVariant) int64 { return v.ProductID }),
		ImagesByProduct:     grouped(o, s.FindImagesByProductIDs, func(i *model.ProductImage) int64 { return i.ProductID }),
		OptionsByProduct:    grouped(o, s.FindOptionsByProductIDs, func(op *model.ProductOption) int64 { return op.ProductID }),
		TagsByProduct:       grouped(o, s.FindTagsByProductIDs, func(t *model.ProductTag) int64 { return t.ProductID }),
		ChildrenByCategory:  grouped(o, s.FindChildCategories, func(c *model.Category) int64 { return *c.ParentID }),
		AncestorsByCategory: grouped(o, s.FindCategoryAncestors, func(c *model.CategoryClosure) int64 { return c.DescendantID }),
		ProductsInCategory: newLoader(o, func(ctx context.Context, keys []CategoryPageKey) []*dataloader.Result[CategoryProductsPage] {
			// Group the keys by page shape; each group is one query.
			type shape = CategoryPageKey
			groups := map[shape][]int64{}
			for _, k := range keys {
				sh := k
				sh.CategoryID = 0
				groups[sh] = append(groups[sh], k.CategoryID)
			}
			pages := map[CategoryPageKey]CategoryProductsPage{}
			errs := map[shape]error{}
			for sh, ids := range groups {
				res, err := s.ListProductsInCategories(ctx, ids, sh.Page())
				if err != nil {
					errs[sh] = err
					continue
				}
				for _, id := range ids {
					k := sh
					k.CategoryID = id
					pages[k] = res[id]
				}
			}
			out := make([]*dataloader.Result[CategoryProductsPage], len(keys))
			for i, k := range keys {
				sh := k
				sh.CategoryID = 0
				out[i] = &dataloader.Result[CategoryProductsPage]{Data: pages[k], Error: errs[sh]}
			}
			return out
		}),
		CustomerByID:        byID(o, s.FindCustomersByIDs, func(c *model.Customer) int64 { return c.ID }),
		AddressesByCustomer: grouped(o, s.FindAddressesByCustomerIDs, func(a *model.MailingAddress) int64 { return a.CustomerID }),
		StaffByID:           byID(o, s.FindStaffByIDs, func(m *model.StaffMember) int64 { return m.ID }),
		APIKeyByID:          byID(o, s.FindAPIKeysByIDs, func(k *model.APIKey) int64 { return k.ID }),
		AddressByID:         byID(o, s.FindAddressesByIDs, func(a *model.MailingAddress) int64 { return a.ID }),
		AuditEntryByID:      byID(o, s.FindAuditByIDs, func(e *model.AuditEntry) int64 { return e.ID }),
		CartByKey: newLoader(o, func(ctx context.Context, keys []string) []*dataloader.Result[*model.Cart] {
			rows, err := s.FindCartsByKeys(ctx, keys)
			found := make(map[string]*model.Cart, len(rows))
			for i := range rows {
				found[rows[i].CartKey] = &rows[i]
			}
			out := make([]*dataloader.Result[*model.Cart], len(keys))
			for i, k := range keys {
				switch c, ok := found[k]; {
				case err != nil:
					out[i] = &dataloader.Result[*model.Cart]{Error: err}
				case ok:
					out[i] = &dataloader.Result[*model.Cart]{Data: c}
				default:
					out[i] = &dataloader.Result[*model.Cart]{Error: &model.Error{Code: model.CodeNotFound, Message: "not found"}}
				}
			}
			return out
		}),
		CartLinesByCart:    grouped(o, s.FindCartLinesByCartIDs, func(l *model.CartLine) int64 { return l.CartID }),
		OrderByID:          byID(o, s.FindOrdersByIDs, func(x *model.Order) int64 { return x.ID }),
		OrderLineByID:      byID(o, s.FindOrderLinesByIDs, func(l *model.OrderLine) int64 { return l.ID }),
		OrderLinesByOrder:  grouped(o, s.FindOrderLinesByOrderIDs, func(l *model.OrderLine) int64 { return l.OrderID }),
		OrderEventsByOrder: grouped(o, s.FindOrderEventsByOrderIDs, func(e *model.OrderEvent) int64 { return e.OrderID }),
		ShippingZoneByID:   byID(o, s.FindShippingZonesByIDs, func(z *model.ShippingZone) int64 { return z.ID }),
		AreasByShippingZone: grouped(o, s.FindShippingAreasByZoneIDs,
			func(a *model.ShippingZoneArea) int64 { return a.ZoneID }),
		RatesByShippingZone: grouped(o, s.FindShippingRatesByZoneIDs, func(r *model.ShippingRate) int64 { return r.ZoneID }),
		MovementByID:        byID(o, s.FindInventoryMovementsByIDs, func(m *model.InventoryMovement) int64 { return m.ID }),
		DiscountByID:        byID(o, s.FindDiscountsByIDs, func(d *model.Discount) int64 { return d.ID }),
		PaymentByID:         byID(o, s.FindPaymentsByIDs, func(p *model.Payment) int64 { return p.ID }),
		PaymentsByOrder:     grouped(o, s.FindPaymentsByOrderIDs, func(p *model.Payment) int64 { return p.OrderID }),
		PaymentTxByID:       byID(o, s.FindPaymentTransactionsByIDs, func(t *model.PaymentTransaction) int64 { return t.ID }),
		PaymentTxsByPayment: grouped(o, s.FindPaymentTransactionsByPaymentIDs,
			func(t *model.PaymentTransaction) int64 { return t.PaymentID }),
		ReceiptByID:     byID(o, s.FindReceiptsByIDs, func(r *model.Receipt) int64 { return r.ID }),
		ReceiptsByOrder: grouped(o, s.FindReceiptsByOrderIDs, func(r *model.Receipt) int64 { return r.OrderID }),
		ProductCountCategory: newLoader(o, func(ctx context.Context, ids []int64) []*dataloader.Result[int64] {
			counts, err := s.CountProductsInCategories(ctx, ids)
			out := make([]*dataloader.Result[int64], len(ids))
			for i, id := range ids {
				out[i] = &dataloader.Result[int64]{Data: counts[id], Error: err}
			}
			return out
		}),
	}
	l.VariantWithProduct = newLoader(o, func(ctx context.Context, ids []int64) []*dataloader.Result[*VariantWithProduct] {
		vs, ps, err := s.FindVariantsWithProducts(ctx, ids)
		out := make([]*dataloader.Result[*VariantWithProduct], len(ids))
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[*VariantWithProduct]{Error: err}
			}
			return out
		}
		products := make(map[int64]*model.Product, len(ps))
		for i := range ps {
			products[ps[i].ID] = &ps[i]
			l.ProductByID.Prime(ctx, ps[i].ID, &ps[i])
		}
		found := make(map[int64]*VariantWithProduct, len(vs))
		for i := range vs {
			found[vs[i].ID] = &VariantWithProduct{Variant: &vs[i], Product: products[vs[i].ProductID]}
			l.VariantByID.Prime(ctx, vs[i].ID, &vs[i])
		}
		for i, id := range ids {
			if r, ok := found[id]; ok {
				out[i] = &dataloader.Result[*VariantWithProduct]{Data: r}
			} else {
				out[i] = &dataloader.Result[*VariantWithProduct]{Error: &model.Error{Code: model.CodeNotFound, Message: "not found"}}
			}
		}
		return out
	})
	return l
}

// VariantWithProduct is a variant and its product.
type VariantWithProduct struct {
	Variant *model.ProductVariant
	Product *model.Product
}

func newLoader[K comparable, V any](o LoaderOptions, fn dataloader.BatchFunc[K, V]) *dataloader.Loader[K, V] {
	return dataloader.NewBatchedLoader(fn,
		dataloader.WithWait[K, V](o.Wait),
		dataloader.WithBatchCapacity[K, V](o.MaxBatch))
}

// byID makes a loader that fetches rows by primary key with one IN query and
// answers each key with its row, or a NotFound error when there is none.
func byID[T any](o LoaderOptions, fetch func(context.Context, []int64) ([]T, error), id func(*T) int64) *dataloader.Loader[int64, *T] {
	return newLoader(o, func(ctx context.Context, keys []int64) []*dataloader.Result[*T] {
		rows, err := fetch(ctx, keys)
		out := make([]*dataloader.Result[*T], len(keys))
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[*T]{Error: err}
			}
			return out
		}
		found := make(map[int64]*T, len(rows))
		for i := range rows {
			found[id(&rows[i])] = &rows[i]
		}
		for i, k := range keys {
			if r, ok := found[k]; ok {
				out[i] = &dataloader.Result[*T]{Data: r}
			} else {
				out[i] = &dataloader.Result[*T]{Error: &model.Error{Code: model.CodeNotFound, Message: "not found"}}
			}
		}
		return out
	})
}

// grouped makes a loader that fetches the rows belonging to each key (a
// product's variants, a category's children) with one IN query, keeping the
// fetch order; a key with no rows gets an empty list.
func grouped[T any](o LoaderOptions, fetch func(context.Context, []int64) ([]T, error), owner func(*T) int64) *dataloader.Loader[int64, []T] {
	return newLoader(o, func(ctx context.Context, keys []int64) []*dataloader.Result[[]T] {
		rows, err := fetch(ctx, keys)
		out := make([]*dataloader.Result[[]T], len(keys))
		if err != nil {
			for i := range out {
				out[i] = &dataloader.Result[[]T]{Error: err}
			}
			return out
		}
		byOwner := GroupByOwner(rows, owner)
		for i, k := range keys {
			out[i] = &dataloader.Result[[]T]{Data: byOwner[k]}
		}
		return out
	})
}

type loadersKey struct{}

// WithLoaders returns ctx carrying l.
func WithLoaders(ctx context.Context, l *Loaders) context.Context {
	return context.WithValue(ctx, loadersKey{}, l)
}

// LoadersFrom returns the request's loaders. Every request gets them from
// middleware; a missing set is a wiring bug, so it panics (and the panic is
// recovered into an internal error).
func LoadersFrom(ctx context.Context) *Loaders {
	l, ok := ctx.Value(loadersKey{}).(*Loaders)
	if !ok {
		panic("store: no dataloaders in context")
	}
	return l
}

// GroupByOwner groups rows by the ID of what owns them (a product's variants
// by product ID), keeping their order within each group.
func GroupByOwner[T any](rows []T, owner func(*T) int64) map[int64][]T {
	groups := make(map[int64][]T)
	for i := range rows {
		o := owner(&rows[i])
		groups[o] = append(groups[o], rows[i])
	}
	return groups
}

// ClearAll forgets everything the loaders cached and every prefetch claim,
// so that reads after a write in the same request (a mutation's payload)
// see the write. Mutations run one after another, so nothing else uses
// the loaders meanwhile.
func (l *Loaders) ClearAll() {
	l.ProductByID.ClearAll()
	l.VariantByID.ClearAll()
	l.VariantWithProduct.ClearAll()
	l.CategoryByID.ClearAll()
	l.ImageByID.ClearAll()
	l.OptionByID.ClearAll()
	l.VariantsByProduct.ClearAll()
	l.ImagesByProduct.ClearAll()
	l.OptionsByProduct.ClearAll()
	l.TagsByProduct.ClearAll()
	l.ChildrenByCategory.ClearAll()
	l.AncestorsByCategory.ClearAll()
	l.ProductsInCategory.ClearAll()
	l.ProductCountCategory.ClearAll()
	l.CustomerByID.ClearAll()
	l.AddressesByCustomer.ClearAll()
	l.StaffByID.ClearAll()
	l.APIKeyByID.ClearAll()
	l.AddressByID.ClearAll()
	l.AuditEntryByID.ClearAll()
	l.CartByKey.ClearAll()
	l.CartLinesByCart.ClearAll()
	l.OrderByID.ClearAll()
	l.OrderLinesByOrder.ClearAll()
	l.OrderLineByID.ClearAll()
	l.OrderEventsByOrder.ClearAll()
	l.ShippingZoneByID.ClearAll()
	l.AreasByShippingZone.ClearAll()
	l.RatesByShippingZone.ClearAll()
	l.MovementByID.ClearAll()
	l.DiscountByID.ClearAll()
	l.PaymentByID.ClearAll()
	l.PaymentsByOrder.ClearAll()
	l.PaymentTxByID.ClearAll()
	l.PaymentTxsByPayment.ClearAll()
	l.ReceiptByID.ClearAll()
	l.ReceiptsByOrder.ClearAll()
	l.claims.Clear()
}
