package store_test

import (
	"strings"
	"testing"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// On MySQL every storefront sort order must read its own index in order:
// no full scan and no filesort, whatever the page.
func TestListQueriesUseIndexesOnMySQL(t *testing.T) {
	// EXPLAIN output is MySQL's; SQLite plans differ in form.
	b := storetest.RequireMySQL(t)
	t.Run(b.Name, func(t *testing.T) {
		st := storetest.Seeded(t, b, 2000)
		if err := st.DB(ctx).Exec("ANALYZE TABLE products, product_variants, category_closure").Error; err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name    string
			f       store.ProductFilter
			pg      store.Page
			wantKey string // PRIMARY is also fine for ID order: it is the id index
		}{
			{"id", store.ProductFilter{}, store.Page{Sort: store.SortByID, Limit: 50}, "ix_products_status_id"},
			{"id after", store.ProductFilter{}, store.Page{Sort: store.SortByID, Limit: 50, After: &model.Cursor{SortKey: "ID", ID: 500}}, "ix_products_status_id"},
			{"title", store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Limit: 50}, "ix_products_status_title_key"},
			{"title after", store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Limit: 50, After: &model.Cursor{SortKey: "TITLE", ID: 10, Value: "m"}}, "ix_products_status_title_key"},
			{"title reverse before", store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Limit: 50, Reverse: true, Backward: true, Before: &model.Cursor{SortKey: "TITLE", ID: 10, Value: "m"}}, "ix_products_status_title_key"},
			{"thai title", store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Language: model.LanguageTH, Limit: 50}, "ix_products_status_title_th_key"},
			{"thai title after", store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Language: model.LanguageTH, Limit: 50, After: &model.Cursor{SortKey: "TITLE_TH", ID: 10, Value: "สเื้อ"}}, "ix_products_status_title_th_key"},
			{"thai title reverse", store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Language: model.LanguageTH, Limit: 50, Reverse: true}, "ix_products_status_title_th_key"},
			{"price reverse", store.ProductFilter{}, store.Page{Sort: store.SortByPrice, Limit: 50, Reverse: true}, "ix_products_status_price"},
			{"created", store.ProductFilter{}, store.Page{Sort: store.SortByCreatedAt, Limit: 50}, "ix_products_status_created"},
		}
		for _, c := range cases {
			rows, err := st.ExplainListProducts(ctx, c.f, c.pg)
			if err != nil {
				t.Fatal(err)
			}
			var plan []string
			for _, r := range rows {
				key, extra := "", ""
				if r.Key != nil {
					key = *r.Key
				}
				if r.Extra != nil {
					extra = *r.Extra
				}
				plan = append(plan, r.Table+":"+r.Type+":"+key+":"+extra)
			}
			top := rows[0]
			keyOK := top.Key != nil && (*top.Key == c.wantKey || (c.pg.Sort == store.SortByID && *top.Key == "PRIMARY"))
			if !keyOK || top.Type == "ALL" ||
				(top.Extra != nil && strings.Contains(*top.Extra, "filesort")) {
				t.Errorf("%s: plan %v, want index %s without filesort", c.name, plan, c.wantKey)
			} else {
				t.Logf("%s: %v", c.name, plan)
			}
		}
	})
}
