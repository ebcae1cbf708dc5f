package main

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

const discountFields = `id code kind percentage amount { amount currencyCode } minSubtotal { amount }
	startsAt endsAt usageLimit perCustomerLimit usedCount active createdAt updatedAt
	products { id handle } categories { id handle }`

const (
	createDiscount = `mutation($i: DiscountCodeInput!) { discountCodeCreate(input: $i) {
		discountCode { ` + discountFields + ` } userErrors { field code message } } }`
	updateDiscount = `mutation($id: ID!, $i: DiscountCodeInput!) { discountCodeUpdate(id: $id, input: $i) {
		discountCode { ` + discountFields + ` } userErrors { field code message } } }`
	deactivateDiscount = `mutation($id: ID!) { discountCodeDeactivate(id: $id) {
		discountCode { code active } userErrors { field code message } } }`
	deleteDiscount = `mutation($id: ID!) { discountCodeDelete(id: $id) { deletedDiscountCodeId userErrors { field code message } } }`
)

// A discount code from creation to deletion through the staff API: every
// field reads back as written (through the payload, the list and node),
// updates change only what they name, and every write is audited.
func TestDiscountCodeLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, accountEnv)
		staff := staffToken(t, srv, model.RoleCatalogManager)
		owner := staffToken(t, srv, model.RoleOwner)
		vs := saleVariants(t, srv, 2, 1)
		prod := model.EncodeGlobalID(model.TypeProduct, vs[0].Product)
		cat := categoryID(t, srv, "tableware")

		p := payloadOf(t, srv, staff, "discountCodeCreate", createDiscount, map[string]any{"i": map[string]any{
			"code": " Songkran15 ", "kind": "PERCENTAGE", "percentage": "15", "minSubtotal": "500",
			"startsAt": "2026-04-13T00:00:00Z", "endsAt": "2026-04-16T00:00:00Z", "usageLimit": 100,
			"perCustomerLimit": 1, "productIds": []any{prod}, "categoryIds": []any{cat}}})
		noUserErrors(t, p)
		d := at(p, "discountCode").(map[string]any)
		id := d["id"].(string)
		if d["code"] != "Songkran15" || d["kind"] != "PERCENTAGE" || d["percentage"] != "15.00" || d["amount"] != nil ||
			at(d, "minSubtotal", "amount") != "500.00" || d["startsAt"] != "2026-04-13T00:00:00Z" ||
			d["endsAt"] != "2026-04-16T00:00:00Z" || d["usageLimit"] != 100.0 || d["perCustomerLimit"] != 1.0 ||
			d["usedCount"] != 0.0 || d["active"] != true || at(d, "products", 0, "id") != prod ||
			at(d, "categories", 0, "handle") != "tableware" {
			t.Fatalf("created: %v", d)
		}

		// The list (by prefix, any case) and node answer the same.
		list := srv.post(t, `query($q: String) { discountCodes(first: 10, filter: {query: $q, active: true}) {
			totalCount nodes { id code products { id } } } }`, map[string]any{"q": " songk"}, as(staff)...).mustData(t)
		if at(list, "discountCodes", "totalCount") != 1.0 || at(list, "discountCodes", "nodes", 0, "id") != id {
			t.Errorf("discountCodes by prefix: %v", list)
		}
		node := srv.post(t, `query($id: ID!) { node(id: $id) { ... on DiscountCode { code categories { handle } } } }`,
			map[string]any{"id": id}, as(staff)...).mustData(t)
		if at(node, "node", "code") != "Songkran15" || at(node, "node", "categories", 0, "handle") != "tableware" {
			t.Errorf("node: %v", node)
		}
		// Anyone who may not manage discounts gets null, as if there were none.
		for _, who := range []string{staffToken(t, srv, model.RoleSupport), ""} {
			if n := srv.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, as(who)...).mustData(t); n["node"] != nil {
				t.Errorf("node for a caller without MANAGE_DISCOUNTS: %v", n)
			}
		}

		// An update changes what it names: null clears, the rest stays.
		p = payloadOf(t, srv, staff, "discountCodeUpdate", updateDiscount, map[string]any{"id": id, "i": map[string]any{
			"kind": "FIXED_AMOUNT", "amount": "99.50", "endsAt": nil, "usageLimit": nil, "productIds": []any{}}})
		noUserErrors(t, p)
		d = at(p, "discountCode").(map[string]any)
		if d["kind"] != "FIXED_AMOUNT" || at(d, "amount", "amount") != "99.50" || d["percentage"] != nil || d["endsAt"] != nil ||
			d["usageLimit"] != nil || d["startsAt"] != "2026-04-13T00:00:00Z" || d["perCustomerLimit"] != 1.0 ||
			len(d["products"].([]any)) != 0 || len(d["categories"].([]any)) != 1 || at(d, "minSubtotal", "amount") != "500.00" {
			t.Errorf("updated: %v", d)
		}
		// An update that changes nothing writes nothing.
		noUserErrors(t, payloadOf(t, srv, staff, "discountCodeUpdate", updateDiscount, map[string]any{"id": id,
			"i": map[string]any{"code": "Songkran15", "amount": "99.5"}}))

		p = payloadOf(t, srv, staff, "discountCodeDeactivate", deactivateDiscount, map[string]any{"id": id})
		if noUserErrors(t, p); at(p, "discountCode", "active") != false {
			t.Errorf("deactivated: %v", p)
		}
		inactive := srv.post(t, `{ discountCodes(first: 10, filter: {active: false}) { nodes { code } } }`, nil, as(staff)...).mustData(t)
		if at(inactive, "discountCodes", "nodes", 0, "code") != "Songkran15" {
			t.Errorf("inactive codes: %v", inactive)
		}
		p = payloadOf(t, srv, staff, "discountCodeDelete", deleteDiscount, map[string]any{"id": id})
		if noUserErrors(t, p); p["deletedDiscountCodeId"] != id {
			t.Errorf("deleted: %v", p)
		}
		if n := srv.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": id}, as(staff)...).mustData(t); n["node"] != nil {
			t.Errorf("a deleted code answers node: %v", n)
		}
		p = payloadOf(t, srv, staff, "discountCodeDelete", deleteDiscount, map[string]any{"id": id})
		if code, field := userError(p); code != "NOT_FOUND" || field != "id" {
			t.Errorf("deleting it again: %s on %s", code, field)
		}
		if got := auditActions(t, srv, owner, id); !slices.Equal(got, []string{"discountCode.create", "discountCode.update",
			"discountCode.deactivate", "discountCode.delete"}) {
			t.Errorf("audit log: %v", got)
		}
	})
}

// Every rule of a discount code names the input that broke it, and a
// refused write changes nothing.
func TestDiscountCodeValidation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, accountEnv)
		staff := staffToken(t, srv, model.RoleAdmin)
		owner := staffToken(t, srv, model.RoleOwner)
		pct := func(more map[string]any) map[string]any {
			in := map[string]any{"code": "VALID", "kind": "PERCENTAGE", "percentage": "10"}
			for k, v := range more {
				if v == "-" {
					delete(in, k)
				} else {
					in[k] = v
				}
			}
			return in
		}
		missing := model.EncodeGlobalID(model.TypeProduct, 1<<40)
		product := model.EncodeGlobalID(model.TypeProduct, saleVariants(t, srv, 1, 0)[0].Product)
		before := auditCount(t, srv, owner)
		for _, c := range []struct {
			name  string
			in    map[string]any
			code  string
			field string
		}{
			{"no code", pct(map[string]any{"code": "-"}), "BLANK", "input.code"},
			{"a blank code", pct(map[string]any{"code": "  "}), "BLANK", "input.code"},
			{"a code with a space", pct(map[string]any{"code": "TWO WORDS"}), "INVALID", "input.code"},
			{"a long code", pct(map[string]any{"code": strings.Repeat("X", 65)}), "TOO_LONG", "input.code"},
			{"a taken code", pct(map[string]any{"code": "welcome10"}), "TAKEN", "input.code"},
			{"no kind", pct(map[string]any{"kind": "-"}), "BLANK", "input.kind"},
			{"no percentage", pct(map[string]any{"percentage": "-"}), "BLANK", "input.percentage"},
			{"0%", pct(map[string]any{"percentage": "0"}), "INVALID", "input.percentage"},
			{"over 100%", pct(map[string]any{"percentage": "100.01"}), "INVALID", "input.percentage"},
			{"three decimals", pct(map[string]any{"percentage": "1.125"}), "INVALID", "input.percentage"},
			{"a percentage with an amount", pct(map[string]any{"amount": "10.00"}), "INVALID", "input.amount"},
			{"a fixed amount of 0", pct(map[string]any{"kind": "FIXED_AMOUNT", "percentage": "-", "amount": "0"}), "INVALID", "input.amount"},
			{"a fixed amount without one", pct(map[string]any{"kind": "FIXED_AMOUNT", "percentage": "-"}), "BLANK", "input.amount"},
			{"a negative amount", pct(map[string]any{"kind": "FIXED_AMOUNT", "percentage": "-", "amount": "-5"}), "INVALID", "input.amount"},
			{"free shipping with a percentage", pct(map[string]any{"kind": "FREE_SHIPPING"}), "INVALID", "input.percentage"},
			{"free shipping with an amount", pct(map[string]any{"kind": "FREE_SHIPPING", "percentage": "-", "amount": "5"}), "INVALID", "input.amount"},
			{"a negative minimum", pct(map[string]any{"minSubtotal": "-1"}), "INVALID", "input.minSubtotal"},
			{"an end before the start", pct(map[string]any{"startsAt": "2026-05-02T00:00:00Z", "endsAt": "2026-05-01T00:00:00Z"}), "INVALID", "input.endsAt"},
			{"an end at the start", pct(map[string]any{"startsAt": "2026-05-02T00:00:00Z", "endsAt": "2026-05-02T00:00:00Z"}), "INVALID", "input.endsAt"},
			{"a usage limit of 0", pct(map[string]any{"usageLimit": 0}), "INVALID", "input.usageLimit"},
			{"a per-customer limit of -1", pct(map[string]any{"perCustomerLimit": -1}), "INVALID", "input.perCustomerLimit"},
			{"an unknown product", pct(map[string]any{"productIds": []any{product, missing}}), "NOT_FOUND", "input.productIds.1"},
			{"a product twice", pct(map[string]any{"productIds": []any{product, product}}), "INVALID", "input.productIds.1"},
			{"a variant for a product", pct(map[string]any{"productIds": []any{model.EncodeGlobalID(model.TypeProductVariant, 1)}}), "INVALID", "input.productIds.0"},
			{"an unknown category", pct(map[string]any{"categoryIds": []any{model.EncodeGlobalID(model.TypeCategory, 1<<40)}}), "NOT_FOUND", "input.categoryIds.0"},
		} {
			p := payloadOf(t, srv, staff, "discountCodeCreate", createDiscount, map[string]any{"i": c.in})
			if code, field := userError(p); code != c.code || field != c.field {
				t.Errorf("%s: %s on %s, want %s on %s", c.name, code, field, c.code, c.field)
			}
			if p["discountCode"] != nil {
				t.Errorf("%s: a refused create answers a code: %v", c.name, p)
			}
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM discounts WHERE code_key = 'VALID'"); n != 0 || auditCount(t, srv, owner) != before {
			t.Errorf("refused creates left %d codes and %d audit entries", n, auditCount(t, srv, owner)-before)
		}

		// Updates: a usage limit below the uses counted, a taken code, an
		// unknown ID.
		p := payloadOf(t, srv, staff, "discountCodeCreate", createDiscount, map[string]any{"i": pct(map[string]any{"usageLimit": 5})})
		noUserErrors(t, p)
		id := at(p, "discountCode", "id").(string)
		if err := srv.store.DB(t.Context()).Exec("UPDATE discounts SET used_count = 3 WHERE code_key = 'VALID'").Error; err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			name, id string
			in       map[string]any
			code     string
			field    string
		}{
			{"a limit below the uses", id, map[string]any{"usageLimit": 2}, "INVALID", "input.usageLimit"},
			{"a taken code", id, map[string]any{"code": "FreeShip"}, "TAKEN", "input.code"},
			{"a new kind without its value", id, map[string]any{"kind": "FIXED_AMOUNT"}, "BLANK", "input.amount"},
			{"an amount on a percentage", id, map[string]any{"amount": "5.00"}, "INVALID", "input.amount"},
			{"no such code", model.EncodeGlobalID(model.TypeDiscountCode, 1<<40), map[string]any{"active": false}, "NOT_FOUND", "id"},
			{"another type's ID", model.EncodeGlobalID(model.TypeProduct, 1), map[string]any{"active": false}, "INVALID", "id"},
		} {
			p := payloadOf(t, srv, staff, "discountCodeUpdate", updateDiscount, map[string]any{"id": c.id, "i": c.in})
			if code, field := userError(p); code != c.code || field != c.field {
				t.Errorf("update, %s: %s on %s, want %s on %s", c.name, code, field, c.code, c.field)
			}
		}
		p = payloadOf(t, srv, staff, "discountCodeUpdate", updateDiscount, map[string]any{"id": id, "i": map[string]any{"usageLimit": 3}})
		if noUserErrors(t, p); at(p, "discountCode", "usageLimit") != 3.0 || at(p, "discountCode", "usedCount") != 3.0 {
			t.Errorf("a limit at the uses: %v", p)
		}
		// A used code cannot be deleted; it can be deactivated.
		p = payloadOf(t, srv, staff, "discountCodeDelete", deleteDiscount, map[string]any{"id": id})
		if code, field := userError(p); code != "IN_USE" || field != "id" || !strings.Contains(fmt.Sprint(p["userErrors"]), "deactivate") {
			t.Errorf("deleting a used code: %v", p)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM discounts WHERE code_key = 'VALID'"); n != 1 {
			t.Errorf("the used code is gone")
		}
	})
}

// Staff creating one code at once (in any case): the unique index lets
// exactly one through, and the others get TAKEN.
func TestDiscountCodeCreatesRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 1, accountEnv)
		staff := staffToken(t, srv, model.RoleAdmin)
		const writers = 20
		var wg sync.WaitGroup
		var mu sync.Mutex
		outcomes := map[string]int{}
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				code := "FLASH50"
				if i%2 == 1 {
					code = "flash50"
				}
				r, err := srv.send(`mutation($i: DiscountCodeInput!) { discountCodeCreate(input: $i) { discountCode { id } userErrors { field code } } }`,
					map[string]any{"i": map[string]any{"code": code, "kind": "PERCENTAGE", "percentage": "50"}}, as(staff)...)
				out := ""
				switch {
				case err != nil:
					out = "transport: " + err.Error()
				case len(r.Errors) > 0:
					out = "error: " + r.Raw
				default:
					if errs := at(r.Data, "discountCodeCreate", "userErrors").([]any); len(errs) > 0 {
						out = fmt.Sprint(at(errs[0], "code"), at(errs[0], "field"))
					}
				}
				mu.Lock()
				outcomes[out]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		if outcomes[""] != 1 || outcomes["TAKEN[input code]"] != writers-1 {
			t.Errorf("outcomes %v, want 1 created and %d TAKEN", outcomes, writers-1)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM discounts WHERE code_key = 'FLASH50'"); n != 1 {
			t.Errorf("%d codes FLASH50", n)
		}
	})
}

// A page of codes costs the same statements for 30 codes as for 3, with
// their products (and what the query asks of those) and categories.
func TestDiscountCodeListStatementsDoNotGrow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 40, accountEnv)
		staff := staffToken(t, srv, model.RoleAdmin)
		addDiscounts(t, srv, 30)
		q := `query($n: Int!) { discountCodes(first: $n) { totalCount edges { cursor node { code amount { amount }
			products { handle category { name } variants(first: 2) { nodes { sku price { amount } } } }
			categories { handle parent { handle } } } } } }`
		run := func(n int) int {
			best := 0
			// The fewest of three reads: a loaded machine can split a
			// loader batch, which is not growth.
			for i := range 3 {
				before := srv.statements()
				d := srv.post(t, q, map[string]any{"n": n}, as(staff)...).mustData(t)
				got := srv.statements() - before
				if len(at(d, "discountCodes", "edges").([]any)) != n {
					t.Fatalf("%d codes listed, want %d", len(at(d, "discountCodes", "edges").([]any)), n)
				}
				if i == 0 || got < best {
					best = got
				}
			}
			return best
		}
		if small, large := run(3), run(30); small != large {
			t.Errorf("statements: 3 codes -> %d, 30 codes -> %d", small, large)
		}
	})
}

// addDiscounts adds n codes, each restricted to a category and to one to
// five products (more in longer lists, so that the products of one code
// must be looked ahead together too), so that lists of codes can be long.
func addDiscounts(t *testing.T, srv *testServer, n int) {
	t.Helper()
	var products, categories []int64
	db := srv.store.DB(t.Context())
	if err := db.Table("products").Order("id").Pluck("id", &products).Error; err != nil || len(products) < 5 {
		t.Fatalf("products: %v", err)
	}
	if err := db.Table("categories").Order("id").Pluck("id", &categories).Error; err != nil || len(categories) == 0 {
		t.Fatalf("categories: %v", err)
	}
	now := time.Now().UTC().Truncate(time.Second)
	for i := range n {
		d := model.Discount{Code: fmt.Sprintf("LIST%02d", i), Kind: model.DiscountFixedAmount, Value: 1000, Active: true,
			ProductIDs:  model.JoinIDs(products[i%len(products) : min(i%len(products)+i%5+1, len(products))]),
			CategoryIDs: model.JoinIDs([]int64{categories[i%len(categories)]}), CreatedAt: now, UpdatedAt: now}
		d.CodeKey = model.NormalizeDiscountCode(d.Code)
		if err := srv.store.CreateDiscount(t.Context(), &d); err != nil {
			t.Fatal(err)
		}
	}
}

// A code limited to one use per buyer, raced by twenty checkouts of one
// guest buyer (the same email): one order uses it, and every other
// checkout is refused. A signed-in customer who used it sees it refused
// on their next cart.
func TestDiscountPerCustomerLimit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, accountEnv)
		vs := saleVariants(t, srv, 1, 1)
		setStock(t, srv, vs[0].ID, 1000)
		once := 1
		now := time.Now().UTC()
		d := model.Discount{Code: "ONCE", CodeKey: "ONCE", Kind: model.DiscountPercentage, Value: 1000, Active: true,
			PerCustomerLimit: &once, CreatedAt: now, UpdatedAt: now}
		if err := srv.store.CreateDiscount(t.Context(), &d); err != nil {
			t.Fatal(err)
		}
		const buyers = 20
		carts := make([]string, buyers)
		for i := range carts {
			carts[i] = readyCart(t, srv, map[string]int{vs[0].GID: 1}, []string{"once"}) // one email for all
		}
		codes := race(t, srv, carts, "once")
		if codes[""] != 1 || codes["DISCOUNT_CODE_NOT_VALID"] != buyers-1 || len(codes) != 2 {
			t.Errorf("outcomes %v, want 1 order and %d DISCOUNT_CODE_NOT_VALID", codes, buyers-1)
		}
		if n := countRows(t, srv, "SELECT used_count FROM discounts WHERE id = ?", d.ID); n != 1 {
			t.Errorf("used_count %d, want 1", n)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM discount_usages WHERE discount_id = ?", d.ID); n != 1 {
			t.Errorf("%d uses recorded, want 1", n)
		}
		if n := countRows(t, srv, "SELECT COUNT(*) FROM orders"); n != 1 || stockOf(t, srv, vs[0].ID) != 999 {
			t.Errorf("%d orders, stock %d; want 1 and 999", n, stockOf(t, srv, vs[0].ID))
		}
		// The guest's next cart says why before checkout.
		c := readCart(t, srv, readyCart(t, srv, map[string]int{vs[0].GID: 1}, []string{"once"}))
		if reason := at(c, "discountCodes", 0, "reason"); reason != model.ReasonCustomerUsed {
			t.Errorf("the guest's next cart: reason %v", reason)
		}

		// A signed-in customer: the first order uses the code, the second
		// cart is told ALREADY_USED_BY_CUSTOMER and checkout refuses it.
		signUp(t, srv, "niran@example.com", "correct horse battery")
		tok := signIn(t, srv, "customerAccessTokenCreate", "niran@example.com", "correct horse battery")
		first := readyCart(t, srv, map[string]int{vs[0].GID: 1}, []string{"ONCE"}, as(tok)...)
		if p := checkoutCart(t, srv, first, "niran-1", as(tok)...); at(p, "order") == nil {
			t.Fatalf("the customer's first order: %v", p)
		}
		second := readyCart(t, srv, map[string]int{vs[0].GID: 1}, []string{"ONCE"}, as(tok)...)
		c = readCart(t, srv, second, as(tok)...)
		if at(c, "discountCodes", 0, "reason") != model.ReasonCustomerUsed || at(c, "discountCodes", 0, "applicable") != false ||
			!slices.Contains(problemCodes(c), model.ProblemDiscountInvalidNow) {
			t.Errorf("the customer's second cart: %v, problems %v", at(c, "discountCodes"), problemCodes(c))
		}
		p := checkoutCart(t, srv, second, "niran-2", as(tok)...)
		if code, _ := userError(p); code != "DISCOUNT_CODE_NOT_VALID" {
			t.Errorf("the customer's second checkout: %v", p)
		}
		if n := countRows(t, srv, "SELECT used_count FROM discounts WHERE id = ?", d.ID); n != 2 {
			t.Errorf("used_count %d, want 2 (the guest and the customer)", n)
		}
	})
}

// The demo database's WELCOME10 takes 10% off a cart from ฿500.
func TestDemoDiscountCodeApplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		vs := saleVariants(t, srv, 1, 0)
		q := int(50000/vs[0].Price) + 1
		setStock(t, srv, vs[0].ID, q)
		c := readCart(t, srv, readyCart(t, srv, map[string]int{vs[0].GID: q}, []string{"welcome10"}))
		want := model.PercentOf(int64(q)*vs[0].Price, 1000)
		if at(c, "discountCodes", 0, "applicable") != true || at(c, "discountCodes", 0, "amount", "amount") != baht(want) {
			t.Errorf("WELCOME10 on %d × %d: %v, want %s off", q, vs[0].Price, at(c, "discountCodes"), baht(want))
		}
	})
}
