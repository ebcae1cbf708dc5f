package store_test

import (
	"testing"

	"github.com/langran/langran/model"
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
