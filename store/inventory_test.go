package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

// newStockedProduct saves a product whose variants have these stocks and
// returns the variants' IDs.
func newStockedProduct(t *testing.T, st *store.Store, handle string, stocks ...int) []int64 {
	t.Helper()
	r := &store.ProductRows{Product: model.Product{Handle: handle, Title: handle, Status: model.ProductActive, Currency: model.CurrencyTHB}}
	for i, q := range stocks {
		sel := fmt.Sprintf(`[{"name":"N","value":"%d"}]`, i)
		r.Variants = append(r.Variants, model.ProductVariant{SKU: ptr(fmt.Sprintf("%s-%d", handle, i)), Title: fmt.Sprint(i),
			SelectedOptions: sel, Price: 1000, InventoryQuantity: q, InventoryTracked: true})
	}
	err := st.InTx(ctx, func(tx *store.Store) error {
		return tx.SaveProducts(ctx, []store.ProductSave{{After: r, Actor: "staff:1", Reference: "product.create"}})
	})
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(r.Variants))
	for i, v := range r.Variants {
		ids[i] = v.ID
	}
	return ids
}

// stock reads a variant's stock figures.
func stock(t *testing.T, st *store.Store, id int64) model.ProductVariant {
	t.Helper()
	vs, err := st.FindVariantsByIDs(ctx, []int64{id})
	if err != nil || len(vs) != 1 {
		t.Fatalf("variant %d: %v (%d found)", id, err, len(vs))
	}
	return vs[0]
}

// ledgerHolds fails t unless every variant's movements add up to its stock.
func ledgerHolds(t *testing.T, st *store.Store) {
	t.Helper()
	bad, err := st.CheckInventoryLedger(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(bad) > 0 {
		t.Fatalf("ledger does not add up: %+v", bad)
	}
}

func movements(t *testing.T, st *store.Store, id int64) []model.InventoryMovement {
	t.Helper()
	ms, _, err := st.ListInventoryMovements(ctx, store.InventoryMovementFilter{VariantID: id}, store.Page{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func wantCode(t *testing.T, what string, err error, code model.ErrorCode) {
	t.Helper()
	if got := model.ErrorCodeOf(err); got != code {
		t.Fatalf("%s: %q (%v), want %s", what, got, err, code)
	}
}

func conflictOf(err error) *model.StockConflict {
	var c *model.StockConflict
	errors.As(err, &c)
	return c
}

// Adjustments and compare-and-set change stock on hand within its rules,
// each with its movement; refused changes change nothing and say what
// they found.
func TestAdjustAndSetInventory(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		id := newStockedProduct(t, st, "kettle", 5)[0]
		if ms := movements(t, st, id); len(ms) != 1 || ms[0].Reason != model.ReasonInitial || ms[0].Delta != 5 ||
			ms[0].QuantityAfter != 5 || ms[0].Actor != "staff:1" || ms[0].Reference != "product.create" {
			t.Fatalf("a new variant's ledger: %+v", ms)
		}
		m, err := st.AdjustInventory(ctx, id, 7, model.ReasonReceived, "PO-1", "staff:2")
		if err != nil || m.Delta != 7 || m.QuantityAfter != 12 || m.ID == 0 || m.Reason != model.ReasonReceived || m.Reference != "PO-1" {
			t.Fatalf("adjust +7: %+v, %v", m, err)
		}
		if m, err = st.AdjustInventory(ctx, id, -12, model.ReasonDamaged, "", "staff:2"); err != nil || m.QuantityAfter != 0 {
			t.Fatalf("adjust -12: %+v, %v", m, err)
		}
		_, err = st.AdjustInventory(ctx, id, -1, model.ReasonDamaged, "", "staff:2")
		wantCode(t, "below zero", err, model.CodeInsufficientStock)
		if c := conflictOf(err); c == nil || c.OnHand != 0 || c.VariantID != id {
			t.Errorf("conflict: %+v", c)
		}
		_, err = st.AdjustInventory(ctx, id, model.MaxInventoryQuantity+1, model.ReasonReceived, "", "staff:2")
		wantCode(t, "over the maximum", err, model.CodeInvalid)
		_, err = st.AdjustInventory(ctx, 99999, 1, model.ReasonReceived, "", "staff:2")
		wantCode(t, "unknown variant", err, model.CodeNotFound)

		// Compare-and-set.
		m, err = st.SetInventory(ctx, id, 9, 0, model.ReasonCorrection, "count", "staff:3")
		if err != nil || m.Delta != 9 || m.QuantityAfter != 9 {
			t.Fatalf("set 0->9: %+v, %v", m, err)
		}
		_, err = st.SetInventory(ctx, id, 4, 0, model.ReasonCorrection, "", "staff:3")
		wantCode(t, "stale compare", err, model.CodeStockChanged)
		if c := conflictOf(err); c == nil || c.OnHand != 9 {
			t.Errorf("STOCK_CHANGED carries %+v, want on hand 9", c)
		}
		if m, err = st.SetInventory(ctx, id, 9, 9, model.ReasonCorrection, "", "staff:3"); err != nil || m != nil {
			t.Errorf("set to what it is: %+v, %v; want no movement", m, err)
		}
		_, err = st.SetInventory(ctx, 99999, 1, 0, model.ReasonCorrection, "", "staff:3")
		wantCode(t, "set unknown variant", err, model.CodeNotFound)
		if v := stock(t, st, id); v.InventoryQuantity != 9 {
			t.Errorf("stock %d, want 9", v.InventoryQuantity)
		}
		if ms := movements(t, st, id); len(ms) != 4 {
			t.Errorf("%d movements, want 4: %+v", len(ms), ms)
		}
		ledgerHolds(t, st)
	})
}

// Taking commits units without moving on hand; the rules of tracked,
// backordered and untracked variants hold; a take of many lines is all
// or nothing; fulfilling ships (a SOLD movement) and releasing gives back.
func TestTakeFulfilAndReleaseStock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		ids := newStockedProduct(t, st, "tea", 5, 2, 0)
		a, bo, untracked := ids[0], ids[1], ids[2]
		yes, no := true, false
		if _, err := st.UpdateInventoryItem(ctx, bo, store.InventoryItemChange{AllowBackorder: &yes}); err != nil {
			t.Fatal(err)
		}
		if v, err := st.UpdateInventoryItem(ctx, untracked, store.InventoryItemChange{Tracked: &no,
			LowStockThresholdSet: true, LowStockThreshold: ptr(3)}); err != nil || v.InventoryTracked || *v.LowStockThreshold != 3 {
			t.Fatalf("untrack: %+v, %v", v, err)
		}

		if err := st.TakeStock(ctx, []store.StockLine{{a, 2}, {a, 1}, {bo, 4}, {untracked, 10}}); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			id              int64
			onHand, commits int
		}{{a, 5, 3}, {bo, 2, 4}, {untracked, 0, 10}} {
			if v := stock(t, st, c.id); v.InventoryQuantity != c.onHand || v.InventoryCommitted != c.commits {
				t.Errorf("variant %d: %d on hand, %d committed; want %d, %d", c.id, v.InventoryQuantity, v.InventoryCommitted, c.onHand, c.commits)
			}
		}
		// 2 of a are left: 3 more fail, and the other line is not taken either.
		err := st.TakeStock(ctx, []store.StockLine{{bo, 1}, {a, 3}})
		wantCode(t, "take beyond stock", err, model.CodeOutOfStock)
		if c := conflictOf(err); c == nil || c.VariantID != a || c.OnHand != 5 || c.Committed != 3 {
			t.Errorf("OUT_OF_STOCK names %+v, want variant %d", c, a)
		}
		if v := stock(t, st, bo); v.InventoryCommitted != 4 {
			t.Errorf("a failed take kept another line: committed %d", v.InventoryCommitted)
		}
		wantCode(t, "take unknown", st.TakeStock(ctx, []store.StockLine{{99999, 1}}), model.CodeNotFound)
		// Inside a transaction, as checkout calls it, a take that fails
		// after taking a line gives that line back itself (it makes no
		// savepoint): even a caller that commits keeps nothing.
		if err := st.InTx(ctx, func(tx *store.Store) error {
			wantCode(t, "take in a transaction", tx.TakeStock(ctx, []store.StockLine{{99999, 1}, {a, 1}}), model.CodeNotFound)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if v := stock(t, st, a); v.InventoryCommitted != 3 {
			t.Errorf("a failed take in a transaction kept another line: committed %d, want 3", v.InventoryCommitted)
		}
		wantCode(t, "take zero", st.TakeStock(ctx, []store.StockLine{{a, 0}}), model.CodeInvalid)

		// On hand may not go below what is committed, unless backordered.
		_, err = st.AdjustInventory(ctx, a, -3, model.ReasonDamaged, "", "staff:1")
		wantCode(t, "adjust below committed", err, model.CodeInsufficientStock)
		_, err = st.SetInventory(ctx, a, 2, 5, model.ReasonCorrection, "", "staff:1")
		wantCode(t, "set below committed", err, model.CodeInsufficientStock)
		if _, err := st.AdjustInventory(ctx, a, -2, model.ReasonDamaged, "", "staff:1"); err != nil {
			t.Errorf("adjust down to committed: %v", err)
		}
		if _, err := st.AdjustInventory(ctx, bo, -2, model.ReasonDamaged, "", "staff:1"); err != nil {
			t.Errorf("backordered variant below committed: %v", err)
		}

		// Fulfilling ships: committed and on hand go down, tracked ones
		// with a SOLD movement; shipping what is not on hand is refused.
		wantCode(t, "fulfil more than on hand", func() error {
			_, err := st.FulfilStock(ctx, []store.StockLine{{bo, 1}}, "#1001", "staff:1")
			return err
		}(), model.CodeInsufficientStock)
		ms, err := st.FulfilStock(ctx, []store.StockLine{{a, 3}, {untracked, 4}}, "#1001", "staff:1")
		if err != nil || len(ms) != 1 || ms[0].VariantID != a || ms[0].Delta != -3 || ms[0].QuantityAfter != 0 ||
			ms[0].Reason != model.ReasonSold || ms[0].Reference != "#1001" {
			t.Fatalf("fulfil: %+v, %v", ms, err)
		}
		if v := stock(t, st, untracked); v.InventoryQuantity != 0 || v.InventoryCommitted != 6 {
			t.Errorf("untracked after fulfil: %d on hand, %d committed", v.InventoryQuantity, v.InventoryCommitted)
		}
		_, err = st.FulfilStock(ctx, []store.StockLine{{a, 1}}, "#1002", "staff:1")
		wantCode(t, "fulfil more than committed", err, model.CodeConflict)

		// Releasing gives back commitments only.
		if err := st.ReleaseStock(ctx, []store.StockLine{{bo, 4}, {untracked, 6}, {99999, 1}}); err != nil {
			t.Fatal(err)
		}
		if v := stock(t, st, bo); v.InventoryCommitted != 0 || v.InventoryQuantity != 0 {
			t.Errorf("after release: %+v", v)
		}
		wantCode(t, "release more than committed", st.ReleaseStock(ctx, []store.StockLine{{bo, 1}}), model.CodeConflict)
		ledgerHolds(t, st)
	})
}

// Variants low on stock are those tracked with a threshold and no more
// than it available.
func TestLowStockVariants(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		ids := newStockedProduct(t, st, "socks", 3, 10, 1, 0)
		no := false
		for i, th := range []int{3, 5, 2} {
			if _, err := st.UpdateInventoryItem(ctx, ids[i], store.InventoryItemChange{LowStockThresholdSet: true, LowStockThreshold: &th}); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := st.UpdateInventoryItem(ctx, ids[2], store.InventoryItemChange{Tracked: &no}); err != nil {
			t.Fatal(err)
		}
		// 3 <= 3 is low; 10 > 5 is not until 6 are committed; untracked never; no threshold never.
		list := func() []int64 {
			vs, _, err := st.ListLowStockVariants(ctx, store.Page{Limit: 10})
			if err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, v := range vs {
				out = append(out, v.ID)
			}
			return out
		}
		if got := list(); fmt.Sprint(got) != fmt.Sprint([]int64{ids[0]}) {
			t.Errorf("low stock %v, want %v", got, ids[:1])
		}
		if err := st.TakeStock(ctx, []store.StockLine{{ids[1], 5}}); err != nil {
			t.Fatal(err)
		}
		if got := list(); fmt.Sprint(got) != fmt.Sprint(ids[:2]) {
			t.Errorf("low stock %v, want %v", got, ids[:2])
		}
		if n, err := st.CountLowStockVariants(ctx); err != nil || n != 2 {
			t.Errorf("count %d, %v", n, err)
		}
		if _, err := st.UpdateInventoryItem(ctx, 99999, store.InventoryItemChange{Tracked: &no}); model.ErrorCodeOf(err) != model.CodeNotFound {
			t.Errorf("unknown variant: %v", err)
		}
	})
}

// A key claimed once returns its result to the same request and refuses
// another; a claim rolled back with its transaction leaves nothing.
func TestIdempotencyKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		key := model.IdempotencyKeyHash("staff:1", "k-1")
		req := model.RequestHash(map[string]any{"delta": 1})
		err := st.InTx(ctx, func(tx *store.Store) error {
			got, err := tx.ClaimIdempotencyKey(ctx, "test", key, req)
			if err != nil || got != nil {
				t.Fatalf("first claim: %v, %v", got, err)
			}
			return tx.SaveIdempotencyResult(ctx, "test", key, `{"ok":1}`)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := st.ClaimIdempotencyKey(ctx, "test", key, req); err != nil || got == nil || *got != `{"ok":1}` {
			t.Fatalf("repeat: %v, %v", got, err)
		}
		_, err = st.ClaimIdempotencyKey(ctx, "test", key, model.RequestHash(map[string]any{"delta": 2}))
		wantCode(t, "other arguments", err, model.CodeIdempotencyKeyReused)
		if got, err := st.ClaimIdempotencyKey(ctx, "other scope", key, req); err != nil || got != nil {
			t.Errorf("another scope's key: %v, %v", got, err)
		}
		// Rolled back: the key is free again.
		other := model.IdempotencyKeyHash("staff:1", "k-2")
		_ = st.InTx(ctx, func(tx *store.Store) error {
			if _, err := tx.ClaimIdempotencyKey(ctx, "test", other, req); err != nil {
				t.Fatal(err)
			}
			return errors.New("the write failed")
		})
		if got, err := st.ClaimIdempotencyKey(ctx, "test", other, req); err != nil || got != nil {
			t.Errorf("after a rollback: %v, %v", got, err)
		}
		if n, err := st.PruneIdempotencyKeys(ctx, timeFar(), 10); err != nil || n != 3 {
			t.Errorf("prune: %d, %v", n, err)
		}
	})
}

// The ledger holds from the start: on a seeded catalog, after catalog
// writes that set stock, and on a catalog migrated from before it.
func TestLedgerAddsUpEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Seeded(t, b, 40)
		ledgerHolds(t, st)
		var variants, initial int64
		st.DB(ctx).Table("product_variants").Count(&variants)
		st.DB(ctx).Table("inventory_movements").Where("reason = ?", model.ReasonInitial).Count(&initial)
		if variants == 0 || initial != variants {
			t.Errorf("%d variants, %d INITIAL movements", variants, initial)
		}

		// A catalog write that sets stock records the difference; one that
		// read the stock before it moved is a conflict and writes nothing.
		rows, err := st.FindProductRows(ctx, []int64{1})
		if err != nil || len(rows) != 1 {
			t.Fatal(err)
		}
		before := rows[0]
		after := before
		after.Variants = append([]model.ProductVariant(nil), before.Variants...)
		after.Variants[0].InventoryQuantity += 11
		vid := after.Variants[0].ID
		save := func() error {
			return st.InTx(ctx, func(tx *store.Store) error {
				return tx.SaveProducts(ctx, []store.ProductSave{{Before: &before, After: &after, Actor: "staff:9", Reference: "product.update"}})
			})
		}
		if _, err := st.AdjustInventory(ctx, vid, 1, model.ReasonReturned, "", "staff:1"); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "save over a stock change", save(), model.CodeConflict)
		if _, err := st.AdjustInventory(ctx, vid, -1, model.ReasonCorrection, "", "staff:1"); err != nil {
			t.Fatal(err)
		}
		if err := save(); err != nil {
			t.Fatal(err)
		}
		ms := movements(t, st, vid)
		last := ms[len(ms)-1]
		if last.Delta != 11 || last.Reason != model.ReasonCorrection || last.Actor != "staff:9" || last.Reference != "product.update" {
			t.Errorf("catalog stock change recorded as %+v", last)
		}
		ledgerHolds(t, st)

		// Migrated from release 7: one INITIAL movement per variant.
		old, err := store.Open(ctx, b.URL(t), store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { old.Close() })
		if err := old.MigrateTo(ctx, 7); err != nil {
			t.Fatal(err)
		}
		db := old.DB(ctx)
		if err := db.Exec(`INSERT INTO products (handle, title, description, description_th, status, currency, created_at, updated_at)
			VALUES ('p', 'P', '', '', 'ACTIVE', 'THB', '2026-01-01 00:00:00', '2026-01-01 00:00:00')`).Error; err != nil {
			t.Fatal(err)
		}
		for i, q := range []int{4, 0, 17} {
			if err := db.Exec(`INSERT INTO product_variants (product_id, position, title, selected_options, price, currency,
				inventory_quantity, created_at, updated_at) VALUES (1, ?, 'v', '[]', 100, 'THB', ?, '2026-01-01 00:00:00', '2026-01-01 00:00:00')`,
				i, q).Error; err != nil {
				t.Fatal(err)
			}
		}
		if err := old.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		ledgerHolds(t, old)
		var n int64
		old.DB(ctx).Table("inventory_movements").Where("reason = ? AND actor = ?", model.ReasonInitial, model.ActorSystem).Count(&n)
		if n != 3 {
			t.Errorf("%d INITIAL movements after migrating, want 3", n)
		}
		if v := stock(t, old, 3); !v.InventoryTracked || v.AllowBackorder || v.InventoryCommitted != 0 || v.LowStockThreshold != nil {
			t.Errorf("migrated variant: %+v", v)
		}
	})
}

// The whole transaction is run again when the database says a new attempt
// may succeed, a bounded number of times, and only then.
func TestRetryTx(t *testing.T) {
	for _, c := range []struct {
		err  error
		want bool
	}{
		{&mysql.MySQLError{Number: 1213, Message: "Deadlock found when trying to get lock; try restarting transaction"}, true},
		{fmt.Errorf("database: %w", &mysql.MySQLError{Number: 1213, Message: "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction"}), true},
		{&mysql.MySQLError{Number: 1205}, true},
		{&mysql.MySQLError{Number: 1180, Message: "Got error 149 during COMMIT"}, true},
		{&mysql.MySQLError{Number: 1062}, false},
		{&model.Error{Code: model.CodeOutOfStock}, false},
		{errors.New("x"), false},
	} {
		if got := store.Retryable(c.err); got != c.want {
			t.Errorf("Retryable(%v) = %v", c.err, got)
		}
	}
	st := storetest.Open(t, storetest.SQLite, store.Options{})
	calls := 0
	err := st.RetryTx(ctx, func(*store.Store) error {
		calls++
		if calls < 3 {
			return &mysql.MySQLError{Number: 1213}
		}
		return nil
	})
	if err != nil || calls != 3 {
		t.Errorf("retried %d times, %v; want success on the 3rd", calls, err)
	}
	calls = 0
	err = st.RetryTx(ctx, func(*store.Store) error { calls++; return &mysql.MySQLError{Number: 1213} })
	if !store.Retryable(err) || calls != 12 {
		t.Errorf("a lasting deadlock: %d attempts, %v; want 12 (the bound) and the error", calls, err)
	}
	calls = 0
	_ = st.RetryTx(ctx, func(*store.Store) error { calls++; return &model.Error{Code: model.CodeOutOfStock} })
	if calls != 1 {
		t.Errorf("a user error was retried: %d attempts", calls)
	}
	calls = 0
	_ = st.InTx(ctx, func(tx *store.Store) error {
		return tx.RetryTx(ctx, func(*store.Store) error { calls++; return &mysql.MySQLError{Number: 1213} })
	})
	if calls != 1 {
		t.Errorf("retried inside an outer transaction: %d attempts", calls)
	}
}

// Concurrency, on MariaDB and on SQLite: takes never oversell, racing
// adjustments keep the ledger, and of racing compare-and-sets from one
// count exactly one wins. Every outcome is a success or the rule's error:
// never a deadlock or "database is locked" that RetryTx gave up on.
func TestInventoryUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		ids := newStockedProduct(t, st, "hammer", 20, 100, 50, 30, 30)
		const workers = 50
		race := func(fn func(i int) error) map[model.ErrorCode]int {
			var mu sync.Mutex
			out := map[model.ErrorCode]int{}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					err := fn(i)
					mu.Lock()
					defer mu.Unlock()
					code := model.ErrorCodeOf(err)
					if code == model.CodeInternal {
						t.Errorf("worker %d: %v", i, err)
					}
					out[code]++
				}()
			}
			close(start)
			wg.Wait()
			return out
		}

		// 50 shoppers want 1 each of 20.
		got := race(func(int) error {
			return st.RetryTx(ctx, func(tx *store.Store) error { return tx.TakeStock(ctx, []store.StockLine{{ids[0], 1}}) })
		})
		if got[""] != 20 || got[model.CodeOutOfStock] != 30 {
			t.Errorf("takes: %v; want 20 taken, 30 OUT_OF_STOCK", got)
		}
		if v := stock(t, st, ids[0]); v.InventoryCommitted != 20 || v.InventoryQuantity != 20 {
			t.Errorf("after the takes: %d committed of %d", v.InventoryCommitted, v.InventoryQuantity)
		}

		// Baskets of two variants in either order: no deadlock lasts, none oversells.
		got = race(func(i int) error {
			lines := []store.StockLine{{ids[3], 1}, {ids[4], 1}}
			if i%2 == 1 {
				lines[0], lines[1] = lines[1], lines[0]
			}
			return st.RetryTx(ctx, func(tx *store.Store) error { return tx.TakeStock(ctx, lines) })
		})
		if got[""] != 30 || got[model.CodeOutOfStock] != 20 {
			t.Errorf("two-line takes: %v; want 30 taken, 20 OUT_OF_STOCK", got)
		}

		// 50 adjustments of +1 and -1 racing: all apply, the ledger adds up.
		got = race(func(i int) error {
			return st.RetryTx(ctx, func(tx *store.Store) error {
				_, err := tx.AdjustInventory(ctx, ids[1], 1-2*(i%2), model.ReasonCorrection, "", "staff:1")
				return err
			})
		})
		if got[""] != workers {
			t.Errorf("adjustments: %v", got)
		}
		if v := stock(t, st, ids[1]); v.InventoryQuantity != 100 {
			t.Errorf("after ±1 × 50: %d, want 100", v.InventoryQuantity)
		}

		// 50 counts from one quantity: one sets it, the others see it changed.
		got = race(func(i int) error {
			return st.RetryTx(ctx, func(tx *store.Store) error {
				_, err := tx.SetInventory(ctx, ids[2], 60+i, 50, model.ReasonCorrection, "", "staff:1")
				return err
			})
		})
		if got[""] != 1 || got[model.CodeStockChanged] != workers-1 {
			t.Errorf("compare-and-sets: %v; want 1 win", got)
		}
		ledgerHolds(t, st)
	})
}

func timeFar() time.Time { return time.Now().Add(time.Hour) }

// A real deadlock on MariaDB: two transactions lock two variants in
// opposite orders. The server rolls one back with 1213; RetryTx runs it
// again, so both complete and both changes are kept.
func TestRetryTxSurvivesADeadlock(t *testing.T) {
	b := storetest.RequireMySQL(t)
	st := storetest.Open(t, b, store.Options{})
	ids := newStockedProduct(t, st, "lock", 10, 10)
	var attempts [2]int
	var wg sync.WaitGroup
	firstLocked := make(chan struct{}, 2)
	bothLocked := make(chan struct{})
	var once sync.Once
	go func() {
		<-firstLocked
		<-firstLocked
		once.Do(func() { close(bothLocked) })
	}()
	errs := make([]error, 2)
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			order := []int64{ids[w], ids[1-w]}
			errs[w] = st.RetryTx(ctx, func(tx *store.Store) error {
				attempts[w]++
				if _, err := tx.AdjustInventory(ctx, order[0], 1, model.ReasonReceived, "", "test"); err != nil {
					return err
				}
				if attempts[w] == 1 {
					firstLocked <- struct{}{}
					<-bothLocked
				}
				_, err := tx.AdjustInventory(ctx, order[1], 1, model.ReasonReceived, "", "test")
				return err
			})
		}()
	}
	wg.Wait()
	if errs[0] != nil || errs[1] != nil {
		t.Fatalf("errors: %v, %v", errs[0], errs[1])
	}
	if attempts[0]+attempts[1] < 3 {
		t.Errorf("attempts %v: no transaction was run again, so there was no deadlock to survive", attempts)
	}
	for _, id := range ids {
		if v := stock(t, st, id); v.InventoryQuantity != 12 {
			t.Errorf("variant %d: %d, want 12", id, v.InventoryQuantity)
		}
	}
	ledgerHolds(t, st)
}

// TakeStockAtOnce takes every line in one statement, on TakeStock's
// conditions; a short line fails it, and the caller's rollback leaves
// nothing taken.
func TestTakeStockAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st := storetest.Open(t, b, store.Options{})
		ids := newStockedProduct(t, st, "coffee", 5, 2, 0)
		a, bo, untracked := ids[0], ids[1], ids[2]
		yes, no := true, false
		if _, err := st.UpdateInventoryItem(ctx, bo, store.InventoryItemChange{AllowBackorder: &yes}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.UpdateInventoryItem(ctx, untracked, store.InventoryItemChange{Tracked: &no}); err != nil {
			t.Fatal(err)
		}
		if err := st.TakeStockAtOnce(ctx, []store.StockLine{{a, 1}}); err == nil {
			t.Error("taken outside a transaction")
		}
		cctx, counter := store.WithStatementCounter(ctx)
		if err := st.InTx(cctx, func(tx *store.Store) error {
			return tx.TakeStockAtOnce(cctx, []store.StockLine{{untracked, 10}, {a, 2}, {bo, 4}, {a, 1}})
		}); err != nil {
			t.Fatal(err)
		}
		if n := counter.Count(); n != 1 {
			t.Errorf("three variants taken in %d statements, want 1", n)
		}
		for _, c := range []struct {
			id              int64
			onHand, commits int
		}{{a, 5, 3}, {bo, 2, 4}, {untracked, 0, 10}} {
			if v := stock(t, st, c.id); v.InventoryQuantity != c.onHand || v.InventoryCommitted != c.commits {
				t.Errorf("variant %d: %d on hand, %d committed; want %d, %d", c.id, v.InventoryQuantity, v.InventoryCommitted, c.onHand, c.commits)
			}
		}
		// 2 of a are left: 3 more fail, and the rollback keeps the other
		// lines' units too.
		err := st.InTx(ctx, func(tx *store.Store) error {
			return tx.TakeStockAtOnce(ctx, []store.StockLine{{bo, 1}, {a, 3}, {untracked, 1}})
		})
		wantCode(t, "take beyond stock", err, model.CodeOutOfStock)
		for _, c := range []struct {
			id      int64
			commits int
		}{{a, 3}, {bo, 4}, {untracked, 10}} {
			if v := stock(t, st, c.id); v.InventoryCommitted != c.commits {
				t.Errorf("variant %d after a failed take: %d committed, want %d", c.id, v.InventoryCommitted, c.commits)
			}
		}
		err = st.InTx(ctx, func(tx *store.Store) error { return tx.TakeStockAtOnce(ctx, []store.StockLine{{a, 1}, {99999, 1}}) })
		wantCode(t, "take unknown", err, model.CodeOutOfStock)
		err = st.InTx(ctx, func(tx *store.Store) error { return tx.TakeStockAtOnce(ctx, []store.StockLine{{a, 0}}) })
		wantCode(t, "take zero", err, model.CodeInvalid)
		if v := stock(t, st, a); v.InventoryCommitted != 3 {
			t.Errorf("refused takes changed a: %d committed, want 3", v.InventoryCommitted)
		}
	})
}
