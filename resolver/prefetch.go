package resolver

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"golang.org/x/sync/errgroup"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// The prefetcher makes batching deterministic. A resolver that returns a
// list looks ahead at what the query selects on the list's items and loads
// each relation for all items at once, one query per relation, priming the
// request's dataloaders. The item resolvers then find their data in the
// loaders' caches.
//
// Dataloaders alone batch by time: keys that arrive within the wait share a
// query. On a busy two-core machine the goroutines of a 100-item page do not
// all reach their loader within 1 ms, so a page would sometimes cost a few
// extra queries. Looking ahead removes both the wait and the luck; the
// loaders remain the single path to the data, and they still batch whatever
// the prefetcher does not foresee (single objects fetched by ID, say).
type prefetcher struct {
	ctx context.Context
	op  *graphql.OperationContext
	st  *store.Store
	l   *store.Loaders

	panicked atomic.Pointer[panicValue] // first panic in a prefetch goroutine
}

type panicValue struct{ v any }

// spawn runs fn in g. A panic in fn is caught, so it cannot kill the
// process from a goroutine gqlgen does not guard, and re-raised by the
// ahead methods on the resolver's goroutine, where gqlgen recovers it.
func (p *prefetcher) spawn(g *errgroup.Group, fn func() error) {
	g.Go(func() (err error) {
		defer func() {
			if v := recover(); v != nil {
				p.panicked.CompareAndSwap(nil, &panicValue{v})
				err = fmt.Errorf("prefetch panicked: %v", v)
			}
		}()
		return fn()
	})
}

// productsAhead prefetches for a list of products. It is best effort: if a
// query fails, nothing is primed and the item resolvers fetch through the
// loaders themselves, so an error is reported at the path of the field that
// needs the data, not at the list that looked ahead.
func (p *prefetcher) productsAhead(ps []*model.Product, sel ast.SelectionSet) {
	if p == nil {
		return
	}
	_ = p.products(ps, sel)
	p.repanic()
}

// categoriesAhead is productsAhead for categories.
func (p *prefetcher) categoriesAhead(cs []*model.Category, sel ast.SelectionSet) {
	if p == nil {
		return
	}
	_ = p.categories(cs, sel)
	p.repanic()
}

func (p *prefetcher) repanic() {
	if v := p.panicked.Load(); v != nil {
		panic(v.v)
	}
}

func newPrefetcher(ctx context.Context, st *store.Store) *prefetcher {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	return &prefetcher{ctx: ctx, op: graphql.GetOperationContext(ctx), st: st, l: store.LoadersFrom(ctx)}
}

// connectionNodeSelections returns what the current field (a connection)
// selects on its nodes, through both edges { node } and nodes.
func (p *prefetcher) connectionNodeSelections(ctx context.Context, connType, edgeType string) ast.SelectionSet {
	fc := graphql.GetFieldContext(ctx)
	if p == nil || fc == nil || fc.Field.Field == nil {
		return nil
	}
	var out ast.SelectionSet
	for _, f := range graphql.CollectFields(p.op, fc.Field.Selections, []string{connType}) {
		switch f.Name {
		case "nodes":
			out = append(out, f.Selections...)
		case "edges":
			for _, e := range graphql.CollectFields(p.op, f.Selections, []string{edgeType}) {
				if e.Name == "node" {
					out = append(out, e.Selections...)
				}
			}
		}
	}
	return out
}

// currentSelections returns what the current field selects.
func currentSelections(ctx context.Context) ast.SelectionSet {
	if fc := graphql.GetFieldContext(ctx); fc != nil && fc.Field.Field != nil {
		return fc.Field.Selections
	}
	return nil
}

// claim splits ids into those this prefetch must fetch (claimed) and those
// another prefetch of the same request is fetching. release marks the claimed
// ones primed; wait blocks until the others' are.
func (p *prefetcher) claim(relation string, ids []int64) (fresh []int64, release, wait func()) {
	var others []<-chan struct{}
	for _, id := range ids {
		if mine, done := p.l.Claim(relation, id); mine {
			fresh = append(fresh, id)
		} else {
			others = append(others, done)
		}
	}
	var once sync.Once
	release = func() {
		once.Do(func() {
			for _, id := range fresh {
				p.l.Release(relation, id)
			}
		})
	}
	wait = func() {
		for _, ch := range others {
			select {
			case <-ch:
			case <-p.ctx.Done():
				return
			}
		}
	}
	return fresh, release, wait
}

// products prefetches what sel asks of each product.
func (p *prefetcher) products(ps []*model.Product, sel ast.SelectionSet) error {
	if p == nil || len(ps) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(ps))
	for _, pr := range ps {
		p.l.ProductByID.Prime(p.ctx, pr.ID, pr)
		ids = append(ids, pr.ID)
	}
	var needCategory, needImages, needVariants, needOptions, needTags bool
	var categorySel ast.SelectionSet
	for _, f := range graphql.CollectFields(p.op, sel, []string{"Product", "Node"}) {
		switch f.Name {
		case "category":
			needCategory = true
			categorySel = append(categorySel, f.Selections...)
		case "images", "featuredImage":
			needImages = true
		case "variants", "availableForSale", "compareAtPriceRange":
			needVariants = true
		case "options":
			needOptions = true
		case "tags":
			needTags = true
		}
	}
	var g errgroup.Group
	if needCategory {
		p.spawn(&g, func() error {
			var catIDs []int64
			for _, pr := range ps {
				if pr.CategoryID != nil && !slices.Contains(catIDs, *pr.CategoryID) {
					catIDs = append(catIDs, *pr.CategoryID)
				}
			}
			cats, err := p.categoriesByID(catIDs)
			if err != nil {
				return err
			}
			return p.categories(cats, categorySel)
		})
	}
	if needImages {
		p.spawn(&g, func() error {
			return primeGroups(p, "product.images", ids, p.st.FindImagesByProductIDs, p.l.ImagesByProduct.Prime,
				func(i *model.ProductImage) int64 { return i.ProductID })
		})
	}
	if needVariants {
		p.spawn(&g, func() error {
			return primeGroups(p, "product.variants", ids, p.st.FindVariantsByProductIDs, p.l.VariantsByProduct.Prime,
				func(v *model.ProductVariant) int64 { return v.ProductID })
		})
	}
	if needOptions {
		p.spawn(&g, func() error {
			return primeGroups(p, "product.options", ids, p.st.FindOptionsByProductIDs, p.l.OptionsByProduct.Prime,
				func(o *model.ProductOption) int64 { return o.ProductID })
		})
	}
	if needTags {
		p.spawn(&g, func() error {
			return primeGroups(p, "product.tags", ids, p.st.FindTagsByProductIDs, p.l.TagsByProduct.Prime,
				func(t *model.ProductTag) int64 { return t.ProductID })
		})
	}
	return g.Wait()
}

// primeGroups fetches the rows owned by each not-yet-visited ID in one query
// and primes loader with every ID's group, empty ones included, so that no
// item resolver queries again.
func primeGroups[T any, L any](p *prefetcher, relation string, ids []int64,
	fetch func(context.Context, []int64) ([]T, error),
	prime func(context.Context, int64, []T) L, owner func(*T) int64) error {
	fresh, release, wait := p.claim(relation, ids)
	defer wait()
	defer release()
	if len(fresh) == 0 {
		return nil
	}
	rows, err := fetch(p.ctx, fresh)
	if err != nil {
		return err
	}
	groups := store.GroupByOwner(rows, owner)
	for _, id := range fresh {
		prime(p.ctx, id, groups[id])
	}
	return nil
}

// categoriesByID fetches the categories not yet primed and returns all of
// the asked ones that exist, in the order asked.
func (p *prefetcher) categoriesByID(ids []int64) ([]*model.Category, error) {
	fresh, release, wait := p.claim("category", ids)
	if len(fresh) > 0 {
		rows, err := p.st.FindCategoriesByIDs(p.ctx, fresh)
		if err != nil {
			release()
			return nil, err
		}
		for i := range rows {
			p.l.CategoryByID.Prime(p.ctx, rows[i].ID, &rows[i])
		}
	}
	release()
	wait()
	// Every asked ID is now primed or missing; missing ones come back as
	// NotFound from the cache-less path, one query, only for broken data.
	out := make([]*model.Category, 0, len(ids))
	cats, errs := p.l.CategoryByID.LoadMany(p.ctx, ids)()
	for i, c := range cats {
		if errs == nil || errs[i] == nil {
			out = append(out, c)
		}
	}
	return out, nil
}

// categories prefetches what sel asks of each category.
func (p *prefetcher) categories(cs []*model.Category, sel ast.SelectionSet) error {
	if p == nil || len(cs) == 0 || len(sel) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		if !slices.Contains(ids, c.ID) {
			ids = append(ids, c.ID)
		}
		p.l.CategoryByID.Prime(p.ctx, c.ID, c)
		if mine, _ := p.l.Claim("category", c.ID); mine {
			p.l.Release("category", c.ID)
		}
	}
	var g errgroup.Group
	for _, f := range graphql.CollectFields(p.op, sel, []string{"Category", "Node"}) {
		switch f.Name {
		case "parent":
			p.spawn(&g, func() error {
				var parents []int64
				for _, c := range cs {
					if c.ParentID != nil && !slices.Contains(parents, *c.ParentID) {
						parents = append(parents, *c.ParentID)
					}
				}
				pcs, err := p.categoriesByID(parents)
				if err != nil {
					return err
				}
				return p.categories(pcs, f.Selections)
			})
		case "children":
			p.spawn(&g, func() error {
				if err := primeGroups(p, "category.children", ids, p.st.FindChildCategories, p.l.ChildrenByCategory.Prime,
					func(c *model.Category) int64 { return *c.ParentID }); err != nil {
					return err
				}
				groups, _ := p.l.ChildrenByCategory.LoadMany(p.ctx, ids)()
				var all []*model.Category
				for _, grp := range groups {
					for i := range grp {
						all = append(all, &grp[i])
					}
				}
				return p.categories(all, f.Selections)
			})
		case "ancestors":
			p.spawn(&g, func() error {
				if err := primeGroups(p, "category.ancestors", ids, p.st.FindCategoryAncestors, p.l.AncestorsByCategory.Prime,
					func(c *model.CategoryClosure) int64 { return c.DescendantID }); err != nil {
					return err
				}
				chains, _ := p.l.AncestorsByCategory.LoadMany(p.ctx, ids)()
				var anc []int64
				for _, chain := range chains {
					for _, c := range chain {
						if !slices.Contains(anc, c.AncestorID) {
							anc = append(anc, c.AncestorID)
						}
					}
				}
				acs, err := p.categoriesByID(anc)
				if err != nil {
					return err
				}
				return p.categories(acs, f.Selections)
			})
		case "products":
			p.spawn(&g, func() error { return p.categoryProducts(ids, f) })
		}
	}
	return g.Wait()
}

// categoryProducts prefetches one page of products for each category, with
// the arguments the field gives, and what the query asks of those products.
func (p *prefetcher) categoryProducts(ids []int64, f graphql.CollectedField) error {
	args := f.ArgumentMap(p.op.Variables)
	key, err := categoryPageKeyFromArgs(args)
	if err != nil {
		return nil // the resolver reports bad arguments
	}
	relation := fmt.Sprintf("category.products:%+v", key)
	fresh, release, wait := p.claim(relation, ids)
	var all []*model.Product
	var nodeSel ast.SelectionSet
	wantCount := false
	for _, cf := range graphql.CollectFields(p.op, f.Selections, []string{"ProductConnection"}) {
		switch cf.Name {
		case "totalCount":
			wantCount = true
		case "nodes":
			nodeSel = append(nodeSel, cf.Selections...)
		case "edges":
			for _, e := range graphql.CollectFields(p.op, cf.Selections, []string{"ProductEdge"}) {
				if e.Name == "node" {
					nodeSel = append(nodeSel, e.Selections...)
				}
			}
		}
	}
	if len(fresh) > 0 {
		pages, err := p.st.ListProductsInCategories(p.ctx, fresh, key.Page())
		if err != nil {
			release()
			return err
		}
		for _, id := range fresh {
			k := key
			k.CategoryID = id
			page := pages[id]
			p.l.ProductsInCategory.Prime(p.ctx, k, page)
		}
		release()
		// Take the products from the loader cache, where they now live, so
		// that resolvers and prefetch share the same objects.
		for _, id := range fresh {
			k := key
			k.CategoryID = id
			page, _ := p.l.ProductsInCategory.Load(p.ctx, k)()
			for i := range page.Products {
				all = append(all, &page.Products[i])
			}
		}
	}
	release()
	wait()
	if wantCount {
		countIDs, release, wait := p.claim("category.productCount", ids)
		if len(countIDs) > 0 {
			counts, err := p.st.CountProductsInCategories(p.ctx, countIDs)
			if err != nil {
				release()
				return err
			}
			for _, id := range countIDs {
				p.l.ProductCountCategory.Prime(p.ctx, id, counts[id])
			}
		}
		release()
		wait()
	}
	return p.products(all, nodeSel)
}

// categoryPageKeyFromArgs decodes Category.products arguments the way the
// resolver does, without a category.
func categoryPageKeyFromArgs(args map[string]any) (store.CategoryPageKey, error) {
	intArg := func(name string) *int {
		switch v := args[name].(type) {
		case int64:
			n := int(v)
			return &n
		case int:
			return &v
		}
		return nil
	}
	strArg := func(name string) *string {
		if v, ok := args[name].(string); ok {
			return &v
		}
		return nil
	}
	var sortKey *gqlmodel.ProductSortKeys
	if s, ok := args["sortKey"].(string); ok {
		k := gqlmodel.ProductSortKeys(s)
		sortKey = &k
	}
	var reverse *bool
	if r, ok := args["reverse"].(bool); ok {
		reverse = &r
	}
	sort, rev := decodeSort(sortKey, reverse)
	pg, err := decodePage(pageArgs{First: intArg("first"), Last: intArg("last"), After: strArg("after"), Before: strArg("before")}, sort, rev)
	if err != nil {
		return store.CategoryPageKey{}, err
	}
	return categoryPageKey(0, pg), nil
}

// categoryPageKey is the loader key for one category's page.
func categoryPageKey(categoryID int64, pg store.Page) store.CategoryPageKey {
	key := store.CategoryPageKey{CategoryID: categoryID, Sort: pg.Sort, Reverse: pg.Reverse, Limit: pg.Limit, Backward: pg.Backward}
	if pg.After != nil {
		key.After = *pg.After
	}
	if pg.Before != nil {
		key.Before = *pg.Before
	}
	return key
}
