package resolver

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// The prefetcher makes batching deterministic. A resolver that returns a
// list (or a single object) looks ahead at what the query selects on the
// items and loads each relation for all items at once, one query per
// relation, priming the request's dataloaders. The item resolvers then find
// their data in the loaders' caches.
//
// It is mandatory, not an optimisation: the catalog types resolve their
// fields one after another (internal/gqlgen), so a relation the look-ahead
// forgot would cost one query per item, in sequence. What each field needs
// is declared in the relation tables below, next to the resolvers, and
// TestRelationTablesCoverTheSchema fails when a field of a serially
// resolved type is in no table; TestListsCostTheSameStatementsForAnyLength
// checks every list field of the schema, 3 items against 30.
type prefetcher struct {
	ctx context.Context
	op  *graphql.OperationContext
	st  *store.Store
	l   *store.Loaders
}

// need is what a field of T needs beyond T's own row: a named relation,
// loaded for a whole list of T at once. Fields needing the same relation
// (variants, availableForSale) share one load.
type need[T any] struct {
	relation string
	// load fetches the relation for items and primes the loaders, then
	// looks ahead into what fields select below (their collected fields).
	load func(p *prefetcher, items []*T, fields []graphql.CollectedField) error
}

// relations is the relation table of one GraphQL object type: which fields
// need a relation, and which are answered from the object's own row.
type relations[T any] struct {
	typeName  string
	satisfies []string // the type and its interfaces, for collecting fields
	id        func(*T) int64
	prime     func(p *prefetcher, items []*T) // primes the by-ID loader
	needs     map[string]need[T]
	row       []string
}

// relationTable is what tests read of a relations table.
type relationTable interface {
	graphQLType() string
	fieldNames() (needing, fromRow []string)
}

func (r *relations[T]) graphQLType() string { return r.typeName }

func (r *relations[T]) fieldNames() (needing, fromRow []string) {
	for f := range r.needs {
		needing = append(needing, f)
	}
	return needing, r.row
}

// rowOnly is the table of a type whose fields all come from its own value.
type rowOnly struct {
	name   string
	fields []string
}

func (r rowOnly) graphQLType() string { return r.name }

func (r rowOnly) fieldNames() (needing, fromRow []string) { return nil, r.fields }

// relationTables lists the tables of every serially resolved type.
var relationTables = []relationTable{
	productRelations, variantRelations, categoryRelations,
	rowOnly{"Image", []string{"id", "url", "altText", "width", "height"}},
	rowOnly{"ProductOption", []string{"id", "name", "values"}},
	rowOnly{"SelectedOption", []string{"name", "value"}},
	rowOnly{"Money", []string{"amount", "currencyCode"}},
	rowOnly{"ProductPriceRange", []string{"minVariantPrice", "maxVariantPrice"}},
	rowOnly{"PageInfo", []string{"hasNextPage", "hasPreviousPage", "startCursor", "endCursor"}},
	// Connections and edges hold their page; totalCount is counted for a
	// whole list of categories by the category products relation.
	rowOnly{"ProductConnection", []string{"edges", "nodes", "pageInfo", "totalCount"}},
	rowOnly{"ProductEdge", []string{"cursor", "node"}},
	rowOnly{"ProductVariantConnection", []string{"edges", "nodes", "pageInfo", "totalCount"}},
	rowOnly{"ProductVariantEdge", []string{"cursor", "node"}},
	rowOnly{"CategoryConnection", []string{"edges", "nodes", "pageInfo", "totalCount"}},
	rowOnly{"CategoryEdge", []string{"cursor", "node"}},
}

var productRelations = &relations[model.Product]{
	typeName:  "Product",
	satisfies: []string{"Product", "Node"},
	id:        func(p *model.Product) int64 { return p.ID },
	prime: func(p *prefetcher, items []*model.Product) {
		for _, it := range items {
			p.l.ProductByID.Prime(p.ctx, it.ID, it)
		}
	},

	row: []string{"id", "handle", "title", "description", "priceRange", "createdAt", "updatedAt", "status"},
}

var variantRelations = &relations[model.ProductVariant]{
	typeName:  "ProductVariant",
	satisfies: []string{"ProductVariant", "Node"},
	id:        func(v *model.ProductVariant) int64 { return v.ID },
	prime: func(p *prefetcher, items []*model.ProductVariant) {
		for _, it := range items {
			p.l.VariantByID.Prime(p.ctx, it.ID, it)
		}
	},

	row: []string{"id", "sku", "title", "selectedOptions", "price", "compareAtPrice", "availableForSale",
		"quantityAvailable", "weight", "weightUnit", "inventory"},
}

var categoryRelations = &relations[model.Category]{
	typeName:  "Category",
	satisfies: []string{"Category", "Node"},
	id:        func(c *model.Category) int64 { return c.ID },
	prime: func(p *prefetcher, items []*model.Category) {
		for _, it := range items {
			p.l.CategoryByID.Prime(p.ctx, it.ID, it)
			// A category in hand needs no fetch by ID.
			if mine, _ := p.l.Claim("category", it.ID); mine {
				p.l.Release("category", it.ID)
			}
		}
	},

	row: []string{"id", "handle", "name"},
}

// The needs are set at init: they refer back to the tables (a product's
// category is looked ahead with the category table, and so on).
func init() {
	productRelations.needs = map[string]need[model.Product]{
		"category":            {"category", loadProductCategories},
		"images":              {"images", loadProductImages},
		"featuredImage":       {"images", loadProductImages},
		"variants":            {"variants", loadProductVariants},
		"availableForSale":    {"variants", loadProductVariants},
		"compareAtPriceRange": {"variants", loadProductVariants},
		"options":             {"options", loadProductOptions},
		"tags":                {"tags", loadProductTags},
	}
	variantRelations.needs = map[string]need[model.ProductVariant]{
		"product": {"product", loadVariantProducts},
	}
	categoryRelations.needs = map[string]need[model.Category]{
		"parent":    {"parent", loadCategoryParents},
		"children":  {"children", loadCategoryChildren},
		"ancestors": {"ancestors", loadCategoryAncestors},
		"products":  {"products", loadCategoryProducts},
	}
}

func newPrefetcher(ctx context.Context, st *store.Store) *prefetcher {
	if !graphql.HasOperationContext(ctx) {
		return nil
	}
	return &prefetcher{ctx: ctx, op: graphql.GetOperationContext(ctx), st: st, l: store.LoadersFrom(ctx)}
}

// selector tells what the current field selects on its items.
type selector func(p *prefetcher, ctx context.Context) ast.SelectionSet

// ahead prefetches, for items returned by the current field, every relation
// the query selects on them. It is best effort: if a query fails, nothing is
// primed and the item resolvers fetch through the loaders themselves, so an
// error is reported at the path of the field that needs the data, not at the
// list that looked ahead. It runs on the resolver's goroutine, so a panic is
// recovered by gqlgen like any resolver's.
func ahead[T any](p *prefetcher, items []*T, rels *relations[T], sel selector) {
	if p == nil || len(items) == 0 {
		return
	}
	_ = run(p, items, rels, sel(p, p.ctx))
}

// The selectors: a connection's items are under nodes and edges { node }; a
// list's or an object's are the field's own selections.
var (
	connectionNodes selector = (*prefetcher).connectionNodeSelections
	itemSelections  selector = func(_ *prefetcher, ctx context.Context) ast.SelectionSet { return currentSelections(ctx) }
)

// run primes items and loads the relations sel asks of them.
func run[T any](p *prefetcher, items []*T, rels *relations[T], sel ast.SelectionSet) error {
	if len(items) == 0 {
		return nil
	}
	rels.prime(p, items)
	if len(sel) == 0 {
		return nil
	}
	byRelation := map[string][]graphql.CollectedField{}
	var order []string
	for _, f := range graphql.CollectFields(p.op, sel, rels.satisfies) {
		n, ok := rels.needs[f.Name]
		if !ok {
			continue
		}
		if _, seen := byRelation[n.relation]; !seen {
			order = append(order, n.relation)
		}
		byRelation[n.relation] = append(byRelation[n.relation], f)
	}
	// One relation after another, in the order the query names them: the
	// relations of nested lists are claimed in a fixed order, so a query
	// costs the same statements every time (loading them concurrently let
	// paths race for the same relation and split it into more statements).
	var first error
	for _, name := range order {
		fields := byRelation[name]
		if err := rels.needs[fields[0].Name].load(p, items, fields); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// connectionNodeSelections returns what the current field (a connection)
// selects on its nodes, through both edges { node } and nodes.
func (p *prefetcher) connectionNodeSelections(ctx context.Context) ast.SelectionSet {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || fc.Field.Field == nil || fc.Field.Definition == nil {
		return nil
	}
	return p.nodesOf(fc.Field.Definition.Type.Name(), fc.Field.Selections)
}

// nodesOf returns what a selection on a connection of type connType selects
// on its nodes.
func (p *prefetcher) nodesOf(connType string, sel ast.SelectionSet) ast.SelectionSet {
	var out ast.SelectionSet
	for _, f := range graphql.CollectFields(p.op, sel, []string{connType}) {
		switch f.Name {
		case "nodes":
			out = append(out, f.Selections...)
		case "edges":
			for _, e := range graphql.CollectFields(p.op, f.Selections, []string{f.Definition.Type.Name()}) {
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

// selectionsOf joins what the collected fields select.
func selectionsOf(fields []graphql.CollectedField) ast.SelectionSet {
	var out ast.SelectionSet
	for _, f := range fields {
		out = append(out, f.Selections...)
	}
	return out
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

// idsOf returns the distinct IDs of items, in order.
func idsOf[T any](items []*T, id func(*T) int64) []int64 {
	out := make([]int64, 0, len(items))
	for _, it := range items {
		if v := id(it); !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}

// groupsOf flattens the groups a grouped loader's LoadMany returns.
func groupsOf[T any](thunk func() ([][]T, []error)) []*T {
	groups, _ := thunk()
	var out []*T
	for _, grp := range groups {
		for i := range grp {
			out = append(out, &grp[i])
		}
	}
	return out
}

// referenced returns the distinct IDs items refer to through ref, in order,
// skipping items that refer to nothing.
func referenced[T any](items []*T, ref func(*T) *int64) []int64 {
	var out []int64
	for _, it := range items {
		if id := ref(it); id != nil && !slices.Contains(out, *id) {
			out = append(out, *id)
		}
	}
	return out
}

// categoriesThen loads the categories with ids and looks ahead into what
// fields select on them.
func categoriesThen(p *prefetcher, ids []int64, fields []graphql.CollectedField) error {
	cats, err := p.categoriesByID(ids)
	if err != nil {
		return err
	}
	return run(p, cats, categoryRelations, selectionsOf(fields))
}

func loadProductCategories(p *prefetcher, ps []*model.Product, fields []graphql.CollectedField) error {
	return categoriesThen(p, referenced(ps, func(pr *model.Product) *int64 { return pr.CategoryID }), fields)
}

func loadProductImages(p *prefetcher, ps []*model.Product, _ []graphql.CollectedField) error {
	return primeGroups(p, "product.images", idsOf(ps, productRelations.id), p.st.FindImagesByProductIDs,
		p.l.ImagesByProduct.Prime, func(i *model.ProductImage) int64 { return i.ProductID })
}

func loadProductOptions(p *prefetcher, ps []*model.Product, _ []graphql.CollectedField) error {
	return primeGroups(p, "product.options", idsOf(ps, productRelations.id), p.st.FindOptionsByProductIDs,
		p.l.OptionsByProduct.Prime, func(o *model.ProductOption) int64 { return o.ProductID })
}

func loadProductTags(p *prefetcher, ps []*model.Product, _ []graphql.CollectedField) error {
	return primeGroups(p, "product.tags", idsOf(ps, productRelations.id), p.st.FindTagsByProductIDs,
		p.l.TagsByProduct.Prime, func(t *model.ProductTag) int64 { return t.ProductID })
}

// loadProductVariants loads all variants of the products, then looks ahead
// into what the variants connections select on their nodes.
func loadProductVariants(p *prefetcher, ps []*model.Product, fields []graphql.CollectedField) error {
	ids := idsOf(ps, productRelations.id)
	if err := primeGroups(p, "product.variants", ids, p.st.FindVariantsByProductIDs,
		p.l.VariantsByProduct.Prime, func(v *model.ProductVariant) int64 { return v.ProductID }); err != nil {
		return err
	}
	var nodeSel ast.SelectionSet
	for _, f := range fields {
		if f.Name == "variants" {
			nodeSel = append(nodeSel, p.nodesOf(f.Definition.Type.Name(), f.Selections)...)
		}
	}
	if len(nodeSel) == 0 {
		return nil
	}
	return run(p, groupsOf(p.l.VariantsByProduct.LoadMany(p.ctx, ids)), variantRelations, nodeSel)
}

// loadVariantProducts loads the products of variants that are not already
// in hand (a variants connection's product usually is).
func loadVariantProducts(p *prefetcher, vs []*model.ProductVariant, fields []graphql.CollectedField) error {
	return p.productsThen(idsOf(vs, func(v *model.ProductVariant) int64 { return v.ProductID }), fields)
}

// productsThen loads the products with ids that are not primed yet and
// looks ahead into what fields select on those the viewer may see.
func (p *prefetcher) productsThen(ids []int64, fields []graphql.CollectedField) error {
	fresh, release, wait := p.claim("product", ids)
	if len(fresh) > 0 {
		rows, err := p.st.FindProductsByIDs(p.ctx, fresh)
		if err != nil {
			release()
			return err
		}
		for i := range rows {
			p.l.ProductByID.Prime(p.ctx, rows[i].ID, &rows[i])
		}
	}
	release()
	wait()
	var visible []*model.Product
	prods, errs := p.l.ProductByID.LoadMany(p.ctx, ids)()
	for i, pr := range prods {
		if (errs == nil || errs[i] == nil) && visibleTo(p.ctx, pr) {
			visible = append(visible, pr)
		}
	}
	return run(p, visible, productRelations, selectionsOf(fields))
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

// categoryTree loads the whole category tree once per request and primes
// the category, children and ancestors loaders for every category, so that
// a query walking the tree (parent, children, ancestors, at any depth and
// along any path) costs two statements. Loading per relation instead would
// cost one statement per relation per path, and how many depended on which
// path claimed which categories first.
func (p *prefetcher) categoryTree() error {
	fresh, release, wait := p.claim("category.tree", []int64{0})
	defer wait()
	defer release()
	if len(fresh) == 0 {
		return nil
	}
	cats, links, err := p.st.CategoryTree(p.ctx)
	if err != nil {
		return err
	}
	children := map[int64][]model.Category{}
	for i := range cats {
		if c := cats[i]; c.ParentID != nil {
			children[*c.ParentID] = append(children[*c.ParentID], c)
		}
	}
	ancestors := store.GroupByOwner(links, func(l *model.CategoryClosure) int64 { return l.DescendantID })
	for i := range cats {
		id := cats[i].ID
		p.l.CategoryByID.Prime(p.ctx, id, &cats[i])
		p.l.ChildrenByCategory.Prime(p.ctx, id, children[id])
		p.l.AncestorsByCategory.Prime(p.ctx, id, ancestors[id])
		for _, relation := range []string{"category", "category.children", "category.ancestors"} {
			if mine, _ := p.l.Claim(relation, id); mine {
				p.l.Release(relation, id)
			}
		}
	}
	return nil
}

func loadCategoryParents(p *prefetcher, cs []*model.Category, fields []graphql.CollectedField) error {
	if err := p.categoryTree(); err != nil {
		return err
	}
	return categoriesThen(p, referenced(cs, func(c *model.Category) *int64 { return c.ParentID }), fields)
}

func loadCategoryChildren(p *prefetcher, cs []*model.Category, fields []graphql.CollectedField) error {
	if err := p.categoryTree(); err != nil {
		return err
	}
	ids := idsOf(cs, categoryRelations.id)
	return run(p, groupsOf(p.l.ChildrenByCategory.LoadMany(p.ctx, ids)), categoryRelations, selectionsOf(fields))
}

func loadCategoryAncestors(p *prefetcher, cs []*model.Category, fields []graphql.CollectedField) error {
	if err := p.categoryTree(); err != nil {
		return err
	}
	links := groupsOf(p.l.AncestorsByCategory.LoadMany(p.ctx, idsOf(cs, categoryRelations.id)))
	return categoriesThen(p, idsOf(links, func(l *model.CategoryClosure) int64 { return l.AncestorID }), fields)
}

// loadCategoryProducts prefetches, for each products field selected on the
// categories, one page of products per category with that field's
// arguments, the counts when asked, and what the query asks of the products.
func loadCategoryProducts(p *prefetcher, cs []*model.Category, fields []graphql.CollectedField) error {
	ids := idsOf(cs, categoryRelations.id)
	for _, f := range fields {
		if err := p.categoryProducts(ids, f); err != nil {
			return err
		}
	}
	return nil
}

func (p *prefetcher) categoryProducts(ids []int64, f graphql.CollectedField) error {
	key, err := categoryPageKeyFromArgs(p.ctx, f.ArgumentMap(p.op.Variables))
	if err != nil {
		return nil // the resolver reports bad arguments
	}
	relation := fmt.Sprintf("category.products:%+v", key)
	fresh, release, wait := p.claim(relation, ids)
	if len(fresh) > 0 {
		pages, err := p.st.ListProductsInCategories(p.ctx, fresh, key.Page())
		if err != nil {
			release()
			return err
		}
		for _, id := range fresh {
			k := key
			k.CategoryID = id
			p.l.ProductsInCategory.Prime(p.ctx, k, pages[id])
		}
	}
	release()
	wait()
	wantCount := false
	for _, cf := range graphql.CollectFields(p.op, f.Selections, []string{f.Definition.Type.Name()}) {
		wantCount = wantCount || cf.Name == "totalCount"
	}
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
	// Take the products from the loader cache, where they now live, so
	// that resolvers and prefetch share the same objects.
	var all []*model.Product
	for _, id := range fresh {
		k := key
		k.CategoryID = id
		page, _ := p.l.ProductsInCategory.Load(p.ctx, k)()
		all = append(all, pointersTo(page.Products)...)
	}
	return run(p, all, productRelations, p.nodesOf(f.Definition.Type.Name(), f.Selections))
}

// categoryPageKeyFromArgs decodes Category.products arguments the way the
// resolver does, without a category.
func categoryPageKeyFromArgs(ctx context.Context, args map[string]any) (store.CategoryPageKey, error) {
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
	pg, err := decodeProductsPage(ctx, pageArgs{First: intArg("first"), Last: intArg("last"),
		After: strArg("after"), Before: strArg("before")}, sortKey, reverse)
	if err != nil {
		return store.CategoryPageKey{}, err
	}
	return categoryPageKey(0, pg), nil
}

// categoryPageKey is the loader key for one category's page.
func categoryPageKey(categoryID int64, pg store.Page) store.CategoryPageKey {
	key := store.CategoryPageKey{CategoryID: categoryID, Sort: pg.Sort, Reverse: pg.Reverse, Limit: pg.Limit,
		Backward: pg.Backward, Language: pg.Language}
	if pg.After != nil {
		key.After = *pg.After
	}
	if pg.Before != nil {
		key.Before = *pg.Before
	}
	return key
}
