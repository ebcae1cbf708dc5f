package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/checkout"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// cartFields is what the cart tests read of a cart.
const cartFields = `id totalQuantity note
	lines(first: 100) { totalCount nodes { id quantity merchandise { id sku product { title } }
		cost { amountPerQuantity { amount } subtotalAmount { amount } discountAmount { amount } totalAmount { amount } } } }
	deliveryOptions { handle title estimatedCost { amount } minDeliveryDays maxDeliveryDays }
	selectedDeliveryOption { handle estimatedCost { amount } }
	buyerIdentity { email phone countryCode customer { email } deliveryAddress { firstName city province zip country taxId branch formatted } }
	discountCodes { code applicable reason amount { amount } }
	cost { subtotalAmount { amount currencyCode } discountAmount { amount } shippingAmount { amount } totalTaxAmount { amount } totalAmount { amount } }
	problems { code message line { id } }`

// saleVariant is a variant the storefront sells, as the database has it.
type saleVariant struct {
	ID       int64
	GID      string
	Price    int64
	Stock    int
	Product  int64
	Category *int64
}

// saleVariants returns n variants of active products with at least min
// units in stock, one per product.
func saleVariants(t *testing.T, srv *testServer, n, min int) []saleVariant {
	t.Helper()
	var rows []saleVariant
	err := srv.store.DB(t.Context()).Raw(`SELECT v.id AS id, v.price AS price, v.inventory_quantity AS stock,
			p.id AS product, p.category_id AS category
		FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE p.status = ? AND v.inventory_quantity >= ? AND v.position = (SELECT MIN(position) FROM product_variants w WHERE w.product_id = p.id)
		ORDER BY v.id LIMIT ?`, model.ProductActive, min, n).Scan(&rows).Error
	if err != nil || len(rows) < n {
		t.Fatalf("want %d variants for sale with %d in stock: %d, %v", n, min, len(rows), err)
	}
	for i := range rows {
		rows[i].GID = model.EncodeGlobalID(model.TypeProductVariant, rows[i].ID)
	}
	return rows
}

// baht formats minor units as the Money scalar's amount.
func baht(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// cartCall runs a cart mutation and returns its payload.
func cartCall(t *testing.T, srv *testServer, mutation string, vars map[string]any, headers ...string) map[string]any {
	t.Helper()
	name := strings.Fields(strings.NewReplacer("(", " ", "{", " ").Replace(mutation))[0]
	q := fmt.Sprintf(`mutation(%s) { %s { cart { %s } userErrors { field code message } } }`, cartVarDecls(vars), mutation, cartFields)
	d := srv.post(t, q, vars, headers...).mustData(t)
	p, _ := at(d, name).(map[string]any)
	if p == nil {
		t.Fatalf("%s: no payload in %v", name, d)
	}
	return p
}

// cartVarDecls declares the variables the cart tests use.
func cartVarDecls(vars map[string]any) string {
	types := map[string]string{"input": "CartInput", "cartId": "ID!", "lines": "[CartLineInput!]!",
		"updates": "[CartLineUpdateInput!]!", "lineIds": "[ID!]!", "codes": "[String!]!", "buyer": "CartBuyerIdentityInput!",
		"note": "String!", "handle": "String!"}
	var out []string
	for k := range vars {
		out = append(out, "$"+k+": "+types[k])
	}
	if len(out) == 0 {
		return "$none: Int"
	}
	return strings.Join(out, ", ")
}

// mustCart returns the payload's cart and fails on userErrors.
func mustCart(t *testing.T, p map[string]any) map[string]any {
	t.Helper()
	if errs := at(p, "userErrors").([]any); len(errs) > 0 {
		t.Fatalf("userErrors: %v", errs)
	}
	return at(p, "cart").(map[string]any)
}

// problemCodes returns a cart's problem codes.
func problemCodes(c any) []string {
	var out []string
	for _, p := range at(c, "problems").([]any) {
		out = append(out, at(p, "code").(string))
	}
	return out
}

// readCart reads a cart by ID as the storefront does.
func readCart(t *testing.T, srv *testServer, id string, headers ...string) map[string]any {
	t.Helper()
	d := srv.post(t, `query($id: ID!) { cart(id: $id) { `+cartFields+` } }`, map[string]any{"id": id}, headers...).mustData(t)
	c, _ := at(d, "cart").(map[string]any)
	return c
}

// A guest fills a cart, changes it and says who they are; every figure is
// the server's, VAT included, and the problems say what blocks checkout.
func TestCartLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 3, 5)

		c := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
			"lines": []any{map[string]any{"merchandiseId": vs[0].GID, "quantity": 2}, map[string]any{"merchandiseId": vs[1].GID}},
			"note":  "ฝากไว้หน้าบ้าน",
		}}))
		id := c["id"].(string)
		if key, err := model.DecodeCartID(id); err != nil || len(key) < 22 {
			t.Errorf("cart ID %q holds key %q (%v), want 128 random bits", id, key, err)
		}
		if c["totalQuantity"] != 3.0 || at(c, "lines", "totalCount") != 2.0 || c["note"] != "ฝากไว้หน้าบ้าน" {
			t.Errorf("new cart: %v", c)
		}
		subtotal := 2*vs[0].Price + vs[1].Price
		if got := at(c, "cost", "subtotalAmount", "amount"); got != baht(subtotal) {
			t.Errorf("subtotal %v, want %s", got, baht(subtotal))
		}
		if got := at(c, "cost", "totalAmount", "amount"); got != baht(subtotal) {
			t.Errorf("total %v, want %s", got, baht(subtotal))
		}
		if got := at(c, "cost", "totalTaxAmount", "amount"); got != baht(model.VATIn(subtotal, 700)) {
			t.Errorf("VAT %v, want %s (7%% inside %s)", got, baht(model.VATIn(subtotal, 700)), baht(subtotal))
		}
		if got := at(c, "lines", "nodes", 0, "cost", "subtotalAmount", "amount"); got != baht(2*vs[0].Price) {
			t.Errorf("first line %v, want %s", got, baht(2*vs[0].Price))
		}
		if p := problemCodes(c); !slicesEqual(p, []string{model.ProblemMissingEmail, model.ProblemMissingAddress}) {
			t.Errorf("problems of a cart without buyer: %v", p)
		}

		// Adding a variant already there adds to its line.
		c = mustCart(t, cartCall(t, srv, `cartLinesAdd(cartId: $cartId, lines: $lines)`, map[string]any{"cartId": id,
			"lines": []any{map[string]any{"merchandiseId": vs[1].GID, "quantity": 2}, map[string]any{"merchandiseId": vs[2].GID, "quantity": 1}}}))
		if c["totalQuantity"] != 6.0 || at(c, "lines", "totalCount") != 3.0 || at(c, "lines", "nodes", 1, "quantity") != 3.0 {
			t.Errorf("after add: %v", c)
		}
		first := at(c, "lines", "nodes", 0, "id").(string)
		second := at(c, "lines", "nodes", 1, "id").(string)
		third := at(c, "lines", "nodes", 2, "id").(string)

		c = mustCart(t, cartCall(t, srv, `cartLinesUpdate(cartId: $cartId, lines: $updates)`, map[string]any{"cartId": id,
			"updates": []any{map[string]any{"id": first, "quantity": 5}, map[string]any{"id": second, "quantity": 0}}}))
		if c["totalQuantity"] != 6.0 || at(c, "lines", "totalCount") != 2.0 || at(c, "lines", "nodes", 0, "quantity") != 5.0 {
			t.Errorf("after update: %v", c)
		}
		c = mustCart(t, cartCall(t, srv, `cartLinesRemove(cartId: $cartId, lineIds: $lineIds)`, map[string]any{"cartId": id, "lineIds": []any{third}}))
		if c["totalQuantity"] != 5.0 || at(c, "lines", "totalCount") != 1.0 {
			t.Errorf("after remove: %v", c)
		}

		c = mustCart(t, cartCall(t, srv, `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`, map[string]any{"cartId": id,
			"buyer": map[string]any{"email": "  somchai@example.co.th ", "phone": "+66 81 234 5678", "deliveryAddress": map[string]any{
				"firstName": "สมชาย", "lastName": "ใจดี", "address1": "99/9 ถนนพระราม 4", "city": "คลองเตย", "province": "กรุงเทพมหานคร",
				"zip": "10110", "country": "TH", "taxId": "1234567890121", "branch": "00000"}}}))
		if at(c, "buyerIdentity", "email") != "somchai@example.co.th" || at(c, "buyerIdentity", "countryCode") != "TH" ||
			at(c, "buyerIdentity", "deliveryAddress", "zip") != "10110" || at(c, "buyerIdentity", "customer") != nil {
			t.Errorf("buyer: %v", at(c, "buyerIdentity"))
		}
		if f, _ := at(c, "buyerIdentity", "deliveryAddress", "formatted").([]any); len(f) < 3 {
			t.Errorf("formatted address: %v", f)
		}
		// With an address come delivery options, and one must be chosen.
		if p := problemCodes(c); !slicesEqual(p, []string{model.ProblemDeliveryNotChosen}) {
			t.Errorf("problems of a cart with a buyer and no delivery: %v", p)
		}
		opts, _ := at(c, "deliveryOptions").([]any)
		if len(opts) == 0 || c["selectedDeliveryOption"] != nil {
			t.Fatalf("delivery options: %v", opts)
		}
		for i := 1; i < len(opts); i++ {
			if parseBaht(t, at(opts[i-1], "estimatedCost", "amount").(string)) > parseBaht(t, at(opts[i], "estimatedCost", "amount").(string)) {
				t.Errorf("options not cheapest first: %v", opts)
			}
		}
		p := cartCall(t, srv, `cartSelectedDeliveryOptionUpdate(cartId: $cartId, handle: $handle)`, map[string]any{"cartId": id, "handle": "table:no-such"})
		if errs := at(p, "userErrors").([]any); len(errs) != 1 || at(errs[0], "code") != "NOT_FOUND" || joinField(at(errs[0], "field")) != "handle" {
			t.Errorf("an unknown delivery handle: %v", errs)
		}
		last := opts[len(opts)-1]
		c = mustCart(t, cartCall(t, srv, `cartSelectedDeliveryOptionUpdate(cartId: $cartId, handle: $handle)`,
			map[string]any{"cartId": id, "handle": at(last, "handle")}))
		ship := parseBaht(t, at(last, "estimatedCost", "amount").(string))
		goods := 5 * vs[0].Price
		if at(c, "selectedDeliveryOption", "handle") != at(last, "handle") || at(c, "cost", "shippingAmount", "amount") != baht(ship) ||
			at(c, "cost", "totalAmount", "amount") != baht(goods+ship) || at(c, "cost", "totalTaxAmount", "amount") != baht(model.VATIn(goods+ship, 700)) {
			t.Errorf("with delivery %v: cost %v", at(c, "selectedDeliveryOption"), at(c, "cost"))
		}
		if p := problemCodes(c); len(p) != 0 {
			t.Errorf("problems of a full cart: %v", p)
		}

		c = mustCart(t, cartCall(t, srv, `cartNoteUpdate(cartId: $cartId, note: $note)`, map[string]any{"cartId": id, "note": ""}))
		if c["note"] != nil {
			t.Errorf("note after clearing: %v", c["note"])
		}

		// The same cart reads the same through the query and through node.
		if got := readCart(t, srv, id); got["totalQuantity"] != 5.0 || at(got, "buyerIdentity", "email") != "somchai@example.co.th" {
			t.Errorf("cart query: %v", got)
		}
		d := srv.post(t, `query($id: ID!) { node(id: $id) { ... on Cart { totalQuantity } } }`, map[string]any{"id": id}).mustData(t)
		if at(d, "node", "totalQuantity") != 5.0 {
			t.Errorf("node: %v", d)
		}

		// Removing every line leaves an empty cart that cannot be checked out.
		c = mustCart(t, cartCall(t, srv, `cartLinesUpdate(cartId: $cartId, lines: $updates)`, map[string]any{"cartId": id,
			"updates": []any{map[string]any{"id": first, "quantity": 0}}}))
		if p := problemCodes(c); !slicesEqual(p, []string{model.ProblemEmptyCart}) || at(c, "cost", "totalAmount", "amount") != "0.00" {
			t.Errorf("empty cart: %v %v", p, at(c, "cost"))
		}
	})
}

func slicesEqual(a, b []string) bool {
	return strings.Join(a, ",") == strings.Join(b, ",")
}

// Bad input is refused with a code and the argument's path, and changes
// nothing.
func TestCartRefusesBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 60, nil)
		vs := saleVariants(t, srv, 2, 5)
		c := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
			"lines": []any{map[string]any{"merchandiseId": vs[0].GID, "quantity": 1}}}}))
		id := c["id"].(string)
		line := at(c, "lines", "nodes", 0, "id").(string)
		before := readCart(t, srv, id)

		var archived int64
		if err := srv.store.DB(t.Context()).Raw(`SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
			WHERE p.status = ? LIMIT 1`, model.ProductArchived).Scan(&archived).Error; err != nil || archived == 0 {
			t.Fatalf("no archived variant: %v", err)
		}
		variant := func(id int64) string { return model.EncodeGlobalID(model.TypeProductVariant, id) }
		lines := func(ls ...map[string]any) []any {
			out := make([]any, len(ls))
			for i, l := range ls {
				out[i] = l
			}
			return out
		}
		many := make([]any, model.MaxCartLines+1)
		for i := range many {
			many[i] = map[string]any{"merchandiseId": vs[i%2].GID}
		}
		tooManyVariants := make([]any, 0)
		var ids []int64
		if err := srv.store.DB(t.Context()).Raw(`SELECT v.id FROM product_variants v JOIN products p ON p.id = v.product_id
			WHERE p.status = ? AND v.id <> ? ORDER BY v.id LIMIT ?`, model.ProductActive, vs[0].ID, model.MaxCartLines).Scan(&ids).Error; err != nil || len(ids) < model.MaxCartLines {
			t.Fatalf("want %d variants: %d, %v", model.MaxCartLines, len(ids), err)
		}
		for _, v := range ids {
			tooManyVariants = append(tooManyVariants, map[string]any{"merchandiseId": variant(v)})
		}
		cases := []struct {
			name, mutation string
			vars           map[string]any
			code, field    string
		}{
			{"zero quantity", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": vs[1].GID, "quantity": 0})}, "INVALID", "lines.0.quantity"},
			{"negative quantity", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": vs[1].GID}, map[string]any{"merchandiseId": vs[1].GID, "quantity": -3})}, "INVALID", "lines.1.quantity"},
			{"quantity over the bound", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": vs[1].GID, "quantity": model.MaxLineQuantity + 1})}, "INVALID", "lines.0.quantity"},
			{"a line over the bound after adding", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": vs[0].GID, "quantity": model.MaxLineQuantity})}, "INVALID", "lines.0.quantity"},
			{"unknown variant", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": variant(999999)})}, "NOT_FOUND", "lines.0.merchandiseId"},
			{"archived variant", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": variant(archived)})}, "NOT_FOUND", "lines.0.merchandiseId"},
			{"a product ID for a variant", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": lines(map[string]any{"merchandiseId": model.EncodeGlobalID(model.TypeProduct, vs[1].Product)})}, "INVALID", "lines.0.merchandiseId"},
			{"too many lines", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": tooManyVariants}, "LIMIT_EXCEEDED", "lines"},
			{"too many line inputs", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": id, "lines": many}, "LIMIT_EXCEEDED", "lines"},
			{"unknown cart", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": model.EncodeCartID(model.NewCartKey()), "lines": lines(map[string]any{"merchandiseId": vs[1].GID})}, "NOT_FOUND", "cartId"},
			{"malformed cart ID", `cartLinesAdd(cartId: $cartId, lines: $lines)`,
				map[string]any{"cartId": "gid://langran/Cart/abc", "lines": lines(map[string]any{"merchandiseId": vs[1].GID})}, "INVALID", "cartId"},
			{"a product ID for a cart", `cartNoteUpdate(cartId: $cartId, note: $note)`,
				map[string]any{"cartId": model.EncodeGlobalID(model.TypeProduct, 1), "note": "x"}, "INVALID", "cartId"},
			{"negative update", `cartLinesUpdate(cartId: $cartId, lines: $updates)`,
				map[string]any{"cartId": id, "updates": lines(map[string]any{"id": line, "quantity": -1})}, "INVALID", "lines.0.quantity"},
			{"unknown line", `cartLinesUpdate(cartId: $cartId, lines: $updates)`,
				map[string]any{"cartId": id, "updates": lines(map[string]any{"id": model.EncodeGlobalID(model.TypeCartLine, 999999), "quantity": 1})}, "NOT_FOUND", "lines.0.id"},
			{"unknown line to remove", `cartLinesRemove(cartId: $cartId, lineIds: $lineIds)`,
				map[string]any{"cartId": id, "lineIds": []any{line, model.EncodeGlobalID(model.TypeCartLine, 999999)}}, "NOT_FOUND", "lineIds.1"},
			{"too many codes", `cartDiscountCodesUpdate(cartId: $cartId, discountCodes: $codes)`,
				map[string]any{"cartId": id, "codes": []any{"A", "B", "C", "D", "E", "F"}}, "LIMIT_EXCEEDED", "discountCodes"},
			{"a code with a space", `cartDiscountCodesUpdate(cartId: $cartId, discountCodes: $codes)`,
				map[string]any{"cartId": id, "codes": []any{"SALE", "NEW YEAR"}}, "INVALID", "discountCodes.1"},
			{"an empty code", `cartDiscountCodesUpdate(cartId: $cartId, discountCodes: $codes)`,
				map[string]any{"cartId": id, "codes": []any{" "}}, "INVALID", "discountCodes.0"},
			{"a bad email", `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`,
				map[string]any{"cartId": id, "buyer": map[string]any{"email": "not an email"}}, "INVALID", "buyerIdentity.email"},
			{"a bad phone", `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`,
				map[string]any{"cartId": id, "buyer": map[string]any{"phone": "call me"}}, "INVALID", "buyerIdentity.phone"},
			{"a bad country", `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`,
				map[string]any{"cartId": id, "buyer": map[string]any{"countryCode": "Thailand"}}, "INVALID", "buyerIdentity.countryCode"},
			{"an address without a country", `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`,
				map[string]any{"cartId": id, "buyer": map[string]any{"deliveryAddress": map[string]any{"city": "Bangkok", "country": "XX1"}}}, "INVALID", "buyerIdentity.deliveryAddress.country"},
			{"a bad tax ID", `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`,
				map[string]any{"cartId": id, "buyer": map[string]any{"deliveryAddress": map[string]any{"address1": "1 Silom Rd", "city": "Bangkok", "zip": "10500", "country": "TH", "taxId": "1234567890123"}}}, "INVALID", "buyerIdentity.deliveryAddress.taxId"},
			{"a bad access token", `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`,
				map[string]any{"cartId": id, "buyer": map[string]any{"customerAccessToken": "lgc_nonsense"}}, "TOKEN_INVALID", "buyerIdentity.customerAccessToken"},
			{"a long note", `cartNoteUpdate(cartId: $cartId, note: $note)`,
				map[string]any{"cartId": id, "note": strings.Repeat("ก", model.MaxCartNote+1)}, "INVALID", "note"},
			{"a long note at creation", `cartCreate(input: $input)`,
				map[string]any{"input": map[string]any{"note": strings.Repeat("x", model.MaxCartNote+1)}}, "INVALID", "input.note"},
			{"an unknown variant at creation", `cartCreate(input: $input)`,
				map[string]any{"input": map[string]any{"lines": lines(map[string]any{"merchandiseId": vs[0].GID}, map[string]any{"merchandiseId": variant(999999)})}}, "NOT_FOUND", "input.lines.1.merchandiseId"},
		}
		carts := func() int64 {
			var n int64
			srv.store.DB(t.Context()).Raw("SELECT COUNT(*) FROM carts").Scan(&n)
			return n
		}
		count := carts()
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				p := cartCall(t, srv, tc.mutation, tc.vars)
				errs, _ := at(p, "userErrors").([]any)
				if len(errs) != 1 || at(errs[0], "code") != tc.code || joinField(at(errs[0], "field")) != tc.field {
					t.Fatalf("userErrors %v, want one %s on %s", errs, tc.code, tc.field)
				}
				if msg, _ := at(errs[0], "message").(string); msg == "" || strings.Contains(strings.ToLower(msg), "sql") {
					t.Errorf("message %q", msg)
				}
				if p["cart"] != nil {
					t.Errorf("a refused change returned a cart: %v", p["cart"])
				}
			})
		}
		after := readCart(t, srv, id)
		if fmt.Sprint(before) != fmt.Sprint(after) {
			t.Errorf("refused changes changed the cart:\nbefore %v\nafter  %v", before, after)
		}
		if n := carts(); n != count {
			t.Errorf("refused creations made carts: %d, was %d", n, count)
		}
	})
}

func joinField(v any) string {
	var out []string
	for _, p := range toStrings(v) {
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

// A signed-in customer's cart follows them: signing in on a guest cart
// merges their earlier cart into it, and another customer cannot use it
// even with its ID.
func TestCustomerCartFollowsAndMerges(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		vs := saleVariants(t, srv, 3, 5)
		signUp(t, srv, "nok@example.com", "correct horse battery")
		signUp(t, srv, "other@example.com", "correct horse battery")
		nok := signIn(t, srv, "customerAccessTokenCreate", "nok@example.com", "correct horse battery")
		other := signIn(t, srv, "customerAccessTokenCreate", "other@example.com", "correct horse battery")

		// On the phone, signed in.
		phone := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
			"lines": []any{map[string]any{"merchandiseId": vs[0].GID, "quantity": 1}, map[string]any{"merchandiseId": vs[1].GID, "quantity": 2}}}}, as(nok)...))
		if at(phone, "buyerIdentity", "customer", "email") != "nok@example.com" || at(phone, "buyerIdentity", "email") != "nok@example.com" {
			t.Errorf("a signed-in cart's buyer: %v", at(phone, "buyerIdentity"))
		}
		d := srv.post(t, `{ customerCart { id totalQuantity } }`, nil, as(nok)...).mustData(t)
		if at(d, "customerCart", "id") != phone["id"] {
			t.Errorf("customerCart %v, want %v", d, phone["id"])
		}

		// Another customer holding the ID sees nothing and changes nothing.
		if c := readCart(t, srv, phone["id"].(string), as(other)...); c != nil {
			t.Errorf("another customer read the cart: %v", c)
		}
		p := cartCall(t, srv, `cartLinesAdd(cartId: $cartId, lines: $lines)`, map[string]any{"cartId": phone["id"],
			"lines": []any{map[string]any{"merchandiseId": vs[2].GID}}}, as(other)...)
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"NOT_FOUND"}) {
			t.Errorf("another customer's change: %v", p)
		}
		p = cartCall(t, srv, `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`, map[string]any{"cartId": phone["id"],
			"buyer": map[string]any{"customerAccessToken": other}})
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"FORBIDDEN"}) {
			t.Errorf("taking over another's cart with a token: %v", p)
		}
		d = srv.post(t, `{ customerCart { id } }`, nil, as(other)...).mustData(t)
		if at(d, "customerCart") != nil {
			t.Errorf("the other customer has a cart: %v", d)
		}

		// On the laptop, as a guest, then signing in with the token.
		laptop := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
			"lines": []any{map[string]any{"merchandiseId": vs[1].GID, "quantity": 1}, map[string]any{"merchandiseId": vs[2].GID, "quantity": 4}}}}))
		merged := mustCart(t, cartCall(t, srv, `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`, map[string]any{
			"cartId": laptop["id"], "buyer": map[string]any{"customerAccessToken": nok}}, as(nok)...))
		if merged["totalQuantity"] != 8.0 || at(merged, "lines", "totalCount") != 3.0 {
			t.Errorf("merged cart: %v", merged)
		}
		qty := map[string]float64{}
		for _, l := range at(merged, "lines", "nodes").([]any) {
			qty[at(l, "merchandise", "id").(string)] = at(l, "quantity").(float64)
		}
		if qty[vs[0].GID] != 1 || qty[vs[1].GID] != 3 || qty[vs[2].GID] != 4 {
			t.Errorf("merged quantities: %v", qty)
		}
		// The phone's cart is gone; the customer's cart is the laptop's.
		if c := readCart(t, srv, phone["id"].(string), as(nok)...); c != nil {
			t.Errorf("the merged-away cart still reads: %v", c)
		}
		d = srv.post(t, `{ customerCart { id totalQuantity } }`, nil, as(nok)...).mustData(t)
		if at(d, "customerCart", "id") != laptop["id"] || at(d, "customerCart", "totalQuantity") != 8.0 {
			t.Errorf("customerCart after merge: %v", d)
		}
		// A token that does not match the signed-in request is refused.
		p = cartCall(t, srv, `cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer)`, map[string]any{"cartId": laptop["id"],
			"buyer": map[string]any{"customerAccessToken": other}}, as(nok)...)
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"FORBIDDEN"}) {
			t.Errorf("a mismatched token: %v", p)
		}
		// customerCart needs a signed-in customer.
		r := srv.post(t, `{ customerCart { id } }`, nil)
		if len(r.Errors) == 0 || r.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("customerCart as a guest: %s", r.Raw)
		}
	})
}

// Discount codes price through the cart: a percentage off eligible lines,
// codes that do not apply say why, and the VAT follows the discounted total.
func TestCartDiscountCodes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 2, 5)
		now := time.Now().UTC()
		past, future := now.Add(-48*time.Hour), now.Add(48*time.Hour)
		one := 1
		for _, d := range []model.Discount{
			{Code: "TEN", Kind: model.DiscountPercentage, Value: 1000, Active: true},
			{Code: "ONLYFIRST", Kind: model.DiscountFixedAmount, Value: 5000, Active: true, ProductIDs: strconv.FormatInt(vs[0].Product, 10)},
			{Code: "OLD", Kind: model.DiscountPercentage, Value: 500, Active: true, EndsAt: &past},
			{Code: "SOON", Kind: model.DiscountPercentage, Value: 500, Active: true, StartsAt: &future},
			{Code: "OFF", Kind: model.DiscountPercentage, Value: 500},
			{Code: "GONE", Kind: model.DiscountPercentage, Value: 500, Active: true, UsageLimit: &one, UsedCount: 1},
			{Code: "BIG", Kind: model.DiscountPercentage, Value: 500, Active: true, MinSubtotal: 1 << 40},
		} {
			d.CodeKey = model.NormalizeDiscountCode(d.Code)
			d.CreatedAt, d.UpdatedAt = now, now
			if err := srv.store.CreateDiscount(t.Context(), &d); err != nil {
				t.Fatal(err)
			}
		}
		c := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
			"lines":         []any{map[string]any{"merchandiseId": vs[0].GID, "quantity": 3}, map[string]any{"merchandiseId": vs[1].GID, "quantity": 1}},
			"discountCodes": []any{"ten", "onlyfirst", "nosuch", "old", "soon"}}}))
		subtotal := 3*vs[0].Price + vs[1].Price
		// TEN takes 10% of every line; ONLYFIRST a fixed 50.00 off the first
		// product's line; a percentage and a fixed amount combine.
		checkCodes := func(c map[string]any, want map[string]string) int64 {
			t.Helper()
			var off int64
			codes := at(c, "discountCodes").([]any)
			if len(codes) != len(want) {
				t.Errorf("codes %v, want %v", codes, want)
			}
			for _, dc := range codes {
				code := at(dc, "code").(string)
				reason, _ := at(dc, "reason").(string)
				if r, ok := want[code]; !ok || reason != r || at(dc, "applicable") != (r == "") {
					t.Errorf("%s: applicable %v reason %q, want %q", code, at(dc, "applicable"), reason, r)
				}
				amount := parseBaht(t, at(dc, "amount", "amount").(string))
				if want[code] != "" && amount != 0 {
					t.Errorf("%s takes %d off but does not apply", code, amount)
				}
				off += amount
			}
			return off
		}
		off := checkCodes(c, map[string]string{"TEN": "", "ONLYFIRST": "", "NOSUCH": model.ReasonUnknownCode,
			"OLD": model.ReasonExpired, "SOON": model.ReasonNotStarted})
		wantOff := model.PercentOf(subtotal, 1000) + min(5000, 3*vs[0].Price-model.PercentOf(3*vs[0].Price, 1000))
		if at(c, "cost", "discountAmount", "amount") != baht(off) || off < wantOff-1 || off > wantOff+1 {
			t.Errorf("discount %v (codes add to %d), want about %d", at(c, "cost", "discountAmount", "amount"), off, wantOff)
		}
		total := subtotal - off
		if at(c, "cost", "totalAmount", "amount") != baht(total) || at(c, "cost", "totalTaxAmount", "amount") != baht(model.VATIn(total, 700)) {
			t.Errorf("cost %v, want total %s and VAT %s", at(c, "cost"), baht(total), baht(model.VATIn(total, 700)))
		}
		var lineOff int64
		for _, l := range at(c, "lines", "nodes").([]any) {
			lineOff += parseBaht(t, at(l, "cost", "discountAmount", "amount").(string))
			sub := parseBaht(t, at(l, "cost", "subtotalAmount", "amount").(string))
			if tot := parseBaht(t, at(l, "cost", "totalAmount", "amount").(string)); tot != sub-parseBaht(t, at(l, "cost", "discountAmount", "amount").(string)) {
				t.Errorf("line total %d is not subtotal %d less its discount", tot, sub)
			}
		}
		if lineOff != off {
			t.Errorf("the lines' discounts add to %d, the cart's to %d", lineOff, off)
		}
		// A code that does not apply blocks checkout until it is removed, so
		// the buyer never pays other than what they were shown.
		if p := problemCodes(c); !slices.Contains(p, model.ProblemDiscountInvalidNow) {
			t.Errorf("a cart with codes that do not apply has problems %v", p)
		}
		c = mustCart(t, cartCall(t, srv, `cartDiscountCodesUpdate(cartId: $cartId, discountCodes: $codes)`,
			map[string]any{"cartId": c["id"], "codes": []any{"off", "gone", "big", "OFF"}}))
		if off := checkCodes(c, map[string]string{"OFF": model.ReasonInactive, "GONE": model.ReasonUsedUp, "BIG": model.ReasonMinSubtotal}); off != 0 ||
			at(c, "cost", "totalAmount", "amount") != baht(subtotal) {
			t.Errorf("codes that do not apply took %d off: %v", off, at(c, "cost"))
		}
		// Removing the codes restores the full price.
		c = mustCart(t, cartCall(t, srv, `cartDiscountCodesUpdate(cartId: $cartId, discountCodes: $codes)`,
			map[string]any{"cartId": c["id"], "codes": []any{}}))
		if at(c, "cost", "totalAmount", "amount") != baht(subtotal) || len(at(c, "discountCodes").([]any)) != 0 {
			t.Errorf("after removing codes: %v", at(c, "cost"))
		}
	})
}

func parseBaht(t *testing.T, s string) int64 {
	t.Helper()
	whole, frac, _ := strings.Cut(s, ".")
	w, err1 := strconv.ParseInt(whole, 10, 64)
	f, err2 := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || err2 != nil || len(frac) != 2 {
		t.Fatalf("amount %q", s)
	}
	return w*100 + f
}

// Shoppers adding to one cart at once (two tabs, a double tap) each count:
// the cart's row lock serialises them and nothing is lost.
func TestCartConcurrentAdds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 2, 1)
		c := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{}}))
		const workers = 24
		var wg sync.WaitGroup
		errs := make(chan string, workers)
		for i := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := srv.send(`mutation($c: ID!, $l: [CartLineInput!]!) { cartLinesAdd(cartId: $c, lines: $l) { userErrors { code message } } }`,
					map[string]any{"c": c["id"], "l": []any{map[string]any{"merchandiseId": vs[i%2].GID, "quantity": 1}}})
				switch {
				case err != nil:
					errs <- err.Error()
				case len(r.Errors) > 0 || len(at(r.Data, "cartLinesAdd", "userErrors").([]any)) > 0:
					errs <- r.Raw
				}
			}()
		}
		wg.Wait()
		close(errs)
		for e := range errs {
			t.Error(e)
		}
		got := readCart(t, srv, c["id"].(string))
		if got["totalQuantity"] != float64(workers) || at(got, "lines", "totalCount") != 2.0 ||
			at(got, "lines", "nodes", 0, "quantity") != float64(workers/2) {
			t.Errorf("after %d concurrent adds: %v", workers, got)
		}
	})
}

// Abandoned carts expire: they read as gone, refuse changes, and the
// pruning job deletes them with their lines.
func TestCartsExpireAndArePruned(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 1, 1)
		var ids []string
		for range 3 {
			c := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
				"lines": []any{map[string]any{"merchandiseId": vs[0].GID}}}}))
			ids = append(ids, c["id"].(string))
		}
		keys := make([]string, 2)
		for i := range keys {
			k, err := model.DecodeCartID(ids[i])
			if err != nil {
				t.Fatal(err)
			}
			keys[i] = k
		}
		db := srv.store.DB(t.Context())
		if err := db.Exec("UPDATE carts SET expires_at = ? WHERE cart_key IN ?", time.Now().UTC().Add(-time.Minute), keys).Error; err != nil {
			t.Fatal(err)
		}
		if c := readCart(t, srv, ids[0]); c != nil {
			t.Errorf("an expired cart reads: %v", c)
		}
		p := cartCall(t, srv, `cartNoteUpdate(cartId: $cartId, note: $note)`, map[string]any{"cartId": ids[0], "note": "x"})
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"NOT_FOUND"}) {
			t.Errorf("changing an expired cart: %v", p)
		}
		n, err := checkout.New(srv.store, checkout.Options{}).PruneCarts(t.Context())
		if err != nil || n != 2 {
			t.Fatalf("pruned %d, %v; want 2", n, err)
		}
		var carts, lines int64
		db.Raw("SELECT COUNT(*) FROM carts").Scan(&carts)
		db.Raw("SELECT COUNT(*) FROM cart_lines").Scan(&lines)
		if carts != 1 || lines != 1 {
			t.Errorf("after pruning: %d carts, %d lines; want 1 and 1", carts, lines)
		}
		if c := readCart(t, srv, ids[2]); c == nil || c["totalQuantity"] != 1.0 {
			t.Errorf("the live cart after pruning: %v", c)
		}
	})
}

// Reading a cart costs the same number of SQL statements whatever its
// number of lines: variants, products and discounts come through loaders.
func TestCartStatementsDoNotGrowWithLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 60, nil)
		small := saleVariants(t, srv, 2, 1)
		big := saleVariants(t, srv, 40, 1)
		cartOf := func(vs []saleVariant) string {
			var ls []any
			for _, v := range vs {
				ls = append(ls, map[string]any{"merchandiseId": v.GID, "quantity": 1})
			}
			return mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
				"lines": ls, "discountCodes": []any{"NOSUCH"}}}))["id"].(string)
		}
		a, z := cartOf(small), cartOf(big)
		// The fewest of three reads: under a loaded CI machine a loader's
		// batch window can close early and split one batch in two, which is
		// scheduling, not growth (reading each line alone would cost 40 more).
		count := func(id string) int {
			least := 1 << 30
			for range 3 {
				before := srv.statements()
				readCart(t, srv, id)
				least = min(least, srv.statements()-before)
			}
			return least
		}
		if n, m := count(a), count(z); n != m {
			t.Errorf("reading a cart of 2 lines ran %d statements, of 40 lines %d", n, m)
		}
	})
}

// The VAT rate comes from configuration, dated: a rise that has started
// applies to every cart priced after it.
func TestCartVATFollowsTheConfiguredRates(t *testing.T) {
	srv := newTestServer(t, storetest.SQLite, 10, map[string]string{"LANGRAN_VAT_RATES": "7@1992-01-01, 10@2020-01-01, 12.5@2999-01-01"})
	vs := saleVariants(t, srv, 1, 3)
	c := mustCart(t, cartCall(t, srv, `cartCreate(input: $input)`, map[string]any{"input": map[string]any{
		"lines": []any{map[string]any{"merchandiseId": vs[0].GID, "quantity": 3}}}}))
	total := 3 * vs[0].Price
	if got := at(c, "cost", "totalTaxAmount", "amount"); got != baht(model.VATIn(total, 1000)) {
		t.Errorf("VAT %v of %s, want 10%%: %s", got, baht(total), baht(model.VATIn(total, 1000)))
	}
}

// A price that changed since the shopper last touched a line blocks
// checkout until they change the line, which accepts the new price.
func TestCartPriceChangedIsAProblem(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 2, 3)
		id := readyCart(t, srv, map[string]int{vs[0].GID: 1, vs[1].GID: 1}, nil)
		if c := readCart(t, srv, id); len(problemCodes(c)) != 0 {
			t.Fatalf("problems before the change: %v", problemCodes(c))
		}
		if err := srv.store.DB(t.Context()).Exec("UPDATE product_variants SET price = price + 5000 WHERE id = ?", vs[0].ID).Error; err != nil {
			t.Fatal(err)
		}
		c := readCart(t, srv, id)
		var line, changed any
		for _, l := range at(c, "lines", "nodes").([]any) {
			if at(l, "merchandise", "id") == vs[0].GID {
				line, changed = at(l, "id"), l
			}
		}
		if p := problemCodes(c); !slicesEqual(p, []string{model.ProblemPriceChanged}) || at(c, "problems", 0, "line", "id") != line {
			t.Fatalf("after a price rise: %v", at(c, "problems"))
		}
		if got := at(changed, "cost", "amountPerQuantity", "amount"); got != baht(vs[0].Price+5000) {
			t.Errorf("the line shows %v, want the new price %s", got, baht(vs[0].Price+5000))
		}
		p := checkoutCart(t, srv, id, "price-1")
		if codes := userErrorCodes(p); !slicesEqual(codes, []string{"CART_NOT_READY"}) {
			t.Errorf("checkout with a changed price: %v", p)
		}
		// Setting the same quantity accepts the price.
		c = mustCart(t, cartCall(t, srv, `cartLinesUpdate(cartId: $cartId, lines: $updates)`, map[string]any{"cartId": id,
			"updates": []any{map[string]any{"id": line, "quantity": 1}}}))
		if p := problemCodes(c); len(p) != 0 {
			t.Errorf("problems after accepting: %v", p)
		}
		if p := checkoutCart(t, srv, id, "price-2"); len(at(p, "userErrors").([]any)) != 0 {
			t.Errorf("checkout after accepting: %v", p)
		}
	})
}
