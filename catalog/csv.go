package catalog

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
)

// The CSV format of products (docs/CATALOG_ADMIN.md has the full
// description): UTF-8, comma-separated, a header row naming the columns in
// any order, then one row per variant. A product's rows share its handle;
// the product's own columns are read from its first row, and on its other
// rows must be empty or the same.

// The columns, in the order Export writes them.
const (
	colHandle        = "handle"
	colTitle         = "title"
	colTitleTH       = "title_th"
	colDescription   = "description"
	colDescriptionTH = "description_th"
	colCategory      = "category"
	colStatus        = "status"
	colTags          = "tags"
	colImages        = "images"
	colSKU           = "sku"
	colPrice         = "price"
	colCompareAt     = "compare_at_price"
	colInventory     = "inventory"
	colWeight        = "weight_grams"
)

// optionName and optionValue are the columns of option n (1 to 3).
func optionName(n int) string  { return "option" + strconv.Itoa(n) + "_name" }
func optionValue(n int) string { return "option" + strconv.Itoa(n) + "_value" }

// Columns are the columns of the format, in the order Export writes them.
var Columns = []string{colHandle, colTitle, colTitleTH, colDescription, colDescriptionTH, colCategory, colStatus, colTags,
	colImages, optionName(1), optionValue(1), optionName(2), optionValue(2), optionName(3), optionValue(3),
	colSKU, colPrice, colCompareAt, colInventory, colWeight}

// productColumns are read from a product's first row; variantColumns from
// each of its rows.
var (
	productColumns = []string{colTitle, colTitleTH, colDescription, colDescriptionTH, colCategory, colStatus, colTags,
		colImages, optionName(1), optionName(2), optionName(3)}
	variantColumns = []string{colSKU, colPrice, colCompareAt, colInventory, colWeight,
		optionValue(1), optionValue(2), optionValue(3)}
)

// MaxImportRows bounds the rows of one imported file.
const MaxImportRows = 100_000

// RowError is a problem with one row of an imported file: the row's number
// as spreadsheets count (the header is row 1), the column (empty when the
// problem is the row's as a whole), a code and a message.
type RowError struct {
	Row     int
	Column  string
	Code    model.ErrorCode
	Message string
}

func (e RowError) String() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d: %s: %s", e.Row, e.Code, e.Message)
	}
	return fmt.Sprintf("row %d, column %s: %s: %s", e.Row, e.Column, e.Code, e.Message)
}

// csvFile is an imported file, read into products.
type csvFile struct {
	has      map[string]bool // the columns the header names
	products []*productRecord
	rows     int // data rows, blank ones included
}

// productRecord is one product of a file: the cells of its product columns
// from its first row, and its variant rows.
type productRecord struct {
	row      int
	handle   string
	cells    map[string]string
	variants []variantRecord
	// bare are the rows without any variant cell; a product with such a
	// row may have no other row (it then has no variants).
	bare []int
}

// variantRecord is one variant row: the cells of its variant columns.
type variantRecord struct {
	row   int
	cells map[string]string
}

// parseCSV reads a file into products. Problems with the file's shape (the
// header, rows of the wrong length, a product's rows that disagree) are row
// errors; the cells themselves are checked later. The error is only for a
// reader that fails.
func parseCSV(r io.Reader) (*csvFile, []RowError, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var problems []RowError
	bad := func(row int, col string, code model.ErrorCode, format string, args ...any) {
		problems = append(problems, RowError{Row: row, Column: col, Code: code, Message: fmt.Sprintf(format, args...)})
	}
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		bad(1, "", model.CodeBlank, "the file is empty: it needs a header row")
		return &csvFile{}, problems, nil
	}
	if err != nil {
		return csvProblem(err, 1, problems)
	}
	f := &csvFile{has: map[string]bool{}}
	columns := make([]string, len(header))
	for i, h := range header {
		if i == 0 {
			h = strings.TrimPrefix(h, "\uFEFF") // a byte order mark, as spreadsheets write
		}
		name := strings.ToLower(strings.TrimSpace(h))
		columns[i] = name
		switch {
		case !slices.Contains(Columns, name):
			bad(1, h, model.CodeInvalid, "unknown column %q; the columns are %s", h, strings.Join(Columns, ", "))
		case f.has[name]:
			bad(1, name, model.CodeInvalid, "column %s appears twice", name)
		}
		f.has[name] = true
	}
	if !f.has[colHandle] {
		bad(1, colHandle, model.CodeBlank, "the file needs a handle column")
	}
	if len(problems) > 0 {
		return f, problems, nil
	}
	byHandle := map[string]*productRecord{}
	// Rows are numbered as a spreadsheet shows the file: one per record
	// (a cell may span lines), and one per empty line, which the CSV
	// reader skips.
	row, nextLine := 1, endLine(cr, header)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return csvProblem(err, row+1, problems)
		}
		line, _ := cr.FieldPos(0)
		row += 1 + max(0, line-nextLine)
		nextLine = endLine(cr, rec)
		f.rows++
		if f.rows > MaxImportRows {
			bad(row, "", model.CodeLimitExceeded, "a file may have at most %d rows; split it", MaxImportRows)
			return f, problems, nil
		}
		if len(rec) != len(columns) {
			if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
				continue // a blank line
			}
			bad(row, "", model.CodeInvalid, "the row has %d cells, the header %d", len(rec), len(columns))
			continue
		}
		cells := make(map[string]string, len(columns))
		blank := true
		for i, c := range rec {
			cells[columns[i]] = c
			blank = blank && strings.TrimSpace(c) == ""
		}
		if blank {
			continue
		}
		handle := strings.TrimSpace(cells[colHandle])
		if handle == "" {
			bad(row, colHandle, model.CodeBlank, "every row needs the product's handle")
			continue
		}
		p := byHandle[handle]
		if p == nil {
			p = &productRecord{row: row, handle: handle, cells: map[string]string{}}
			for _, c := range productColumns {
				if f.has[c] {
					p.cells[c] = cells[c]
				}
			}
			byHandle[handle] = p
			f.products = append(f.products, p)
		} else {
			for _, c := range productColumns {
				if v := cells[c]; f.has[c] && strings.TrimSpace(v) != "" && v != p.cells[c] {
					bad(row, c, model.CodeInvalid, "differs from row %d, the product's first row; leave it empty on the product's other rows", p.row)
				}
			}
		}
		vr := variantRecord{row: row, cells: map[string]string{}}
		empty := true
		for _, c := range variantColumns {
			if f.has[c] {
				vr.cells[c] = cells[c]
				empty = empty && strings.TrimSpace(cells[c]) == ""
			}
		}
		if empty {
			p.bare = append(p.bare, row)
		} else {
			p.variants = append(p.variants, vr)
		}
	}
	for _, p := range f.products {
		if len(p.bare) > 0 && len(p.bare)+len(p.variants) > 1 {
			for _, row := range p.bare {
				bad(row, "", model.CodeInvalid, "the row has no variant cells, but product %q has other rows: each of them must describe a variant", p.handle)
			}
		}
	}
	return f, problems, nil
}

// endLine is the line after the record the reader just read.
func endLine(cr *csv.Reader, rec []string) int {
	last := len(rec) - 1
	line, _ := cr.FieldPos(last)
	return line + strings.Count(rec[last], "\n") + 1
}

// csvProblem turns a CSV syntax error into a row error (reading stops
// there); any other error is the reader's.
func csvProblem(err error, row int, problems []RowError) (*csvFile, []RowError, error) {
	var pe *csv.ParseError
	if !errors.As(err, &pe) {
		return nil, nil, err
	}
	return &csvFile{}, append(problems, RowError{Row: row, Code: model.CodeInvalid,
		Message: fmt.Sprintf("not valid CSV at line %d, column %d: %v; reading stopped here", pe.Line, pe.Column, pe.Err)}), nil
}

// writeCSV writes products in the format, with the given columns: a
// product's columns on its first row only.
func writeCSV(w io.Writer, columns []string, products []*productRecord) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(columns); err != nil {
		return err
	}
	rec := make([]string, len(columns))
	for _, p := range products {
		rows := p.variants
		if len(rows) == 0 {
			rows = []variantRecord{{}}
		}
		for i, v := range rows {
			for j, c := range columns {
				switch {
				case c == colHandle:
					rec[j] = p.handle
				case slices.Contains(productColumns, c):
					rec[j] = ""
					if i == 0 {
						rec[j] = p.cells[c]
					}
				default:
					rec[j] = v.cells[c]
				}
			}
			if err := cw.Write(rec); err != nil {
				return err
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// splitTags splits a tags cell at commas, dropping empty entries.
func splitTags(cell string) []string {
	var out []string
	for _, t := range strings.Split(cell, ",") {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}
