package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// A catalog written by release 1 (no keys, no search index) must answer
// exactly like a fresh one once migrated: the migrations backfill what they
// add from the existing rows (tag keys, title sort keys, the search index).
func TestMigrationsBackfillAnExistingCatalog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, err := store.Open(ctx, b.URL(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		if err := st.MigrateTo(ctx, 1); err != nil {
			t.Fatal(err)
		}
		// Rows as release 1 wrote them, more than one backfill batch.
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		var products []model.Product
		for i := range 1203 {
			title, titleTH := "Linen Shirt", "เสื้อเชิ้ตผ้าลินิน"
			if i%2 == 1 {
				title, titleTH = "alpaca Scarf", "ผ้าพันคออัลปาก้า"
			}
			products = append(products, model.Product{
				Handle: fmt.Sprintf("p-%d", i), Title: title, TitleTH: titleTH,
				Description: "Woven in Chiang Mai", DescriptionTH: "ทอที่เชียงใหม่", Status: model.ProductActive,
				MinPrice: 100, MaxPrice: 100, Currency: model.CurrencyTHB, CreatedAt: now, UpdatedAt: now,
			})
		}
		if err := st.DB(ctx).CreateInBatches(&products, 300).Error; err != nil {
			t.Fatal(err)
		}
		var tags []model.ProductTag
		for i, p := range products {
			if i%3 == 0 {
				tags = append(tags, model.ProductTag{ProductID: p.ID, Tag: "Handmade"})
			}
		}
		if err := st.DB(ctx).CreateInBatches(&tags, 300).Error; err != nil {
			t.Fatal(err)
		}
		if err := st.Migrate(ctx); err != nil {
			t.Fatal(err)
		}

		var wantTagged []int64
		for _, tg := range tags {
			wantTagged = append(wantTagged, tg.ProductID)
		}
		if got := listAll(t, st, store.ProductFilter{Tag: "handmade"}); !slices.Equal(got, wantTagged) {
			t.Errorf("tag handmade after migrating: %d products, want %d", len(got), len(wantTagged))
		}
		if err := st.CheckSearchIndex(ctx); err != nil {
			t.Error(err)
		}
		for q, want := range map[string]int{"ALPACA": 601, "ลินิน": 602, "chiang mai": 1203, "เชียงใหม่": 1203, "wool": 0} {
			if got := listAll(t, st, store.ProductFilter{Query: q}); len(got) != want {
				t.Errorf("query %q after migrating: %d products, want %d", q, len(got), want)
			}
		}
		for _, lang := range []model.Language{model.LanguageEN, model.LanguageTH} {
			want := activeProducts(t, st)
			sortProducts(want, store.SortByTitle, false, lang)
			got := walkPages(t, st, store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Language: lang}, false, 100)
			if !slices.Equal(got, ids(want)) {
				t.Errorf("title order %s after migrating differs from the keys' order", lang)
			}
		}
	})
}
