package main

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// orderFields is what the order tests read of an order.
const orderFields = `id number status financialStatus fulfillmentStatus email accessKey
	subtotal { amount } discountTotal { amount } shippingTotal { amount } taxTotal { amount } total { amount currencyCode }
	discountCodes shippingMethod shippingAddress { city zip country taxId } carrier trackingNumber payBy
	lines(first: 100) { totalCount nodes { id title variantTitle sku quantity unitPrice { amount } subtotal { amount } discount { amount } total { amount } vatAmount { amount } variant { id } } }
	events { kind fromStatus toStatus message }`

// buyer is a complete buyer identity for a Thai address.
func buyer(email string) map[string]any {
	return map[string]any{"email": email, "phone": "0812345678", "deliveryAddress": map[string]any{
		"firstName": "Malee", "lastName": "Srisuk", "address1": "12 Sukhumvit Soi 11", "city": "Khlong Toei",
		"province": "Bangkok", "zip": "10110", "country": "TH"}}
}

// readyCart makes a cart of the lines (variant → quantity) with a buyer,
// ready to check out, and returns its ID.
func readyCart(t testing.TB, srv *testServer, lines map[string]int, codes []string, headers ...string) string {
	var ls []any
	for v, q := range lines {
		ls = append(ls, map[string]any{"merchandiseId": v, "quantity": q})
	}
	input := map[string]any{"lines": ls, "buyerIdentity": buyer("malee@example.com")}
	if codes != nil {
		input["discountCodes"] = codes
	}
	r, err := srv.send(`mutation($i: CartInput) { cartCreate(input: $i) { cart { id deliveryOptions { handle } } userErrors { code message } } }`,
		map[string]any{"i": input}, headers...)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := at(r.Data, "cartCreate", "cart", "id").(string)
	handle, _ := at(r.Data, "cartCreate", "cart", "deliveryOptions", 0, "handle").(string)
	if id == "" || handle == "" {
		t.Fatalf("cartCreate: %s", r.Raw)
	}
	// The cheapest delivery.
	r, err = srv.send(`mutation($c: ID!, $h: String!) { cartSelectedDeliveryOptionUpdate(cartId: $c, handle: $h) { userErrors { code message } } }`,
		map[string]any{"c": id, "h": handle}, headers...)
	if err != nil || len(r.Errors) > 0 || len(at(r.Data, "cartSelectedDeliveryOptionUpdate", "userErrors").([]any)) > 0 {
		t.Fatalf("cartSelectedDeliveryOptionUpdate: %v %s", err, r.Raw)
	}
	return id
}

const checkoutMutation = `mutation($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k) {
	order { ` + orderFields + ` } userErrors { field code message } } }`

// checkoutCart completes the cart and returns the payload.
func checkoutCart(t *testing.T, srv *testServer, cart, key string, headers ...string) map[string]any {
	t.Helper()
	d := srv.post(t, checkoutMutation, map[string]any{"c": cart, "k": key}, headers...).mustData(t)
	return at(d, "checkoutComplete").(map[string]any)
}

// stockOf returns the units of the variant still available: on hand less
// what orders have committed.
func stockOf(t testing.TB, srv *testServer, variant int64) int {
	var n int
	if err := srv.store.DB(t.Context()).Raw("SELECT inventory_quantity - inventory_committed FROM product_variants WHERE id = ?", variant).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// onHandOf returns the units of the variant on the shelf.
func onHandOf(t testing.TB, srv *testServer, variant int64) int {
	var n int
	if err := srv.store.DB(t.Context()).Raw("SELECT inventory_quantity FROM product_variants WHERE id = ?", variant).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// setStock counts the variant's stock as n, through the ledger.
func setStock(t testing.TB, srv *testServer, variant int64, n int) {
	if _, err := srv.store.SetInventory(t.Context(), variant, n, onHandOf(t, srv, variant), model.ReasonCorrection, "test", "system"); err != nil {
		t.Fatal(err)
	}
}

func countRows(t testing.TB, srv *testServer, query string, args ...any) int64 {
	var n int64
	if err := srv.store.DB(t.Context()).Raw(query, args...).Scan(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

// A guest buys: the order snapshots the cart's lines and figures, takes
// the stock once, and a retry with the same key returns the same order.
// The guest reads it back with its access key; nobody else can.
func TestCheckoutMakesOneOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		vs := saleVariants(t, srv, 2, 5)
		stock0, stock1 := stockOf(t, srv, vs[0].ID), stockOf(t, srv, vs[1].ID)
		cart := readyCart(t, srv, map[string]int{vs[0].GID: 2, vs[1].GID: 1}, nil)
		quoted := readCart(t, srv, cart)

		p := checkoutCart(t, srv, cart, "key-1")
		if errs := at(p, "userErrors").([]any); len(errs) > 0 {
			t.Fatalf("checkout: %v", errs)
		}
		o := at(p, "order").(map[string]any)
		subtotal := 2*vs[0].Price + vs[1].Price
		if o["status"] != "PENDING_PAYMENT" || o["financialStatus"] != "PENDING" || o["fulfillmentStatus"] != "UNFULFILLED" ||
			o["email"] != "malee@example.com" || at(o, "subtotal", "amount") != baht(subtotal) ||
			at(o, "total", "amount") != at(quoted, "cost", "totalAmount", "amount") ||
			at(o, "taxTotal", "amount") != at(quoted, "cost", "totalTaxAmount", "amount") ||
			at(o, "shippingAddress", "zip") != "10110" || o["shippingMethod"] == nil || at(o, "lines", "totalCount") != 2.0 || o["payBy"] == nil {
			t.Errorf("order: %v", o)
		}
		if n, err := fmt.Sscan(o["number"].(string), new(int)); n != 1 || err != nil {
			t.Errorf("order number %v", o["number"])
		}
		var vat int64
		for _, l := range at(o, "lines", "nodes").([]any) {
			vat += parseBaht(t, at(l, "vatAmount", "amount").(string))
			if at(l, "title") == "" || at(l, "sku") == nil || at(l, "variant", "id") == nil {
				t.Errorf("line snapshot: %v", l)
			}
		}
		// The order's VAT is extracted once from its total; the lines carry
		// their shares and the delivery the rest.
		total, orderVAT := parseBaht(t, at(o, "total", "amount").(string)), parseBaht(t, at(o, "taxTotal", "amount").(string))
		shipping := parseBaht(t, at(o, "shippingTotal", "amount").(string))
		if orderVAT != model.VATIn(total, 700) || vat > orderVAT || orderVAT-vat > model.VATIn(shipping, 700)+1 {
			t.Errorf("VAT: order %d of total %d, lines %d, shipping %d", orderVAT, total, vat, shipping)
		}
		if ev := at(o, "events").([]any); len(ev) != 1 || at(ev[0], "kind") != "PLACED" {
			t.Errorf("events: %v", ev)
		}
		if stockOf(t, srv, vs[0].ID) != stock0-2 || stockOf(t, srv, vs[1].ID) != stock1-1 {
			t.Errorf("stock after checkout: %d, %d; want %d, %d", stockOf(t, srv, vs[0].ID), stockOf(t, srv, vs[1].ID), stock0-2, stock1-1)
		}
		// The cart is spent.
		if c := readCart(t, srv, cart); c != nil {
			t.Errorf("a checked-out cart still reads: %v", c)
		}

		// The same key: the same order, nothing taken again.
		again := checkoutCart(t, srv, cart, "key-1")
		if at(again, "order", "id") != o["id"] || len(at(again, "userErrors").([]any)) != 0 {
			t.Errorf("retry: %v", again)
		}
		if stockOf(t, srv, vs[0].ID) != stock0-2 || countRows(t, srv, "SELECT COUNT(*) FROM orders") != 1 {
			t.Errorf("a retry took stock or made an order")
		}
		// Another key for the spent cart; the key for another cart.
		if codes := userErrorCodes(checkoutCart(t, srv, cart, "key-2")); !slicesEqual(codes, []string{"ALREADY_CHECKED_OUT"}) {
			t.Errorf("second checkout of a cart: %v", codes)
		}
		other := readyCart(t, srv, map[string]int{vs[1].GID: 1}, nil)
		p = checkoutCart(t, srv, other, "key-1")
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"IDEMPOTENCY_KEY_REUSED"}) || joinField(at(p, "userErrors", 0, "field")) != "idempotencyKey" {
			t.Errorf("a key reused for another cart: %v", p)
		}

		// Reading it back: with the access key, yes; without, or with
		// another key, no.
		q := `query($id: ID!, $k: String) { order(id: $id, accessKey: $k) { number total { amount } } }`
		d := srv.post(t, q, map[string]any{"id": o["id"], "k": o["accessKey"]}).mustData(t)
		if at(d, "order", "number") != o["number"] {
			t.Errorf("guest with the access key: %v", d)
		}
		for _, k := range []any{nil, "", "wrong", model.NewCartKey()} {
			d = srv.post(t, q, map[string]any{"id": o["id"], "k": k}).mustData(t)
			if at(d, "order") != nil {
				t.Errorf("order read with access key %v: %v", k, d)
			}
		}
		signUp(t, srv, "nosy@example.com", "correct horse battery")
		nosy := signIn(t, srv, "customerAccessTokenCreate", "nosy@example.com", "correct horse battery")
		d = srv.post(t, q, map[string]any{"id": o["id"]}, as(nosy)...).mustData(t)
		if at(d, "order") != nil {
			t.Errorf("another customer read the order: %v", d)
		}
		d = srv.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": o["id"]}, as(nosy)...).mustData(t)
		if at(d, "node") != nil {
			t.Errorf("node gave the order to another customer: %v", d)
		}
		// Staff who may read orders see it, with its customer-facing key.
		support := staffToken(t, srv, model.RoleSupport)
		d = srv.post(t, `query($id: ID!) { node(id: $id) { ... on Order { number accessKey } } }`, map[string]any{"id": o["id"]}, as(support)...).mustData(t)
		if at(d, "node", "number") != o["number"] {
			t.Errorf("staff node: %v", d)
		}
		// An order line answers node for those who may read its order.
		line := at(o, "lines", "nodes", 0, "id")
		lq := `query($id: ID!) { node(id: $id) { ... on OrderLine { title } } }`
		if d := srv.post(t, lq, map[string]any{"id": line}, as(support)...).mustData(t); at(d, "node", "title") == nil {
			t.Errorf("staff node of an order line: %v", d)
		}
		if d := srv.post(t, lq, map[string]any{"id": line}, as(nosy)...).mustData(t); at(d, "node") != nil {
			t.Errorf("another customer's node of an order line: %v", d)
		}
	})
}

// A signed-in customer's orders are theirs: customer.orders lists them and
// order(id) answers them without a key.
func TestCustomerOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		vs := saleVariants(t, srv, 3, 5)
		signUp(t, srv, "buyer@example.com", "correct horse battery")
		tok := signIn(t, srv, "customerAccessTokenCreate", "buyer@example.com", "correct horse battery")
		var ids []string
		for i := range 3 {
			cart := readyCart(t, srv, map[string]int{vs[i].GID: 1}, nil, as(tok)...)
			p := checkoutCart(t, srv, cart, fmt.Sprintf("c-%d", i), as(tok)...)
			if errs := at(p, "userErrors").([]any); len(errs) > 0 {
				t.Fatalf("checkout %d: %v", i, errs)
			}
			ids = append(ids, at(p, "order", "id").(string))
		}
		// A guest order with the same email is not the customer's.
		guest := readyCart(t, srv, map[string]int{vs[0].GID: 1}, nil)
		checkoutCart(t, srv, guest, "guest")

		d := srv.post(t, `{ customer { orders(last: 2) { totalCount nodes { id } pageInfo { hasPreviousPage } } } }`, nil, as(tok)...).mustData(t)
		if at(d, "customer", "orders", "totalCount") != 3.0 || at(d, "customer", "orders", "nodes", 1, "id") != ids[2] ||
			at(d, "customer", "orders", "pageInfo", "hasPreviousPage") != true {
			t.Errorf("customer.orders: %v", d)
		}
		d = srv.post(t, `query($id: ID!) { order(id: $id) { id customer { email } } }`, map[string]any{"id": ids[0]}, as(tok)...).mustData(t)
		if at(d, "order", "customer", "email") != "buyer@example.com" {
			t.Errorf("own order: %v", d)
		}
	})
}

// A cart that is not ready is refused with a code, and nothing changes.
func TestCheckoutRefusesCartsNotReady(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 2, 5)
		stock := stockOf(t, srv, vs[0].ID)

		noEmail := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
			"lines": []any{map[string]any{"merchandiseId": vs[0].GID}}}}))["id"].(string)
		tooMany := readyCart(t, srv, map[string]int{vs[0].GID: stock + 1}, nil)
		badCode := readyCart(t, srv, map[string]int{vs[0].GID: 1}, []string{"NOSUCH"})
		empty := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{"buyerIdentity": buyer("a@example.com")}}))["id"].(string)
		for _, tc := range []struct{ name, cart, key, code, field string }{
			{"no email or address", noEmail, "k1", "CART_NOT_READY", "cartId"},
			{"more than in stock", tooMany, "k2", "OUT_OF_STOCK", "cartId"},
			{"a code that does not apply", badCode, "k3", "DISCOUNT_CODE_NOT_VALID", "cartId"},
			{"empty", empty, "k4", "CART_NOT_READY", "cartId"},
			{"unknown cart", model.EncodeCartID(model.NewCartKey()), "k5", "NOT_FOUND", "cartId"},
			{"not a cart ID", vs[0].GID, "k6", "INVALID", "cartId"},
			{"empty key", noEmail, "", "INVALID", "idempotencyKey"},
			{"long key", noEmail, string(make([]byte, 256)), "INVALID", "idempotencyKey"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				p := checkoutCart(t, srv, tc.cart, tc.key)
				if codes := userErrorCodes(p); !slicesEqual(codes, []string{tc.code}) || joinField(at(p, "userErrors", 0, "field")) != tc.field || p["order"] != nil {
					t.Errorf("%v, want %s on %s", p, tc.code, tc.field)
				}
			})
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM orders"); n != 0 || stockOf(t, srv, vs[0].ID) != stock {
			t.Errorf("refused checkouts made %d orders, stock %d (was %d)", n, stockOf(t, srv, vs[0].ID), stock)
		}
	})
}

// Many buyers race for the last units: exactly as many orders as units,
// stock at zero and never below, the losers told OUT_OF_STOCK; and a code
// limited to N uses is used N times. On MariaDB this is real concurrency;
// on SQLite the checkouts queue and none fails with "database is locked".
func TestCheckoutNeverOversells(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 2, 1)
		const units, buyers = 50, 200
		setStock(t, srv, vs[0].ID, units)
		carts := make([]string, buyers)
		for i := range carts {
			carts[i] = readyCart(t, srv, map[string]int{vs[0].GID: 1}, nil)
		}
		codes := race(t, srv, carts, "oversell")
		if codes[""] != units || codes["OUT_OF_STOCK"] != buyers-units || len(codes) != 2 {
			t.Errorf("outcomes %v, want %d orders and %d OUT_OF_STOCK", codes, units, buyers-units)
		}
		if s := stockOf(t, srv, vs[0].ID); s != 0 || onHandOf(t, srv, vs[0].ID) != units {
			t.Errorf("after the race: %d available, %d on hand; want 0 and %d (on hand falls when orders ship)", s, onHandOf(t, srv, vs[0].ID), units)
		}
		ledgerAddsUp(t, srv)
		if n := countRows(t, srv, "SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.variant_id = ?", vs[0].ID); n != units {
			t.Errorf("%d units ordered, want %d", n, units)
		}

		// A code limited to 10 uses, 40 buyers with plenty of stock.
		limit := 10
		now := time.Now().UTC()
		d := model.Discount{Code: "FIRST10", CodeKey: "FIRST10", Kind: model.DiscountPercentage, Value: 1000, Active: true,
			UsageLimit: &limit, CreatedAt: now, UpdatedAt: now}
		if err := srv.store.CreateDiscount(t.Context(), &d); err != nil {
			t.Fatal(err)
		}
		setStock(t, srv, vs[1].ID, 1000)
		carts = make([]string, 40)
		for i := range carts {
			carts[i] = readyCart(t, srv, map[string]int{vs[1].GID: 1}, []string{"first10"})
		}
		codes = race(t, srv, carts, "code")
		if codes[""] != limit || codes["DISCOUNT_CODE_NOT_VALID"] != 40-limit {
			t.Errorf("outcomes %v, want %d orders and %d DISCOUNT_CODE_NOT_VALID", codes, limit, 40-limit)
		}
		if n := countRows(t, srv, "SELECT used_count FROM discounts WHERE id = ?", d.ID); n != int64(limit) {
			t.Errorf("used_count %d, want %d", n, limit)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM discount_usages WHERE discount_id = ?", d.ID); n != int64(limit) {
			t.Errorf("%d uses recorded, want %d", n, limit)
		}
		if s := stockOf(t, srv, vs[1].ID); s != 1000-limit {
			t.Errorf("stock %d after %d orders, want %d", s, limit, 1000-limit)
		}
		ledgerAddsUp(t, srv)
	})
}

// race checks out every cart at once and counts the outcomes by userError
// code ("" for an order).
func race(t *testing.T, srv *testServer, carts []string, prefix string) map[string]int {
	t.Helper()
	var mu sync.Mutex
	codes := map[string]int{}
	var wg sync.WaitGroup
	for i, c := range carts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := srv.send(`mutation($c: ID!, $k: String!) { checkoutComplete(cartId: $c, idempotencyKey: $k) { order { id } userErrors { code message } } }`,
				map[string]any{"c": c, "k": fmt.Sprintf("%s-%d", prefix, i)})
			code := ""
			switch {
			case err != nil:
				code = "transport: " + err.Error()
			case len(r.Errors) > 0:
				code = "error: " + r.Raw
			default:
				if errs := at(r.Data, "checkoutComplete", "userErrors").([]any); len(errs) > 0 {
					code = at(errs[0], "code").(string)
				}
			}
			mu.Lock()
			codes[code]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	return codes
}

// The same idempotency key sent many times at once makes one order, and
// every answer names it.
func TestCheckoutIdempotentUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 1, 5)
		stock := stockOf(t, srv, vs[0].ID)
		cart := readyCart(t, srv, map[string]int{vs[0].GID: 2}, nil)
		var wg sync.WaitGroup
		ids := make([]string, 20)
		for i := range ids {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := srv.send(checkoutMutation, map[string]any{"c": cart, "k": "the-one-key"})
				if err == nil {
					ids[i], _ = at(r.Data, "checkoutComplete", "order", "id").(string)
				}
			}()
		}
		wg.Wait()
		for i, id := range ids {
			if id == "" || id != ids[0] {
				t.Errorf("answer %d: order %q, first %q", i, id, ids[0])
			}
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM orders"); n != 1 || stockOf(t, srv, vs[0].ID) != stock-2 {
			t.Errorf("%d orders, stock %d (was %d)", n, stockOf(t, srv, vs[0].ID), stock)
		}
	})
}

// Staff move orders through their life; moves the status machine forbids
// are refused, and cancelling returns the stock once.
func TestOrderLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 1, 5)
		stock, onHand := stockOf(t, srv, vs[0].ID), onHandOf(t, srv, vs[0].ID)
		manager := staffToken(t, srv, model.RoleOrderManager)
		analyst := staffToken(t, srv, model.RoleAnalyst)
		place := func(key string) map[string]any {
			p := checkoutCart(t, srv, readyCart(t, srv, map[string]int{vs[0].GID: 1}, nil), key)
			return at(p, "order").(map[string]any)
		}
		move := func(token, mutation string, vars map[string]any) map[string]any {
			t.Helper()
			decl := "$id: ID!"
			for k := range vars {
				if k != "id" {
					decl += ", $" + k + ": String!"
				}
			}
			r := srv.post(t, fmt.Sprintf(`mutation(%s) { %s { order { status fulfillmentStatus carrier trackingNumber events { kind fromStatus toStatus message } } userErrors { field code message } } }`, decl, mutation), vars, as(token)...)
			if len(r.Errors) > 0 {
				return map[string]any{"errors": r.Errors}
			}
			for _, v := range r.Data {
				return v.(map[string]any)
			}
			return nil
		}
		o := place("a")
		id := o["id"]
		// Not paid: it cannot be fulfilled.
		p := move(manager, `orderFulfill(id: $id, carrier: $carrier, trackingNumber: $tracking)`, map[string]any{"id": id, "carrier": "Kerry", "tracking": "KEX123"})
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"CONFLICT"}) {
			t.Errorf("fulfilling an unpaid order: %v", p)
		}
		// An analyst may read but not change.
		if p := move(analyst, `orderCancel(id: $id)`, map[string]any{"id": id}); p["errors"] == nil {
			t.Errorf("an analyst cancelled: %v", p)
		}
		// Paid (payments come later; the test moves it), then fulfilled,
		// shipped, delivered.
		oid, _ := model.DecodeGlobalIDOf(id.(string), model.TypeOrder)
		if _, err := checkout.New(srv.store, checkout.Options{}).MoveOrder(t.Context(), oid, checkout.Move{To: model.OrderPaid, Message: "paid"}); err != nil {
			t.Fatal(err)
		}
		p = move(manager, `orderFulfill(id: $id, carrier: $carrier, trackingNumber: $tracking)`, map[string]any{"id": id, "carrier": " Kerry ", "tracking": "KEX123"})
		if at(p, "order", "status") != "FULFILLED" || at(p, "order", "carrier") != "Kerry" || at(p, "order", "trackingNumber") != "KEX123" {
			t.Errorf("fulfil: %v", p)
		}
		p = move(manager, `orderFulfill(id: $id, carrier: $carrier, trackingNumber: $tracking)`, map[string]any{"id": id, "carrier": "", "tracking": "x"})
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"BLANK"}) {
			t.Errorf("fulfil without a carrier: %v", p)
		}
		if p = move(manager, `orderCancel(id: $id)`, map[string]any{"id": id}); !slicesEqual(userErrorCodes(p), []string{"CONFLICT"}) {
			t.Errorf("cancelling a fulfilled order: %v", p)
		}
		if p = move(manager, `orderMarkShipped(id: $id)`, map[string]any{"id": id}); at(p, "order", "fulfillmentStatus") != "IN_TRANSIT" {
			t.Errorf("shipped: %v", p)
		}
		p = move(manager, `orderNoteAdd(id: $id, note: $note)`, map[string]any{"id": id, "note": "ลูกค้าโทรมาถาม"})
		p = move(manager, `orderMarkDelivered(id: $id)`, map[string]any{"id": id})
		evs := at(p, "order", "events").([]any)
		var kinds []string
		for _, e := range evs {
			kinds = append(kinds, at(e, "kind").(string)+":"+fmt.Sprint(at(e, "toStatus")))
		}
		want := []string{"PLACED:PENDING_PAYMENT", "STATUS_CHANGED:PAID", "STATUS_CHANGED:FULFILLED", "STATUS_CHANGED:SHIPPED", "NOTE:<nil>", "STATUS_CHANGED:DELIVERED"}
		if !slicesEqual(kinds, want) {
			t.Errorf("history %v, want %v", kinds, want)
		}
		if s := stockOf(t, srv, vs[0].ID); s != stock-1 || onHandOf(t, srv, vs[0].ID) != onHand-1 {
			t.Errorf("after a delivered order: %d available, %d on hand; want %d and %d", s, onHandOf(t, srv, vs[0].ID), stock-1, onHand-1)
		}
		var sold int64
		srv.store.DB(t.Context()).Raw("SELECT COUNT(*) FROM inventory_movements WHERE variant_id = ? AND reason = ? AND reference = ?",
			vs[0].ID, model.ReasonSold, "order "+o["number"].(string)).Scan(&sold)
		if sold != 1 {
			t.Errorf("%d SOLD movements for the order, want 1", sold)
		}
		ledgerAddsUp(t, srv)

		// Cancelling an unpaid order returns its stock, once.
		c := place("b")
		if s := stockOf(t, srv, vs[0].ID); s != stock-2 {
			t.Fatalf("stock %d, want %d", s, stock-2)
		}
		p = move(manager, `orderCancel(id: $id, reason: $reason)`, map[string]any{"id": c["id"], "reason": "customer asked"})
		if at(p, "order", "status") != "CANCELLED" {
			t.Errorf("cancel: %v", p)
		}
		p = move(manager, `orderCancel(id: $id)`, map[string]any{"id": c["id"]})
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"CONFLICT"}) {
			t.Errorf("second cancel: %v", p)
		}
		if s := stockOf(t, srv, vs[0].ID); s != stock-1 {
			t.Errorf("stock %d after cancelling, want %d", s, stock-1)
		}
		ledgerAddsUp(t, srv)
		p = move(manager, `orderCancel(id: $id)`, map[string]any{"id": model.EncodeGlobalID(model.TypeOrder, 999999)})
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"NOT_FOUND"}) {
			t.Errorf("cancelling an unknown order: %v", p)
		}

		// Staff list orders with filters.
		d := srv.post(t, `query($f: OrderFilter) { orders(first: 10, filter: $f) { totalCount nodes { status } } }`,
			map[string]any{"f": map[string]any{"status": []any{"CANCELLED"}}}, as(analyst)...).mustData(t)
		if at(d, "orders", "totalCount") != 1.0 {
			t.Errorf("cancelled orders: %v", d)
		}
		d = srv.post(t, `query($f: OrderFilter) { orders(first: 10, filter: $f) { totalCount } }`,
			map[string]any{"f": map[string]any{"number": "#" + o["number"].(string)}}, as(analyst)...).mustData(t)
		if at(d, "orders", "totalCount") != 1.0 {
			t.Errorf("order by number: %v", d)
		}
	})
}

// Unpaid orders expire: their stock and discount uses come back, once,
// even with several replicas running the job at the same moment.
func TestUnpaidOrdersExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 1, 5)
		stock := stockOf(t, srv, vs[0].ID)
		for i := range 3 {
			p := checkoutCart(t, srv, readyCart(t, srv, map[string]int{vs[0].GID: 1}, nil), fmt.Sprint("e", i))
			if errs := at(p, "userErrors").([]any); len(errs) > 0 {
				t.Fatal(errs)
			}
		}
		// Two are overdue.
		if err := srv.store.DB(t.Context()).Exec("UPDATE orders SET pay_by = ? WHERE id IN (SELECT id FROM (SELECT id FROM orders ORDER BY id LIMIT 2) x)",
			time.Now().UTC().Add(-time.Minute)).Error; err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := checkout.New(srv.store, checkout.Options{}).ExpireUnpaid(t.Context())
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				total += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		if total != 2 {
			t.Errorf("expired %d orders in all, want 2", total)
		}
		if s := stockOf(t, srv, vs[0].ID); s != stock-1 {
			t.Errorf("stock %d, want %d", s, stock-1)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM order_events WHERE kind = ?", model.OrderEventExpired); n != 2 {
			t.Errorf("%d EXPIRED events, want 2", n)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM orders WHERE status = ?", model.OrderPendingPayment); n != 1 {
			t.Errorf("%d orders still pending, want 1", n)
		}
	})
}

// Listing orders costs the same number of SQL statements whatever the page
// size: lines, events, customers and variants come through loaders.
func TestOrderListStatementsDoNotGrow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 30, nil)
		vs := saleVariants(t, srv, 12, 3)
		for i := range 12 {
			cart := readyCart(t, srv, map[string]int{vs[i].GID: 1, vs[(i+1)%12].GID: 2}, nil)
			p := checkoutCart(t, srv, cart, fmt.Sprint("s", i))
			if len(at(p, "userErrors").([]any)) > 0 {
				t.Fatal(p)
			}
			// Each order has a payment, so the list reads payments too.
			pay := srv.post(t, paymentCreateMutation, map[string]any{"i": map[string]any{"orderId": at(p, "order", "id"),
				"method": "BANK_TRANSFER", "idempotencyKey": "pay", "accessKey": at(p, "order", "accessKey")}}).mustData(t)
			if at(pay, "paymentCreate", "payment", "id") == nil {
				t.Fatal(pay)
			}
		}
		staff := staffToken(t, srv, model.RoleSupport)
		// The fewest of three, as in TestCartStatementsDoNotGrowWithLines.
		count := func(n int) int {
			least := 1 << 30
			for range 3 {
				before := srv.statements()
				srv.post(t, `query($n: Int) { orders(first: $n) { nodes { number customer { email } events { kind }
				payments { method amount { amount } transactions { kind } }
				lines(first: 10) { nodes { title total { amount } variant { title product { title } } } } } } }`,
					map[string]any{"n": n}, as(staff)...).mustData(t)
				least = min(least, srv.statements()-before)
			}
			return least
		}
		if a, z := count(2), count(12); a != z {
			t.Errorf("2 orders took %d statements, 12 took %d", a, z)
		}
	})
}
