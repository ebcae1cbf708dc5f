package main

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// storefrontPageQuery is the storefront's product grid: the query the
// benchmarks drive and the SQL-count test checks.
const storefrontPageQuery = `query StorefrontPage($first: Int!) {
  products(first: $first) { edges { node {
    category { name }
    images { url }
    variants(first: 10) { edges { node { sku price { amount } quantityAvailable } } }
  } } }
}`

// StorefrontPageStatements is the number of SQL statements the storefront
// page query costs, whatever the page size: the product page, then one
// batched query each for categories, images and variants. The README
// states this number.
const storefrontPageStatements = 4

// The number of SQL statements per request must not grow with the number of
// items returned: every relation goes through a batching dataloader.
func TestStatementsPerRequestDoNotGrowWithItems(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 120, nil)
		count := func(first int) int {
			before := srv.statements()
			r := srv.post(t, storefrontPageQuery, map[string]any{"first": first})
			data := r.mustData(t)
			if n := len(at(data, "products", "edges").([]any)); n != first {
				t.Fatalf("first: %d returned %d products", first, n)
			}
			return srv.statements() - before
		}
		// Repeat to catch a batch split by scheduling, not just once.
		for range 5 {
			small, large := count(5), count(100)
			if small != large || large != storefrontPageStatements {
				t.Fatalf("statements: first 5 -> %d, first 100 -> %d; want %d for both", small, large, storefrontPageStatements)
			}
		}
	})
}

// The deeper query touching every relation also stays flat.
func TestStatementsFlatForEveryRelation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 120, nil)
		q := `query($first: Int!) { products(first: $first) { totalCount edges { node {
			id title tags featuredImage { url } options { name values } availableForSale
			compareAtPriceRange { minVariantPrice { amount } }
			category { name parent { name } children { name } ancestors { handle }
				products(first: 3) { totalCount edges { node { handle } } } }
			variants(first: 5) { edges { node { product { handle } } } }
		} } } }`
		run := func(first int) int {
			before := srv.statements()
			srv.post(t, q, map[string]any{"first": first}).mustData(t)
			return srv.statements() - before
		}
		if small, large := run(3), run(60); small != large {
			t.Fatalf("statements: first 3 -> %d, first 60 -> %d", small, large)
		}
	})
}

func productHandles(t *testing.T, data map[string]any) []string {
	var out []string
	for _, e := range at(data, "products", "edges").([]any) {
		out = append(out, at(e, "node", "handle").(string))
	}
	return out
}

func TestProductsConnectionPaging(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, nil)
		q := `query($first: Int, $after: String, $last: Int, $before: String, $sort: ProductSortKeys, $rev: Boolean) {
			products(first: $first, after: $after, last: $last, before: $before, sortKey: $sort, reverse: $rev) {
				totalCount
				edges { cursor node { handle } }
				pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
			} }`
		for _, sort := range []string{"ID", "TITLE", "PRICE", "CREATED_AT"} {
			all := srv.post(t, q, map[string]any{"first": 100, "sort": sort}).mustData(t)
			want := productHandles(t, all)
			total := int(at(all, "products", "totalCount").(float64))
			if len(want) != total || total < 50 {
				t.Fatalf("%s: %d products, totalCount %d", sort, len(want), total)
			}
			var got []string
			var after any
			for page := 0; ; page++ {
				d := srv.post(t, q, map[string]any{"first": 8, "after": after, "sort": sort}).mustData(t)
				got = append(got, productHandles(t, d)...)
				info := at(d, "products", "pageInfo").(map[string]any)
				if info["hasPreviousPage"] != (page > 0) {
					t.Errorf("%s page %d: hasPreviousPage %v", sort, page, info["hasPreviousPage"])
				}
				if info["hasNextPage"] != true {
					break
				}
				after = info["endCursor"]
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s forward paging:\n got %v\nwant %v", sort, got, want)
			}
			got = nil
			var before any
			for {
				d := srv.post(t, q, map[string]any{"last": 6, "before": before, "sort": sort}).mustData(t)
				got = append(productHandles(t, d), got...)
				info := at(d, "products", "pageInfo").(map[string]any)
				if info["hasPreviousPage"] != true {
					break
				}
				before = info["startCursor"]
			}
			if !slices.Equal(got, want) {
				t.Errorf("%s backward paging:\n got %v\nwant %v", sort, got, want)
			}
			rev := productHandles(t, srv.post(t, q, map[string]any{"first": 100, "sort": sort, "rev": true}).mustData(t))
			slices.Reverse(rev)
			if !slices.Equal(rev, want) {
				t.Errorf("%s reverse is not the mirror image", sort)
			}
		}
	})
}

func TestProductFieldsAndFilters(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, nil)
		d := srv.post(t, `{ product(handle: "organic-cotton-tee") {
			id handle title description tags availableForSale createdAt
			category { handle name ancestors { handle } }
			featuredImage { url altText width height }
			options { name values }
			priceRange { minVariantPrice { amount currencyCode } maxVariantPrice { amount } }
			variants(first: 2) { totalCount edges { node { id sku title availableForSale quantityAvailable weight weightUnit
				selectedOptions { name value } price { amount currencyCode } product { handle } } } }
		} }`, nil).mustData(t)
		p := at(d, "product").(map[string]any)
		if p["title"] != "Organic Cotton Tee" || at(p, "category", "handle") != "t-shirts" ||
			at(p, "category", "ancestors", 0, "handle") != "clothing" {
			t.Fatalf("product: %v", p)
		}
		if at(p, "priceRange", "minVariantPrice", "amount") != "390.00" || at(p, "priceRange", "minVariantPrice", "currencyCode") != "THB" {
			t.Errorf("price range: %v", p["priceRange"])
		}
		if at(p, "options", 0, "name") != "Size" || len(at(p, "options", 0, "values").([]any)) != 4 {
			t.Errorf("options: %v", p["options"])
		}
		if at(p, "variants", "totalCount") != float64(12) || at(p, "variants", "edges", 0, "node", "product", "handle") != "organic-cotton-tee" {
			t.Errorf("variants: %v", p["variants"])
		}
		if !strings.HasPrefix(at(p, "createdAt").(string), "2026-01-01T00:00:00") {
			t.Errorf("createdAt %v, want RFC 3339", p["createdAt"])
		}
		// The same product by its global ID, through product(id) and node(id).
		id := p["id"].(string)
		byID := srv.post(t, `query($id: ID!) { product(id: $id) { handle } node(id: $id) { id ... on Product { handle } } }`,
			map[string]any{"id": id}).mustData(t)
		if at(byID, "product", "handle") != "organic-cotton-tee" || at(byID, "node", "handle") != "organic-cotton-tee" {
			t.Errorf("by id: %v", byID)
		}
		// Thai text for a Thai-speaking client.
		th := srv.post(t, `{ product(handle: "organic-cotton-tee") { title category { name } } }`, nil,
			"Accept-Language", "th-TH,th;q=0.9,en;q=0.5").mustData(t)
		if at(th, "product", "title") != "เสื้อยืดคอตตอนออร์แกนิก" || at(th, "product", "category", "name") != "เสื้อยืด" {
			t.Errorf("Thai: %v", th)
		}
		// Filters through the API: category (with descendants), Thai text, price, tag, availability.
		catID := srv.post(t, `{ category(handle: "food-drink") { id } }`, nil).mustData(t)
		fq := `query($f: ProductFilter) { products(first: 100, filter: $f) { totalCount edges { node { handle
			availableForSale category { handle } priceRange { minVariantPrice { amount } maxVariantPrice { amount } } } } } }`
		food := srv.post(t, fq, map[string]any{"f": map[string]any{"categoryId": at(catID, "category", "id")}}).mustData(t)
		for _, e := range at(food, "products", "edges").([]any) {
			h := at(e, "node", "category", "handle")
			if !slices.Contains([]any{"coffee", "tea", "snacks", "dried-fruit"}, h) {
				t.Errorf("food-drink filter returned category %v", h)
			}
		}
		if n := at(food, "products", "totalCount").(float64); n < 10 {
			t.Errorf("food-drink has %v products", n)
		}
		coffee := srv.post(t, fq, map[string]any{"f": map[string]any{"query": "กาแฟ", "price": map[string]any{"min": "300", "max": "450.00"}, "available": true}}).mustData(t)
		for _, e := range at(coffee, "products", "edges").([]any) {
			if at(e, "node", "availableForSale") != true {
				t.Errorf("available filter returned a sold-out product")
			}
		}
		if len(at(coffee, "products", "edges").([]any)) == 0 {
			t.Errorf("no coffee between 300 and 450 baht")
		}
		tagged := srv.post(t, fq, map[string]any{"f": map[string]any{"tag": "bestseller"}}).mustData(t)
		if n := len(at(tagged, "products", "edges").([]any)); n < 5 {
			t.Errorf("bestseller tag: %d products", n)
		}
	})
}

// Archived products are invisible through every path: list, handle, ID,
// node, nodes and their variants.
func TestArchivedProductsAreInvisible(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, nil)
		var archived struct {
			ID     int64
			Handle string
		}
		if err := srv.store.DB(t.Context()).Table("products").Where("status = ?", model.ProductArchived).
			Select("id, handle").Take(&archived).Error; err != nil {
			t.Fatal(err)
		}
		var variantID int64
		if err := srv.store.DB(t.Context()).Table("product_variants").Where("product_id = ?", archived.ID).
			Select("id").Take(&variantID).Error; err != nil {
			t.Fatal(err)
		}
		pid := model.EncodeGlobalID(model.TypeProduct, archived.ID)
		vid := model.EncodeGlobalID(model.TypeProductVariant, variantID)
		d := srv.post(t, `query($p: ID!, $v: ID!, $h: String!) {
			byId: product(id: $p) { id } byHandle: product(handle: $h) { id }
			node(id: $p) { id } variantNode: node(id: $v) { id } productVariant(id: $v) { id }
			nodes(ids: [$p, $v]) { id }
		}`, map[string]any{"p": pid, "v": vid, "h": archived.Handle}).mustData(t)
		for _, k := range []string{"byId", "byHandle", "node", "variantNode", "productVariant"} {
			if d[k] != nil {
				t.Errorf("%s returned archived product data: %v", k, d[k])
			}
		}
		if nodes := d["nodes"].([]any); len(nodes) != 2 || nodes[0] != nil || nodes[1] != nil {
			t.Errorf("nodes: %v", nodes)
		}
		all := srv.post(t, `{ products(first: 100) { edges { node { handle } } } }`, nil).mustData(t)
		if slices.Contains(productHandles(t, all), archived.Handle) {
			t.Error("archived product listed")
		}
	})
}

func TestCategoryTree(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, nil)
		d := srv.post(t, `{
			categories(first: 100) { totalCount edges { node { handle parent { handle } } } pageInfo { hasNextPage } }
			category(handle: "snacks") { name parent { handle } children { handle } ancestors { handle }
				products(first: 50) { totalCount edges { node { category { handle } } } } }
		}`, nil).mustData(t)
		if n := at(d, "categories", "totalCount").(float64); n < 15 || int(n) != len(at(d, "categories", "edges").([]any)) {
			t.Errorf("categories totalCount %v", n)
		}
		c := d["category"].(map[string]any)
		if at(c, "parent", "handle") != "food-drink" || at(c, "children", 0, "handle") != "dried-fruit" ||
			at(c, "ancestors", 0, "handle") != "food-drink" {
			t.Errorf("snacks: %v", c)
		}
		// Products of a category include its descendants'.
		var cats []string
		for _, e := range at(c, "products", "edges").([]any) {
			cats = append(cats, at(e, "node", "category", "handle").(string))
		}
		if !slices.Contains(cats, "dried-fruit") || !slices.Contains(cats, "snacks") {
			t.Errorf("snacks products come from %v", cats)
		}
		if int(at(c, "products", "totalCount").(float64)) != len(cats) {
			t.Errorf("totalCount %v for %d products", at(c, "products", "totalCount"), len(cats))
		}
	})
}

// Bad arguments get a clear error with a code, and no data.
func TestArgumentErrors(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 10, nil)
		cases := []struct {
			name, query string
			vars        map[string]any
			code        string
			msg         string
		}{
			{"first over max", `{ products(first: 101) { edges { cursor } } }`, nil, "INVALID", "between 0 and 100"},
			{"negative first", `{ products(first: -1) { edges { cursor } } }`, nil, "INVALID", "between 0 and 100"},
			{"no first or last", `{ products { edges { cursor } } }`, nil, "INVALID", "first or last"},
			{"first and last", `{ products(first: 2, last: 2) { edges { cursor } } }`, nil, "INVALID", "not both"},
			{"bad cursor", `{ products(first: 2, after: "nope") { edges { cursor } } }`, nil, "INVALID", "invalid cursor"},
			{"cursor of another sort", `query($c: String) { products(first: 2, after: $c, sortKey: PRICE) { edges { cursor } } }`,
				map[string]any{"c": model.EncodeCursor(model.Cursor{SortKey: "TITLE", ID: 1, Value: "A"})}, "INVALID", "another list or sort order"},
			{"bad product id", `{ product(id: "xyz") { id } }`, nil, "INVALID", "not a valid Product ID"},
			{"category id as product id", `query($id: ID) { product(id: $id) { id } }`,
				map[string]any{"id": model.EncodeGlobalID(model.TypeCategory, 1)}, "INVALID", "not a valid Product ID"},
			{"id and handle", `{ product(id: "x", handle: "y") { id } }`, nil, "INVALID", "exactly one"},
			{"bad node id", `{ node(id: "!!!") { id } }`, nil, "INVALID", "invalid ID"},
			{"too many nodes", `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`,
				map[string]any{"ids": slices.Repeat([]any{model.EncodeGlobalID(model.TypeProduct, 1)}, 251)}, "INVALID", "at most 250"},
			{"bad price", `{ products(first: 1, filter: { price: { min: "1e3" } }) { edges { cursor } } }`, nil, "INVALID", "Decimal"},
			{"negative price", `{ products(first: 1, filter: { price: { min: "-5" } }) { edges { cursor } } }`, nil, "INVALID", "price.min"},
			{"price as object", `query($m: Decimal) { products(first: 1, filter: { price: { min: $m } }) { edges { cursor } } }`,
				map[string]any{"m": map[string]any{"a": 1}}, "INVALID", "Decimal"},
			{"price as number", `query($m: Decimal) { products(first: 1, filter: { price: { min: $m } }) { edges { cursor } } }`,
				map[string]any{"m": 5.5}, "INVALID", "Decimal"},
			{"created-at cursor out of range", `query($c: String) { products(first: 2, after: $c, sortKey: CREATED_AT) { edges { cursor } } }`,
				map[string]any{"c": model.EncodeCursor(model.Cursor{SortKey: "CREATED_AT", ID: 5, Value: "99999999999999"})}, "INVALID", "invalid cursor"},
			{"bad variant cursor", `query($c: String) { products(first: 1) { edges { node { variants(first: 2, after: $c) { edges { cursor } } } } } }`,
				map[string]any{"c": model.EncodeCursor(model.Cursor{SortKey: "POSITION", ID: 70, Value: "abc"})}, "INVALID", "invalid cursor"},
			{"too many words", `{ products(first: 1, filter: { query: "a b c d e f g h i" }) { edges { cursor } } }`, nil, "INVALID", "at most 8 words"},
			{"min over max", `{ products(first: 1, filter: { price: { min: "10", max: "5" } }) { edges { cursor } } }`, nil, "INVALID", "must not exceed"},
			{"huge query text", `query($q: String) { products(first: 1, filter: { query: $q }) { edges { cursor } } }`,
				map[string]any{"q": strings.Repeat("ก", 201)}, "INVALID", "at most 200"},
			{"huge handle", `query($h: String) { product(handle: $h) { id } }`,
				map[string]any{"h": strings.Repeat("x", 300)}, "INVALID", "at most 255 characters"},
			{"variants first over max", `{ products(first: 1) { edges { node { variants(first: 500) { edges { cursor } } } } } }`, nil, "INVALID", "between 0 and 100"},
			{"wrong variable type", `query($n: Int!) { products(first: $n) { edges { cursor } } }`,
				map[string]any{"n": "ten"}, "GRAPHQL_VALIDATION_FAILED", ""},
			{"unknown field", `{ products(first: 1) { edges { node { price } } } }`, nil, "GRAPHQL_VALIDATION_FAILED", "Cannot query field"},
			{"syntax error", `{ products(first: 1) { edges `, nil, "GRAPHQL_PARSE_FAILED", ""},
		}
		for _, c := range cases {
			t.Run(strings.ReplaceAll(c.name, " ", "_"), func(t *testing.T) {
				r := srv.post(t, c.query, c.vars)
				if len(r.Errors) == 0 {
					t.Fatalf("no error; response %s", r.Raw)
				}
				e := r.Errors[0]
				if e.Code() != c.code || !strings.Contains(e.Message, c.msg) {
					t.Errorf("error %q code %q; want code %q and message containing %q", e.Message, e.Code(), c.code, c.msg)
				}
				if strings.Contains(strings.ToLower(r.Raw), "sql") || strings.Contains(r.Raw, "goroutine") {
					t.Errorf("response leaks internals: %s", r.Raw)
				}
				if r.Status >= 500 {
					t.Errorf("status %d for bad input", r.Status)
				}
			})
		}
	})
}

// Many concurrent clients get correct, complete pages; run with -race.
func TestConcurrentStorefrontRequests(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 80, nil)
		errs := make(chan error, 32)
		for i := range 32 {
			go func() {
				first := 1 + i%50
				r, err := srv.send(storefrontPageQuery, map[string]any{"first": first})
				if err != nil {
					errs <- err
					return
				}
				if len(r.Errors) > 0 || r.Status != http.StatusOK {
					errs <- fmt.Errorf("status %d: %s", r.Status, r.Raw)
					return
				}
				if n := len(at(r.Data, "products", "edges").([]any)); n != first {
					errs <- fmt.Errorf("first %d returned %d", first, n)
					return
				}
				errs <- nil
			}()
		}
		for range 32 {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
	})
}

// A product's variants page in memory; the cursors must behave like the
// products connection's, in both directions.
func TestVariantsConnectionPaging(t *testing.T) {
	srv := sqliteServer(t, nil)
	q := `query($first: Int, $after: String, $last: Int, $before: String) {
		product(handle: "organic-cotton-tee") { variants(first: $first, after: $after, last: $last, before: $before) {
			totalCount edges { cursor node { sku } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`
	skus := func(d map[string]any) []string {
		var out []string
		for _, e := range at(d, "product", "variants", "edges").([]any) {
			out = append(out, at(e, "node", "sku").(string))
		}
		return out
	}
	all := skus(srv.post(t, q, map[string]any{"first": 100}).mustData(t))
	if len(all) != 12 {
		t.Fatalf("%d variants", len(all))
	}
	var fwd []string
	var after any
	for {
		d := srv.post(t, q, map[string]any{"first": 5, "after": after}).mustData(t)
		fwd = append(fwd, skus(d)...)
		if at(d, "product", "variants", "pageInfo", "hasNextPage") != true {
			break
		}
		after = at(d, "product", "variants", "pageInfo", "endCursor")
	}
	var back []string
	var before any
	for {
		d := srv.post(t, q, map[string]any{"last": 5, "before": before}).mustData(t)
		back = append(skus(d), back...)
		if at(d, "product", "variants", "pageInfo", "hasPreviousPage") != true {
			break
		}
		before = at(d, "product", "variants", "pageInfo", "startCursor")
	}
	if !slices.Equal(fwd, all) || !slices.Equal(back, all) {
		t.Fatalf("forward %v\nbackward %v\nall %v", fwd, back, all)
	}
	// A products cursor is not a variants cursor.
	r := srv.post(t, q, map[string]any{"first": 2, "after": model.EncodeCursor(model.Cursor{SortKey: "ID", ID: 1})})
	if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID" {
		t.Fatalf("foreign cursor accepted: %s", r.Raw)
	}
}

// An error in a nested connection is reported at that connection's path;
// the look-ahead of the outer list must not report it as the outer list's.
func TestNestedErrorsStayAtTheirPath(t *testing.T) {
	srv := sqliteServer(t, nil)
	titleCursor := model.EncodeCursor(model.Cursor{SortKey: "TITLE", ID: 5, Value: "Foo"})
	r := srv.post(t, `query($c: String) { categories(first: 2) { nodes { handle products(first: 2, after: $c) { nodes { id } } } } }`,
		map[string]any{"c": titleCursor})
	if len(r.Errors) == 0 || r.Errors[0].Code() != "INVALID" {
		t.Fatalf("no INVALID error: %s", r.Raw)
	}
	if p := r.Errors[0].Path; len(p) < 4 || p[len(p)-1] != "products" {
		t.Errorf("error path %v, want it to end at the nested products", p)
	}
	// (data is null: products is non-null, so the null propagates up, as
	// GraphQL requires.)
}

// In nodes, a malformed ID nulls its own entry only.
func TestNodesKeepsGoodEntries(t *testing.T) {
	srv := sqliteServer(t, nil)
	good := model.EncodeGlobalID(model.TypeProduct, 1)
	r := srv.post(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": []any{good, "garbage", good}})
	nodes, _ := r.Data["nodes"].([]any)
	if len(nodes) != 3 || at(nodes, 0, "id") != good || nodes[1] != nil || at(nodes, 2, "id") != good {
		t.Fatalf("nodes: %s", r.Raw)
	}
	if len(r.Errors) != 1 || r.Errors[0].Code() != "INVALID" || len(r.Errors[0].Path) != 2 || r.Errors[0].Path[1] != float64(1) {
		t.Fatalf("errors: %s", r.Raw)
	}
}
