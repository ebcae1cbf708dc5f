package store_test

import (
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// Staff's discount writes on both databases: the seed's codes, lists by
// code prefix (LIKE's wildcards taken literally) and state, the unique
// code key, and deletion only of codes never used.
func TestDiscountCodesStore(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		seeded, err := st.FindDiscountsByCodeKeys(ctx, []string{"WELCOME10", "FREESHIP"})
		if err != nil || len(seeded) != 2 {
			t.Fatalf("demo codes: %+v, %v", seeded, err)
		}
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		add := func(code string, active bool) *model.Discount {
			t.Helper()
			d := &model.Discount{Code: code, CodeKey: model.NormalizeDiscountCode(code), Kind: model.DiscountPercentage,
				Value: 500, Active: active, CreatedAt: now, UpdatedAt: now}
			if err := st.CreateDiscount(ctx, d); err != nil {
				t.Fatal(err)
			}
			return d
		}
		under := add("A_B", true)
		add("AXB", true)
		off := add("A%C", false)
		yes, no := true, false
		for _, c := range []struct {
			f    store.DiscountFilter
			want []string
		}{
			{store.DiscountFilter{CodePrefix: "A_"}, []string{"A_B"}},
			{store.DiscountFilter{CodePrefix: "A%"}, []string{"A%C"}},
			{store.DiscountFilter{CodePrefix: "A"}, []string{"A_B", "AXB", "A%C"}},
			{store.DiscountFilter{CodePrefix: "A", Active: &no}, []string{"A%C"}},
			{store.DiscountFilter{Active: &yes}, []string{"WELCOME10", "FREESHIP", "A_B", "AXB"}},
		} {
			ds, more, err := st.ListDiscounts(ctx, c.f, store.Page{Sort: store.SortByID, Limit: 10})
			var got []string
			for _, d := range ds {
				got = append(got, d.Code)
			}
			n, cerr := st.CountDiscounts(ctx, c.f)
			if err != nil || cerr != nil || more || len(got) != len(c.want) || n != int64(len(c.want)) {
				t.Errorf("%+v: %v (count %d), want %v (%v, %v)", c.f, got, n, c.want, err, cerr)
				continue
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Errorf("%+v: %v, want %v", c.f, got, c.want)
					break
				}
			}
		}

		// The code key is unique.
		d := *under
		d.Code, d.CodeKey = "axb", "AXB"
		if err := st.UpdateDiscount(ctx, &d); model.ErrorCodeOf(err) != model.CodeConflict {
			t.Errorf("renaming A_B to a taken code: %v, want CONFLICT", err)
		}
		d.Code, d.CodeKey, d.MinSubtotal = "A-B", "A-B", 12345
		if err := st.UpdateDiscount(ctx, &d); err != nil {
			t.Fatal(err)
		}
		if got, err := st.FindDiscountsByIDs(ctx, []int64{under.ID}); err != nil || len(got) != 1 || got[0].Code != "A-B" || got[0].MinSubtotal != 12345 {
			t.Errorf("after the update: %+v, %v", got, err)
		}
		if err := st.UpdateDiscount(ctx, &model.Discount{ID: 1 << 40, Code: "NONE", CodeKey: "NONE"}); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("updating no code: %v", err)
		}

		// A used code stays; an unused one goes; a use given back frees it.
		if ok, err := st.UseDiscount(ctx, off.ID, "email:a@example.com", 1, now); err != nil || ok {
			t.Fatalf("an inactive code was used: %v, %v", ok, err)
		}
		if ok, err := st.UseDiscount(ctx, under.ID, "email:a@example.com", 77, now); err != nil || !ok {
			t.Fatalf("use: %v, %v", ok, err)
		}
		if err := st.DeleteDiscount(ctx, under.ID); model.ErrorCodeOf(err) != model.CodeInUse {
			t.Errorf("deleting a used code: %v, want IN_USE", err)
		}
		if err := st.ReleaseDiscountUses(ctx, 77); err != nil {
			t.Fatal(err)
		}
		for _, id := range []int64{under.ID, off.ID} {
			if err := st.DeleteDiscount(ctx, id); err != nil {
				t.Errorf("deleting unused code %d: %v", id, err)
			}
		}
		if err := st.DeleteDiscount(ctx, off.ID); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("deleting it again: %v, want NOT_FOUND", err)
		}
		if got, _ := st.FindDiscountsByIDs(ctx, []int64{under.ID, off.ID}); len(got) != 0 {
			t.Errorf("deleted codes remain: %+v", got)
		}
	})
}
