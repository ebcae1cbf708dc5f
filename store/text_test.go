package store_test

import (
	"fmt"
	"slices"
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
