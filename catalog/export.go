package catalog

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// ExportStats says what an export wrote.
type ExportStats struct {
	Products int
	Rows     int // below the header
}

// exportBatch is how many products Export reads per round of statements.
const exportBatch = 500

// Export writes the products matching f, in ID order, as a CSV file in the
// format Import reads (every column), reading them a batch at a time. A
// file exported and imported again changes nothing.
func (s *Service) Export(ctx context.Context, w io.Writer, f store.ProductFilter) (ExportStats, error) {
	var stats ExportStats
	cats, _, err := s.st.CategoryTree(ctx)
	if err != nil {
		return stats, err
	}
	handles := make(map[int64]string, len(cats))
	for _, c := range cats {
		handles[c.ID] = c.Handle
	}
	out := &headerOnce{w: w}
	pg := store.Page{Sort: store.SortByID, Limit: exportBatch}
	for {
		page, more, err := s.st.ListProducts(ctx, f, pg)
		if err != nil {
			return stats, err
		}
		ids := make([]int64, len(page))
		for i, p := range page {
			ids[i] = p.ID
		}
		rows, err := s.st.FindProductRows(ctx, ids)
		if err != nil {
			return stats, err
		}
		records := make([]*productRecord, len(rows))
		for i := range rows {
			records[i] = exportRecord(&rows[i], handles)
			stats.Products++
			stats.Rows += max(1, len(records[i].variants))
		}
		if err := out.write(records); err != nil {
			return stats, err
		}
		if !more || len(page) == 0 {
			if stats.Products == 0 {
				return stats, out.write(nil)
			}
			return stats, nil
		}
		pg.After = &model.Cursor{SortKey: "ID", ID: page[len(page)-1].ID}
	}
}

// headerOnce writes batches of records to one file: the header once.
type headerOnce struct {
	w       io.Writer
	started bool
}

func (h *headerOnce) write(records []*productRecord) error {
	var b strings.Builder
	if err := writeCSV(&b, Columns, records); err != nil {
		return err
	}
	text := b.String()
	if h.started {
		_, text, _ = strings.Cut(text, "\n")
	}
	h.started = true
	_, err := io.WriteString(h.w, text)
	return err
}

// exportRecord is a product as a file row of each variant.
func exportRecord(r *store.ProductRows, categoryHandles map[int64]string) *productRecord {
	p := &r.Product
	cells := map[string]string{colTitle: p.Title, colTitleTH: p.TitleTH, colDescription: p.Description,
		colDescriptionTH: p.DescriptionTH, colStatus: string(p.Status), colTags: strings.Join(r.Tags, ", ")}
	if p.CategoryID != nil {
		cells[colCategory] = categoryHandles[*p.CategoryID]
	}
	urls := make([]string, len(r.Images))
	for i, im := range r.Images {
		urls[i] = im.URL
	}
	cells[colImages] = strings.Join(urls, " ")
	for i, o := range r.Options {
		if i < model.MaxOptionsPerProduct {
			cells[optionName(i+1)] = o.Name
		}
	}
	rec := &productRecord{handle: p.Handle, cells: cells}
	digits := p.Currency.MinorDigits()
	for _, v := range r.Variants {
		vc := map[string]string{colPrice: model.FormatMinor(v.Price, digits), colInventory: strconv.Itoa(v.InventoryQuantity)}
		if v.SKU != nil {
			vc[colSKU] = *v.SKU
		}
		if v.CompareAtPrice != nil {
			vc[colCompareAt] = model.FormatMinor(*v.CompareAtPrice, digits)
		}
		if v.WeightGrams != nil {
			vc[colWeight] = strconv.Itoa(*v.WeightGrams)
		}
		for _, o := range v.Options() {
			for n := 1; n <= model.MaxOptionsPerProduct; n++ {
				if cells[optionName(n)] == o.Name {
					vc[optionValue(n)] = o.Value
				}
			}
		}
		rec.variants = append(rec.variants, variantRecord{cells: vc})
	}
	return rec
}
