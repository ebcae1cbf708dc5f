package checkout_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/store/storetest"
)

// Changes of a cart's own fields are conditional UPDATEs without a lock:
// changed concurrently with each other and with its lines, none fails and
// no write is lost. Each goroutine below changes one field in turn; at the end every
// field holds the last value its goroutine wrote successfully, the lines
// hold every unit added, and the version counts every write.
func TestFieldChangesLoseNoWrite(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 3)
		ctx := t.Context()
		svc := checkout.New(st, checkout.Options{})
		variant := activeVariants(t, st, 1)[0]
		c, err := svc.Create(ctx, checkout.CartInput{})
		if err != nil {
			t.Fatal(err)
		}
		const rounds = 25
		var mu sync.Mutex
		writes := 0
		last := map[string]string{}
		run := func(field string, change func(i int) (string, error)) {
			for i := range rounds {
				v, err := change(i)
				mu.Lock()
				switch {
				case err == nil:
					writes++
					last[field] = v
				default:
					t.Errorf("%s %d: %v", field, i, err)
				}
				mu.Unlock()
			}
		}
		var wg sync.WaitGroup
		wg.Go(func() {
			run("note", func(i int) (string, error) {
				v := fmt.Sprintf("note %d", i)
				_, err := svc.SetNote(ctx, c.CartKey, v)
				return v, err
			})
		})
		wg.Go(func() {
			run("email", func(i int) (string, error) {
				v := fmt.Sprintf("buyer%d@example.com", i)
				_, err := svc.SetBuyer(ctx, c.CartKey, checkout.BuyerInput{Email: &v})
				return v, err
			})
		})
		wg.Go(func() {
			run("codes", func(i int) (string, error) {
				v := fmt.Sprintf("CODE%d", i)
				_, err := svc.SetDiscountCodes(ctx, c.CartKey, []string{v})
				return v, err
			})
		})
		wg.Go(func() {
			run("lines", func(i int) (string, error) {
				_, err := svc.AddLines(ctx, c.CartKey, []checkout.LineInput{{VariantID: variant, Quantity: 1}})
				return fmt.Sprint(i), err
			})
		})
		wg.Wait()

		got, lines, err := st.FindCartWithLines(ctx, c.CartKey)
		if err != nil {
			t.Fatal(err)
		}
		if got.Note != last["note"] || got.Email != last["email"] || got.DiscountCodes != last["codes"] {
			t.Errorf("note %q, email %q, codes %q; the last written were %q, %q, %q",
				got.Note, got.Email, got.DiscountCodes, last["note"], last["email"], last["codes"])
		}
		if len(lines) != 1 || lines[0].Quantity != rounds {
			t.Errorf("lines %+v, want one of %d units", lines, rounds)
		}
		if got.Version != int64(writes) {
			t.Errorf("version %d after %d writes", got.Version, writes)
		}
	})
}
