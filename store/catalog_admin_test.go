package store_test

import (
	"database/sql"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

func ptr[T any](v T) *T { return &v }

// SaveProducts writes what differs and only that: new rows get IDs, the
// price range and SKU keys follow the variants, a SKU can move between
// variants in one save, tags are kept by key, and an unchanged save runs
// no write at all.
func TestSaveProductsWritesTheDifference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		save := func(sv store.ProductSave) {
			t.Helper()
			if err := st.InTx(ctx, func(tx *store.Store) error { return tx.SaveProducts(ctx, []store.ProductSave{sv}) }); err != nil {
				t.Fatal(err)
			}
		}
		read := func(id int64) *store.ProductRows {
			t.Helper()
			rows, err := st.FindProductRows(ctx, []int64{id})
			if err != nil || len(rows) != 1 {
				t.Fatalf("read %d: %v, %d rows", id, err, len(rows))
			}
			return &rows[0]
		}
		after := &store.ProductRows{
			Product: model.Product{Handle: "kettle", Title: "Kettle", Status: model.ProductDraft, Currency: model.CurrencyTHB},
			Tags:    []string{"Kitchen", "Thai"},
			Variants: []model.ProductVariant{
				{SKU: ptr("K-1"), Title: "S", SelectedOptions: `[{"name":"Size","value":"S"}]`, Price: 50000, InventoryQuantity: 3},
				{SKU: ptr("K-2"), Title: "L", SelectedOptions: `[{"name":"Size","value":"L"}]`, Price: 70000},
			},
			Options: []model.ProductOption{{Name: "Size", ValuesJSON: `["S","L"]`}},
			Images:  []model.ProductImage{{URL: "https://cdn.example.com/k1.jpg"}, {URL: "https://cdn.example.com/k2.jpg"}},
		}
		save(store.ProductSave{After: after})
		id := after.Product.ID
		if id == 0 || after.Variants[0].ID == 0 || after.Variants[1].ID == 0 || after.Options[0].ID == 0 || after.Images[1].ID == 0 {
			t.Fatalf("IDs not set: %+v", after)
		}
		got := read(id)
		if got.Product.MinPrice != 50000 || got.Product.MaxPrice != 70000 || len(got.Variants) != 2 || got.Variants[1].Position != 1 {
			t.Fatalf("saved: %+v", got)
		}
		var keys []string
		if err := st.DB(ctx).Table("product_variants").Where("product_id = ?", id).Order("position").Pluck("sku_key", &keys).Error; err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(keys, []string{"k-1", "k-2"}) {
			t.Errorf("sku keys %v", keys)
		}

		// The SKUs swap, a variant goes, a tag changes its spelling, one goes
		// and one comes, an image moves: one save.
		before := read(id)
		next := *before
		next.Variants = []model.ProductVariant{before.Variants[1], before.Variants[0]}
		next.Variants[0].SKU, next.Variants[1].SKU = ptr("K-1"), ptr("K-2")
		next.Variants = next.Variants[:1]
		next.Variants[0].Price = 65000
		next.Tags = []string{"THAI", "Gift"}
		next.Images = []model.ProductImage{before.Images[1], before.Images[0]}
		save(store.ProductSave{Before: before, After: &next})
		got = read(id)
		if len(got.Variants) != 1 || *got.Variants[0].SKU != "K-1" || got.Variants[0].ID != before.Variants[1].ID ||
			got.Product.MinPrice != 65000 || got.Product.MaxPrice != 65000 {
			t.Errorf("variants after the swap: %+v", got)
		}
		if !slices.Equal(got.Tags, []string{"Gift", "THAI"}) {
			t.Errorf("tags %v", got.Tags)
		}
		if got.Images[0].URL != "https://cdn.example.com/k2.jpg" || got.Images[0].Position != 0 || got.Images[1].Position != 1 {
			t.Errorf("images %+v", got.Images)
		}
		var tagKey string
		if err := st.DB(ctx).Table("product_tags").Where("product_id = ? AND tag = ?", id, "THAI").Pluck("tag_key", &tagKey).Error; err != nil || tagKey != "thai" {
			t.Errorf("tag key %q, %v", tagKey, err)
		}

		// Saving what is there runs no statement at all.
		unchanged := read(id)
		copyOf := *unchanged
		cctx, counter := store.WithStatementCounter(ctx)
		if err := st.InTx(cctx, func(tx *store.Store) error {
			return tx.SaveProducts(cctx, []store.ProductSave{{Before: unchanged, After: &copyOf}})
		}); err != nil || counter.Count() != 0 {
			t.Errorf("an unchanged save: %v, %d statements", err, counter.Count())
		}

		// Another product cannot take the SKU: the unique index says so on
		// every database, ignoring case.
		other := &store.ProductRows{Product: model.Product{Handle: "mug", Title: "Mug", Status: model.ProductDraft, Currency: model.CurrencyTHB},
			Variants: []model.ProductVariant{{SKU: ptr("k-1 "), Title: model.DefaultVariantTitle, SelectedOptions: "[]", Price: 100}}}
		err := st.InTx(ctx, func(tx *store.Store) error { return tx.SaveProducts(ctx, []store.ProductSave{{After: other}}) })
		if model.ErrorCodeOf(err) != model.CodeConflict {
			t.Errorf("a SKU taken ignoring case: %v", err)
		}
	})
}

// The closure table stays the transitive closure of the parent links
// through any sequence of inserts and moves, and depths follow.
func TestCategoryClosureFollowsMoves(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		rng := rand.New(rand.NewPCG(7, 11))
		var ids []int64
		for i := range 25 {
			c := &model.Category{Handle: fmt.Sprintf("c-%d", i), Name: fmt.Sprintf("C %d", i)}
			if len(ids) > 0 && rng.IntN(4) > 0 {
				c.ParentID = ptr(ids[rng.IntN(len(ids))])
			}
			if err := st.InTx(ctx, func(tx *store.Store) error { return tx.InsertCategory(ctx, c) }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, c.ID)
		}
		checkClosure(t, st)
		for range 60 {
			tree, err := st.LockCategoryTree(ctx)
			if err != nil {
				t.Fatal(err)
			}
			c := ids[rng.IntN(len(ids))]
			var parent *int64
			if rng.IntN(5) > 0 {
				p := ids[rng.IntN(len(ids))]
				if below(tree, p, c) {
					continue // a cycle; the workflow refuses it
				}
				parent = &p
			}
			if err := st.InTx(ctx, func(tx *store.Store) error { return tx.MoveCategory(ctx, c, parent, rng.IntN(5)) }); err != nil {
				t.Fatal(err)
			}
			checkClosure(t, st)
		}
	})
}

// below reports whether a is c or under c, by parent links.
func below(cats []model.Category, a, c int64) bool {
	parent := map[int64]*int64{}
	for _, x := range cats {
		parent[x.ID] = x.ParentID
	}
	for {
		if a == c {
			return true
		}
		p := parent[a]
		if p == nil {
			return false
		}
		a = *p
	}
}

// checkClosure compares the closure table and the depths with what the
// parent links say.
func checkClosure(t *testing.T, st *store.Store) {
	t.Helper()
	cats, err := st.LockCategoryTree(ctx)
	if err != nil {
		t.Fatal(err)
	}
	parent := map[int64]*int64{}
	for _, c := range cats {
		parent[c.ID] = c.ParentID
	}
	want := map[[2]int64]int{}
	for _, c := range cats {
		d := 0
		for a := &c.ID; a != nil; a = parent[*a] {
			want[[2]int64{*a, c.ID}] = d
			d++
		}
		if c.Depth != d-1 {
			t.Errorf("category %d has depth %d, its chain says %d", c.ID, c.Depth, d-1)
		}
	}
	var rows []model.CategoryClosure
	if err := st.DB(ctx).Table("category_closure").Find(&rows).Error; err != nil {
		t.Fatal(err)
	}
	got := map[[2]int64]int{}
	for _, r := range rows {
		got[[2]int64{r.AncestorID, r.DescendantID}] = r.Depth
	}
	if len(got) != len(want) || len(rows) != len(want) {
		t.Fatalf("closure has %d rows, the tree needs %d", len(rows), len(want))
	}
	for k, d := range want {
		if g, ok := got[k]; !ok || g != d {
			t.Fatalf("closure row %v: depth %d (present %v), want %d", k, g, ok, d)
		}
	}
}

// Migration 6 keys existing SKUs, and keeps existing tags.
func TestMigrationSixKeysSKUsAndKeepsTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, err := store.Open(ctx, b.URL(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.MigrateTo(ctx, 5); err != nil {
			t.Fatal(err)
		}
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		db := st.DB(ctx)
		if err := db.Exec(`INSERT INTO products (handle, title, description, description_th, status, currency, created_at, updated_at)
			VALUES ('p', 'P', '', '', 'ACTIVE', 'THB', ?, ?)`, now, now).Error; err != nil {
			t.Fatal(err)
		}
		for i, sku := range []any{"AB-1", " Cd-2", nil} {
			if err := db.Exec(`INSERT INTO product_variants (product_id, position, sku, title, selected_options, price, currency, created_at, updated_at)
				VALUES (1, ?, ?, 'x', '[]', 100, 'THB', ?, ?)`, i, sku, now, now).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := db.Exec(`INSERT INTO product_tags (product_id, tag, tag_key) VALUES (1, 'Thai', 'thai'), (1, 'Silk', 'silk')`).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var keys []sql.NullString
		if err := db.Table("product_variants").Order("position").Pluck("sku_key", &keys).Error; err != nil {
			t.Fatal(err)
		}
		if len(keys) != 3 || keys[0].String != "ab-1" || keys[1].String != "cd-2" || keys[2].Valid {
			t.Errorf("sku keys after migrating: %v", keys)
		}
		tags, err := st.FindTagsByProductIDs(ctx, []int64{1})
		if err != nil || len(tags) != 2 || tags[0].Tag != "Silk" || tags[1].Tag != "Thai" {
			t.Errorf("tags after migrating: %+v, %v", tags, err)
		}
		// Binary now on both databases: "cafe" and "café" are two tags.
		if err := db.Exec(`INSERT INTO product_tags (product_id, tag, tag_key) VALUES (1, 'cafe', 'cafe'), (1, 'café', 'café')`).Error; err != nil {
			t.Errorf("two tags differing by an accent: %v", err)
		}
		if got := listAll(t, st, store.ProductFilter{Tag: "THAI"}); !slices.Equal(got, []int64{1}) {
			t.Errorf("tag filter after migrating: %v", got)
		}
	})
}
