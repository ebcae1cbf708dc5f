package checkout_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/shipping/shippingtest"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// Shipping providers that fail, panic or hang degrade a cart's delivery
// options, never the cart: it is priced, it offers the options of the
// providers that answered, the one chosen from them checks out, and the
// slow provider costs no more than the shipping timeout.
func TestBrokenShippingProvidersDegradeTheCartOnly(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, storetest.SQLite, store.Options{})
	if err := st.Seed(ctx, store.SeedOptions{Products: 10}); err != nil {
		t.Fatal(err)
	}
	working := &shippingtest.Provider{ID: "courier", Options: []shipping.Rate{{Handle: "express", Title: "Express", Amount: 9000, Currency: model.CurrencyTHB}}}
	broken := []*shippingtest.Provider{
		{ID: "failing", Err: errors.New("carrier API down")},
		{ID: "panicking", Panic: "nil map"},
		{ID: "hanging", Hang: true},
	}
	delivery := shipping.New(shipping.Options{Timeout: 200 * time.Millisecond}, working, broken[0], broken[1], broken[2])
	svc := checkout.New(st, checkout.Options{Delivery: delivery})

	variant := activeVariants(t, st, 1)[0]
	c, err := svc.Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: variant, Quantity: 1}},
		Buyer: fon()})
	if err != nil {
		t.Fatal(err)
	}
	lines, err := st.FindCartLinesByCartIDs(ctx, []int64{c.ID})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	q, err := svc.Quote(ctx, checkout.StoreCatalog{St: st, Delivery: delivery}, c, lines)
	if err != nil {
		t.Fatalf("quoting a cart with broken providers: %v", err)
	}
	opts := svc.DeliveryOptions(ctx, q)
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("the cart waited %v for its options, the timeout is 200ms", took)
	}
	if len(opts) != 1 || opts[0].Handle != "courier:express" || opts[0].Amount != 9000 {
		t.Fatalf("options %+v, want only the working provider's", opts)
	}
	for _, p := range broken {
		if p.Calls() == 0 {
			t.Errorf("provider %s was not asked", p.ID)
		}
	}
	if _, err := svc.SetDeliveryOption(ctx, c.CartKey, opts[0].Handle); err != nil {
		t.Fatal(err)
	}
	o, err := svc.Complete(ctx, c.CartKey, "degraded-1")
	if err != nil {
		t.Fatalf("checkout with broken providers beside a working one: %v", err)
	}
	if o.Shipping != 9000 || o.DeliveryOption != "courier:express" || o.Total != o.Subtotal+9000 {
		t.Errorf("order shipping %d via %q, total %d of subtotal %d", o.Shipping, o.DeliveryOption, o.Total, o.Subtotal)
	}
}
