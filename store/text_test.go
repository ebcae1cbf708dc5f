package store_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// A handle matches only byte for byte, on every database: MySQL's
// utf8mb4_unicode_ci would otherwise find "batik-shirt" for other case,
// trailing spaces (PAD SPACE) or an ignorable NUL.
func TestFindByHandleMatchesExactly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		if p, err := st.FindProductByHandle(ctx, "batik-shirt"); err != nil || p.Handle != "batik-shirt" {
			t.Fatalf("batik-shirt: %+v, %v", p, err)
		}
		if c, err := st.FindCategoryByHandle(ctx, "coffee"); err != nil || c.Handle != "coffee" {
			t.Fatalf("coffee: %+v, %v", c, err)
		}
		for _, h := range []string{"BATIK-SHIRT", "Batik-Shirt", "batik-shirt  ", "batik-shirt\x00", " batik-shirt", "batik-shirt\xff", "bátik-shirt", ""} {
			if p, err := st.FindProductByHandle(ctx, h); model.ErrorCodeOf(err) != model.CodeNotFound {
				t.Errorf("product %q: found %v, %v; want NOT_FOUND", h, p != nil, err)
			}
		}
		for _, h := range []string{"COFFEE", "Coffee", "coffee ", "coffee\x00", "cöffee"} {
			if c, err := st.FindCategoryByHandle(ctx, h); model.ErrorCodeOf(err) != model.CodeNotFound {
				t.Errorf("category %q: found %v, %v; want NOT_FOUND", h, c != nil, err)
			}
		}
	})
}

// newProduct writes an active product with these texts and tags the way a
// writer must: in one transaction, ending with RefreshProductSearch.
func newProduct(t *testing.T, st *store.Store, title, titleTH, desc, descTH string, tags ...string) model.Product {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	p := model.Product{
		Handle: fmt.Sprintf("test-%d", handleSeq.Add(1)), Title: title, TitleTH: titleTH,
		Description: desc, DescriptionTH: descTH, Status: model.ProductActive,
		MinPrice: 10000, MaxPrice: 10000, Currency: model.CurrencyTHB, CreatedAt: now, UpdatedAt: now,
	}
	err := st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.DB(ctx).Create(&p).Error; err != nil {
			return err
		}
		for _, tag := range tags {
			if err := tx.DB(ctx).Create(&model.ProductTag{ProductID: p.ID, Tag: tag}).Error; err != nil {
				return err
			}
		}
		return tx.RefreshProductSearch(ctx, []int64{p.ID})
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

var handleSeq atomic.Int64

// listAll returns the IDs of every storefront product matching f, in ID
// order, checking that CountProducts agrees.
func listAll(t *testing.T, st *store.Store, f store.ProductFilter) []int64 {
	t.Helper()
	got := walk(t, st, f, store.SortByID, false, false, 100)
	n, err := st.CountProducts(ctx, f)
	if err != nil || n != int64(len(got)) {
		t.Fatalf("filter %+v: count %d, %v; list has %d", f, n, err, len(got))
	}
	return got
}

// Tags match by model.TagKey on every database: case-insensitively by Go's
// lower-casing, surrounding spaces ignored, accents significant. MySQL's
// collation ignored accents and SQLite compared bytes.
func TestTagFilterIsTheSameEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		cafeAccent := newProduct(t, st, "Café Beans", "", "x", "x", "Café")
		cafe := newProduct(t, st, "Cafe Mug", "", "x", "x", "cafe")
		mixed := newProduct(t, st, "Silk Scarf", "ผ้าพันคอไหม", "x", "x", " Mixed Case ", "ผ้าไหม")
		var thai []int64
		if err := st.DB(ctx).Table("product_tags t").Joins("JOIN products p ON p.id = t.product_id").
			Where("p.status = ?", model.ProductActive).Where("t.tag IN ?", []string{"thai"}).
			Order("p.id").Pluck("p.id", &thai).Error; err != nil || len(thai) < 10 {
			t.Fatalf("thai products: %v, %v", thai, err)
		}
		for _, c := range []struct {
			tag  string
			want []int64
		}{
			{"thai", thai}, {"THAI", thai}, {" Thai\t", thai},
			{"café", []int64{cafeAccent.ID}}, {"CAFÉ", []int64{cafeAccent.ID}},
			{"cafe", []int64{cafe.ID}}, {"Cafe ", []int64{cafe.ID}},
			{"mixed case", []int64{mixed.ID}}, {"MIXED CASE", []int64{mixed.ID}},
			{"mixed  case", nil}, {"ผ้าไหม", []int64{mixed.ID}}, {"ผาไหม", nil},
			{"thai\x00", nil}, {"tha", nil}, {"  ", nil},
		} {
			got := listAll(t, st, store.ProductFilter{Tag: c.tag})
			if !slices.Equal(got, c.want) {
				t.Errorf("tag %q: got %v, want %v", c.tag, got, c.want)
			}
		}
		// Tags read back in byte order, the same on both.
		tags, err := st.FindTagsByProductIDs(ctx, []int64{mixed.ID})
		if err != nil || len(tags) != 2 || tags[0].Tag != " Mixed Case " || tags[1].Tag != "ผ้าไหม" {
			t.Errorf("tags of %d: %+v, %v", mixed.ID, tags, err)
		}
	})
}

// Titles sort by model.TitleSortKey on every database: English ignoring case
// (MySQL's collation also ignored accents, SQLite compared bytes), and Thai,
// when asked for, by the Thai title with its leading vowels after their
// consonant, falling back to the English title.
func TestTitleOrderIsTheSameEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		byTitle := map[string]int64{}
		for _, p := range []struct{ en, th string }{
			{"banana", "ไข่เค็ม"}, {"Zebra", "ขนมครก"}, {"Éclair", "เขียวหวาน"},
			{"apple pie", "กาแฟ"}, {"cherry", "แกงเขียว"}, {"Apple", ""},
		} {
			byTitle[p.en] = newProduct(t, st, p.en, p.th, "x", "x").ID
		}
		order := func(titles ...string) []int64 {
			var out []int64
			for _, ti := range titles {
				out = append(out, byTitle[ti])
			}
			return out
		}
		en := order("Apple", "apple pie", "banana", "cherry", "Zebra", "Éclair")
		th := order("Apple", "apple pie", "cherry", "Zebra", "Éclair", "banana") // กาแฟ แกงเขียว ขนมครก เขียวหวาน ไข่เค็ม
		for _, c := range []struct {
			lang model.Language
			want []int64
		}{{model.LanguageEN, en}, {"", en}, {model.LanguageTH, th}} {
			for _, reverse := range []bool{false, true} {
				want := slices.Clone(c.want)
				if reverse {
					slices.Reverse(want)
				}
				for _, backward := range []bool{false, true} {
					got := walkPages(t, st, store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Language: c.lang, Reverse: reverse}, backward, 2)
					if !slices.Equal(got, want) {
						t.Errorf("title order %q reverse=%v backward=%v: got %v, want %v", c.lang, reverse, backward, got, want)
					}
				}
			}
		}

		// A cursor names its order: one language's cursor is refused in the other.
		p, err := st.FindProductsByIDs(ctx, []int64{byTitle["banana"]})
		if err != nil || len(p) != 1 {
			t.Fatal(p, err)
		}
		thPage := store.Page{Sort: store.SortByTitle, Language: model.LanguageTH, Limit: 2}
		enPage := store.Page{Sort: store.SortByTitle, Language: model.LanguageEN, Limit: 2}
		thCur, enCur := thPage.CursorFor(&p[0]), enPage.CursorFor(&p[0])
		if thCur.SortKey != "TITLE_TH" || enCur.SortKey != "TITLE" {
			t.Errorf("cursor keys %q and %q", thCur.SortKey, enCur.SortKey)
		}
		for _, c := range []struct {
			pg  store.Page
			cur model.Cursor
		}{
			{thPage, enCur}, {enPage, thCur},
			{enPage, model.Cursor{SortKey: "TITLE", ID: 1, Value: "banana "}},
			{enPage, model.Cursor{SortKey: "TITLE", ID: 1, Value: "ban\x01ana"}},
			{thPage, model.Cursor{SortKey: "TITLE_TH", ID: 1, Value: "\xff"}},
		} {
			pg := c.pg
			pg.After = &c.cur
			if _, _, err := st.ListProducts(ctx, store.ProductFilter{}, pg); model.ErrorCodeOf(err) != model.CodeInvalid {
				t.Errorf("page %s with cursor %+v: %v, want INVALID", pg.Language, c.cur, err)
			}
		}
	})
}

// matchesQuery is the search rule, in Go: every word of the query (folded
// and split by model.SearchWords) is a substring of one of the product's
// four texts, folded by model.FoldText.
func matchesQuery(p model.Product, query string) bool {
	for _, w := range model.SearchWords(query) {
		found := false
		for _, text := range []string{p.Title, p.TitleTH, p.Description, p.DescriptionTH} {
			found = found || strings.Contains(model.FoldText(text), w)
		}
		if !found {
			return false
		}
	}
	return true
}

// Text search follows the rule in matchesQuery on every database, whichever
// way a query is answered (through the index or by reading products):
// MySQL's LIKE ignored accents ("cafe" found "Café", "strasse" "Straße")
// and NUL bytes, SQLite's only folded ASCII case ("CAFÉ" missed "Café") and
// cut the pattern at a NUL.
func TestTextSearchIsTheSameEverywhere(t *testing.T) {
	long := strings.Repeat("abcdefghij", 40) // one 400-character term
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 0)
		cafe := newProduct(t, st, "Café Beans", "กาแฟ\u200bดอยช้างพิเศษ", "Roasted in Chiang Mai", "")
		mug := newProduct(t, st, "Cafe Mug", "", "Holds 100% more coffee_than ever!", "")
		newProduct(t, st, "Straße Map", "", "İstanbul edition, 🌶 spicy", "")
		newProduct(t, st, "Long", "", long+" tail", "")
		newProduct(t, st, "Nul\x00Product", "", "before\x00after", "")
		all := activeProducts(t, st)
		queries := []string{
			"café", "CAFÉ", "cafe", "caf", "beans café", "coffee", "COFFEE", "coff\x00ee", "\x00", "  ",
			"100%", "%", "_", "coffee_than", "!", "ever!", "straße", "STRASSE", "strasse", "i̇stanbul", "istanbul",
			"🌶", "กาแฟดอย", "กาแฟ", "ดอยช้าง", "ชา", "ผ้า", "x", "t-shirts", "-shirt", "shirt", "T-SHIRTS,",
			"dried mango", "thailand zzzz", "thailand", "a", "an", long[150:350], long[100:300], long[56:255] + "x", "tail",
			"nul", "nul\x00product", "before after", "เสื้อ ผ้า", "ไทย", "10000", "mah",
		}
		for _, plan := range []string{"", "index", "read"} {
			restore := store.SearchPlan(plan)
			for _, q := range queries {
				var want []int64
				for _, p := range all {
					if matchesQuery(p, q) {
						want = append(want, p.ID)
					}
				}
				slices.Sort(want)
				got := listAll(t, st, store.ProductFilter{Query: q})
				if !slices.Equal(got, want) {
					t.Errorf("plan %q, query %q: got %v, want %v", plan, q, got, want)
				}
			}
			// Other orders and directions read the same rows.
			for _, q := range []string{"ผ้า", "thailand", "shirt"} {
				want := []model.Product{}
				for _, p := range all {
					if matchesQuery(p, q) {
						want = append(want, p)
					}
				}
				sortProducts(want, store.SortByTitle, true, model.LanguageTH)
				got := walkPages(t, st, store.ProductFilter{Query: q}, store.Page{Sort: store.SortByTitle, Reverse: true, Language: model.LanguageTH}, true, 3)
				if !slices.Equal(got, ids(want)) {
					t.Errorf("plan %q, query %q by Thai title, reversed, backward: got %v, want %v", plan, q, got, ids(want))
				}
			}
			restore()
		}
		// The rule itself, on a few answers a person would expect.
		for q, want := range map[string][]int64{"café": {cafe.ID}, "cafe": {mug.ID}, "กาแฟดอย": {cafe.ID}, "100%": {mug.ID}} {
			if got := listAll(t, st, store.ProductFilter{Query: q}); !slices.Equal(got, want) {
				t.Errorf("query %q: got %v, want %v", q, got, want)
			}
		}
		if n := len(listAll(t, st, store.ProductFilter{Query: "\x00"})); n != len(all) {
			t.Errorf("a query of only a NUL found %d products, want all %d (it has no words)", n, len(all))
		}
		if err := st.CheckSearchIndex(ctx); err != nil {
			t.Error(err)
		}
	})
}

func TestTextSearchRefusesOversizedQueries(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		for _, q := range []string{"a b c d e f g h i", strings.Repeat("ก", store.MaxSearchWordRunes+1)} {
			_, _, err := st.ListProducts(ctx, store.ProductFilter{Query: q}, store.Page{Sort: store.SortByID, Limit: 5})
			if model.ErrorCodeOf(err) != model.CodeInvalid {
				t.Errorf("query %q: %v, want INVALID", q, err)
			}
			if _, err := st.CountProducts(ctx, store.ProductFilter{Query: q}); model.ErrorCodeOf(err) != model.CodeInvalid {
				t.Errorf("count %q: %v, want INVALID", q, err)
			}
		}
	})
}

// RefreshProductSearch keeps every derived key and the search index in line
// with the products as writers change, add and delete them, also when many
// write at once.
func TestRefreshProductSearchFollowsEdits(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 120)
		write := func(fn func(tx *store.Store) error, ids ...int64) {
			t.Helper()
			err := st.InTx(ctx, func(tx *store.Store) error {
				if err := fn(tx); err != nil {
					return err
				}
				return tx.RefreshProductSearch(ctx, ids)
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		p, err := st.FindProductByHandle(ctx, "batik-shirt")
		if err != nil {
			t.Fatal(err)
		}
		write(func(tx *store.Store) error {
			return tx.DB(ctx).Table("products").Where("id = ?", p.ID).
				Updates(map[string]any{"title": "Zanzibar Kettle", "title_th": "กาน้ำแซนซิบาร์"}).Error
		}, p.ID)
		write(func(tx *store.Store) error {
			if err := tx.DB(ctx).Exec("DELETE FROM product_tags WHERE product_id = ?", p.ID).Error; err != nil {
				return err
			}
			return tx.DB(ctx).Create(&model.ProductTag{ProductID: p.ID, Tag: "Limited Edition"}).Error
		}, p.ID)
		if got := listAll(t, st, store.ProductFilter{Query: "zanzibar"}); !slices.Equal(got, []int64{p.ID}) {
			t.Errorf("new title: found %v", got)
		}
		if got := listAll(t, st, store.ProductFilter{Query: "แซนซิบาร์"}); !slices.Equal(got, []int64{p.ID}) {
			t.Errorf("new Thai title: found %v", got)
		}
		if got := listAll(t, st, store.ProductFilter{Tag: "limited edition"}); !slices.Equal(got, []int64{p.ID}) {
			t.Errorf("new tag: found %v", got)
		}
		for _, q := range []string{"batik", "บาติก"} {
			// The description still says batik; the titles do not.
			for _, id := range listAll(t, st, store.ProductFilter{Query: q}) {
				if id == p.ID && !strings.Contains(strings.ToLower(p.Description+p.DescriptionTH), q) {
					t.Errorf("old title word %q still finds the product", q)
				}
			}
		}
		first, _, err := st.ListProducts(ctx, store.ProductFilter{}, store.Page{Sort: store.SortByTitle, Reverse: true, Limit: 1})
		if err != nil || len(first) != 1 || first[0].ID != p.ID {
			t.Errorf("last by title: %v, %v; want the renamed product", first, err)
		}

		// A deleted product leaves the index.
		gone, err := st.FindProductByHandle(ctx, "dried-mango")
		if err != nil {
			t.Fatal(err)
		}
		write(func(tx *store.Store) error {
			for _, table := range []string{"product_variants", "product_images", "product_options", "product_tags"} {
				if err := tx.DB(ctx).Exec("DELETE FROM "+table+" WHERE product_id = ?", gone.ID).Error; err != nil {
					return err
				}
			}
			return tx.DB(ctx).Exec("DELETE FROM products WHERE id = ?", gone.ID).Error
		}, gone.ID)
		if got := listAll(t, st, store.ProductFilter{Query: "dried mango"}); slices.Contains(got, gone.ID) {
			t.Errorf("deleted product still found: %v", got)
		}
		if err := st.CheckSearchIndex(ctx); err != nil {
			t.Fatal(err)
		}

		// Writers renaming products at once, with words they share.
		var all []int64
		if err := st.DB(ctx).Table("products").Order("id").Limit(40).Pluck("id", &all).Error; err != nil {
			t.Fatal(err)
		}
		words := []string{"indigo", "ผ้าไหม", "teak", "กาแฟ", "linen", "ครก"}
		var wg sync.WaitGroup
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for round := range 10 {
					id := all[(w*3+round)%12] // writers share products
					title := fmt.Sprintf("%s %s %d", words[(w+round)%len(words)], words[(w+2*round+1)%len(words)], round)
					err := st.InTx(ctx, func(tx *store.Store) error {
						if err := tx.DB(ctx).Table("products").Where("id = ?", id).Update("title", title).Error; err != nil {
							return err
						}
						return tx.RefreshProductSearch(ctx, []int64{id})
					})
					if err != nil {
						t.Errorf("writer %d: %v", w, err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := st.CheckSearchIndex(ctx); err != nil {
			t.Fatal(err)
		}
	})
}
