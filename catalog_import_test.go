package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

const importMutation = `mutation($f: Upload!, $v: Boolean) { productImport(file: $f, validateOnly: $v) {
	summary { imported rows productsCreated productsUpdated productsUnchanged variantsCreated variantsUpdated variantsDeleted }
	rowErrors { row column code message } rowErrorCount userErrors { field code message } } }`

// multipartRequest builds an upload request as the GraphQL multipart
// request specification describes it: operations, map, then the file.
func multipartRequest(t *testing.T, url, query string, vars map[string]any, fileMap string, file []byte, headers ...string) *http.Request {
	t.Helper()
	var body bytes.Buffer
	w := multipart.NewWriter(&body)
	ops, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range []struct{ name, value string }{{"operations", string(ops)}, {"map", fileMap}} {
		if err := w.WriteField(part.name, part.value); err != nil {
			t.Fatal(err)
		}
	}
	if file != nil {
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", `form-data; name="0"; filename="products.csv"`)
		h.Set("Content-Type", "text/csv")
		fw, err := w.CreatePart(h)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := fw.Write(file); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, url+"/graphql", &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", w.FormDataContentType())
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return req
}

// importFile uploads csv to productImport as token and returns the payload.
func importFile(t *testing.T, srv *testServer, token, csv string, validateOnly bool) map[string]any {
	t.Helper()
	req := multipartRequest(t, srv.URL, importMutation, map[string]any{"f": nil, "v": validateOnly}, `{"0": ["variables.f"]}`,
		[]byte(csv), append(as(token), "GraphQL-Require-Preflight", "1")...)
	r := srv.do(t, req)
	d := r.mustData(t)
	p, _ := d["productImport"].(map[string]any)
	if p == nil {
		t.Fatalf("productImport: %s", r.Raw)
	}
	return p
}

func rowErrors(p map[string]any) []string {
	var out []string
	for _, e := range p["rowErrors"].([]any) {
		col, _ := at(e, "column").(string)
		out = append(out, fmt.Sprintf("%v/%s/%s", at(e, "row"), col, at(e, "code")))
	}
	return out
}

func exportCSV(t *testing.T, srv *testServer, token string, filter map[string]any) string {
	t.Helper()
	d := srv.post(t, `query($f: AdminProductFilter) { productExport(filter: $f) { csv productCount rowCount } }`,
		map[string]any{"f": filter}, as(token)...).mustData(t)
	return at(d, "productExport", "csv").(string)
}

// A file with any bad row writes nothing and says what is wrong with each
// row; a good one writes every product in one go, and the next read shows
// them (search, tags, prices, options); the same file again changes nothing.
func TestProductImport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		seedSKU := at(srv.post(t, `{ product(handle: "batik-shirt") { variants(first: 1) { nodes { sku } } } }`, nil).mustData(t),
			"product", "variants", "nodes", 0, "sku").(string)
		header := "handle,title,title_th,description,category,status,tags,images,option1_name,option1_value,sku,price,compare_at_price,inventory,weight_grams\n"
		good := header +
			"mango-sticky-rice-kit,Mango Sticky Rice Kit,ชุดข้าวเหนียวมะม่วง,Glutinous rice and coconut cream.,snacks,ACTIVE,\"dessert, Thai\",https://cdn.example.com/msr.jpg,Size,For two,MSR-2,250.00,,10,800\n" +
			"mango-sticky-rice-kit,,,,,,,,,For four,MSR-4,450.00,500.00,5,1500\n" +
			"durian-candy,Durian Candy,ลูกอมทุเรียน,,snacks,DRAFT,,,,,DC-1,45,,0,\n"
		bad := header +
			"mango-sticky-rice-kit,Mango Sticky Rice Kit,,,snacks,ACTIVE,,,Size,For two,MSR-2,-250.00,,10,\n" + // row 2: negative price
			"mango-sticky-rice-kit,,,,,,,,,For two,MSR-4,450.00,,5,\n" + // row 3: the same option value again
			"durian-candy,Durian Candy,,,no-such-category,DRAFT,,,,,DC-1,45,,0,\n" + // row 4: unknown category
			"coconut-chips,Coconut Chips,,,,ACTIVE,,,,," + seedSKU + ",60,,,\n" + // row 5: another product's SKU
			"Bad Handle,X,,,,,,,,,,1,,,\n" + // row 6
			"jasmine-tea,Jasmine Tea,,,,sold,,,,,JT-1,1,,,\n" // row 7: unknown status
		before := auditCount(t, srv, c.owner)
		countProducts := func() float64 {
			return at(srv.post(t, `{ adminProducts(first: 1) { totalCount } }`, nil, as(c.owner)...).mustData(t), "adminProducts", "totalCount").(float64)
		}
		n0 := countProducts()
		p := importFile(t, srv, c.catalog, bad, false)
		got := rowErrors(p)
		want := []string{"2/price/INVALID", "4/category/NOT_FOUND", "5/sku/TAKEN", "6/handle/INVALID", "7/status/INVALID"}
		if !slices.Equal(got, want) || at(p, "summary", "imported") != false || p["rowErrorCount"] != float64(len(want)) {
			t.Errorf("bad file: %v, want %v (%v)", got, want, p)
		}
		if countProducts() != n0 || auditCount(t, srv, c.owner) != before {
			t.Fatalf("a file with bad rows wrote something")
		}
		// Fixed, except for a clash only the whole file shows.
		clash := strings.Replace(bad, "-250.00", "250.00", 1)
		clash = strings.Replace(clash, "no-such-category", "snacks", 1)
		clash = strings.Replace(clash, ","+seedSKU+",", ",CC-1,", 1)
		clash = strings.Replace(clash, "Bad Handle", "bad-handle", 1)
		clash = strings.Replace(clash, ",sold,", ",ACTIVE,", 1)
		if got := rowErrors(importFile(t, srv, c.catalog, clash, false)); !slices.Equal(got, []string{"3/option1_value/TAKEN"}) {
			t.Errorf("two variants with one option value: %v", got)
		}

		// Validating writes nothing but tells what would be done.
		p = importFile(t, srv, c.catalog, good, true)
		if len(rowErrors(p)) > 0 || at(p, "summary", "imported") != false || at(p, "summary", "productsCreated") != float64(2) ||
			at(p, "summary", "variantsCreated") != float64(3) || countProducts() != n0 {
			t.Fatalf("validate only: %v", p)
		}
		p = importFile(t, srv, c.catalog, good, false)
		if len(rowErrors(p)) > 0 || at(p, "summary", "imported") != true || at(p, "summary", "productsCreated") != float64(2) ||
			at(p, "summary", "rows") != float64(3) {
			t.Fatalf("good file: %v", p)
		}
		d := srv.post(t, `{ products(first: 5, filter: {query: "coconut cream", tag: "DESSERT"}) { nodes { handle title
			priceRange { minVariantPrice { amount } maxVariantPrice { amount } } options { name values } images { url }
			category { handle } variants(first: 5) { nodes { sku title compareAtPrice { amount } quantityAvailable weight } } } } }`, nil).mustData(t)
		kit := at(d, "products", "nodes", 0)
		if at(kit, "handle") != "mango-sticky-rice-kit" || at(kit, "priceRange", "maxVariantPrice", "amount") != "450.00" ||
			fmt.Sprint(at(kit, "options")) != "[map[name:Size values:[For two For four]]]" || at(kit, "variants", "nodes", 1, "compareAtPrice", "amount") != "500.00" ||
			at(kit, "variants", "nodes", 1, "weight") != float64(1500) || at(kit, "category", "handle") != "snacks" {
			t.Errorf("imported product: %v", kit)
		}
		if d := srv.post(t, `{ product(handle: "durian-candy") { id } }`, nil).mustData(t); d["product"] != nil {
			t.Errorf("an imported draft in the storefront: %v", d)
		}
		kitID := at(srv.post(t, `{ adminProduct(handle: "mango-sticky-rice-kit") { id } }`, nil, as(c.owner)...).mustData(t), "adminProduct", "id").(string)
		if a := auditActions(t, srv, c.owner, kitID); !slices.Equal(a, []string{"product.import"}) {
			t.Errorf("audit of an imported product: %v", a)
		}

		// The same file again: nothing to do, nothing written.
		before = auditCount(t, srv, c.owner)
		p = importFile(t, srv, c.catalog, good, false)
		if at(p, "summary", "productsUnchanged") != float64(2) || at(p, "summary", "productsUpdated") != float64(0) || auditCount(t, srv, c.owner) != before {
			t.Errorf("the same file again: %v", p)
		}
		// A changed file: a price, a variant gone, a tag: the product changes
		// in place, its remaining variant keeps its ID.
		variantID := func(sku string) string {
			d := srv.post(t, `{ adminProduct(handle: "mango-sticky-rice-kit") { variants(first: 5) { nodes { id sku } } } }`, nil, as(c.owner)...).mustData(t)
			for _, v := range at(d, "adminProduct", "variants", "nodes").([]any) {
				if at(v, "sku") == sku {
					return at(v, "id").(string)
				}
			}
			return ""
		}
		kept := variantID("MSR-4")
		changed := header +
			"mango-sticky-rice-kit,Mango Sticky Rice Kit,ชุดข้าวเหนียวมะม่วง,Glutinous rice and coconut cream.,snacks,ACTIVE,\"dessert, Thai, Gift box\",https://cdn.example.com/msr.jpg,Size,For four,MSR-4,399.00,500.00,5,1500\n"
		p = importFile(t, srv, c.catalog, changed, false)
		if at(p, "summary", "productsUpdated") != float64(1) || at(p, "summary", "variantsDeleted") != float64(1) ||
			at(p, "summary", "variantsUpdated") != float64(1) || variantID("MSR-4") != kept || variantID("MSR-2") != "" {
			t.Errorf("a changed file: %v", p)
		}
		if d := srv.post(t, `{ products(first: 5, filter: {tag: "gift box"}) { nodes { handle priceRange { maxVariantPrice { amount } } } } }`, nil).mustData(t); at(d, "products", "nodes", 0, "priceRange", "maxVariantPrice", "amount") != "399.00" {
			t.Errorf("after the changed file: %v", d)
		}
	})
}

// Exporting the catalog and importing the file changes nothing; an edited
// export changes exactly what was edited.
func TestExportImportRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 0, accountEnv)
		c := catalogCallers(t, srv)
		file := exportCSV(t, srv, c.support, nil)
		lines := strings.Split(strings.TrimSuffix(file, "\n"), "\n")
		if lines[0] != "handle,title,title_th,description,description_th,category,status,tags,images,option1_name,option1_value,"+
			"option2_name,option2_value,option3_name,option3_value,sku,price,compare_at_price,inventory,weight_grams" {
			t.Fatalf("header: %s", lines[0])
		}
		var variants int64
		if err := srv.store.DB(t.Context()).Table("product_variants").Count(&variants).Error; err != nil {
			t.Fatal(err)
		}
		if len(lines)-1 != int(variants) {
			t.Errorf("%d rows for %d variants", len(lines)-1, variants)
		}
		before := auditCount(t, srv, c.owner)
		p := importFile(t, srv, c.catalog, file, false)
		if len(rowErrors(p)) > 0 || at(p, "summary", "productsUnchanged") != float64(store.DemoProductCount) ||
			at(p, "summary", "productsUpdated") != float64(0) || auditCount(t, srv, c.owner) != before {
			t.Fatalf("importing an export: %v", p)
		}
		// Edit one price in the file.
		edited := strings.Replace(file, ",1290.00,", ",1190.00,", 1)
		if edited == file {
			t.Fatal("no price 1290.00 in the export")
		}
		p = importFile(t, srv, c.catalog, edited, false)
		if at(p, "summary", "productsUpdated") != float64(1) || at(p, "summary", "variantsUpdated") != float64(1) ||
			at(p, "summary", "productsUnchanged") != float64(store.DemoProductCount-1) {
			t.Errorf("importing an edited export: %v", p)
		}
		if again := exportCSV(t, srv, c.support, nil); again != edited {
			t.Errorf("the export after the import differs from the file imported")
		}
		// A filtered export holds what the filter says.
		archived, err := csv.NewReader(strings.NewReader(exportCSV(t, srv, c.support, map[string]any{"status": "ARCHIVED"}))).ReadAll()
		if err != nil || len(archived) < 3 {
			t.Fatalf("archived export: %v, %d rows", err, len(archived))
		}
		for _, rec := range archived[1:] {
			if rec[6] != "" && rec[6] != "ARCHIVED" {
				t.Errorf("a filtered export has %v", rec)
			}
		}
	})
}

// Uploads follow the multipart request specification and keep the
// endpoint's rules: a preflight header against cross-site posts, the
// ordinary body limit for callers who may not upload, the upload limit for
// staff, and 400 for anything that is not a well-formed upload.
func TestMultipartUploads(t *testing.T) {
	b := storetest.SQLite
	env := map[string]string{"LANGRAN_PASSWORD_HASH_MEMORY": "64", "LANGRAN_MAX_BODY_BYTES": "4096", "LANGRAN_MAX_UPLOAD_BYTES": "65536"}
	srv := newTestServer(t, b, 0, env)
	staff := staffToken(t, srv, model.RoleCatalogManager)
	csv := []byte("handle,title,sku,price\nupload-test,Upload Test,UP-1,10.00\n")
	vars := map[string]any{"f": nil}
	send := func(name string, req *http.Request, status int, code string) gqlResponse {
		t.Helper()
		r := srv.do(t, req)
		if r.Status != status || (code != "" && (len(r.Errors) == 0 || r.Errors[0].Code() != code)) {
			t.Errorf("%s: %d %s, want %d %s", name, r.Status, r.Raw, status, code)
		}
		return r
	}
	pre := []string{"GraphQL-Require-Preflight", "1"}
	with := func(token string, h ...string) []string { return append(append(as(token), pre...), h...) }
	mp := func(fileMap string, file []byte, h ...string) *http.Request {
		return multipartRequest(t, srv.URL, importMutation, vars, fileMap, file, h...)
	}

	send("no preflight header", mp(`{"0": ["variables.f"]}`, csv, as(staff)...), http.StatusBadRequest, "BAD_REQUEST")
	r := send("a staff upload", mp(`{"0": ["variables.f"]}`, csv, with(staff)...), http.StatusOK, "")
	if at(r.Data, "productImport", "summary", "productsCreated") != float64(1) {
		t.Errorf("upload: %s", r.Raw)
	}
	send("apollo's header", mp(`{"0": ["variables.f"]}`, csv, append(as(staff), "apollo-require-preflight", "true")...), http.StatusOK, "")
	send("anonymous", mp(`{"0": ["variables.f"]}`, csv, pre...), http.StatusOK, "UNAUTHENTICATED")
	big := append(slices.Clone(csv), bytes.Repeat([]byte("big-file,Big,,1\n"), 1000)...) // 16 kB: over the body limit, under the upload limit
	send("anonymous, over the body limit", mp(`{"0": ["variables.f"]}`, big, pre...), http.StatusRequestEntityTooLarge, "LIMIT_EXCEEDED")
	r = send("staff, over the body limit", mp(`{"0": ["variables.f"]}`, big, with(staff)...), http.StatusOK, "")
	if len(rowErrors(r.Data["productImport"].(map[string]any))) == 0 {
		t.Errorf("a file of 1000 bad rows was accepted: %s", r.Raw)
	}
	huge := bytes.Repeat([]byte("x"), 70000)
	send("staff, over the upload limit", mp(`{"0": ["variables.f"]}`, huge, with(staff)...), http.StatusRequestEntityTooLarge, "LIMIT_EXCEEDED")
	for name, fileMap := range map[string]string{
		"a map to nowhere":    `{"0": ["variables.g"]}`,
		"a path into a value": `{"0": ["variables.v.x"]}`,
		"a path past a list":  `{"0": ["variables.f.3"]}`,
		"not variables":       `{"0": ["query"]}`,
		"a file not sent":     `{"0": ["variables.f"], "1": ["variables.f"]}`,
		"not a map":           `["variables.f"]`,
	} {
		v := map[string]any{"f": nil, "v": true}
		send(name, multipartRequest(t, srv.URL, importMutation, v, fileMap, csv, with(staff)...), http.StatusBadRequest, "BAD_REQUEST")
	}
	send("a file part not in map", mp(`{}`, csv, with(staff)...), http.StatusBadRequest, "BAD_REQUEST")
	batch, err := http.NewRequest(http.MethodPost, srv.URL+"/graphql", strings.NewReader("--b\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n[{\"query\":\"{ __typename }\"}]\r\n--b--\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	batch.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	for i := 0; i+1 < len(pre); i += 2 {
		batch.Header.Set(pre[i], pre[i+1])
	}
	send("a batch", batch, http.StatusBadRequest, "BAD_REQUEST")
	// Under application/graphql-response+json the statuses are the same.
	send("graphql-response+json", mp(`{"0": ["variables.f"]}`, csv, with(staff, "Accept", "application/graphql-response+json")...), http.StatusOK, "")

	// Browsers may send the preflight header cross-origin.
	opt, err := http.NewRequest(http.MethodOptions, srv.URL+"/graphql", nil)
	if err != nil {
		t.Fatal(err)
	}
	opt.Header.Set("Origin", "https://admin.example.com")
	opt.Header.Set("Access-Control-Request-Method", "POST")
	opt.Header.Set("Access-Control-Request-Headers", "graphql-require-preflight, authorization")
	resp, err := http.DefaultClient.Do(opt)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if !strings.Contains(strings.ToLower(resp.Header.Get("Access-Control-Allow-Headers")), "graphql-require-preflight") {
		t.Errorf("preflight allows %q", resp.Header.Get("Access-Control-Allow-Headers"))
	}
}

// The command line exports and imports; the import is recorded as the
// staff member named, who must exist and may manage products, and a file
// with a bad row writes nothing.
func TestImportAndExportCommands(t *testing.T) {
	db := storetest.SQLiteURL(t)
	dir := t.TempDir()
	env := map[string]string{"LANGRAN_DATABASE_URL": db, "LANGRAN_PASSWORD_HASH_MEMORY": "64", "LANGRAN_STAFF_PASSWORD": "a long staff password"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out strings.Builder
	must := func(args ...string) {
		t.Helper()
		if err := run(ctx, args, getenv, strings.NewReader(""), &out); err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out.String())
		}
	}
	must("seed")
	must("staff", "create", "--email", "cat@example.com", "--role", "CATALOG_MANAGER")
	must("staff", "create", "--email", "help@example.com", "--role", "SUPPORT")
	file := filepath.Join(dir, "products.csv")
	must("export", file)
	exported, err := os.ReadFile(file)
	if err != nil || !bytes.HasPrefix(exported, []byte("handle,title,")) {
		t.Fatalf("exported: %v %.100s", err, exported)
	}
	out.Reset()
	must("import", "--staff", "cat@example.com", file)
	if !strings.Contains(out.String(), "products_unchanged="+fmt.Sprint(store.DemoProductCount)) {
		t.Errorf("import of the export: %s", out.String())
	}
	newFile := filepath.Join(dir, "new.csv")
	if err := os.WriteFile(newFile, []byte("handle,title,status,sku,price\ncli-tea,CLI Tea,ACTIVE,CLI-1,120.00\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	badFile := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(badFile, []byte("handle,title,status,sku,price\ncli-tea,CLI Tea,ACTIVE,CLI-1,-1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"import", newFile}, {"import", "--staff", "help@example.com", newFile},
		{"import", "--staff", "nobody@example.com", newFile}, {"import", "--staff", "cat@example.com", badFile},
		{"export", "--status", "GONE", file}, {"export"}} {
		if err := run(ctx, bad, getenv, strings.NewReader(""), &out); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	must("import", "--staff", "cat@example.com", "--validate-only", newFile)
	must("import", "--staff", "cat@example.com", newFile)
	active := filepath.Join(dir, "active.csv")
	must("export", "--status", "active", active)
	got, err := os.ReadFile(active)
	if err != nil || !bytes.Contains(got, []byte("cli-tea,CLI Tea")) || bytes.Contains(got, []byte(",ARCHIVED,")) {
		t.Errorf("active export: %v %.200s", err, got)
	}
	st, err := store.Open(ctx, db, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	entries, _, err := st.ListAudit(ctx, store.AuditFilter{ObjectType: "Product"}, store.Page{Limit: 100})
	if err != nil || len(entries) != 1 || entries[0].Action != "product.import" || entries[0].ActorKind != model.ViewerStaff {
		t.Errorf("audit of the command line import: %+v %v", entries, err)
	}
}
