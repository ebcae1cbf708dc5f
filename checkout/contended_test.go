package checkout_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// contendedDelivery offers one option; the first `contend` times it is asked
// for a cart's rate, another change of that cart (a note, from another tab)
// lands meanwhile, so the caller's conditional UPDATE misses.
type contendedDelivery struct {
	svc     func() *checkout.Service
	key     string
	contend int
	calls   atomic.Int32
	// trace records the other tab's failures, if any.
	mu    sync.Mutex
	trace []string
}

func (d *contendedDelivery) Options(context.Context, model.ShippingRequest) ([]model.DeliveryOption, []string) {
	return []model.DeliveryOption{{Handle: "p:std", Title: "Standard", Amount: 5000, Currency: model.CurrencyTHB}}, nil
}

func (d *contendedDelivery) Rate(ctx context.Context, _ model.ShippingRequest, handle string) (model.DeliveryOption, bool) {
	n := int(d.calls.Add(1))
	if n <= d.contend {
		if _, err := d.svc().SetNote(ctx, d.key, fmt.Sprintf("from another tab %d", n)); err != nil {
			d.mu.Lock()
			d.trace = append(d.trace, fmt.Sprintf("call %d: other tab: %v", n, err))
			d.mu.Unlock()
		}
	}
	return model.DeliveryOption{Handle: "p:std", Title: "Standard", Amount: 5000, Currency: model.CurrencyTHB}, handle == "p:std"
}

// A delivery choice that keeps losing to other changes of the cart (a note
// from another tab lands each time the option is priced) ends under the
// cart's lock, and there reads only through its transaction: on SQLite
// with a pool of one connection, a read on a second connection would wait
// for the connection the transaction holds until the request's deadline.
func TestContendedDeliveryChoiceReadsThroughItsTransaction(t *testing.T) {
	st := storetest.Open(t, storetest.SQLite, store.Options{MaxOpenConns: 1})
	if err := st.Seed(context.Background(), store.SeedOptions{Products: 3}); err != nil {
		t.Fatal(err)
	}
	vs := activeVariants(t, st, 1)
	var svc *checkout.Service
	d := &contendedDelivery{svc: func() *checkout.Service { return svc }, contend: 3}
	svc = checkout.New(st, checkout.Options{Delivery: d})
	ctx := context.Background()
	c, err := svc.Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: vs[0], Quantity: 1}},
		Buyer: fon()})
	if err != nil {
		t.Fatal(err)
	}
	d.key = c.CartKey

	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	start := time.Now()
	got, err := svc.SetDeliveryOption(rctx, c.CartKey, "p:std")
	took := time.Since(start)
	for _, l := range d.trace {
		t.Log(l)
	}
	if err != nil {
		t.Fatalf("choosing delivery on a cart another tab changed 3 times meanwhile: %v after %v (provider asked %d times)", err, took, d.calls.Load())
	}
	if got.DeliveryOption != "p:std" || d.calls.Load() != 4 {
		t.Errorf("delivery option %q after %d prices, want p:std after 4 (3 lost races, then under the lock)", got.DeliveryOption, d.calls.Load())
	}
}
