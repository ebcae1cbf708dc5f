package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

var staffSeq atomic.Int64

// staffToken adds a staff member with role to srv's database and signs
// them in. The server must hash passwords cheaply (accountEnv).
func staffToken(t *testing.T, srv *testServer, role model.Role) string {
	t.Helper()
	accounts := auth.New(srv.store, auth.Config{Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}})
	email := fmt.Sprintf("staff%d@example.com", staffSeq.Add(1))
	if _, err := accounts.CreateStaff(t.Context(), email, "Staff "+string(role), role, "a long staff password"); err != nil {
		t.Fatal(err)
	}
	return signIn(t, srv, "staffAccessTokenCreate", email, "a long staff password")
}

// partnerKey creates a partner API key with scopes, made by owner.
func partnerKey(t *testing.T, srv *testServer, owner string, scopes ...string) string {
	t.Helper()
	d := srv.post(t, `mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { secret userErrors { code } } }`,
		map[string]any{"i": map[string]any{"name": "partner " + strings.Join(scopes, " "), "scopes": scopes}}, as(owner)...).mustData(t)
	secret, _ := at(d, "apiKeyCreate", "secret").(string)
	if secret == "" {
		t.Fatalf("apiKeyCreate: %v", d)
	}
	return secret
}

// callers are the kinds of caller the catalog admin tests use.
type callers struct {
	owner, catalog, support, customer, readKey, manageKey string
}

func catalogCallers(t *testing.T, srv *testServer) callers {
	t.Helper()
	c := callers{owner: staffToken(t, srv, model.RoleOwner), catalog: staffToken(t, srv, model.RoleCatalogManager),
		support: staffToken(t, srv, model.RoleSupport)}
	signUp(t, srv, "shopper@example.com", "correct horse battery")
	c.customer = signIn(t, srv, "customerAccessTokenCreate", "shopper@example.com", "correct horse battery")
	c.readKey = partnerKey(t, srv, c.owner, "READ_PRODUCTS")
	c.manageKey = partnerKey(t, srv, c.owner, "MANAGE_PRODUCTS")
	return c
}

// payloadOf runs a mutation as token and returns its payload, failing on
// top-level errors.
func payloadOf(t *testing.T, srv *testServer, token, field, query string, vars map[string]any) map[string]any {
	t.Helper()
	d := srv.post(t, query, vars, as(token)...).mustData(t)
	p, _ := d[field].(map[string]any)
	if p == nil {
		t.Fatalf("%s: no payload in %v", field, d)
	}
	return p
}

// noUserErrors fails the test when the payload has user errors.
func noUserErrors(t *testing.T, p map[string]any) {
	t.Helper()
	if errs, _ := p["userErrors"].([]any); len(errs) > 0 {
		t.Fatalf("userErrors: %v", errs)
	}
}

// userError returns the code and dotted field of the payload's only user error.
func userError(p map[string]any) (code, field string) {
	errs, _ := p["userErrors"].([]any)
	if len(errs) != 1 {
		return fmt.Sprintf("%d errors: %v", len(errs), errs), ""
	}
	var parts []string
	if f, ok := at(errs[0], "field").([]any); ok {
		for _, x := range f {
			parts = append(parts, fmt.Sprint(x))
		}
	}
	return fmt.Sprint(at(errs[0], "code")), strings.Join(parts, ".")
}

const productFields = `id handle title status tags priceRange { minVariantPrice { amount } maxVariantPrice { amount } }
	category { handle } options { id name values } images { id url altText }
	variants(first: 20) { nodes { id sku title price { amount } compareAtPrice { amount } quantityAvailable weight selectedOptions { name value } } }`

const createProduct = `mutation($i: ProductInput!) { productCreate(input: $i) { product { ` + productFields + ` } userErrors { field code message } } }`

// teapot is a valid productCreate input.
func teapot(categoryID string) map[string]any {
	return map[string]any{
		"title": "Celadon Teapot", "titleTh": "กาน้ำชาเซลาดอน", "categoryId": categoryID,
		"description": "Hand-thrown in Chiang Mai and glazed jade green.", "tags": []string{"Handmade", "ceramic"},
		"variants": []map[string]any{
			{"sku": "TP-S", "price": "890.00", "compareAtPrice": "990.00", "inventoryQuantity": 5, "weight": 0.6, "weightUnit": "KILOGRAMS",
				"selectedOptions": []map[string]any{{"name": "Size", "value": "Small"}}},
			{"sku": "TP-L", "price": "1290.50", "selectedOptions": []map[string]any{{"name": "Size", "value": "Large"}}},
		},
		"images": []map[string]any{{"url": "https://cdn.example.com/teapot.jpg", "altText": "A jade teapot"}},
	}
}

func categoryID(t *testing.T, srv *testServer, handle string) string {
	t.Helper()
	id, _ := at(srv.post(t, `query($h: String!) { category(handle: $h) { id } }`, map[string]any{"h": handle}).mustData(t), "category", "id").(string)
	if id == "" {
		t.Fatalf("no category %s", handle)
	}
	return id
}

// Every catalog write and staff read is refused to whoever lacks the
// permission, before anything runs: no data, no change, no audit entry.
func TestCatalogAdminIsForItsPermissionsOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		product := at(srv.post(t, `{ products(first: 1) { nodes { id variants(first: 1) { nodes { id } } } } }`, nil).mustData(t), "products", "nodes", 0)
		pid, vid := at(product, "id").(string), at(product, "variants", "nodes", 0, "id").(string)
		cid := categoryID(t, srv, "tea")
		writes := map[string]struct {
			q    string
			vars map[string]any
		}{
			"productCreate":             {createProduct, map[string]any{"i": teapot(cid)}},
			"productUpdate":             {`mutation($id: ID!) { productUpdate(id: $id, input: {title: "x"}) { userErrors { code } } }`, map[string]any{"id": pid}},
			"productDelete":             {`mutation($id: ID!) { productDelete(id: $id) { userErrors { code } } }`, map[string]any{"id": pid}},
			"productVariantsBulkCreate": {`mutation($id: ID!) { productVariantsBulkCreate(productId: $id, variants: [{price: "1.00"}]) { userErrors { code } } }`, map[string]any{"id": pid}},
			"productVariantsBulkUpdate": {`mutation($id: ID!, $v: ID!) { productVariantsBulkUpdate(productId: $id, variants: [{id: $v, price: "1.00"}]) { userErrors { code } } }`, map[string]any{"id": pid, "v": vid}},
			"productVariantsBulkDelete": {`mutation($id: ID!, $v: ID!) { productVariantsBulkDelete(productId: $id, variantsIds: [$v]) { userErrors { code } } }`, map[string]any{"id": pid, "v": vid}},
			"productImagesCreate":       {`mutation($id: ID!) { productImagesCreate(productId: $id, images: [{url: "https://cdn.example.com/x.jpg"}]) { userErrors { code } } }`, map[string]any{"id": pid}},
			"tagsAdd":                   {`mutation($id: ID!) { tagsAdd(id: $id, tags: ["x"]) { userErrors { code } } }`, map[string]any{"id": pid}},
			"categoryCreate":            {`mutation { categoryCreate(input: {name: "Teaware"}) { userErrors { code } } }`, nil},
			"categoryMove":              {`mutation($id: ID!) { categoryMove(id: $id) { userErrors { code } } }`, map[string]any{"id": cid}},
			"categoryDelete":            {`mutation($id: ID!) { categoryDelete(id: $id) { userErrors { code } } }`, map[string]any{"id": cid}},
		}
		reads := map[string]string{
			"adminProducts": `{ adminProducts(first: 5) { nodes { id } } }`,
			"adminProduct":  `{ adminProduct(handle: "linen-shirt") { id } }`,
			"productExport": `{ productExport { rowCount } }`,
		}
		before := auditCount(t, srv, c.owner)
		for name, w := range writes {
			for who, token := range map[string]string{"anonymous": "", "customer": c.customer, "support staff": c.support, "read-only key": c.readKey} {
				want := "FORBIDDEN"
				if who == "anonymous" {
					want = "UNAUTHENTICATED"
				}
				r := srv.post(t, w.q, w.vars, as(token)...)
				if len(r.Errors) == 0 || r.Errors[0].Code() != want || r.Data[name] != nil {
					t.Errorf("%s by %s: %d %s", name, who, r.Status, r.Raw)
				}
			}
		}
		// productImport: refused before its file is looked at, whether the
		// file comes as an upload or (wrongly) as a string in JSON.
		upload := []byte("handle,title,sku,price\nrefused,Refused,RF-1,1.00\n")
		for who, token := range map[string]string{"anonymous": "", "customer": c.customer, "support staff": c.support, "read-only key": c.readKey} {
			want := "FORBIDDEN"
			if who == "anonymous" {
				want = "UNAUTHENTICATED"
			}
			r := srv.do(t, multipartRequest(t, srv.URL, importMutation, map[string]any{"f": nil}, `{"0": ["variables.f"]}`, upload,
				append(as(token), "GraphQL-Require-Preflight", "1")...))
			j := srv.post(t, importMutation, map[string]any{"f": "products.csv"}, as(token)...)
			for _, r := range []gqlResponse{r, j} {
				if len(r.Errors) == 0 || r.Errors[0].Code() != want || r.Data["productImport"] != nil {
					t.Errorf("productImport by %s: %d %s", who, r.Status, r.Raw)
				}
			}
		}
		if p := payloadOf(t, srv, c.catalog, "productImport", importMutation, map[string]any{"f": "products.csv"}); fmt.Sprint(userErrorCodes(p)) != "[INVALID]" ||
			fmt.Sprint(at(p, "userErrors", 0, "field")) != "[file]" {
			t.Errorf("a file sent as a string: %v", p)
		}
		for name, q := range reads {
			for who, token := range map[string]string{"anonymous": "", "customer": c.customer} {
				r := srv.post(t, q, nil, as(token)...)
				if len(r.Errors) == 0 || r.Data[name] != nil {
					t.Errorf("%s by %s: %s", name, who, r.Raw)
				}
			}
			for who, token := range map[string]string{"support staff": c.support, "read-only key": c.readKey} {
				if r := srv.post(t, q, nil, as(token)...); len(r.Errors) > 0 {
					t.Errorf("%s by %s: %s", name, who, r.Raw)
				}
			}
		}
		if n := auditCount(t, srv, c.owner); n != before {
			t.Errorf("refused writes left %d audit entries", n-before)
		}
		if d := srv.post(t, `query($id: ID!) { node(id: $id) { ... on Product { title } } }`, map[string]any{"id": pid}).mustData(t); at(d, "node", "title") == "x" {
			t.Error("a refused update changed the product")
		}

		// Product.status is for staff: the storefront gets null and an error
		// at the field, and the rest of its answer.
		r := srv.post(t, `{ products(first: 2) { nodes { handle status } } }`, nil)
		if len(r.Errors) != 2 || r.Errors[0].Code() != "UNAUTHENTICATED" || at(r.Data, "products", "nodes", 0, "handle") == nil ||
			at(r.Data, "products", "nodes", 0, "status") != nil {
			t.Errorf("status for the storefront: %s", r.Raw)
		}
		if d := srv.post(t, `{ products(first: 1) { nodes { status } } }`, nil, as(c.readKey)...).mustData(t); at(d, "products", "nodes", 0, "status") != "ACTIVE" {
			t.Errorf("status for a key that may read products: %v", d)
		}
	})
}

func auditCount(t *testing.T, srv *testServer, owner string) int {
	t.Helper()
	var n int64
	if err := srv.store.DB(t.Context()).Table("audit_log").Count(&n).Error; err != nil {
		t.Fatal(err)
	}
	return int(n)
}

// auditActions returns the actions of the audit log's entries about the
// objects of type typ, oldest first.
func auditActions(t *testing.T, srv *testServer, owner, objectID string) []string {
	t.Helper()
	d := srv.post(t, `query($id: ID!) { auditLog(first: 100, filter: {objectId: $id}) { nodes { action actorKind } } }`,
		map[string]any{"id": objectID}, as(owner)...).mustData(t)
	var out []string
	for _, e := range at(d, "auditLog", "nodes").([]any) {
		out = append(out, at(e, "action").(string))
	}
	return out
}

// A product from creation to archive: the next read (storefront and staff)
// shows every write, search and the tag filter included, and the audit log
// has each one.
func TestProductLifecycle(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		p := payloadOf(t, srv, c.catalog, "productCreate", createProduct, map[string]any{"i": teapot(categoryID(t, srv, "tableware"))})
		noUserErrors(t, p)
		prod := p["product"].(map[string]any)
		pid := prod["id"].(string)
		if prod["handle"] != "celadon-teapot" || prod["status"] != "DRAFT" || at(prod, "priceRange", "minVariantPrice", "amount") != "890.00" ||
			at(prod, "priceRange", "maxVariantPrice", "amount") != "1290.50" || at(prod, "category", "handle") != "tableware" ||
			fmt.Sprint(at(prod, "options", 0, "values")) != "[Small Large]" || at(prod, "variants", "nodes", 1, "title") != "Large" ||
			at(prod, "variants", "nodes", 0, "weight") != float64(600) || at(prod, "images", 0, "altText") != "A jade teapot" ||
			fmt.Sprint(prod["tags"]) != "[Handmade ceramic]" {
			t.Fatalf("created: %v", prod)
		}

		// A draft: invisible to the storefront on every path, visible to staff.
		storefront := func(q string, vars map[string]any) map[string]any {
			t.Helper()
			return srv.post(t, q, vars).mustData(t)
		}
		search := func(query string, token string) []string {
			t.Helper()
			d := srv.post(t, `query($q: String!) { products(first: 10, filter: {query: $q}) { nodes { handle } } }`,
				map[string]any{"q": query}, as(token)...).mustData(t)
			var out []string
			for _, n := range at(d, "products", "nodes").([]any) {
				out = append(out, at(n, "handle").(string))
			}
			return out
		}
		if d := storefront(`{ product(handle: "celadon-teapot") { id } }`, nil); d["product"] != nil {
			t.Errorf("a draft in the storefront: %v", d)
		}
		if d := storefront(`query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": pid}); d["node"] != nil {
			t.Errorf("a draft by node: %v", d)
		}
		if got := search("jade", ""); len(got) != 0 {
			t.Errorf("a draft in search: %v", got)
		}
		staff := srv.post(t, `query($id: ID!) { node(id: $id) { ... on Product { status } } adminProducts(first: 5, filter: {status: DRAFT, query: "jade"}) { totalCount nodes { handle } } }`,
			map[string]any{"id": pid}, as(c.support)...).mustData(t)
		if at(staff, "node", "status") != "DRAFT" || at(staff, "adminProducts", "totalCount") != float64(1) ||
			at(staff, "adminProducts", "nodes", 0, "handle") != "celadon-teapot" {
			t.Errorf("staff reading the draft: %v", staff)
		}

		// Published with a new title: the next read finds it by its new
		// words, its tag (in any case) and its category.
		upd := `mutation($id: ID!, $i: ProductInput!) { productUpdate(id: $id, input: $i) { product { title status } userErrors { field code } } }`
		p = payloadOf(t, srv, c.catalog, "productUpdate", upd, map[string]any{"id": pid,
			"i": map[string]any{"status": "ACTIVE", "title": "Sukhothai Celadon Teapot", "description": "Glazed sea green."}})
		noUserErrors(t, p)
		if got := search("sukhothai", ""); !slices.Equal(got, []string{"celadon-teapot"}) {
			t.Errorf("search by the new title: %v", got)
		}
		if got := search("jade", ""); len(got) != 0 {
			t.Errorf("search by the old description: %v", got)
		}
		if got := search("กาน้ำชา", ""); !slices.Equal(got, []string{"celadon-teapot"}) {
			t.Errorf("search by the Thai title: %v", got)
		}
		d := storefront(`{ products(first: 10, filter: {tag: "HANDMADE", price: {min: "1000.00"}}) { nodes { handle } }
			category(handle: "tableware") { products(first: 50) { nodes { handle } } } }`, nil)
		var inCategory []string
		for _, n := range at(d, "category", "products", "nodes").([]any) {
			inCategory = append(inCategory, at(n, "handle").(string))
		}
		if !slices.Contains(inCategory, "celadon-teapot") || at(d, "products", "nodes", 0, "handle") == nil {
			t.Errorf("tag, price and category after publishing: %v", d)
		}
		byTag := storefront(`{ products(first: 10, filter: {tag: "handmade"}) { nodes { handle } } }`, nil)
		if !strings.Contains(fmt.Sprint(byTag), "celadon-teapot") {
			t.Errorf("tag filter: %v", byTag)
		}
		// The Thai title is read in Thai.
		if d := srv.post(t, `{ product(handle: "celadon-teapot") { title } }`, nil, "Accept-Language", "th").mustData(t); at(d, "product", "title") != "กาน้ำชาเซลาดอน" {
			t.Errorf("Thai title: %v", d)
		}

		// Archived: gone from the storefront everywhere, kept for staff.
		del := `mutation($id: ID!) { productDelete(id: $id) { deletedProductId product { status } userErrors { code } } }`
		p = payloadOf(t, srv, c.catalog, "productDelete", del, map[string]any{"id": pid})
		if p["deletedProductId"] != pid || at(p, "product", "status") != "ARCHIVED" {
			t.Errorf("productDelete: %v", p)
		}
		vid := at(prod, "variants", "nodes", 0, "id").(string)
		if d := storefront(`query($id: ID!, $v: ID!) { product(handle: "celadon-teapot") { id } node(id: $id) { id } productVariant(id: $v) { id } }`,
			map[string]any{"id": pid, "v": vid}); d["product"] != nil || d["node"] != nil || d["productVariant"] != nil {
			t.Errorf("archived in the storefront: %v", d)
		}
		if got := search("sukhothai", ""); len(got) != 0 {
			t.Errorf("archived in search: %v", got)
		}
		if d := srv.post(t, `query($v: ID!) { productVariant(id: $v) { product { status } } adminProducts(first: 5, filter: {status: ARCHIVED, query: "sukhothai"}) { nodes { handle } } }`,
			map[string]any{"v": vid}, as(c.owner)...).mustData(t); at(d, "productVariant", "product", "status") != "ARCHIVED" ||
			at(d, "adminProducts", "nodes", 0, "handle") != "celadon-teapot" {
			t.Errorf("archived for staff: %v", d)
		}

		actions := auditActions(t, srv, c.owner, pid)
		if !slices.Equal(actions, []string{"product.create", "product.update", "product.delete"}) {
			t.Errorf("audit of the product: %v", actions)
		}
		if a := auditActions(t, srv, c.owner, vid); !slices.Equal(a, []string{"productVariant.create"}) {
			t.Errorf("audit of the variant: %v", a)
		}
		log := srv.post(t, `query($id: ID!) { auditLog(first: 5, filter: {objectId: $id}) { nodes { actorKind changes } } }`,
			map[string]any{"id": pid}, as(c.owner)...).mustData(t)
		if at(log, "auditLog", "nodes", 1, "actorKind") != "STAFF" ||
			!strings.Contains(at(log, "auditLog", "nodes", 1, "changes").(string), `"status":["DRAFT","ACTIVE"]`) {
			t.Errorf("audit entry of the update: %v", log)
		}
	})
}

// Each rule is refused with its code and the path of the input that broke
// it, and a refused mutation writes nothing.
func TestProductMutationsRefuseBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		cid := categoryID(t, srv, "tea")
		existing := at(srv.post(t, `{ product(handle: "linen-shirt") { id variants(first: 2) { nodes { id sku } } } }`, nil).mustData(t), "product")
		pid := at(existing, "id").(string)
		seedSKU := at(existing, "variants", "nodes", 0, "sku").(string)
		with := func(change func(i map[string]any)) map[string]any {
			i := teapot(cid)
			change(i)
			return map[string]any{"i": i}
		}
		variant := func(i map[string]any, n int) map[string]any { return i["variants"].([]map[string]any)[n] }
		bulkUpdate := `mutation($p: ID!, $v: [ProductVariantInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) { product { id } userErrors { field code message } } }`
		update := `mutation($id: ID!, $i: ProductInput!) { productUpdate(id: $id, input: $i) { product { id } userErrors { field code message } } }`
		for _, tc := range []struct {
			name, field, query string
			vars               map[string]any
			token              string
			code, path         string
		}{
			{"no title", "productCreate", createProduct, with(func(i map[string]any) { delete(i, "title") }), "", "BLANK", "input.title"},
			{"long title", "productCreate", createProduct, with(func(i map[string]any) { i["title"] = strings.Repeat("ช", 256) }), "", "TOO_LONG", "input.title"},
			{"bad handle", "productCreate", createProduct, with(func(i map[string]any) { i["handle"] = "Celadon Teapot" }), "", "INVALID", "input.handle"},
			{"taken handle", "productCreate", createProduct, with(func(i map[string]any) { i["handle"] = "linen-shirt" }), "", "TAKEN", "input.handle"},
			{"negative price", "productCreate", createProduct, with(func(i map[string]any) { variant(i, 1)["price"] = "-1.00" }), "", "INVALID", "input.variants.1.price"},
			{"three decimals", "productCreate", createProduct, with(func(i map[string]any) { variant(i, 0)["compareAtPrice"] = "1.005" }), "", "INVALID", "input.variants.0.compareAtPrice"},
			{"no price", "productCreate", createProduct, with(func(i map[string]any) { delete(variant(i, 1), "price") }), "", "BLANK", "input.variants.1.price"},
			{"two SKUs alike", "productCreate", createProduct, with(func(i map[string]any) { variant(i, 1)["sku"] = " tp-s" }), "", "TAKEN", "input.variants.1.sku"},
			{"another product's SKU", "productCreate", createProduct, with(func(i map[string]any) { variant(i, 0)["sku"] = strings.ToLower(seedSKU) }), "", "TAKEN", "input.variants.0.sku"},
			{"unknown category", "productCreate", createProduct, with(func(i map[string]any) { i["categoryId"] = model.EncodeGlobalID(model.TypeCategory, 9999) }), "", "NOT_FOUND", "input.categoryId"},
			{"not a category ID", "productCreate", createProduct, with(func(i map[string]any) { i["categoryId"] = pid }), "", "INVALID", "input.categoryId"},
			{"tags alike", "productCreate", createProduct, with(func(i map[string]any) { i["tags"] = []string{"Thai", "silk", " THAI"} }), "", "TAKEN", "input.tags.2"},
			{"tag with a comma", "productCreate", createProduct, with(func(i map[string]any) { i["tags"] = []string{"a,b"} }), "", "INVALID", "input.tags.0"},
			{"active without variants", "productCreate", createProduct, with(func(i map[string]any) { i["status"] = "ACTIVE"; delete(i, "variants") }), "", "INVALID", "input.status"},
			{"options differ", "productCreate", createProduct, with(func(i map[string]any) {
				variant(i, 1)["selectedOptions"] = []map[string]any{{"name": "Colour", "value": "Red"}}
			}), "", "INVALID", "input.variants.1.selectedOptions"},
			{"same options", "productCreate", createProduct, with(func(i map[string]any) {
				variant(i, 1)["selectedOptions"] = []map[string]any{{"name": "Size", "value": "Small"}}
			}), "", "TAKEN", "input.variants.1.selectedOptions"},
			{"bad image URL", "productCreate", createProduct, with(func(i map[string]any) { i["images"] = []map[string]any{{"url": "javascript:alert(1)"}} }), "", "INVALID", "input.images.0.url"},
			{"fraction of a gram", "productCreate", createProduct, with(func(i map[string]any) { variant(i, 0)["weight"] = 0.5; variant(i, 0)["weightUnit"] = "GRAMS" }), "", "INVALID", "input.variants.0.weight"},
			{"stock without MANAGE_INVENTORY", "productCreate", createProduct, with(func(i map[string]any) {}), "key", "FORBIDDEN", "input.variants.0.inventoryQuantity"},
			{"unknown product", "productUpdate", update, map[string]any{"id": model.EncodeGlobalID(model.TypeProduct, 9999), "i": map[string]any{"title": "x"}}, "", "NOT_FOUND", "id"},
			{"a variant of another product", "productVariantsBulkUpdate", bulkUpdate, map[string]any{"p": pid,
				"v": []map[string]any{{"id": model.EncodeGlobalID(model.TypeProductVariant, 1), "price": "1.00"}}}, "", "NOT_FOUND", "variants.0.id"},
			{"a blank variant SKU", "productVariantsBulkUpdate", bulkUpdate, map[string]any{"p": pid,
				"v": []map[string]any{{"id": at(existing, "variants", "nodes", 1, "id"), "sku": " "}}}, "", "BLANK", "variants.0.sku"},
			{"SKU of a sibling", "productVariantsBulkUpdate", bulkUpdate, map[string]any{"p": pid,
				"v": []map[string]any{{"id": at(existing, "variants", "nodes", 1, "id"), "sku": seedSKU}}}, "", "TAKEN", "variants.0.sku"},
		} {
			token := c.catalog
			if tc.token == "key" {
				token = c.manageKey
			}
			before := auditCount(t, srv, c.owner)
			p := payloadOf(t, srv, token, tc.field, tc.query, tc.vars)
			if code, path := userError(p); code != tc.code || path != tc.path {
				t.Errorf("%s: %s at %s, want %s at %s (%v)", tc.name, code, path, tc.code, tc.path, p["userErrors"])
			}
			if p["product"] != nil || auditCount(t, srv, c.owner) != before {
				t.Errorf("%s: wrote something: %v", tc.name, p)
			}
		}
		// The key may create products when it leaves the stock alone.
		p := payloadOf(t, srv, c.manageKey, "productCreate", createProduct, with(func(i map[string]any) { delete(variant(i, 0), "inventoryQuantity") }))
		noUserErrors(t, p)
		if d := srv.post(t, `{ auditLog(last: 1) { nodes { actorKind } } }`, nil, as(c.owner)...).mustData(t); at(d, "auditLog", "nodes", 0, "actorKind") != "PARTNER" {
			t.Errorf("a partner's write is audited as %v", d)
		}
	})
}

// Variants, options, images and tags each have their mutations; the
// product's price range and options follow the variants.
func TestVariantsOptionsImagesAndTags(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		p := payloadOf(t, srv, c.catalog, "productCreate", createProduct, map[string]any{"i": teapot(categoryID(t, srv, "tea"))})
		noUserErrors(t, p)
		pid := at(p, "product", "id").(string)
		small := at(p, "product", "variants", "nodes", 0, "id").(string)
		large := at(p, "product", "variants", "nodes", 1, "id").(string)
		run := func(field, q string, vars map[string]any) map[string]any {
			t.Helper()
			vars["p"] = pid
			p := payloadOf(t, srv, c.catalog, field, q, vars)
			noUserErrors(t, p)
			return p["product"].(map[string]any)
		}
		sel := `{ product { ` + productFields + ` } userErrors { field code message } }`

		prod := run("productVariantsBulkCreate", `mutation($p: ID!, $v: [ProductVariantInput!]!) { productVariantsBulkCreate(productId: $p, variants: $v) `+sel+` }`,
			map[string]any{"v": []map[string]any{{"sku": "TP-M", "price": "99.00", "selectedOptions": []map[string]any{{"name": "Size", "value": "Medium"}}}}})
		if at(prod, "priceRange", "minVariantPrice", "amount") != "99.00" || fmt.Sprint(at(prod, "options", 0, "values")) != "[Small Large Medium]" {
			t.Errorf("after adding a variant: %v", prod)
		}
		medium := at(prod, "variants", "nodes", 2, "id").(string)
		prod = run("productVariantsBulkUpdate", `mutation($p: ID!, $v: [ProductVariantInput!]!) { productVariantsBulkUpdate(productId: $p, variants: $v) `+sel+` }`,
			map[string]any{"v": []map[string]any{{"id": medium, "price": "1999.00", "compareAtPrice": nil}, {"id": small, "sku": nil}}})
		if at(prod, "priceRange", "minVariantPrice", "amount") != "890.00" || at(prod, "priceRange", "maxVariantPrice", "amount") != "1999.00" ||
			at(prod, "variants", "nodes", 0, "sku") != nil || at(prod, "variants", "nodes", 0, "compareAtPrice", "amount") != "990.00" {
			t.Errorf("after changing variants: %v", prod)
		}
		prod = run("productVariantsBulkDelete", `mutation($p: ID!, $v: [ID!]!) { productVariantsBulkDelete(productId: $p, variantsIds: $v) `+sel+` }`,
			map[string]any{"v": []string{medium}})
		if at(prod, "priceRange", "maxVariantPrice", "amount") != "1290.50" || fmt.Sprint(at(prod, "options", 0, "values")) != "[Small Large]" {
			t.Errorf("after deleting a variant: %v", prod)
		}

		// Renaming an option and a value, and reordering values: the
		// variants follow, with their titles.
		opt := at(prod, "options", 0, "id").(string)
		prod = run("productOptionUpdate", `mutation($p: ID!, $o: ProductOptionUpdateInput!) { productOptionUpdate(productId: $p, option: $o) `+sel+` }`,
			map[string]any{"o": map[string]any{"id": opt, "name": "Capacity", "values": []map[string]any{{"name": "Large", "newName": "1 litre"}, {"name": "Small"}}}})
		if at(prod, "options", 0, "name") != "Capacity" || fmt.Sprint(at(prod, "options", 0, "values")) != "[1 litre Small]" ||
			at(prod, "options", 0, "id") != opt || at(prod, "variants", "nodes", 1, "title") != "1 litre" ||
			fmt.Sprint(at(prod, "variants", "nodes", 1, "selectedOptions")) != "[map[name:Capacity value:1 litre]]" {
			t.Errorf("after renaming the option: %v", prod)
		}
		_ = large

		// Images by URL: added after the others, moved, deleted.
		prod = run("productImagesCreate", `mutation($p: ID!, $i: [ImageInput!]!) { productImagesCreate(productId: $p, images: $i) `+sel+` }`,
			map[string]any{"i": []map[string]any{{"url": "https://cdn.example.com/2.jpg"}, {"url": "https://cdn.example.com/3.jpg", "altText": "Lid"}}})
		var urls []string
		var imgIDs []string
		for _, im := range at(prod, "images").([]any) {
			urls = append(urls, at(im, "url").(string))
			imgIDs = append(imgIDs, at(im, "id").(string))
		}
		if len(urls) != 3 || urls[2] != "https://cdn.example.com/3.jpg" {
			t.Fatalf("images: %v", urls)
		}
		prod = run("productImagesReorder", `mutation($p: ID!, $m: [MoveInput!]!) { productImagesReorder(productId: $p, moves: $m) `+sel+` }`,
			map[string]any{"m": []map[string]any{{"id": imgIDs[2], "newPosition": 0}}})
		if at(prod, "images", 0, "altText") != "Lid" || at(prod, "images", 1, "id") != imgIDs[0] {
			t.Errorf("after moving an image: %v", at(prod, "images"))
		}
		prod = run("productImagesDelete", `mutation($p: ID!, $i: [ID!]!) { productImagesDelete(productId: $p, imageIds: $i) `+sel+` }`,
			map[string]any{"i": []string{imgIDs[0]}})
		if len(at(prod, "images").([]any)) != 2 {
			t.Errorf("after deleting an image: %v", at(prod, "images"))
		}

		// Tags: adding one it has (in another case) changes nothing; removing ignores case.
		tags := func(field, q string, tags []string) string {
			t.Helper()
			d := srv.post(t, q, map[string]any{"id": pid, "t": tags}, as(c.catalog)...).mustData(t)
			noUserErrors(t, d[field].(map[string]any))
			return fmt.Sprint(at(d, field, "node", "tags"))
		}
		if got := tags("tagsAdd", `mutation($id: ID!, $t: [String!]!) { tagsAdd(id: $id, tags: $t) { node { ... on Product { tags } } userErrors { code } } }`,
			[]string{"HANDMADE", "Teatime"}); got != "[Handmade Teatime ceramic]" {
			t.Errorf("tagsAdd: %s", got)
		}
		if got := tags("tagsRemove", `mutation($id: ID!, $t: [String!]!) { tagsRemove(id: $id, tags: $t) { node { ... on Product { tags } } userErrors { code } } }`,
			[]string{"CERAMIC"}); got != "[Handmade Teatime]" {
			t.Errorf("tagsRemove: %s", got)
		}
		if got := srv.post(t, `{ products(first: 5, filter: {tag: "teatime"}) { totalCount } }`, nil, as(c.owner)...).mustData(t); at(got, "products", "totalCount") != float64(0) {
			t.Errorf("a draft's tag in the storefront: %v", got)
		}

		// productUpdate with variants is the whole list: the one left out goes.
		upd := `mutation($id: ID!, $i: ProductInput!) { productUpdate(id: $id, input: $i) ` + sel + ` }`
		p = payloadOf(t, srv, c.catalog, "productUpdate", upd, map[string]any{"id": pid, "i": map[string]any{
			"variants": []map[string]any{{"id": small, "price": "500.00"}}, "categoryId": nil}})
		noUserErrors(t, p)
		if n := len(at(p, "product", "variants", "nodes").([]any)); n != 1 || at(p, "product", "category") != nil ||
			at(p, "product", "priceRange", "maxVariantPrice", "amount") != "500.00" {
			t.Errorf("productUpdate with one variant left: %v", p)
		}
	})
}

// Categories: created, renamed, moved with what is below them (never
// under themselves), deleted only when empty; the storefront's tree and
// category product lists follow.
func TestCategoryManagement(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		create := `mutation($i: CategoryCreateInput!) { categoryCreate(input: $i) { category { id handle name depth: ancestors { handle } } userErrors { field code } } }`
		mk := func(name string, parent any) string {
			t.Helper()
			p := payloadOf(t, srv, c.catalog, "categoryCreate", create, map[string]any{"i": map[string]any{"name": name, "parentId": parent}})
			noUserErrors(t, p)
			return at(p, "category", "id").(string)
		}
		teaware := mk("Teaware", nil)
		pots := mk("Teapots", teaware)
		clay := mk("Clay Teapots", pots)
		if d := srv.post(t, `{ category(handle: "clay-teapots") { ancestors { handle } } }`, nil).mustData(t); fmt.Sprint(at(d, "category", "ancestors")) != "[map[handle:teaware] map[handle:teapots]]" {
			t.Errorf("ancestors: %v", d)
		}
		p := payloadOf(t, srv, c.catalog, "categoryCreate", create, map[string]any{"i": map[string]any{"name": "Teapots!", "handle": "teapots"}})
		if code, field := userError(p); code != "TAKEN" || field != "input.handle" {
			t.Errorf("a taken category handle: %v", p)
		}
		// A product filed under the deepest category.
		prod := teapot(clay)
		p = payloadOf(t, srv, c.catalog, "productCreate", createProduct, map[string]any{"i": prod})
		noUserErrors(t, p)
		pid := at(p, "product", "id").(string)
		payloadOf(t, srv, c.catalog, "productUpdate", `mutation($id: ID!) { productUpdate(id: $id, input: {status: ACTIVE}) { userErrors { code } } }`, map[string]any{"id": pid})

		move := `mutation($id: ID!, $to: ID, $pos: Int) { categoryMove(id: $id, parentId: $to, position: $pos) { category { handle parent { handle } } userErrors { field code message } } }`
		for _, tc := range []struct{ id, to string }{{teaware, clay}, {teaware, teaware}, {pots, clay}} {
			p := payloadOf(t, srv, c.catalog, "categoryMove", move, map[string]any{"id": tc.id, "to": tc.to})
			if code, field := userError(p); code != "INVALID" || field != "parentId" {
				t.Errorf("a move making a cycle: %v", p)
			}
		}
		// Teapots (with Clay Teapots below) moves under Tea: the product now
		// lists under Tea and Food & Drink, no more under Teaware.
		tea := categoryID(t, srv, "tea")
		p = payloadOf(t, srv, c.catalog, "categoryMove", move, map[string]any{"id": pots, "to": tea, "pos": 0})
		noUserErrors(t, p)
		d := srv.post(t, `{ clay: category(handle: "clay-teapots") { ancestors { handle } }
			food: category(handle: "food-drink") { products(first: 50) { nodes { handle } } }
			teaware: category(handle: "teaware") { products(first: 5) { totalCount } children { handle } } }`, nil).mustData(t)
		if fmt.Sprint(at(d, "clay", "ancestors")) != "[map[handle:food-drink] map[handle:tea] map[handle:teapots]]" ||
			!strings.Contains(fmt.Sprint(at(d, "food")), "celadon-teapot") || at(d, "teaware", "products", "totalCount") != float64(0) ||
			len(at(d, "teaware", "children").([]any)) != 0 {
			t.Errorf("after the move: %v", d)
		}
		// To the root and back.
		p = payloadOf(t, srv, c.catalog, "categoryMove", move, map[string]any{"id": pots})
		noUserErrors(t, p)
		if at(p, "category", "parent") != nil {
			t.Errorf("moved to the root: %v", p)
		}

		upd := `mutation($id: ID!, $i: CategoryUpdateInput!) { categoryUpdate(id: $id, input: $i) { category { handle name } userErrors { field code } } }`
		p = payloadOf(t, srv, c.catalog, "categoryUpdate", upd, map[string]any{"id": pots, "i": map[string]any{"name": "Pots", "nameTh": "กาน้ำ", "handle": "pots"}})
		noUserErrors(t, p)
		if d := srv.post(t, `{ category(handle: "pots") { name } }`, nil, "Accept-Language", "th").mustData(t); at(d, "category", "name") != "กาน้ำ" {
			t.Errorf("renamed category: %v", d)
		}

		del := `mutation($id: ID!) { categoryDelete(id: $id) { deletedCategoryId userErrors { field code } } }`
		for _, id := range []string{pots, clay} {
			p := payloadOf(t, srv, c.catalog, "categoryDelete", del, map[string]any{"id": id})
			if code, field := userError(p); code != "IN_USE" || field != "id" {
				t.Errorf("deleting a category in use: %v", p)
			}
		}
		p = payloadOf(t, srv, c.catalog, "categoryDelete", del, map[string]any{"id": teaware})
		noUserErrors(t, p)
		if d := srv.post(t, `{ category(handle: "teaware") { id } }`, nil).mustData(t); d["category"] != nil {
			t.Errorf("a deleted category: %v", d)
		}
		if a := auditActions(t, srv, c.owner, pots); !slices.Equal(a, []string{"category.create", "category.move", "category.move", "category.update"}) {
			t.Errorf("audit of a category: %v", a)
		}
	})
}

// Many staff creating one handle, or one SKU, at once: exactly one wins,
// the others are told the value is TAKEN, and the catalog holds one.
func TestHandleAndSKURacesHaveOneWinner(t *testing.T) {
	b := storetest.RequireMySQL(t)
	srv := newTestServer(t, b, 0, accountEnv)
	token := staffToken(t, srv, model.RoleCatalogManager)
	for _, race := range []struct {
		name  string
		input func(i int) map[string]any
		field string
	}{
		{"handle", func(i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("Racer %d", i), "handle": "racer",
				"variants": []map[string]any{{"sku": fmt.Sprintf("RACE-H-%d", i), "price": "10.00"}}}
		}, "input.handle"},
		{"SKU", func(i int) map[string]any {
			return map[string]any{"title": fmt.Sprintf("Sku Racer %d", i),
				"variants": []map[string]any{{"sku": "RACE-SKU", "price": "10.00"}}}
		}, "input.variants.0.sku"},
	} {
		const n = 16
		var wg sync.WaitGroup
		results := make([]gqlResponse, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = srv.send(`mutation($i: ProductInput!) { productCreate(input: $i) { product { id } userErrors { field code } } }`,
					map[string]any{"i": race.input(i)}, as(token)...)
			}()
		}
		wg.Wait()
		won := 0
		for i, r := range results {
			if errs[i] != nil || len(r.Errors) > 0 {
				t.Fatalf("%s race: %v %s", race.name, errs[i], r.Raw)
			}
			p := r.Data["productCreate"].(map[string]any)
			if p["product"] != nil {
				won++
				continue
			}
			if code, field := userError(p); code != "TAKEN" || field != race.field {
				t.Errorf("%s race loser: %v", race.name, p)
			}
		}
		if won != 1 {
			t.Errorf("%s race: %d winners", race.name, won)
		}
	}
	var handles, skus int64
	db := srv.store.DB(t.Context())
	if err := db.Table("products").Where("handle = ?", "racer").Count(&handles).Error; err != nil {
		t.Fatal(err)
	}
	if err := db.Table("product_variants").Where("sku_key = ?", "race-sku").Count(&skus).Error; err != nil {
		t.Fatal(err)
	}
	if handles != 1 || skus != 1 {
		t.Errorf("%d products with the handle, %d variants with the SKU", handles, skus)
	}
	// Handles made from one title by many at once are all different.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r, err := srv.send(`mutation { productCreate(input: {title: "Same Title"}) { product { handle } userErrors { code } } }`, nil, as(token)...)
			if err != nil || len(r.Errors) > 0 || at(r.Data, "productCreate", "product", "handle") == nil {
				t.Errorf("same title: %v %s", err, r.Raw)
			}
		}()
	}
	wg.Wait()
	var made []string
	if err := db.Table("products").Where("handle LIKE ?", "same-title%").Pluck("handle", &made).Error; err != nil {
		t.Fatal(err)
	}
	if len(made) != 8 || len(slices.Compact(slices.Sorted(slices.Values(made)))) != 8 {
		t.Errorf("handles made from one title: %v", made)
	}
	_ = http.StatusOK
}

// The mutations on a product's parts and on categories refuse bad input
// the same way: a code, the path of the input, and nothing written.
func TestPartMutationsRefuseBadInput(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		d := srv.post(t, `{ product(handle: "linen-shirt") { id options { id values } images { id } } }`, nil).mustData(t)
		pid := at(d, "product", "id").(string)
		opt := at(d, "product", "options", 0, "id").(string)
		img := at(d, "product", "images", 0, "id").(string)
		otherImg := at(srv.post(t, `{ product(handle: "batik-shirt") { images { id } } }`, nil).mustData(t), "product", "images", 0, "id")
		tea := categoryID(t, srv, "tea")
		sel := `{ userErrors { field code message } }`
		for _, tc := range []struct {
			name, field, query string
			vars               map[string]any
			code, path         string
		}{
			{"an image of another product", "productImagesDelete", `mutation($p: ID!, $i: [ID!]!) { productImagesDelete(productId: $p, imageIds: $i) ` + sel + ` }`,
				map[string]any{"p": pid, "i": []any{img, otherImg}}, "NOT_FOUND", "imageIds.1"},
			{"a move past the end", "productImagesReorder", `mutation($p: ID!, $m: [MoveInput!]!) { productImagesReorder(productId: $p, moves: $m) ` + sel + ` }`,
				map[string]any{"p": pid, "m": []map[string]any{{"id": img, "newPosition": 99}}}, "INVALID", "moves.0.newPosition"},
			{"a relative image URL", "productImagesCreate", `mutation($p: ID!, $i: [ImageInput!]!) { productImagesCreate(productId: $p, images: $i) ` + sel + ` }`,
				map[string]any{"p": pid, "i": []map[string]any{{"url": "https://cdn.example.com/ok.jpg"}, {"url": "/img/2.jpg"}}}, "INVALID", "images.1.url"},
			{"values not each once", "productOptionUpdate", `mutation($p: ID!, $o: ProductOptionUpdateInput!) { productOptionUpdate(productId: $p, option: $o) ` + sel + ` }`,
				map[string]any{"p": pid, "o": map[string]any{"id": opt, "values": []map[string]any{{"name": "S"}}}}, "INVALID", "option.values"},
			{"a value renamed onto another", "productOptionUpdate", `mutation($p: ID!, $o: ProductOptionUpdateInput!) { productOptionUpdate(productId: $p, option: $o) ` + sel + ` }`,
				map[string]any{"p": pid, "o": map[string]any{"id": opt, "values": []map[string]any{{"name": "S", "newName": "M"}, {"name": "M"}, {"name": "L"}, {"name": "XL"}}}},
				"TAKEN", "option.values.1.newName"},
			{"an option of another product", "productOptionUpdate", `mutation($p: ID!, $o: ProductOptionUpdateInput!) { productOptionUpdate(productId: $p, option: $o) ` + sel + ` }`,
				map[string]any{"p": pid, "o": map[string]any{"id": model.EncodeGlobalID(model.TypeProductOption, 9999), "name": "X"}}, "NOT_FOUND", "option.id"},
			{"a tag with a comma", "tagsAdd", `mutation($p: ID!) { tagsAdd(id: $p, tags: ["ok", "a,b"]) ` + sel + ` }`,
				map[string]any{"p": pid}, "INVALID", "tags.1"},
			{"an unknown parent", "categoryCreate", `mutation($p: ID!) { categoryCreate(input: {name: "X", parentId: $p}) ` + sel + ` }`,
				map[string]any{"p": model.EncodeGlobalID(model.TypeCategory, 9999)}, "NOT_FOUND", "input.parentId"},
			{"a blank category name", "categoryCreate", `mutation { categoryCreate(input: {name: "  "}) ` + sel + ` }`,
				map[string]any{}, "BLANK", "input.name"},
			{"a bad category handle", "categoryUpdate", `mutation($id: ID!) { categoryUpdate(id: $id, input: {handle: "Tea Leaves"}) ` + sel + ` }`,
				map[string]any{"id": tea}, "INVALID", "input.handle"},
			{"a taken category handle", "categoryUpdate", `mutation($id: ID!) { categoryUpdate(id: $id, input: {handle: "coffee"}) ` + sel + ` }`,
				map[string]any{"id": tea}, "TAKEN", "input.handle"},
			{"an unknown category", "categoryMove", `mutation($id: ID!) { categoryMove(id: $id) ` + sel + ` }`,
				map[string]any{"id": model.EncodeGlobalID(model.TypeCategory, 9999)}, "NOT_FOUND", "id"},
			{"not a product ID", "productVariantsBulkDelete", `mutation($p: ID!) { productVariantsBulkDelete(productId: $p, variantsIds: []) ` + sel + ` }`,
				map[string]any{"p": tea}, "INVALID", "productId"},
		} {
			before := auditCount(t, srv, c.owner)
			p := payloadOf(t, srv, c.catalog, tc.field, tc.query, tc.vars)
			if code, path := userError(p); code != tc.code || path != tc.path {
				t.Errorf("%s: %s at %s, want %s at %s (%v)", tc.name, code, path, tc.code, tc.path, p["userErrors"])
			}
			if auditCount(t, srv, c.owner) != before {
				t.Errorf("%s: wrote something", tc.name)
			}
		}
		if d := srv.post(t, `{ product(handle: "linen-shirt") { images { id } tags } }`, nil).mustData(t); len(at(d, "product", "images").([]any)) != 3 ||
			slices.Contains(toStrings(at(d, "product", "tags")), "ok") {
			t.Errorf("refused writes changed the product: %v", d)
		}
	})
}
