package store_test

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

var ctx = context.Background()

func TestMigrateIsIdempotentAndVersioned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		if err := st.Migrate(ctx); err != nil {
			t.Fatalf("second migrate: %v", err)
		}
		v, err := st.SchemaVersion(ctx)
		if err != nil || v != store.LatestSchemaVersion() {
			t.Fatalf("schema version = %d, %v; want %d", v, err, store.LatestSchemaVersion())
		}
		var n int64
		if err := st.DB(ctx).Table("schema_migrations").Count(&n).Error; err != nil {
			t.Fatal(err)
		}
		if n != int64(len(migrationsApplied(t, st))) || n == 0 {
			t.Fatalf("schema_migrations has %d rows", n)
		}
	})
}

func migrationsApplied(t *testing.T, st *store.Store) []int {
	var vs []int
	if err := st.DB(ctx).Table("schema_migrations").Order("version").Pluck("version", &vs).Error; err != nil {
		t.Fatal(err)
	}
	return vs
}

// Several instances starting at once must apply each migration exactly once.
func TestMigrateConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		url := b.URL(t)
		const instances = 6
		var wg sync.WaitGroup
		errs := make([]error, instances)
		stores := make([]*store.Store, instances)
		for i := range instances {
			st, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			stores[i] = st
		}
		for i := range instances {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = stores[i].Migrate(ctx)
			}()
		}
		wg.Wait()
		failed := 0
		for _, err := range errs {
			if err != nil {
				failed++
				t.Logf("migrate: %v", err)
			}
		}
		// On MySQL the named lock serialises instances, so all succeed. SQLite
		// has no such lock: there, the loser of the race fails cleanly inside
		// its transaction. Either way the schema ends up applied once.
		if b.Name == "mysql" && failed > 0 {
			t.Fatalf("%d of %d concurrent migrations failed on MySQL", failed, instances)
		}
		if failed == instances {
			t.Fatal("every migration failed")
		}
		got := migrationsApplied(t, stores[0])
		if !slices.Equal(got, store.MigrationVersions()) {
			t.Fatalf("applied versions = %v", got)
		}
	})
}

func TestSeedDemoCatalog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		db := st.DB(ctx)
		var products []model.Product
		if err := db.Find(&products).Error; err != nil {
			t.Fatal(err)
		}
		if len(products) != store.DemoProductCount || len(products) < 55 {
			t.Fatalf("seeded %d products, want %d", len(products), store.DemoProductCount)
		}
		var archived, thai int
		for _, p := range products {
			if p.Status == model.ProductArchived {
				archived++
			}
			if p.TitleTH != "" {
				thai++
			}
			var vs []model.ProductVariant
			db.Where("product_id = ?", p.ID).Find(&vs)
			if len(vs) == 0 {
				t.Fatalf("product %s has no variants", p.Handle)
			}
			lo, hi := vs[0].Price, vs[0].Price
			for _, v := range vs {
				lo, hi = min(lo, v.Price), max(hi, v.Price)
			}
			if p.MinPrice != lo || p.MaxPrice != hi {
				t.Errorf("%s price range %d-%d, variants say %d-%d", p.Handle, p.MinPrice, p.MaxPrice, lo, hi)
			}
		}
		if archived < 2 || thai != len(products) {
			t.Errorf("archived=%d thai titles=%d of %d", archived, thai, len(products))
		}
		var soldOut int64
		if err := db.Table("products p").Where("NOT EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = p.id AND v.inventory_quantity > 0)").
			Count(&soldOut).Error; err != nil {
			t.Fatal(err)
		}
		if soldOut < 2 {
			t.Errorf("only %d sold-out products; the demo needs a few", soldOut)
		}
		// Every category is its own ancestor at depth 0 in the closure.
		var cats, selfRows int64
		if err := db.Table("categories").Count(&cats).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Table("category_closure").Where("ancestor_id = descendant_id AND depth = 0").Count(&selfRows).Error; err != nil {
			t.Fatal(err)
		}
		if cats < 10 || cats != selfRows {
			t.Errorf("categories=%d closure self rows=%d", cats, selfRows)
		}
		if err := st.Seed(ctx, store.SeedOptions{}); err == nil {
			t.Error("seeding a non-empty catalog succeeded")
		}
	})
}

// activeProducts returns every storefront-visible product, for computing
// expected orders in Go.
func activeProducts(t *testing.T, st *store.Store) []model.Product {
	var ps []model.Product
	if err := st.DB(ctx).Where("status = ?", model.ProductActive).Find(&ps).Error; err != nil {
		t.Fatal(err)
	}
	return ps
}

func sortProducts(ps []model.Product, key store.ProductSortKey, reverse bool, lang model.Language) {
	slices.SortFunc(ps, func(a, b model.Product) int {
		c := 0
		switch key {
		case store.SortByTitle:
			title := func(p model.Product) string {
				if lang == model.LanguageTH {
					return model.Localized(lang, p.Title, p.TitleTH)
				}
				return p.Title
			}
			c = cmp.Compare(model.TitleSortKey(title(a)), model.TitleSortKey(title(b)))
		case store.SortByPrice:
			c = cmp.Compare(a.MinPrice, b.MinPrice)
		case store.SortByCreatedAt:
			c = a.CreatedAt.Compare(b.CreatedAt)
		}
		if c == 0 {
			c = cmp.Compare(a.ID, b.ID)
		}
		if reverse {
			c = -c
		}
		return c
	})
}

func ids(ps []model.Product) []int64 {
	out := make([]int64, len(ps))
	for i, p := range ps {
		out[i] = p.ID
	}
	return out
}

// walk pages through the whole list forwards (or backwards) and returns the
// IDs in list order.
func walk(t *testing.T, st *store.Store, f store.ProductFilter, key store.ProductSortKey, reverse, backward bool, size int) []int64 {
	t.Helper()
	return walkPages(t, st, f, store.Page{Sort: key, Reverse: reverse}, backward, size)
}

// walkPages is walk for pages shaped like shape (sort, reverse, language).
func walkPages(t *testing.T, st *store.Store, f store.ProductFilter, shape store.Page, backward bool, size int) []int64 {
	t.Helper()
	var all []int64
	var cur *model.Cursor
	for pages := 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("pagination does not end")
		}
		pg := store.Page{Sort: shape.Sort, Reverse: shape.Reverse, Language: shape.Language, Limit: size, Backward: backward}
		if backward {
			pg.Before = cur
		} else {
			pg.After = cur
		}
		ps, more, err := st.ListProducts(ctx, f, pg)
		if err != nil {
			t.Fatal(err)
		}
		if len(ps) > size {
			t.Fatalf("page of %d, asked %d", len(ps), size)
		}
		if backward {
			all = append(ids(ps), all...)
			if len(ps) > 0 {
				c := pg.CursorFor(&ps[0])
				cur = &c
			}
		} else {
			all = append(all, ids(ps)...)
			if len(ps) > 0 {
				c := pg.CursorFor(&ps[len(ps)-1])
				cur = &c
			}
		}
		if !more {
			return all
		}
	}
}

// Every order, both directions, both languages, read forwards and backwards,
// equals the order computed in Go from the same rules, on every database.
func TestListProductsPagesThroughEverySortOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 130)
		for _, key := range []store.ProductSortKey{store.SortByID, store.SortByTitle, store.SortByPrice, store.SortByCreatedAt} {
			for _, lang := range []model.Language{model.LanguageEN, model.LanguageTH} {
				for _, reverse := range []bool{false, true} {
					want := activeProducts(t, st)
					sortProducts(want, key, reverse, lang)
					name := fmt.Sprintf("%s/%s/reverse=%v", key, lang, reverse)
					shape := store.Page{Sort: key, Reverse: reverse, Language: lang}
					if got := walkPages(t, st, store.ProductFilter{}, shape, false, 7); !slices.Equal(got, ids(want)) {
						t.Errorf("%s forward:\n got %v\nwant %v", name, got, ids(want))
					}
					if got := walkPages(t, st, store.ProductFilter{}, shape, true, 9); !slices.Equal(got, ids(want)) {
						t.Errorf("%s backward:\n got %v\nwant %v", name, got, ids(want))
					}
				}
			}
		}
	})
}

func TestListProductsFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		all := activeProducts(t, st)
		clothing, err := st.FindCategoryByHandle(ctx, "clothing")
		if err != nil {
			t.Fatal(err)
		}
		list := func(f store.ProductFilter) []model.Product {
			t.Helper()
			ps, _, err := st.ListProducts(ctx, f, store.Page{Sort: store.SortByID, Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			n, err := st.CountProducts(ctx, f)
			if err != nil || n != int64(len(ps)) {
				t.Fatalf("count %d, %v; list %d", n, err, len(ps))
			}
			return ps
		}
		// The root category includes products of every category below it.
		inClothing := list(store.ProductFilter{CategoryID: &clothing.ID})
		var childIDs []int64
		st.DB(ctx).Table("categories").Where("parent_id = ?", clothing.ID).Pluck("id", &childIDs)
		want := 0
		for _, p := range all {
			if slices.Contains(childIDs, *p.CategoryID) || *p.CategoryID == clothing.ID {
				want++
			}
		}
		if len(inClothing) != want || want < 10 {
			t.Errorf("clothing has %d products, want %d", len(inClothing), want)
		}
		// Text search in English and Thai, case-insensitive, with LIKE
		// wildcards taken literally.
		for q, min := range map[string]int{"coffee": 1, "COFFEE": 1, "กาแฟ": 4, "เสื้อยืด": 4, "dried mango": 1, "100%": 0, "_": 0} {
			got := list(store.ProductFilter{Query: q})
			if len(got) < min || (min == 0 && len(got) != 0) {
				t.Errorf("query %q found %d, want at least %d (exactly 0 when 0)", q, len(got), min)
			}
			for _, p := range got {
				hay := strings.ToLower(p.Title + " " + p.TitleTH + " " + p.Description + " " + p.DescriptionTH)
				for _, w := range strings.Fields(strings.ToLower(q)) {
					if !strings.Contains(hay, w) {
						t.Errorf("query %q matched %q", q, p.Title)
					}
				}
			}
		}
		// Price ranges match a product when any variant is within.
		lo, hi := int64(30000), int64(50000)
		for _, p := range list(store.ProductFilter{MinPrice: &lo, MaxPrice: &hi}) {
			if p.MaxPrice < lo || p.MinPrice > hi {
				t.Errorf("%s (%d-%d) outside %d-%d", p.Handle, p.MinPrice, p.MaxPrice, lo, hi)
			}
		}
		// Availability splits the catalog in two.
		yes, no := true, false
		inStock, soldOut := list(store.ProductFilter{Available: &yes}), list(store.ProductFilter{Available: &no})
		if len(inStock)+len(soldOut) != len(all) || len(soldOut) == 0 {
			t.Errorf("in stock %d + sold out %d != %d", len(inStock), len(soldOut), len(all))
		}
		thai := list(store.ProductFilter{Tag: "thai"})
		if len(thai) < 10 {
			t.Errorf("tag thai: %d products", len(thai))
		}
		// Archived products never show, whatever the filter.
		for _, p := range list(store.ProductFilter{}) {
			if p.Status != model.ProductActive {
				t.Errorf("listed %s product %s", p.Status, p.Handle)
			}
		}
	})
}

func TestListProductsRejectsForeignCursor(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 10)
		cur := model.Cursor{SortKey: "TITLE", ID: 3, Value: "x"}
		_, _, err := st.ListProducts(ctx, store.ProductFilter{}, store.Page{Sort: store.SortByPrice, Limit: 5, After: &cur})
		if model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Fatalf("err = %v, want INVALID", err)
		}
	})
}

// Keyset cursors must not skip or repeat items when rows are inserted while
// a client pages through: every product that existed at the start is seen
// exactly once. Writers hammer the table from many goroutines meanwhile.
func TestPaginationStableUnderConcurrentInserts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 200)
		for _, key := range []store.ProductSortKey{store.SortByID, store.SortByTitle, store.SortByPrice} {
			before := activeProducts(t, st)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			var inserted sync.Map
			catID := *before[0].CategoryID
			for w := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; ; i++ {
						select {
						case <-stop:
							return
						default:
						}
						now := time.Now().UTC().Truncate(time.Second)
						p := model.Product{
							Handle: fmt.Sprintf("%s-w%d-%d-%d", key, w, i, now.UnixNano()), Title: fmt.Sprintf("Aa inserted %d %d", w, i),
							Description: "x", CategoryID: &catID, Status: model.ProductActive,
							MinPrice: int64(1000 * (i % 50)), MaxPrice: int64(1000 * (i % 50)), Currency: model.CurrencyTHB,
							CreatedAt: now, UpdatedAt: now,
						}
						err := st.InTx(ctx, func(tx *store.Store) error {
							if err := tx.DB(ctx).Create(&p).Error; err != nil {
								return err
							}
							return tx.RefreshProductSearch(ctx, []int64{p.ID})
						})
						if err != nil {
							t.Errorf("insert: %v", err)
							return
						}
						inserted.Store(p.ID, true)
					}
				}()
			}
			got := walk(t, st, store.ProductFilter{}, key, false, false, 11)
			close(stop)
			wg.Wait()
			seen := map[int64]int{}
			for _, id := range got {
				seen[id]++
				if seen[id] > 1 {
					t.Fatalf("%s: product %d listed twice", key, id)
				}
			}
			for _, p := range before {
				if seen[p.ID] != 1 {
					t.Fatalf("%s: product %d (%s) was skipped", key, p.ID, p.Title)
				}
			}
			for id := range seen {
				if !slices.Contains(ids(before), id) {
					if _, ok := inserted.Load(id); !ok {
						t.Fatalf("%s: listed unknown product %d", key, id)
					}
				}
			}
		}
	})
}

// A batch of category pages must equal the pages the category filter gives.
func TestListProductsInCategoriesMatchesFilter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 150)
		var cats []model.Category
		st.DB(ctx).Find(&cats)
		catIDs := make([]int64, len(cats))
		for i, c := range cats {
			catIDs[i] = c.ID
		}
		for _, pg := range []store.Page{
			{Sort: store.SortByID, Limit: 3},
			{Sort: store.SortByPrice, Limit: 4, Reverse: true},
			{Sort: store.SortByTitle, Limit: 5, Backward: true},
			{Sort: store.SortByTitle, Limit: 4, Language: model.LanguageTH},
			{Sort: store.SortByTitle, Limit: 3, Language: model.LanguageTH, Reverse: true, Backward: true},
			{Sort: store.SortByID, Limit: 2, After: &model.Cursor{SortKey: "ID", ID: 40}},
		} {
			batch, err := st.ListProductsInCategories(ctx, catIDs, pg)
			if err != nil {
				t.Fatal(err)
			}
			counts, err := st.CountProductsInCategories(ctx, catIDs)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cats {
				want, more, err := st.ListProducts(ctx, store.ProductFilter{CategoryID: &c.ID}, pg)
				if err != nil {
					t.Fatal(err)
				}
				got := batch[c.ID]
				if !slices.Equal(ids(got.Products), ids(want)) || got.More != more {
					t.Errorf("category %s page %+v: batch %v more=%v, single %v more=%v",
						c.Handle, pg, ids(got.Products), got.More, ids(want), more)
				}
				n, _ := st.CountProducts(ctx, store.ProductFilter{CategoryID: &c.ID})
				if counts[c.ID] != n {
					t.Errorf("category %s count %d, want %d", c.Handle, counts[c.ID], n)
				}
			}
		}
	})
}

func TestLoadersAlignResultsWithKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 20)
		l := store.NewLoaders(st, store.DefaultLoaderOptions)
		keys := []int64{5, 999999, 1, 3}
		got, errs := l.ProductByID.LoadMany(ctx, keys)()
		for i, k := range keys {
			if k == 999999 {
				if errs == nil || model.ErrorCodeOf(errs[i]) != model.CodeNotFound {
					t.Errorf("missing key %d: err %v", k, errs)
				}
				continue
			}
			if got[i] == nil || got[i].ID != k {
				t.Errorf("key %d answered with %+v", k, got[i])
			}
		}
		variants, errs := l.VariantsByProduct.LoadMany(ctx, []int64{2, 999999, 1})()
		if errs != nil {
			for _, e := range errs {
				if e != nil {
					t.Fatal(e)
				}
			}
		}
		if len(variants[0]) == 0 || len(variants[1]) != 0 || len(variants[2]) == 0 {
			t.Errorf("variant groups: %d, %d, %d", len(variants[0]), len(variants[1]), len(variants[2]))
		}
		for _, v := range variants[0] {
			if v.ProductID != 2 {
				t.Errorf("product 2 got variant of product %d", v.ProductID)
			}
		}
	})
}

// Instances starting together on an empty database seed it exactly once.
func TestSeedIfEmptyConcurrently(t *testing.T) {
	// The named lock is MySQL's; SQLite serves one process.
	b := storetest.RequireMySQL(t)
	t.Run(b.Name, func(t *testing.T) {
		url := b.URL(t)
		const instances = 4
		stores := make([]*store.Store, instances)
		for i := range stores {
			st, err := store.Open(ctx, url, store.Options{})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			stores[i] = st
		}
		if err := stores[0].Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		seeded := make([]bool, instances)
		errs := make([]error, instances)
		for i := range stores {
			wg.Add(1)
			go func() {
				defer wg.Done()
				seeded[i], errs[i] = stores[i].SeedIfEmpty(ctx, store.SeedOptions{})
			}()
		}
		wg.Wait()
		n := 0
		for i := range stores {
			if errs[i] != nil {
				t.Fatalf("instance %d: %v", i, errs[i])
			}
			if seeded[i] {
				n++
			}
		}
		var products int64
		if err := stores[0].DB(ctx).Table("products").Count(&products).Error; err != nil {
			t.Fatal(err)
		}
		if n != 1 || products != int64(store.DemoProductCount) {
			t.Fatalf("%d instances seeded; %d products", n, products)
		}
	})
}

// FindVariantsByIDs scans rows by hand; it must still return whole
// variants, every field as GORM reads it.
func TestFindVariantsByIDsReadsWholeVariants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		var want []model.ProductVariant
		if err := st.DB(ctx).Order("id").Limit(40).Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		ids := make([]int64, len(want))
		for i, v := range want {
			ids[i] = v.ID
		}
		got, err := st.FindVariantsByIDs(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(a, b model.ProductVariant) int { return cmp.Compare(a.ID, b.ID) })
		if len(got) != len(want) || len(want) == 0 {
			t.Fatalf("%d variants, want %d", len(got), len(want))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("variant %d:\n got %+v\nwant %+v", want[i].ID, got[i], want[i])
			}
		}
	})
}

// FindVariantsWithProducts reads variants and their products in one join,
// scanned by hand: each must equal what GORM reads, each product comes
// once, and variants of a product are returned once each.
func TestFindVariantsWithProductsReadsWholeRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		var want []model.ProductVariant
		if err := st.DB(ctx).Order("id").Limit(40).Find(&want).Error; err != nil {
			t.Fatal(err)
		}
		ids := []int64{0} // no such variant: left out
		pids := map[int64]bool{}
		for _, v := range want {
			ids = append(ids, v.ID)
			pids[v.ProductID] = true
		}
		var wantProducts []model.Product
		if err := st.DB(ctx).Where("id IN ?", slices.Collect(maps.Keys(pids))).Order("id").Find(&wantProducts).Error; err != nil {
			t.Fatal(err)
		}
		got, products, err := st.FindVariantsWithProducts(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(want) || len(want) == 0 || len(products) != len(wantProducts) || len(pids) == len(want) {
			t.Fatalf("%d variants of %d products, want %d of %d (the test needs products with several variants)",
				len(got), len(products), len(want), len(wantProducts))
		}
		for i := range want {
			if !reflect.DeepEqual(got[i], want[i]) {
				t.Fatalf("variant %d:\n got %+v\nwant %+v", want[i].ID, got[i], want[i])
			}
		}
		slices.SortFunc(products, func(a, b model.Product) int { return cmp.Compare(a.ID, b.ID) })
		for i := range wantProducts {
			if !reflect.DeepEqual(products[i], wantProducts[i]) {
				t.Fatalf("product %d:\n got %+v\nwant %+v", wantProducts[i].ID, products[i], wantProducts[i])
			}
		}
	})
}

// FindVariantsToSell reads the same rows with only the fields pricing and
// orders need: those equal GORM's reading, the rest are zero.
func TestFindVariantsToSellReadsWhatPricingNeeds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		full, fullProducts, err := st.FindVariantsWithProducts(ctx, []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
		if err != nil || len(full) == 0 {
			t.Fatalf("%d variants: %v", len(full), err)
		}
		ids := []int64{0}
		for _, v := range full {
			ids = append(ids, v.ID)
		}
		got, products, err := st.FindVariantsToSell(ctx, ids)
		if err != nil || len(got) != len(full) || len(products) != len(fullProducts) {
			t.Fatalf("%d variants of %d products, want %d of %d: %v", len(got), len(products), len(full), len(fullProducts), err)
		}
		for i, w := range full {
			want := model.ProductVariant{ID: w.ID, ProductID: w.ProductID, SKU: w.SKU, Title: w.Title, Price: w.Price,
				Currency: w.Currency, InventoryQuantity: w.InventoryQuantity, InventoryCommitted: w.InventoryCommitted,
				InventoryTracked: w.InventoryTracked, AllowBackorder: w.AllowBackorder, WeightGrams: w.WeightGrams}
			if !reflect.DeepEqual(got[i], want) {
				t.Fatalf("variant %d:\n got %+v\nwant %+v", w.ID, got[i], want)
			}
		}
		for i, w := range fullProducts {
			want := model.Product{ID: w.ID, Title: w.Title, CategoryID: w.CategoryID, Status: w.Status}
			if !reflect.DeepEqual(products[i], want) {
				t.Fatalf("product %d:\n got %+v\nwant %+v", w.ID, products[i], want)
			}
		}
	})
}
