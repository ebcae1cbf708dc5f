package store

import (
	"context"
	"os"
	"strings"
	"testing"

	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// benchSearchURLEnv names a MySQL database already seeded for the text
// search benchmark, e.g. with `langran seed --products 100000`.
const benchSearchURLEnv = "LANGRAN_BENCH_SEARCH_URL"

// likeFilter is text search as it was before the index: every word LIKE
// '%word%' in one of the four text columns, compared with the columns'
// collation. The benchmark measures the index against it.
func likeFilter(q *gorm.DB, query string) *gorm.DB {
	escape := strings.NewReplacer("!", "!!", "%", "!%", "_", "!_")
	for _, word := range strings.Fields(query) {
		like := "%" + escape.Replace(word) + "%"
		q = q.Where("(products.title LIKE ? ESCAPE '!' OR products.title_th LIKE ? ESCAPE '!' OR "+
			"products.description LIKE ? ESCAPE '!' OR products.description_th LIKE ? ESCAPE '!')",
			like, like, like, like)
	}
	return q
}

// BenchmarkTextSearch runs each query four ways on the same database, one
// after the other: the first page (50 products by ID) and the count, through
// the old LIKE scan and through the index (ListProducts, CountProducts).
//
//	LANGRAN_BENCH_SEARCH_URL=mysql://root@127.0.0.1:3306/langran_search_bench \
//	  go test ./store -run XXX -bench TextSearch -benchtime 20x
func BenchmarkTextSearch(b *testing.B) {
	url := os.Getenv(benchSearchURLEnv)
	if url == "" {
		b.Skipf("set %s to a MySQL database seeded with langran seed --products 100000", benchSearchURLEnv)
	}
	ctx := context.Background()
	st, err := Open(ctx, url, Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	queries := []struct{ name, query string }{
		{"en-all-thailand", "thailand"},       // in every product
		{"en-5pct-cotton", "cotton"},          // about one product in 20
		{"en-2pct-durian", "durian"},          // one in 60
		{"en-one-12345", "12345"},             // one product
		{"en-none-zanzibar", "zanzibar"},      // none
		{"en-two-linen-shirt", "linen shirt"}, // two words
		{"th-all-จัดส่ง", "จัดส่ง"},
		{"th-16pct-ผ้า", "ผ้า"},
		{"th-8pct-กาแฟ", "กาแฟ"},
		{"th-2pct-ทุเรียน", "ทุเรียน"},
		{"th-2char-ชา", "ชา"},
		{"th-two-กาแฟ-ดอย", "กาแฟ ดอย"},
	}
	pg := Page{Sort: SortByID, Limit: 50}
	for _, q := range queries {
		f := ProductFilter{Query: q.query}
		like := func() *gorm.DB {
			return likeFilter(applyFilter(st.db.WithContext(ctx).Table("products"), "products", ProductFilter{}), q.query)
		}
		b.Run(q.name+"/page/like", func(b *testing.B) {
			for b.Loop() {
				var ps []model.Product
				if err := like().Select(qualified("products", productColumns)).Order("products.id").Limit(51).Find(&ps).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/page/index", func(b *testing.B) {
			for b.Loop() {
				if _, _, err := st.ListProducts(ctx, f, pg); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/count/like", func(b *testing.B) {
			for b.Loop() {
				var n int64
				if err := like().Count(&n).Error; err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(q.name+"/count/index", func(b *testing.B) {
			for b.Loop() {
				if _, err := st.CountProducts(ctx, f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
