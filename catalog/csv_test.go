package catalog

import (
	"bytes"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/langran/langran/model"
)

const sampleCSV = "\uFEFFhandle,title,title_th,description,category,status,tags,images,option1_name,option1_value,option2_name,option2_value,sku,price,compare_at_price,inventory,weight_grams\n" +
	"linen-shirt,Linen Shirt,เสื้อเชิ้ตผ้าลินิน,\"Cool, light.\nMade in Chiang Mai.\",shirts,ACTIVE,\"linen, summer\",https://cdn.example.com/a.jpg https://cdn.example.com/b.jpg,Size,S,Colour,White,LS-S-W,1290.00,1490.00,4,300\n" +
	"linen-shirt,,,,,,,,,M,,White,LS-M-W,1290.00,,2,310\n" +
	"\n" +
	"clay-pot,Clay Pot Set,ชุดหม้อดิน,,cookware,draft,,,,,,,CP-1,890,,0,\n"

func TestParseCSV(t *testing.T) {
	f, problems, err := parseCSV(strings.NewReader(sampleCSV))
	if err != nil || len(problems) > 0 {
		t.Fatalf("parse: %v %v", err, problems)
	}
	if len(f.products) != 2 || f.rows != 3 {
		t.Fatalf("%d products, %d rows", len(f.products), f.rows)
	}
	shirt := f.products[0]
	if shirt.row != 2 || len(shirt.variants) != 2 || shirt.variants[1].row != 3 || shirt.cells[colDescription] != "Cool, light.\nMade in Chiang Mai." ||
		shirt.variants[1].cells[optionValue(1)] != "M" || f.products[1].row != 5 {
		t.Errorf("shirt: %+v", shirt)
	}
	if !f.has[colHandle] || f.has[colDescriptionTH] {
		t.Errorf("columns: %v", f.has)
	}

	for _, c := range []struct {
		name, file string
		want       []string // "row/column/code"
	}{
		{"empty", "", []string{"1//BLANK"}},
		{"unknown column", "handle,title,colour\n", []string{"1/colour/INVALID"}},
		{"twice", "handle,title,Title\n", []string{"1/title/INVALID"}},
		{"no handle", "title,price\nx,1\n", []string{"1/handle/BLANK"}},
		{"short row", "handle,title\na,A,extra\n", []string{"2//INVALID"}},
		{"no handle in a row", "handle,title\n,A\n", []string{"2/handle/BLANK"}},
		{"rows disagree", "handle,title,price\na,A,1\na,B,2\n", []string{"3/title/INVALID"}},
		{"a bare row among variants", "handle,title,price\na,A,1\na,,\n", []string{"3//INVALID"}},
		{"bad quotes", "handle,title\na,\"A\nb,B\n", []string{"2//INVALID"}},
	} {
		_, problems, err := parseCSV(strings.NewReader(c.file))
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		var got []string
		for _, p := range problems {
			got = append(got, fmt.Sprintf("%d/%s/%s", p.Row, p.Column, p.Code))
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v (%v)", c.name, got, c.want, problems)
		}
	}
}

// Cells are checked one by one, every problem reported with its row and
// column, before any product is built.
func TestImportCellChecks(t *testing.T) {
	file := "handle,title,status,tags,images,option1_name,option1_value,sku,price,compare_at_price,inventory,weight_grams\n" +
		"Bad Handle,A,ACTIVE,,,,,,1.00,,,\n" +
		"ok,B,HIDDEN,\"x,y\",ftp://x/y.jpg,Size,,S-1,-1,1.001,many,0.5\n" +
		"new,,,,,,,,,,,\n"
	f, problems, err := parseCSV(strings.NewReader(file))
	if err != nil || len(problems) > 0 {
		t.Fatal(err, problems)
	}
	owner := &model.Viewer{Kind: model.ViewerStaff, ID: 1, Permissions: model.NewPermissionSet(model.AllPermissions...)}
	var got []string
	for _, p := range f.products {
		_, errs := buildDraft(owner, p, nil, map[string]int64{}, f.has)
		for _, e := range errs {
			got = append(got, fmt.Sprintf("%d/%s/%s", e.Row, e.Column, e.Code))
		}
	}
	want := []string{"2/handle/INVALID", "3/status/INVALID", "3/images/INVALID", "3/price/INVALID", "3/compare_at_price/INVALID",
		"3/inventory/INVALID", "3/weight_grams/INVALID", "3/option1_value/BLANK", "4/title/BLANK"}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("cell errors:\n got %v\nwant %v", got, want)
	}
}

// Whatever the bytes, parsing and checking never panic, every problem
// names a row (and a known column or none), and a file read without
// problems, written back, reads the same.
func FuzzParseProductsCSV(f *testing.F) {
	f.Add([]byte(sampleCSV))
	f.Add([]byte("handle,price\na,1\na,2\n"))
	f.Add([]byte("handle,title,option1_name,option1_value,option2_value,sku,price\nx,X,Size,M,Red,s,1.5\n"))
	f.Add([]byte("handle,title\n\"a\"\"b\",\"multi\nline\"\n"))
	f.Add([]byte("handle,title,tags,images\nc,C,\"a, b,,c\",https://x.example/1 https://x.example/2\n"))
	owner := &model.Viewer{Kind: model.ViewerStaff, ID: 1, Permissions: model.NewPermissionSet(model.AllPermissions...)}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, problems, err := parseCSV(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("a reader of bytes failed: %v", err)
		}
		for _, p := range problems {
			if p.Row < 1 || p.Code == "" || p.Message == "" || (p.Row > 1 && p.Column != "" && !slices.Contains(Columns, p.Column)) {
				t.Fatalf("problem %+v", p)
			}
		}
		for _, p := range file.products {
			d, errs := buildDraft(owner, p, nil, map[string]int64{"c": 1}, file.has)
			for _, e := range errs {
				if e.Row < 2 || (e.Column != "" && !slices.Contains(Columns, e.Column)) || e.Code == model.CodeInternal {
					t.Fatalf("cell problem %+v", e)
				}
			}
			if len(errs) == 0 && d != nil {
				if err := d.complete(); err != nil {
					if re := rowErrorOf(err, p.row); re.Row < 2 || re.Code == model.CodeInternal {
						t.Fatalf("product problem %+v from %v", re, err)
					}
				}
			}
		}
		if len(problems) > 0 {
			return
		}
		var cols []string
		for _, c := range Columns {
			if file.has[c] {
				cols = append(cols, c)
			}
		}
		var out bytes.Buffer
		if err := writeCSV(&out, cols, file.products); err != nil {
			t.Fatal(err)
		}
		again, problems, err := parseCSV(&out)
		if err != nil || len(problems) > 0 {
			t.Fatalf("written back: %v %v\n%s", err, problems, out.String())
		}
		if a, b := describe(file), describe(again); a != b {
			t.Fatalf("written back and read again:\n%s\nwas\n%s", b, a)
		}
	})
}

// describe is a file's products without row numbers, for comparing.
func describe(f *csvFile) string {
	var b strings.Builder
	for _, p := range f.products {
		fmt.Fprintf(&b, "%q %v bare=%d\n", p.handle, sortedCells(p.cells), len(p.bare))
		for _, v := range p.variants {
			fmt.Fprintf(&b, "  %v\n", sortedCells(v.cells))
		}
	}
	return b.String()
}

func sortedCells(m map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, k+"="+strconv.Quote(m[k]))
	}
	return strings.Join(parts, " ")
}
