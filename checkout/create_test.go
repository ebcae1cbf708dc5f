package checkout_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// A signed-in shopper's new cart is found by its customer, not only by its
// key: it must never be seen without its lines. Were it (a cart and its
// lines inserted without a transaction), the customer signing in on
// another device between the two inserts would merge the new cart while
// still empty and mark it merged, its lines would go into a merged cart,
// and Create would fail. Every unit must end up in the customer's one
// active cart.
func TestNewCustomerCartIsNeverSeenWithoutItsLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		ctx := context.Background()
		svc := checkout.New(st, checkout.Options{})
		vs := activeVariants(t, st, 2)
		now := time.Now().UTC().Truncate(time.Second)
		cust := &model.Customer{Email: "nok@example.com", EmailKey: "nok@example.com", CreatedAt: now, UpdatedAt: now}
		if err := st.CreateCustomer(ctx, cust); err != nil {
			t.Fatal(err)
		}
		// The cart of another device, not signed in yet.
		other, err := svc.Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: vs[1], Quantity: 1}}})
		if err != nil {
			t.Fatal(err)
		}
		var seenEmpty atomic.Bool
		signedIn := make(chan error, 1)
		arm := beforeRaw(t, st, "INSERT INTO cart_lines", func() {
			// Between the new cart's INSERT and its lines' INSERT: what
			// does the customer's cart look like, and the other device
			// signs in.
			if c, err := svc.CustomerCart(ctx, cust.ID); err == nil && c != nil {
				if lines, err := st.FindCartLinesByCartIDs(ctx, []int64{c.ID}); err == nil && len(lines) == 0 {
					seenEmpty.Store(true)
				}
			}
			go func() {
				_, err := svc.SetBuyer(ctx, other.CartKey, checkout.BuyerInput{CustomerID: &cust.ID})
				signedIn <- err
			}()
			select {
			case <-signedIn:
				signedIn <- nil
			case <-time.After(2 * time.Second): // blocked by the creating transaction (the old code)
			}
		})
		arm()
		_, createErr := svc.Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: vs[0], Quantity: 2}},
			Buyer: &checkout.BuyerInput{CustomerID: &cust.ID}})
		if err := <-signedIn; err != nil {
			t.Logf("sign-in on the other device: %v", err)
		}
		if seenEmpty.Load() {
			t.Errorf("the customer's cart was visible without its lines while Create ran")
		}
		c, err := svc.CustomerCart(ctx, cust.ID)
		if err != nil || c == nil {
			t.Fatalf("customer cart: %v %v", c, err)
		}
		lines, err := st.FindCartLinesByCartIDs(ctx, []int64{c.ID})
		if err != nil {
			t.Fatal(err)
		}
		units := map[int64]int{}
		for _, l := range lines {
			units[l.VariantID] += l.Quantity
		}
		if units[vs[0]] != 2 || units[vs[1]] != 1 {
			t.Errorf("customer's active cart holds %v, want %d×2 and %d×1 (Create returned %v)", units, vs[0], vs[1], createErr)
		}
	})
}
