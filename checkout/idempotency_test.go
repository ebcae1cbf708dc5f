package checkout_test

import (
	"context"
	"sync"
	"testing"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// One key sent at once for one cart (many times) and for another cart
// (the key is looked up only for a checked-out cart; the orders' unique
// index decides the race) makes one order, takes the stock once, answers every
// call for the winning cart with that order and every call for the other
// with IDEMPOTENCY_KEY_REUSED.
func TestOneKeyForTwoCartsAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		ctx := context.Background()
		svc := checkout.New(st, checkout.Options{})
		vs := activeVariants(t, st, 1)
		var carts []*model.Cart
		for range 2 {
			c, err := svc.Create(ctx, checkout.CartInput{Lines: []checkout.LineInput{{VariantID: vs[0], Quantity: 1}},
				Buyer: fon()})
			if err != nil {
				t.Fatal(err)
			}
			carts = append(carts, c)
		}
		before, _ := st.FindVariantsByIDs(ctx, vs)
		const each = 6
		type result struct {
			cart int
			o    *model.Order
			err  error
		}
		results := make(chan result, 2*each)
		var wg sync.WaitGroup
		for i := range 2 * each {
			wg.Go(func() {
				o, err := svc.Complete(ctx, carts[i%2].CartKey, "the-key")
				results <- result{i % 2, o, err}
			})
		}
		wg.Wait()
		close(results)
		orders := map[int64]int{}
		winner := -1
		var byCart [2][]result
		for r := range results {
			byCart[r.cart] = append(byCart[r.cart], r)
			if r.o != nil {
				orders[r.o.ID]++
				if winner >= 0 && winner != r.cart {
					t.Errorf("orders for both carts")
				}
				winner = r.cart
			}
		}
		if len(orders) != 1 || winner < 0 {
			t.Fatalf("orders %v", orders)
		}
		for _, r := range byCart[winner] {
			if r.err != nil {
				t.Errorf("winning cart: %v", r.err)
			}
		}
		for _, r := range byCart[1-winner] {
			if model.ErrorCodeOf(r.err) != model.CodeIdempotencyKeyReused {
				t.Errorf("other cart: %v, want IDEMPOTENCY_KEY_REUSED", r.err)
			}
		}
		after, _ := st.FindVariantsByIDs(ctx, vs)
		if after[0].InventoryCommitted != before[0].InventoryCommitted+1 {
			t.Errorf("committed %d → %d, want +1", before[0].InventoryCommitted, after[0].InventoryCommitted)
		}
	})
}
