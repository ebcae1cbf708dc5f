package store_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// fill sets every exported field of the struct v points to, but those
// named in skip, to a value that is not its type's zero, different for
// each field and each salt, and short enough for any column: a hand-written INSERT or
// UPDATE that leaves a field out, or swaps two, then reads back
// differently.
func fill(t *testing.T, v any, salt int, skip ...string) {
	t.Helper()
	rv := reflect.ValueOf(v).Elem()
	base := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for i := 0; i < rv.NumField(); i++ {
		f, sf := rv.Field(i), rv.Type().Field(i)
		if !sf.IsExported() || slicesContains(skip, sf.Name) {
			continue
		}
		n := i + 1 + salt
		switch {
		case f.Type() == reflect.TypeOf(time.Time{}):
			f.Set(reflect.ValueOf(base.Add(time.Duration(n) * time.Second)))
		case f.Type() == reflect.TypeOf(&time.Time{}):
			tm := base.Add(time.Duration(n) * time.Hour)
			f.Set(reflect.ValueOf(&tm))
		case f.Kind() == reflect.String:
			f.SetString(string(rune('a'+n/26)) + string(rune('a'+n%26))) // two letters: fits CHAR(2)
		case f.Kind() == reflect.Int64 || f.Kind() == reflect.Int:
			f.SetInt(int64(100 + n))
		case f.Kind() == reflect.Bool:
			f.SetBool(true)
		case f.Kind() == reflect.Pointer && (f.Type().Elem().Kind() == reflect.Int64 || f.Type().Elem().Kind() == reflect.Int):
			p := reflect.New(f.Type().Elem())
			p.Elem().SetInt(int64(200 + n))
			f.Set(p)
		default:
			t.Fatalf("fill: %s.%s of type %s: teach fill this type", rv.Type().Name(), sf.Name, f.Type())
		}
	}
}

func slicesContains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// sameJSON compares as JSON, so that times compare by instant whatever
// location the driver gives them.
func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, _ := json.Marshal(got)
	w, _ := json.Marshal(want)
	if string(g) != string(w) {
		t.Errorf("%s reads back\n %s\nwritten\n %s", what, g, w)
	}
}

// The order, its lines and event, and a cart, its lines and its own fields
// are written by hand-written statements: every field must be written,
// each in its column, as GORM would have written it.
func TestHandWrittenWritesKeepEveryField(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		var variants []int64
		if err := st.DB(ctx).Table("product_variants").Order("id").Limit(2).Pluck("id", &variants).Error; err != nil || len(variants) < 2 {
			t.Fatalf("variants %v: %v", variants, err)
		}

		var o model.Order
		fill(t, &o, 0, "ID")
		lines := make([]model.OrderLine, 2)
		for i := range lines {
			fill(t, &lines[i], 10*i, "ID", "OrderID")
			lines[i].VariantID, lines[i].Quantity = variants[i], 1+i
		}
		var ev model.OrderEvent
		fill(t, &ev, 0, "ID", "OrderID")
		if err := st.CreateOrder(ctx, &o, lines, &ev); err != nil {
			t.Fatal(err)
		}
		if o.ID == 0 || ev.ID == 0 || ev.OrderID != o.ID || lines[1].OrderID != o.ID {
			t.Fatalf("IDs: order %d, event %d of %d, line of %d", o.ID, ev.ID, ev.OrderID, lines[1].OrderID)
		}
		orders, err := st.FindOrdersByIDs(ctx, []int64{o.ID})
		if err != nil || len(orders) != 1 {
			t.Fatalf("%d orders: %v", len(orders), err)
		}
		sameJSON(t, "the order", orders[0], o)
		gotLines, err := st.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
		if err != nil || len(gotLines) != 2 {
			t.Fatalf("%d lines: %v", len(gotLines), err)
		}
		for i := range gotLines {
			gotLines[i].ID = 0
		}
		sameJSON(t, "the order's lines", gotLines, lines)
		events, err := st.FindOrderEventsByOrderIDs(ctx, []int64{o.ID})
		if err != nil || len(events) != 1 {
			t.Fatalf("%d events: %v", len(events), err)
		}
		sameJSON(t, "the order's event", events[0], ev)

		var c model.Cart
		fill(t, &c, 0, "ID", "Lines")
		clines := make([]model.CartLine, 2)
		for i := range clines {
			fill(t, &clines[i], 10*i, "ID", "CartID")
			clines[i].VariantID = variants[i]
		}
		if err := st.CreateCart(ctx, &c, clines); err != nil {
			t.Fatal(err)
		}
		got, err := st.FindCartByKey(ctx, c.CartKey)
		if err != nil || got.ID != c.ID || c.ID == 0 {
			t.Fatalf("cart %+v (ID %d): %v", got, c.ID, err)
		}
		sameJSON(t, "the cart", got, c)
		gotCartLines, err := st.FindCartLinesByCartIDs(ctx, []int64{c.ID})
		if err != nil || len(gotCartLines) != 2 {
			t.Fatalf("%d cart lines: %v", len(gotCartLines), err)
		}
		for i := range gotCartLines {
			gotCartLines[i].ID = 0
		}
		sameJSON(t, "the cart's lines", gotCartLines, clines)

		// A cart's own fields, saved: all but its key and creation time.
		// A cart whose lines fail to insert (the same variant twice breaks
		// their unique index) is not left behind.
		var bad model.Cart
		fill(t, &bad, 5, "ID", "Lines")
		twice := []model.CartLine{clines[0], clines[0]}
		if err := st.CreateCart(ctx, &bad, twice); err == nil {
			t.Fatal("a cart with one variant in two lines was created")
		}
		if _, err := st.FindCartByKey(ctx, bad.CartKey); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("the cart whose lines failed: %v, want NOT_FOUND", err)
		}

		// A cart's own fields, saved: all but its key and creation time;
		// the version goes up by one.
		changed := c
		fill(t, &changed, 30, "ID", "CartKey", "CreatedAt", "Version", "Lines")
		if err := st.SaveCartFields(ctx, &changed); err != nil {
			t.Fatal(err)
		}
		got, err = st.FindCartByKey(ctx, c.CartKey)
		if err != nil {
			t.Fatal(err)
		}
		if changed.Version != c.Version+1 {
			t.Errorf("version %d after a save of version %d", changed.Version, c.Version)
		}
		sameJSON(t, "the saved cart", got, changed)

		// Saved only if still at the version read: an active cart.
		active := *got
		fill(t, &active, 60, "ID", "CartKey", "CreatedAt", "Version", "Lines")
		active.Status = model.CartActive
		if err := st.SaveCartFields(ctx, &active); err != nil {
			t.Fatal(err)
		}
		stale := active
		stale.Version--
		stale.Email = "stale@example.com"
		if ok, err := st.SaveCartFieldsIf(ctx, &stale); ok || err != nil {
			t.Errorf("a save of a stale version: %v, %v; want false", ok, err)
		}
		fresh := active
		fill(t, &fresh, 90, "ID", "CartKey", "CreatedAt", "Version", "Lines", "Status")
		if ok, err := st.SaveCartFieldsIf(ctx, &fresh); !ok || err != nil {
			t.Fatalf("a save of the current version: %v, %v; want true", ok, err)
		}
		got, err = st.FindCartByKey(ctx, c.CartKey)
		if err != nil {
			t.Fatal(err)
		}
		if fresh.Version != active.Version+1 {
			t.Errorf("version %d after a conditional save of version %d", fresh.Version, active.Version)
		}
		sameJSON(t, "the conditionally saved cart", got, fresh)
		if ok, err := st.SaveCartFieldsIf(ctx, &active); ok || err != nil {
			t.Errorf("a second save of the version the first one raised: %v, %v; want false", ok, err)
		}
	})
}
