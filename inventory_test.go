package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

const (
	inventoryFields = `inventory { onHand committed available tracked allowBackorder lowStockThreshold lowStock }`
	movementFields  = `id delta quantityAfter reason reference actor createdAt productVariant { id sku }`
	adjustMutation  = `mutation($v: ID!, $d: Int!, $r: InventoryReason!, $ref: String, $k: String!) {
		inventoryAdjust(variantId: $v, delta: $d, reason: $r, reference: $ref, idempotencyKey: $k) {
			productVariant { id quantityAvailable ` + inventoryFields + ` }
			inventoryMovement { ` + movementFields + ` }
			userErrors { field code message } } }`
	setMutation = `mutation($v: ID!, $q: Int!, $c: Int!, $r: InventoryReason) {
		inventorySet(variantId: $v, quantity: $q, compareQuantity: $c, reason: $r) {
			productVariant { id ` + inventoryFields + ` }
			inventoryMovement { ` + movementFields + ` }
			currentQuantity
			userErrors { field code message } } }`
	itemMutation = `mutation($v: ID!, $i: InventoryItemInput!) {
		inventoryItemUpdate(variantId: $v, input: $i) {
			productVariant { id availableForSale quantityAvailable ` + inventoryFields + ` }
			userErrors { field code message } } }`
)

// stockedVariant returns the ID of the first variant of a product in
// stock, and its stock on hand.
func stockedVariant(t *testing.T, srv *testServer, staff string) (string, int) {
	t.Helper()
	d := srv.post(t, `{ products(first: 5, filter: {available: true}) { nodes { variants(first: 1) { nodes { id inventory { onHand } } } } } }`,
		nil, as(staff)...).mustData(t)
	v := at(d, "products", "nodes", 0, "variants", "nodes", 0)
	id, _ := at(v, "id").(string)
	n, _ := at(v, "inventory", "onHand").(float64)
	if id == "" || n <= 0 {
		t.Fatalf("no variant in stock: %v", d)
	}
	return id, int(n)
}

func onHand(t *testing.T, srv *testServer, staff, id string) int {
	t.Helper()
	d := srv.post(t, `query($id: ID!) { productVariant(id: $id) { inventory { onHand } } }`, map[string]any{"id": id}, as(staff)...).mustData(t)
	n, ok := at(d, "productVariant", "inventory", "onHand").(float64)
	if !ok {
		t.Fatalf("no stock: %v", d)
	}
	return int(n)
}

func movementCount(t *testing.T, srv *testServer) int64 {
	t.Helper()
	var n int64
	if err := srv.store.DB(t.Context()).Table("inventory_movements").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return n
}

func ledgerAddsUp(t *testing.T, srv *testServer) {
	t.Helper()
	bad, err := srv.store.CheckInventoryLedger(t.Context())
	if err != nil || len(bad) > 0 {
		t.Fatalf("ledger: %v, %+v", err, bad)
	}
}

// Stock figures and stock writes are for their permissions only: the
// figures for who may read products, the writes for MANAGE_INVENTORY
// (staff or partner key); others are refused before anything runs.
func TestInventoryIsForItsPermissionsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		orders := staffToken(t, srv, model.RoleOrderManager)
		inventoryKey := partnerKey(t, srv, c.owner, "MANAGE_INVENTORY")
		vid, stock := stockedVariant(t, srv, c.owner)

		// The figures: null and FORBIDDEN for the storefront, data for staff.
		q := `query($id: ID!) { productVariant(id: $id) { id quantityAvailable ` + inventoryFields + ` } }`
		for who, tok := range map[string]string{"anonymous": "", "customer": c.customer, "product manager key": c.manageKey} {
			r := srv.post(t, q, map[string]any{"id": vid}, as(tok)...)
			if who == "product manager key" {
				// MANAGE_PRODUCTS includes reading them.
				if len(r.Errors) > 0 || at(r.Data, "productVariant", "inventory", "onHand") == nil {
					t.Errorf("%s: %.300s", who, r.Raw)
				}
				continue
			}
			want := "FORBIDDEN"
			if tok == "" {
				want = "UNAUTHENTICATED"
			}
			if len(r.Errors) != 1 || r.Errors[0].Code() != want || at(r.Data, "productVariant", "inventory") != nil ||
				at(r.Data, "productVariant", "quantityAvailable") == nil {
				t.Errorf("%s reading stock figures: %.300s", who, r.Raw)
			}
		}
		for who, tok := range map[string]string{"support": c.support, "read key": c.readKey, "orders": orders} {
			r := srv.post(t, q, map[string]any{"id": vid}, as(tok)...)
			if len(r.Errors) > 0 || at(r.Data, "productVariant", "inventory", "onHand") != float64(stock) {
				t.Errorf("%s: %.300s", who, r.Raw)
			}
		}

		// The writes: refused to whoever lacks MANAGE_INVENTORY, and
		// nothing changes.
		audits, moves := auditCount(t, srv, c.owner), movementCount(t, srv)
		writes := map[string]struct {
			q    string
			vars map[string]any
		}{
			"inventoryAdjust":     {adjustMutation, map[string]any{"v": vid, "d": 3, "r": "RECEIVED", "k": "perm-1"}},
			"inventorySet":        {setMutation, map[string]any{"v": vid, "q": 1, "c": stock}},
			"inventoryItemUpdate": {itemMutation, map[string]any{"v": vid, "i": map[string]any{"tracked": false}}},
		}
		for name, w := range writes {
			for who, tok := range map[string]string{"anonymous": "", "customer": c.customer, "support": c.support,
				"read key": c.readKey, "product key": c.manageKey} {
				r := srv.post(t, w.q, w.vars, as(tok)...)
				want := "FORBIDDEN"
				if tok == "" {
					want = "UNAUTHENTICATED"
				}
				if len(r.Errors) == 0 || r.Errors[0].Code() != want || (r.Data != nil && r.Data[name] != nil) {
					t.Errorf("%s as %s: %.300s", name, who, r.Raw)
				}
			}
		}
		if onHand(t, srv, c.owner, vid) != stock || auditCount(t, srv, c.owner) != audits || movementCount(t, srv) != moves {
			t.Fatal("a refused write changed something")
		}
		// The catalog manager, the order manager and a key with the
		// scope may.
		for i, tok := range []string{c.catalog, orders, inventoryKey} {
			p := payloadOf(t, srv, tok, "inventoryAdjust", adjustMutation,
				map[string]any{"v": vid, "d": 1, "r": "RECEIVED", "k": fmt.Sprintf("allowed-%d", i)})
			noUserErrors(t, p)
		}
		if got := onHand(t, srv, c.owner, vid); got != stock+3 {
			t.Errorf("stock %d after three adjustments of 1 from %d", got, stock)
		}

		// A movement by ID follows inventoryMovements' rule.
		d := srv.post(t, `{ inventoryMovements(last: 1) { nodes { id delta } } }`, nil, as(c.support)...).mustData(t)
		mid, _ := at(d, "inventoryMovements", "nodes", 0, "id").(string)
		for who, tc := range map[string]struct {
			tok     string
			visible bool
		}{"support": {c.support, true}, "read key": {c.readKey, true}, "anonymous": {"", false}, "customer": {c.customer, false}} {
			d := srv.post(t, `query($id: ID!) { node(id: $id) { id ... on InventoryMovement { delta } } nodes(ids: [$id]) { id } }`,
				map[string]any{"id": mid}, as(tc.tok)...).mustData(t)
			if (d["node"] != nil) != tc.visible || (at(d, "nodes", 0) != nil) != tc.visible ||
				tc.visible && at(d, "node", "delta") != 1.0 {
				t.Errorf("%s reading movement %s by ID: %v", who, mid, d)
			}
		}
	})
}

// inventoryAdjust changes stock once per idempotency key, records the
// movement and the audit entry, and refuses bad input with the argument
// named and nothing changed.
func TestInventoryAdjust(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		owner, staff := staffToken(t, srv, model.RoleOwner), staffToken(t, srv, model.RoleCatalogManager)
		vid, stock := stockedVariant(t, srv, staff)
		adjust := func(tok string, vars map[string]any) map[string]any {
			t.Helper()
			return payloadOf(t, srv, tok, "inventoryAdjust", adjustMutation, vars)
		}
		vars := map[string]any{"v": vid, "d": 12, "r": "RECEIVED", "ref": "PO-2026-114", "k": "5b0e6c1e-key-1"}
		p := adjust(staff, vars)
		noUserErrors(t, p)
		m := at(p, "inventoryMovement")
		if at(m, "delta") != 12.0 || at(m, "quantityAfter") != float64(stock+12) || at(m, "reason") != "RECEIVED" ||
			at(m, "reference") != "PO-2026-114" || !strings.HasPrefix(fmt.Sprint(at(m, "actor")), "staff:") ||
			at(m, "productVariant", "id") != vid || at(p, "productVariant", "inventory", "onHand") != float64(stock+12) {
			t.Fatalf("payload: %v", p)
		}
		audits, moves := auditCount(t, srv, owner), movementCount(t, srv)

		// The same key again: the same movement, nothing more.
		again := adjust(staff, vars)
		noUserErrors(t, again)
		if at(again, "inventoryMovement", "id") != at(m, "id") || onHand(t, srv, staff, vid) != stock+12 ||
			movementCount(t, srv) != moves || auditCount(t, srv, owner) != audits {
			t.Errorf("a repeated key changed something: %v", again)
		}
		// Another caller's equal key is another key.
		other := staffToken(t, srv, model.RoleCatalogManager)
		noUserErrors(t, adjust(other, vars))
		if got := onHand(t, srv, staff, vid); got != stock+24 {
			t.Errorf("another caller's key: stock %d, want %d", got, stock+24)
		}
		stock += 24
		audits, moves = auditCount(t, srv, owner), movementCount(t, srv)

		// Bad input: the argument named, nothing changed.
		long := strings.Repeat("x", 256)
		bad := []struct {
			name  string
			vars  map[string]any
			code  string
			field string
		}{
			{"key reused", map[string]any{"v": vid, "d": 13, "r": "RECEIVED", "ref": "PO-2026-114", "k": "5b0e6c1e-key-1"}, "IDEMPOTENCY_KEY_REUSED", "idempotencyKey"},
			{"zero", map[string]any{"v": vid, "d": 0, "r": "RECEIVED", "k": "k-zero"}, "INVALID", "delta"},
			{"huge", map[string]any{"v": vid, "d": 2_000_000_000, "r": "RECEIVED", "k": "k-huge"}, "INVALID", "delta"},
			{"system reason", map[string]any{"v": vid, "d": 1, "r": "SOLD", "k": "k-sold"}, "INVALID", "reason"},
			{"long reference", map[string]any{"v": vid, "d": 1, "r": "RECEIVED", "ref": long, "k": "k-ref"}, "TOO_LONG", "reference"},
			{"blank key", map[string]any{"v": vid, "d": 1, "r": "RECEIVED", "k": " "}, "BLANK", "idempotencyKey"},
			{"long key", map[string]any{"v": vid, "d": 1, "r": "RECEIVED", "k": long}, "TOO_LONG", "idempotencyKey"},
			{"not a variant ID", map[string]any{"v": model.EncodeGlobalID(model.TypeProduct, 1), "d": 1, "r": "RECEIVED", "k": "k-id"}, "INVALID", "variantId"},
			{"no such variant", map[string]any{"v": model.EncodeGlobalID(model.TypeProductVariant, 999999), "d": 1, "r": "RECEIVED", "k": "k-nf"}, "NOT_FOUND", "variantId"},
			{"below zero", map[string]any{"v": vid, "d": -(stock + 1), "r": "DAMAGED", "k": "k-neg"}, "INSUFFICIENT_STOCK", "delta"},
		}
		for _, c := range bad {
			p := adjust(staff, c.vars)
			if code, field := userError(p); code != c.code || field != c.field {
				t.Errorf("%s: %s at %s, want %s at %s", c.name, code, field, c.code, c.field)
			}
			if p["productVariant"] != nil || p["inventoryMovement"] != nil {
				t.Errorf("%s: payload has data: %v", c.name, p)
			}
		}
		if onHand(t, srv, staff, vid) != stock || movementCount(t, srv) != moves || auditCount(t, srv, owner) != audits {
			t.Fatal("refused adjustments changed something")
		}
		// A failed request does not use up its key.
		noUserErrors(t, adjust(staff, map[string]any{"v": vid, "d": -1, "r": "DAMAGED", "k": "k-neg"}))

		// Audited, and in the ledger.
		if acts := auditActions(t, srv, owner, vid); !containsAll(acts, "inventory.adjust") {
			t.Errorf("audit actions %v", acts)
		}
		d := srv.post(t, `query($v: ID!) { inventoryMovements(variantId: $v, last: 2) { nodes { delta reason actor } pageInfo { hasPreviousPage } } }`,
			map[string]any{"v": vid}, as(staff)...).mustData(t)
		if at(d, "inventoryMovements", "nodes", 1, "delta") != -1.0 || at(d, "inventoryMovements", "nodes", 0, "delta") != 12.0 ||
			at(d, "inventoryMovements", "pageInfo", "hasPreviousPage") != true {
			t.Errorf("movements: %v", d)
		}
		ledgerAddsUp(t, srv)
	})
}

func containsAll(have []string, want ...string) bool {
	for _, w := range want {
		found := false
		for _, h := range have {
			found = found || h == w
		}
		if !found {
			return false
		}
	}
	return true
}

// inventorySet sets a count only over the stock it was counted from;
// inventoryItemUpdate changes how stock is kept, which the storefront
// follows; catalog writes and the CSV import that set stock are in the
// ledger too.
func TestInventorySetItemsAndCatalogWrites(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		owner, staff := staffToken(t, srv, model.RoleOwner), staffToken(t, srv, model.RoleCatalogManager)
		vid, stock := stockedVariant(t, srv, staff)
		set := func(vars map[string]any) map[string]any {
			t.Helper()
			return payloadOf(t, srv, staff, "inventorySet", setMutation, vars)
		}
		p := set(map[string]any{"v": vid, "q": 3, "c": stock + 1})
		if code, field := userError(p); code != "STOCK_CHANGED" || field != "compareQuantity" || p["currentQuantity"] != float64(stock) {
			t.Errorf("stale count: %v", p)
		}
		p = set(map[string]any{"v": vid, "q": 3, "c": stock})
		noUserErrors(t, p)
		if at(p, "inventoryMovement", "delta") != float64(3-stock) || at(p, "inventoryMovement", "reason") != "CORRECTION" ||
			at(p, "productVariant", "inventory", "onHand") != 3.0 || p["currentQuantity"] != nil {
			t.Errorf("set: %v", p)
		}
		for _, c := range []struct {
			vars        map[string]any
			code, field string
		}{
			{map[string]any{"v": vid, "q": -1, "c": 3}, "INVALID", "quantity"},
			{map[string]any{"v": vid, "q": 1, "c": -3}, "INVALID", "compareQuantity"},
			{map[string]any{"v": vid, "q": 1, "c": 3, "r": "INITIAL"}, "INVALID", "reason"},
			{map[string]any{"v": "nope", "q": 1, "c": 3}, "INVALID", "variantId"},
		} {
			if code, field := userError(set(c.vars)); code != c.code || field != c.field {
				t.Errorf("%v: %s at %s", c.vars, code, field)
			}
		}
		if onHand(t, srv, staff, vid) != 3 {
			t.Fatal("a refused set changed the stock")
		}

		// Untracked: always for sale, no quantity to tell; a threshold.
		item := func(input map[string]any) map[string]any {
			t.Helper()
			return payloadOf(t, srv, staff, "inventoryItemUpdate", itemMutation, map[string]any{"v": vid, "i": input})
		}
		p = item(map[string]any{"lowStockThreshold": 5})
		noUserErrors(t, p)
		if at(p, "productVariant", "inventory", "lowStock") != true || at(p, "productVariant", "inventory", "lowStockThreshold") != 5.0 {
			t.Errorf("threshold: %v", p)
		}
		d := srv.post(t, `{ lowStockVariants(first: 100) { nodes { id } totalCount } }`, nil, as(staff)...).mustData(t)
		if !strings.Contains(fmt.Sprint(at(d, "lowStockVariants", "nodes")), vid) {
			t.Errorf("lowStockVariants lacks %s: %v", vid, d)
		}
		if code, field := userError(item(map[string]any{"lowStockThreshold": -1})); code != "INVALID" || field != "input.lowStockThreshold" {
			t.Errorf("negative threshold: %s at %s", code, field)
		}
		p = item(map[string]any{"tracked": false, "lowStockThreshold": nil})
		noUserErrors(t, p)
		if at(p, "productVariant", "availableForSale") != true || at(p, "productVariant", "quantityAvailable") != nil ||
			at(p, "productVariant", "inventory", "tracked") != false || at(p, "productVariant", "inventory", "lowStockThreshold") != nil {
			t.Errorf("untracked: %v", p)
		}
		if code, field := userError(payloadOf(t, srv, staff, "inventoryItemUpdate", itemMutation,
			map[string]any{"v": model.EncodeGlobalID(model.TypeProductVariant, 999999), "i": map[string]any{"tracked": true}})); code != "NOT_FOUND" || field != "variantId" {
			t.Errorf("unknown variant: %s at %s", code, field)
		}
		if acts := auditActions(t, srv, owner, vid); !containsAll(acts, "inventory.set", "inventoryItem.update") {
			t.Errorf("audit actions %v", acts)
		}

		// A catalog write that sets stock, and an import that does.
		pid := at(srv.post(t, `query($id: ID!) { productVariant(id: $id) { product { id } } }`, map[string]any{"id": vid}, as(staff)...).mustData(t),
			"productVariant", "product", "id")
		noUserErrors(t, payloadOf(t, srv, staff, "productVariantsBulkUpdate",
			`mutation($p: ID!, $v: ID!) { productVariantsBulkUpdate(productId: $p, variants: [{id: $v, inventoryQuantity: 40}]) { userErrors { field code message } } }`,
			map[string]any{"p": pid, "v": vid}))
		d = srv.post(t, `query($v: ID!) { inventoryMovements(variantId: $v, last: 1) { nodes { delta quantityAfter reason reference } } }`,
			map[string]any{"v": vid}, as(staff)...).mustData(t)
		if n := at(d, "inventoryMovements", "nodes", 0); at(n, "delta") != 37.0 || at(n, "quantityAfter") != 40.0 ||
			at(n, "reason") != "CORRECTION" || at(n, "reference") != "product.update" {
			t.Errorf("catalog write's movement: %v", d)
		}
		r := importFile(t, srv, staff, "handle,title,sku,price,inventory\nledger-test,Ledger Test,LT-1,10.00,7\n", false)
		if at(r, "summary", "imported") != true {
			t.Fatalf("import: %v", r)
		}
		var movement struct {
			Delta     int
			Reason    string
			Reference string
		}
		if err := srv.store.DB(t.Context()).Table("inventory_movements m").Select("m.delta, m.reason, m.reference").
			Joins("JOIN product_variants v ON v.id = m.variant_id").Where("v.sku = ?", "LT-1").Take(&movement).Error; err != nil {
			t.Fatal(err)
		}
		if movement.Delta != 7 || movement.Reason != "INITIAL" || movement.Reference != "product.import" {
			t.Errorf("imported variant's movement: %+v", movement)
		}
		ledgerAddsUp(t, srv)
	})
}

// Racing staff writes through the API, on MariaDB and on SQLite: every
// request gets an answer (a change or the rule's user error, never an
// internal error), adjustments all apply, one key changes stock once, and
// one of many counts from one quantity wins.
func TestInventoryWritesUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		staff := staffToken(t, srv, model.RoleCatalogManager)
		vid, stock := stockedVariant(t, srv, staff)
		race := func(n int, fn func(i int) map[string]any) map[string]int {
			var mu sync.Mutex
			out := map[string]int{}
			var wg sync.WaitGroup
			start := make(chan struct{})
			for i := range n {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					p := fn(i)
					code, _ := userError(p)
					if errs, _ := p["userErrors"].([]any); len(errs) == 0 {
						code = "ok"
					}
					mu.Lock()
					out[code]++
					mu.Unlock()
				}()
			}
			close(start)
			wg.Wait()
			return out
		}
		post := func(field, q string, vars map[string]any) map[string]any {
			r := srv.post(t, q, vars, as(staff)...)
			if len(r.Errors) > 0 {
				t.Errorf("%s: %.300s", field, r.Raw)
				return map[string]any{}
			}
			p, _ := r.Data[field].(map[string]any)
			return p
		}

		got := race(50, func(i int) map[string]any {
			return post("inventoryAdjust", adjustMutation, map[string]any{"v": vid, "d": 1 - 2*(i%2), "r": "CORRECTION", "k": fmt.Sprintf("race-%d", i)})
		})
		if got["ok"] != 50 || onHand(t, srv, staff, vid) != stock {
			t.Errorf("±1 × 50: %v, stock %d, want %d", got, onHand(t, srv, staff, vid), stock)
		}
		moves := movementCount(t, srv)
		got = race(20, func(int) map[string]any {
			return post("inventoryAdjust", adjustMutation, map[string]any{"v": vid, "d": 5, "r": "RECEIVED", "k": "one-key"})
		})
		if got["ok"] != 20 || onHand(t, srv, staff, vid) != stock+5 || movementCount(t, srv) != moves+1 {
			t.Errorf("one key × 20: %v, stock %d, %d new movements", got, onHand(t, srv, staff, vid), movementCount(t, srv)-moves)
		}
		got = race(20, func(i int) map[string]any {
			return post("inventorySet", setMutation, map[string]any{"v": vid, "q": 100 + i, "c": stock + 5})
		})
		if got["ok"] != 1 || got["STOCK_CHANGED"] != 19 {
			t.Errorf("20 counts from one quantity: %v", got)
		}
		ledgerAddsUp(t, srv)
		if strings.Contains(srv.logs.String(), "database is locked") {
			t.Error("the log mentions a locked database")
		}
	})
}

// The ledger's list costs the same statements for 3 movements as for 30,
// their variants and products included.
func TestInventoryMovementsStatementsFlat(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		staff := staffToken(t, srv, model.RoleOwner)
		q := `query($n: Int!) { inventoryMovements(first: $n) { edges { cursor node { id delta reason
			productVariant { sku inventory { onHand } product { title } } } } } }`
		counts := map[int]int{}
		// The fewest of three, as in TestCartStatementsDoNotGrowWithLines:
		// on a loaded machine a loader's batch can split in two.
		for _, n := range []int{3, 30} {
			counts[n] = 1 << 30
			for range 3 {
				before := srv.statements()
				d := srv.post(t, q, map[string]any{"n": n}, as(staff)...).mustData(t)
				if edges, _ := at(d, "inventoryMovements", "edges").([]any); len(edges) != n {
					t.Fatalf("%d movements, want %d", len(edges), n)
				}
				counts[n] = min(counts[n], srv.statements()-before)
			}
		}
		if counts[3] != counts[30] {
			t.Errorf("%d statements for 3 movements, %d for 30", counts[3], counts[30])
		}
	})
}
