package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// checkoutDB is the benchmark's own view of the database: it stocks the
// variants before the rounds and checks the invariants after each.
type checkoutDB struct {
	sql *sql.DB
	st  *store.Store // for the stock writes and the ledger check, Langran's own functions
}

func openCheckoutDB(ctx context.Context, d *benchDatabase) (*checkoutDB, error) {
	connector, err := mysql.NewConnector(d.cfg)
	if err != nil {
		return nil, err
	}
	db := sql.OpenDB(connector)
	db.SetMaxOpenConns(4)
	st, err := store.Open(ctx, d.URL, store.Options{MaxOpenConns: 4})
	if err != nil {
		db.Close()
		return nil, err
	}
	return &checkoutDB{sql: db, st: st}, nil
}

func (c *checkoutDB) Close() {
	c.sql.Close()
	_ = c.st.Close()
}

// plentiful is the stock each pool variant has available before a round:
// far more than any run sells.
const plentiful = 1_000_000

// benchActor is who the benchmark's stock movements name.
const benchActor = "bench"

// choosePool picks n tracked variants without backorders of active
// products, plus one more for the scarce mode when scarce is set; the pool
// variants get plentiful units available through the ledger (RECEIVED
// movements).
func (c *checkoutDB) choosePool(ctx context.Context, n int, scarce bool) (pool []int64, scarceID int64, err error) {
	want := n
	if scarce {
		want++
	}
	rows, err := c.sql.QueryContext(ctx, `SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE p.status = ? AND v.inventory_tracked = TRUE AND v.allow_backorder = FALSE ORDER BY v.id LIMIT ?`,
		model.StorefrontStatus, want)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, 0, err
		}
		pool = append(pool, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(pool) < want {
		return nil, 0, fmt.Errorf("the catalog has %d variants for sale, the benchmark needs %d: seed more products", len(pool), want)
	}
	if scarce {
		scarceID, pool = pool[len(pool)-1], pool[:len(pool)-1]
	}
	return pool, scarceID, c.restock(ctx, pool)
}

// restock brings every pool variant whose available stock fell below half
// of plentiful back to plentiful, as goods received.
func (c *checkoutDB) restock(ctx context.Context, pool []int64) error {
	for _, id := range pool {
		onHand, committed, err := c.stock(ctx, id)
		if err != nil {
			return err
		}
		if onHand-committed >= plentiful/2 {
			continue
		}
		if _, err := c.st.AdjustInventory(ctx, id, committed+plentiful-onHand, model.ReasonReceived, "checkout benchmark", benchActor); err != nil {
			return fmt.Errorf("restock variant %d: %w", id, err)
		}
	}
	return nil
}

// setAvailable makes exactly n units of the variant available, through the
// ledger.
func (c *checkoutDB) setAvailable(ctx context.Context, id int64, n int) error {
	onHand, committed, err := c.stock(ctx, id)
	if err != nil {
		return err
	}
	if onHand == committed+n {
		return nil
	}
	_, err = c.st.AdjustInventory(ctx, id, committed+n-onHand, model.ReasonCorrection, "checkout benchmark", benchActor)
	return err
}

// The benchmark's delivery: a zone of its own for the buyers' postcode
// (10110, central Bangkok: a postcode beats the seeded demo's province
// zone) with a flat and a weight-table rate, so that the cheapest option,
// which the buyers choose, depends on the cart: up to 3 kg the weight rate
// (฿40), above it the flat rate (฿50), free from a ฿5,000 subtotal. With
// the pool's prices and weights most orders pay for delivery and some ship
// free.
const (
	benchZoneName   = "Checkout benchmark"
	benchPostcode   = "10110"
	benchFlatHandle = "bench-standard"
)

// configureShipping adds the benchmark's zone and rates unless they are
// there, through Langran's store.
func (c *checkoutDB) configureShipping(ctx context.Context) error {
	return c.st.InTx(ctx, func(tx *store.Store) error {
		if _, err := tx.LockShippingZones(ctx); err != nil {
			return err
		}
		switch _, err := tx.FindShippingRateByHandle(ctx, benchFlatHandle); {
		case err == nil:
			return nil
		case model.ErrorCodeOf(err) != model.CodeNotFound:
			return err
		}
		now := time.Now().UTC().Truncate(time.Second)
		zone := &model.ShippingZone{Name: benchZoneName, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertShippingZone(ctx, zone, []model.ShippingZoneArea{{Kind: model.AreaPostcode, Value: benchPostcode}}); err != nil {
			return err
		}
		days := func(n int) *int { return &n }
		grams := func(n int) *int { return &n }
		freeOver := int64(500000)
		flat := model.ShippingRate{Handle: benchFlatHandle, Title: "Standard delivery", Description: "Parcel courier",
			Kind: model.RateFlat, Amount: 5000, FreeOver: &freeOver, MinDays: days(1), MaxDays: days(2)}
		weight := model.ShippingRate{Handle: "bench-economy", Title: "Economy parcel", Description: "Priced by weight",
			Kind: model.RateWeight, MinDays: days(2), MaxDays: days(4)}
		weight.SetWeightBrackets([]model.WeightBracket{{UpToGrams: grams(3000), Amount: 4000},
			{UpToGrams: grams(6000), Amount: 6500}, {Amount: 9500}})
		for i, r := range []*model.ShippingRate{&flat, &weight} {
			r.ZoneID, r.Position, r.Active, r.Currency, r.CreatedAt, r.UpdatedAt = zone.ID, i, true, model.CurrencyTHB, now, now
			if err := tx.InsertShippingRate(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
}

// cheapest returns the n cheapest variants of pool, cheapest first.
func (c *checkoutDB) cheapest(ctx context.Context, pool []int64, n int) ([]int64, error) {
	args := make([]any, 0, len(pool)+1)
	for _, id := range pool {
		args = append(args, id)
	}
	rows, err := c.sql.QueryContext(ctx, "SELECT id FROM product_variants WHERE id IN (?"+strings.Repeat(", ?", len(pool)-1)+
		") ORDER BY price, id LIMIT ?", append(args, n)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	if err := rows.Err(); err == nil && len(out) < n {
		return nil, fmt.Errorf("%d variants in the pool, %d wanted", len(out), n)
	}
	return out, rows.Err()
}

func (c *checkoutDB) stock(ctx context.Context, id int64) (onHand, committed int, err error) {
	err = c.sql.QueryRowContext(ctx, "SELECT inventory_quantity, inventory_committed FROM product_variants WHERE id = ?", id).
		Scan(&onHand, &committed)
	return onHand, committed, err
}

// dbSnapshot is what the checks compare before and after a round.
type dbSnapshot struct {
	MaxOrderID, MaxCartID int64
	Committed             int64 // of every variant
	ScarceCommitted       int64
}

func (c *checkoutDB) snapshot(ctx context.Context, scarceID int64) (dbSnapshot, error) {
	var s dbSnapshot
	err := c.sql.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(id), 0) FROM orders), (SELECT COALESCE(MAX(id), 0) FROM carts),
		(SELECT COALESCE(SUM(inventory_committed), 0) FROM product_variants),
		(SELECT COALESCE(MAX(inventory_committed), 0) FROM product_variants WHERE id = ?)`, scarceID).
		Scan(&s.MaxOrderID, &s.MaxCartID, &s.Committed, &s.ScarceCommitted)
	return s, err
}

// roundCheck is what the checks found after a round.
type roundCheck struct {
	Orders, Units, CommittedIncrease, CompletedCarts int64
	Oversold, Negative, BadTotals, BadEvents         int64
	// Of the new orders: those with a delivery option, and those whose
	// delivery cost something.
	Delivered, PaidShipping int64
	LedgerMismatches        int
	ScarceSold              int64
	Problems                []string // empty when every check passed
}

// check verifies the round that began at before and ended with res:
//
//   - no variant is oversold: for every tracked variant without backorders,
//     committed <= on hand, and no stock is negative;
//   - the orders made equal the purchases completed (exactly, when no
//     purchase failed: a failed one may have made its order before the
//     answer was lost), and as many carts were checked out;
//   - the units in the new orders' lines equal the increase of committed
//     stock over all variants;
//   - every new order's figures add up: its subtotal is its lines', its
//     total is its lines' after discounts plus shipping (less any waived),
//     its VAT is extracted from the total at its rate and the lines' VAT
//     is the goods' share of it (model.Price's rules); it has one PLACED
//     event;
//   - with a delivery step, every new order has a delivery option and its
//     title, and some orders paid for delivery;
//   - the ledger adds up (store.CheckInventoryLedger);
//   - with a scarce variant of n units: no more than n sold, and, when at
//     least n purchases were tried and none failed, exactly n.
func (c *checkoutDB) check(ctx context.Context, before dbSnapshot, res purchaseResult, scarceID int64, scarce int, delivery bool) (roundCheck, error) {
	var r roundCheck
	after, err := c.snapshot(ctx, scarceID)
	if err != nil {
		return r, err
	}
	r.CommittedIncrease = after.Committed - before.Committed
	r.ScarceSold = after.ScarceCommitted - before.ScarceCommitted
	err = c.sql.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM orders WHERE id > ?),
		(SELECT COALESCE(SUM(quantity), 0) FROM order_lines WHERE order_id > ?),
		(SELECT COUNT(*) FROM carts WHERE id > ? AND status = ?),
		(SELECT COUNT(*) FROM product_variants WHERE inventory_tracked = TRUE AND allow_backorder = FALSE AND inventory_committed > inventory_quantity),
		(SELECT COUNT(*) FROM product_variants WHERE inventory_quantity < 0 OR inventory_committed < 0)`,
		before.MaxOrderID, before.MaxOrderID, before.MaxCartID, model.CartCompleted).
		Scan(&r.Orders, &r.Units, &r.CompletedCarts, &r.Oversold, &r.Negative)
	if err != nil {
		return r, err
	}
	if err := c.checkOrderFigures(ctx, before.MaxOrderID, &r); err != nil {
		return r, err
	}
	mismatches, err := c.st.CheckInventoryLedger(ctx)
	if err != nil {
		return r, err
	}
	r.LedgerMismatches = len(mismatches)

	bad := func(format string, args ...any) { r.Problems = append(r.Problems, fmt.Sprintf(format, args...)) }
	if r.Oversold > 0 {
		bad("%d variants oversold (committed > on hand)", r.Oversold)
	}
	if r.Negative > 0 {
		bad("%d variants with negative stock", r.Negative)
	}
	purchases := int64(res.Purchases)
	if r.Orders < purchases || r.Orders > purchases+int64(res.Errors) {
		bad("%d orders made, %d purchases completed (%d failed)", r.Orders, purchases, res.Errors)
	}
	if r.CompletedCarts != r.Orders {
		bad("%d carts checked out, %d orders made", r.CompletedCarts, r.Orders)
	}
	if r.Units != r.CommittedIncrease {
		bad("the new orders hold %d units, committed stock grew by %d", r.Units, r.CommittedIncrease)
	}
	if r.BadTotals > 0 {
		bad("%d orders whose figures do not add up (subtotal, total or VAT against their lines and shipping)", r.BadTotals)
	}
	if delivery && r.Delivered != r.Orders {
		bad("%d of %d orders have no delivery option", r.Orders-r.Delivered, r.Orders)
	}
	if delivery && r.Orders > 0 && r.PaidShipping == 0 {
		bad("none of %d orders paid for delivery", r.Orders)
	}
	if r.BadEvents > 0 {
		bad("%d orders without exactly one PLACED event", r.BadEvents)
	}
	if r.LedgerMismatches > 0 {
		m := mismatches[0]
		bad("the ledger does not add up for %d variants (variant %d: on hand %d, ledger %d)", r.LedgerMismatches, m.VariantID, m.OnHand, m.LedgerTotal)
	}
	if scarce > 0 {
		if r.ScarceSold > int64(scarce) {
			bad("%d units of the scarce variant sold, only %d were available", r.ScarceSold, scarce)
		}
		if r.ScarceSold != r.Orders {
			bad("%d units of the scarce variant sold in %d orders (one each)", r.ScarceSold, r.Orders)
		}
		if res.Attempts() >= scarce && res.Errors == 0 && r.ScarceSold != int64(scarce) {
			bad("%d purchases tried for %d units, but %d sold", res.Attempts(), scarce, r.ScarceSold)
		}
	} else if res.OutOfStock > 0 {
		bad("%d purchases refused OUT_OF_STOCK with plenty of stock", res.OutOfStock)
	}
	return r, nil
}

// checkOrderFigures counts, among the orders after afterID, those whose
// figures do not add up (by model.Price's rules: the total is the lines'
// after discounts plus shipping less what a code waived; the VAT is
// extracted from the total at the order's rate, and the lines carry the
// goods' share of it), those without exactly one PLACED event, those with
// a delivery option, and those that paid for delivery.
func (c *checkoutDB) checkOrderFigures(ctx context.Context, afterID int64, r *roundCheck) error {
	rows, err := c.sql.QueryContext(ctx, `SELECT o.subtotal, o.discount, o.shipping, o.shipping_off, o.total, o.vat, o.vat_rate,
			o.delivery_option <> '' AND o.delivery_title <> '',
			COALESCE(SUM(l.subtotal), 0), COALESCE(SUM(l.discount), 0), COALESCE(SUM(l.total), 0), COALESCE(SUM(l.vat), 0),
			(SELECT COUNT(*) FROM order_events e WHERE e.order_id = o.id AND e.kind = 'PLACED')
		FROM orders o LEFT JOIN order_lines l ON l.order_id = o.id WHERE o.id > ? GROUP BY o.id`, afterID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var subtotal, discount, shipping, shippingOff, total, vat, rate, lSubtotal, lDiscount, lTotal, lVAT, placed int64
		var delivered bool
		if err := rows.Scan(&subtotal, &discount, &shipping, &shippingOff, &total, &vat, &rate, &delivered,
			&lSubtotal, &lDiscount, &lTotal, &lVAT, &placed); err != nil {
			return err
		}
		delivery := shipping - shippingOff
		goodsVAT := vat
		if total > 0 {
			goodsVAT = model.Allocate(vat, []int64{lTotal, delivery})[0]
		}
		if subtotal != lSubtotal || discount != lDiscount || total != lTotal+delivery || shippingOff > shipping ||
			vat != model.VATIn(total, model.RateBasisPoints(rate)) || lVAT != goodsVAT {
			r.BadTotals++
		}
		if placed != 1 {
			r.BadEvents++
		}
		if delivered {
			r.Delivered++
		}
		if delivery > 0 {
			r.PaidShipping++
		}
	}
	return rows.Err()
}

// compareOrders checks that the two orders (by global ID) hold the same
// figures, lines and event, column by column, but for what is naturally
// different: IDs, keys, the cart and times.
func (c *checkoutDB) compareOrders(ctx context.Context, gidA, gidB string) error {
	var ids [2]int64
	for i, gid := range []string{gidA, gidB} {
		id, err := model.DecodeGlobalIDOf(gid, model.TypeOrder)
		if err != nil {
			return fmt.Errorf("order ID %q: %w", gid, err)
		}
		ids[i] = id
	}
	for _, q := range []struct{ name, query string }{
		{"orders", "SELECT * FROM orders WHERE id = ?"},
		{"order_lines", "SELECT * FROM order_lines WHERE order_id = ? ORDER BY id"},
		{"order_events", "SELECT * FROM order_events WHERE order_id = ? ORDER BY id"},
	} {
		a, err := c.rows(ctx, q.query, ids[0])
		if err != nil {
			return err
		}
		b, err := c.rows(ctx, q.query, ids[1])
		if err != nil {
			return err
		}
		if len(a) == 0 || len(a) != len(b) {
			return fmt.Errorf("%s: %d rows vs %d", q.name, len(a), len(b))
		}
		for i := range a {
			for col, va := range a[i] {
				switch col {
				case "id", "order_id", "access_key", "cart_id", "idempotency_key", "created_at", "updated_at", "pay_by":
					continue
				}
				if vb := b[i][col]; !reflect.DeepEqual(va, vb) {
					return fmt.Errorf("%s[%d].%s: %v vs %v", q.name, i, col, va, vb)
				}
			}
		}
	}
	return nil
}

// orderDelivery is an order's delivery columns and the option its cart
// kept.
type orderDelivery struct {
	Option, Title, CartOption string
	Shipping                  int64
}

func (c *checkoutDB) orderDelivery(ctx context.Context, gid string) (orderDelivery, error) {
	var d orderDelivery
	id, err := model.DecodeGlobalIDOf(gid, model.TypeOrder)
	if err != nil {
		return d, fmt.Errorf("order ID %q: %w", gid, err)
	}
	err = c.sql.QueryRowContext(ctx, `SELECT o.delivery_option, o.delivery_title, o.shipping, c.delivery_option
		FROM orders o JOIN carts c ON c.id = o.cart_id WHERE o.id = ?`, id).Scan(&d.Option, &d.Title, &d.Shipping, &d.CartOption)
	return d, err
}

// rows reads a query's rows as column → value (strings for text).
func (c *checkoutDB) rows(ctx context.Context, query string, args ...any) ([]map[string]any, error) {
	rs, err := c.sql.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	cols, err := rs.Columns()
	if err != nil {
		return nil, err
	}
	var out []map[string]any
	for rs.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rs.Scan(ptrs...); err != nil {
			return nil, err
		}
		row := map[string]any{}
		for i, col := range cols {
			if b, ok := vals[i].([]byte); ok {
				vals[i] = string(b)
			}
			row[col] = vals[i]
		}
		out = append(out, row)
	}
	return out, rs.Err()
}

// mysqlStatus reads server-wide counters of the MySQL server: statements
// (Questions, which counts BEGIN, COMMIT and SAVEPOINT too), commits,
// rollbacks, savepoints, deadlocks and row-lock waits. They are global: other
// databases' clients add to them.
func (c *checkoutDB) mysqlStatus(ctx context.Context) (map[string]int64, error) {
	rows, err := c.sql.QueryContext(ctx, `SHOW GLOBAL STATUS WHERE Variable_name IN
		('Questions', 'Com_commit', 'Com_rollback', 'Com_savepoint', 'Com_rollback_to_savepoint', 'Innodb_deadlocks', 'Innodb_row_lock_waits')`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var name string
		var v int64
		if err := rows.Scan(&name, &v); err != nil {
			return nil, err
		}
		out[strings.ToLower(name)] = v
	}
	return out, rows.Err()
}

var errChecksFailed = errors.New("correctness checks failed")
