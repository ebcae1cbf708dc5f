package catalog_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/catalog"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

var owner = &model.Viewer{Kind: model.ViewerStaff, ID: 1, Permissions: model.NewPermissionSet(model.AllPermissions...)}

// generatedCSV is a file of rows variant rows: products of four sizes
// each, with Thai titles, descriptions, tags and an image, their handles
// and SKUs starting with prefix.
func generatedCSV(prefix string, rows int) []byte {
	var b bytes.Buffer
	b.WriteString("handle,title,title_th,description,category,status,tags,images,option1_name,option1_value,sku,price,compare_at_price,inventory,weight_grams\n")
	sizes := []string{"S", "M", "L", "XL"}
	for i := 0; i < rows; i++ {
		p, v := i/len(sizes), i%len(sizes)
		handle := fmt.Sprintf("%s-shirt-%d", prefix, p)
		if v == 0 {
			fmt.Fprintf(&b, "%s,Cotton Shirt %d %s,เสื้อเชิ้ตผ้าฝ้าย %d,\"Woven cotton, batch %d.\",shirts,ACTIVE,\"cotton, batch-%d\",https://cdn.example.com/%s.jpg,Size,",
				handle, p, prefix, p, p, p%50, handle)
		} else {
			fmt.Fprintf(&b, "%s,,,,,,,,,", handle)
		}
		fmt.Fprintf(&b, "%s,%s-%d-%s,%d.00,,%d,%d\n", sizes[v], strings.ToUpper(prefix), p, sizes[v], 300+p%700+v*20, (i*7)%40, 200+v*50)
	}
	return b.Bytes()
}

func seededService(t testing.TB, b storetest.Backend) (*store.Store, *catalog.Service) {
	t.Helper()
	st := storetest.Seeded(t, b, 0)
	return st, catalog.New(st, auth.Audit)
}

// Ten thousand rows are one transaction: every product and variant is
// written, findable at once, and importing the file again changes nothing.
func TestImportTenThousandRows(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		st, svc := seededService(t, b)
		ctx := context.Background()
		file := generatedCSV("big", 10_000)
		start := time.Now()
		res, err := svc.Import(ctx, owner, bytes.NewReader(file), catalog.ImportOptions{})
		if err != nil || len(res.RowErrors) > 0 {
			t.Fatalf("import: %v %v", err, res)
		}
		t.Logf("%s: 10,000 rows imported in %v", b.Name, time.Since(start).Round(time.Millisecond))
		s := res.Summary
		if !s.Imported || s.Rows != 10_000 || s.ProductsCreated != 2500 || s.VariantsCreated != 10_000 {
			t.Fatalf("summary %+v", s)
		}
		var variants int64
		if err := st.DB(ctx).Table("product_variants").Where("sku_key LIKE ?", "big-%").Count(&variants).Error; err != nil {
			t.Fatal(err)
		}
		n, err := st.CountProducts(ctx, store.ProductFilter{Query: "big", Tag: "BATCH-7"})
		if err != nil || variants != 10_000 || n != 50 {
			t.Errorf("%d variants, %d products found by word and tag (%v)", variants, n, err)
		}
		start = time.Now()
		res, err = svc.Import(ctx, owner, bytes.NewReader(file), catalog.ImportOptions{})
		if err != nil || res.Summary.ProductsUnchanged != 2500 || res.Summary.ProductsUpdated != 0 {
			t.Fatalf("again: %v %+v", err, res)
		}
		t.Logf("%s: the same 10,000 rows again (no change) in %v", b.Name, time.Since(start).Round(time.Millisecond))
	})
}

// BenchmarkImport10kRows imports a new file of 10,000 rows (2,500
// products of four variants) per iteration into the demo catalog, on
// SQLite and, with LANGRAN_TEST_MYSQL_URL, on MySQL:
//
//	LANGRAN_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test go test ./catalog -run XXX -bench Import10k -benchtime 3x
func BenchmarkImport10kRows(b *testing.B) {
	for _, backend := range storetest.Backends() {
		b.Run(backend.Name, func(b *testing.B) {
			_, svc := seededService(b, backend)
			ctx := context.Background()
			files := make([][]byte, b.N)
			for i := range files {
				files[i] = generatedCSV(fmt.Sprintf("b%d", i), 10_000)
			}
			b.ResetTimer()
			for i := range b.N {
				res, err := svc.Import(ctx, owner, bytes.NewReader(files[i]), catalog.ImportOptions{})
				if err != nil || len(res.RowErrors) > 0 || res.Summary.ProductsCreated != 2500 {
					b.Fatalf("import: %v %v", err, res)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/import")
		})
	}
}
