package catalog

import (
	"cmp"
	"context"
	"io"
	"slices"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// ImportOptions tune Import.
type ImportOptions struct {
	// ValidateOnly checks the file and reports what it would do, writing
	// nothing.
	ValidateOnly bool
}

// ImportSummary is what a file holds and what importing it does.
type ImportSummary struct {
	Imported          bool // the products were written
	Rows              int
	ProductsCreated   int
	ProductsUpdated   int
	ProductsUnchanged int
	VariantsCreated   int
	VariantsUpdated   int
	VariantsDeleted   int
}

// ImportResult is Import's answer: the summary, and the row errors when the
// file was refused.
type ImportResult struct {
	Summary   ImportSummary
	RowErrors []RowError
}

// Import reads products from a CSV file and writes them in one
// transaction: a handle the catalog has is that product, replaced by what
// the file says of it (its variants matched by SKU, then by option values;
// the ones the file does not list are deleted); any other handle is a new
// product. Every row is checked, against the rules of the API and against
// the catalog, before anything is written; when any row fails, nothing is
// written and RowErrors lists every problem found. Each product created or
// changed is recorded in the audit log as product.import.
func (s *Service) Import(ctx context.Context, v *model.Viewer, r io.Reader, opts ImportOptions) (*ImportResult, error) {
	file, parseProblems, err := parseCSV(r)
	if err != nil {
		return nil, model.InvalidField(nil, "the file could not be read")
	}
	res := &ImportResult{}
	err = s.write(ctx, func(tx *store.Store) error {
		*res = ImportResult{Summary: ImportSummary{Rows: file.rows}, RowErrors: slices.Clone(parseProblems)}
		drafts, problems, err := s.importDrafts(ctx, tx, v, file, parseProblems)
		if err != nil {
			return err
		}
		res.RowErrors = append(res.RowErrors, problems...)
		if len(res.RowErrors) > 0 {
			slices.SortStableFunc(res.RowErrors, func(a, b RowError) int {
				return cmp.Or(cmp.Compare(a.Row, b.Row), cmp.Compare(columnOrder(a.Column), columnOrder(b.Column)))
			})
			return nil
		}
		var saves []store.ProductSave
		var changed []*draft
		for _, d := range drafts {
			if d.before != nil && sameJSON(importFields(d.before), importFields(d.after)) {
				res.Summary.ProductsUnchanged++
				continue
			}
			countImport(&res.Summary, d)
			saves = append(saves, store.ProductSave{Before: d.before, After: d.after,
				Actor: model.ActorOf(v), Reference: "product.import"})
			changed = append(changed, d)
		}
		if opts.ValidateOnly || len(saves) == 0 {
			res.Summary.Imported = !opts.ValidateOnly
			return nil
		}
		if err := tx.SaveProducts(ctx, saves); err != nil {
			return err
		}
		ids := make([]int64, len(changed))
		for i, d := range changed {
			ids[i] = d.after.Product.ID
		}
		if err := tx.RefreshProductSearch(ctx, ids); err != nil {
			return err
		}
		for _, d := range changed {
			var before map[string]any
			if d.before != nil {
				before = importFields(d.before)
			}
			if err := s.audit(ctx, tx, v, "product.import", string(model.TypeProduct), d.after.Product.ID,
				before, importFields(d.after)); err != nil {
				return err
			}
		}
		res.Summary.Imported = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// importDrafts turns the file's products into drafts over the catalog as
// it is (locking the products the file names) and checks them, returning
// every problem found. Products whose rows already failed are skipped.
func (s *Service) importDrafts(ctx context.Context, tx *store.Store, v *model.Viewer, file *csvFile,
	parseProblems []RowError) ([]*draft, []RowError, error) {
	handles := make([]string, 0, len(file.products))
	var categoryHandles []string
	for _, p := range file.products {
		handles = append(handles, p.handle)
		if c := strings.TrimSpace(p.cells[colCategory]); c != "" && !slices.Contains(categoryHandles, c) {
			categoryHandles = append(categoryHandles, c)
		}
	}
	existing, err := tx.LockProductsByHandles(ctx, handles)
	if err != nil {
		return nil, nil, err
	}
	ids := make([]int64, len(existing))
	for i, p := range existing {
		ids[i] = p.ID
	}
	rows, err := tx.LockProductRows(ctx, ids)
	if err != nil {
		return nil, nil, err
	}
	byHandle := make(map[string]*store.ProductRows, len(rows))
	for i := range rows {
		byHandle[rows[i].Product.Handle] = &rows[i]
	}
	cats, err := tx.FindCategoriesByHandles(ctx, categoryHandles)
	if err != nil {
		return nil, nil, err
	}
	categories := make(map[string]int64, len(cats))
	for _, c := range cats {
		categories[c.Handle] = c.ID
	}
	failed := map[int]bool{}
	for _, e := range parseProblems {
		failed[e.Row] = true
	}
	var problems []RowError
	var drafts []*draft
	for _, p := range file.products {
		if productFailed(p, failed) {
			continue
		}
		d, errs := buildDraft(v, p, byHandle[p.handle], categories, file.has)
		if len(errs) == 0 && d != nil {
			if err := d.complete(); err != nil {
				errs = append(errs, rowErrorOf(err, p.row))
			}
		}
		if len(errs) > 0 {
			problems = append(problems, errs...)
			continue
		}
		drafts = append(drafts, d)
	}
	more, err := catalogProblems(ctx, tx, drafts)
	if err != nil {
		return nil, nil, err
	}
	for _, e := range more {
		problems = append(problems, rowErrorOf(e, 0))
	}
	return drafts, problems, nil
}

func productFailed(p *productRecord, failed map[int]bool) bool {
	if failed[p.row] {
		return true
	}
	for _, v := range p.variants {
		if failed[v.row] {
			return true
		}
	}
	for _, row := range p.bare {
		if failed[row] {
			return true
		}
	}
	return false
}

// buildDraft checks every cell of product p and, when all are right, makes
// its draft: p applied over before (nil for a new product). Field paths
// start with the row number, so that rowErrorOf finds row and column.
func buildDraft(v *model.Viewer, p *productRecord, before *store.ProductRows, categories map[string]int64,
	has map[string]bool) (*draft, []RowError) {
	var errs []RowError
	fail := func(err *model.Error) {
		if err != nil {
			errs = append(errs, rowErrorOf(err, p.row))
		}
	}
	row := strconv.Itoa(p.row)
	at := func(col string) []string { return []string{row, col} }
	cell := func(col string) (string, bool) {
		c, ok := p.cells[col]
		return strings.TrimSpace(c), ok
	}

	fail(model.CheckHandle(at(colHandle), p.handle))
	in := ProductInput{Handle: &p.handle}
	if t, ok := cell(colTitle); ok && t != "" {
		in.Title = &t
	} else if before == nil {
		fail(&model.Error{Code: model.CodeBlank, Field: at(colTitle), Message: "a new product needs a title"})
	}
	for _, c := range []struct {
		col string
		dst **string
	}{{colTitleTH, &in.TitleTH}, {colDescription, &in.Description}, {colDescriptionTH, &in.DescriptionTH}} {
		if t, ok := p.cells[c.col]; ok {
			*c.dst = &t
		}
	}
	if h, ok := cell(colCategory); ok {
		in.CategoryID.Set = true
		if h != "" {
			if id, found := categories[h]; found {
				in.CategoryID.Value = &id
			} else {
				fail(notFoundAt(at(colCategory), "category with the handle "+quote(h)))
			}
		}
	}
	if st, ok := cell(colStatus); ok && st != "" {
		status, valid := model.ParseProductStatus(st)
		if !valid {
			fail(model.InvalidField(at(colStatus), "status must be ACTIVE, DRAFT or ARCHIVED"))
		}
		in.Status = &status
	}
	if t, ok := p.cells[colTags]; ok {
		tags := splitTags(t)
		for _, tag := range tags {
			fail(model.CheckTag(at(colTags), tag))
		}
		in.Tags = &tags
	}
	if cellImages, ok := p.cells[colImages]; ok {
		var imgs []ImageInput
		taken := map[int64]bool{}
		for _, u := range strings.Fields(cellImages) {
			fail(model.CheckImageURL(at(colImages), u))
			im := ImageInput{URL: u}
			if before != nil {
				// An image the product has keeps its ID, alt text and size.
				for _, old := range before.Images {
					if old.URL == u && !taken[old.ID] {
						taken[old.ID] = true
						im = ImageInput{ID: old.ID, URL: u}
						break
					}
				}
			}
			imgs = append(imgs, im)
		}
		in.Images = &imgs
	}
	var optionNames []string // by option number, "" for none
	optionsGiven := false
	for n := 1; n <= model.MaxOptionsPerProduct; n++ {
		name, ok := cell(optionName(n))
		optionsGiven = optionsGiven || ok || has[optionValue(n)]
		fail(model.CheckLine(at(optionName(n)), name, model.MaxOptionTextLen, false))
		if name != "" && slices.Contains(optionNames, name) {
			fail(model.InvalidField(at(optionName(n)), "option %q is named twice", name))
		}
		optionNames = append(optionNames, name)
	}

	variantsGiven := false
	for _, c := range variantColumns {
		variantsGiven = variantsGiven || has[c]
	}
	var vins []VariantInput
	for _, vr := range p.variants {
		vin, vErrs := variantCells(vr, optionNames, optionsGiven)
		errs = append(errs, vErrs...)
		vins = append(vins, vin)
	}
	if len(errs) > 0 {
		return nil, errs
	}

	d := newDraft(before, at(""))
	d.base = []string{row}
	if err := d.apply(v, in, []string{row}); err != nil {
		return nil, []RowError{rowErrorOf(err, p.row)}
	}
	d.fields["handle"] = at(colHandle)
	if !variantsGiven {
		return d, nil
	}
	// The file lists the product's whole set of variants: each row is an
	// existing variant (matched by SKU, then by option values) or a new one.
	var list []model.ProductVariant
	var paths [][]string
	matched := map[int64]bool{}
	for i, vr := range p.variants {
		f := []string{strconv.Itoa(vr.row)}
		nv := newVariant()
		creating := true
		if j := matchVariant(d.after.Variants, vins[i], matched); j >= 0 {
			nv, creating = d.after.Variants[j], false
			matched[nv.ID] = true
		}
		if err := applyVariant(v, &nv, vins[i], f, creating); err != nil {
			return nil, []RowError{rowErrorOf(err, vr.row)}
		}
		list = append(list, nv)
		paths = append(paths, f)
	}
	d.after.Variants, d.variantPaths = list, paths
	d.fields["variants"] = []string{row}
	return d, nil
}

// variantCells checks the cells of one variant row and makes its input.
func variantCells(vr variantRecord, optionNames []string, optionsGiven bool) (VariantInput, []RowError) {
	var in VariantInput
	var errs []RowError
	fail := func(err *model.Error) {
		if err != nil {
			errs = append(errs, rowErrorOf(err, vr.row))
		}
	}
	row := strconv.Itoa(vr.row)
	at := func(col string) []string { return []string{row, col} }
	cell := func(col string) (string, bool) {
		c, ok := vr.cells[col]
		return strings.TrimSpace(c), ok
	}
	if sku, ok := cell(colSKU); ok {
		in.SKU.Set = true
		if sku != "" {
			fail(model.CheckSKU(at(colSKU), sku))
			in.SKU.Value = &sku
		}
	}
	if p, ok := cell(colPrice); ok && p != "" {
		price, err := model.ParsePrice(at(colPrice), p, storeCurrency)
		fail(err)
		in.Price = &price
	}
	if c, ok := cell(colCompareAt); ok {
		in.CompareAtPrice.Set = true
		if c != "" {
			price, err := model.ParsePrice(at(colCompareAt), c, storeCurrency)
			fail(err)
			in.CompareAtPrice.Value = &price
		}
	}
	if q, ok := cell(colInventory); ok && q != "" {
		n, err := strconv.Atoi(q)
		if err != nil {
			fail(model.InvalidField(at(colInventory), "inventory must be a whole number"))
		} else {
			fail(model.CheckInventory(at(colInventory), n))
		}
		in.Inventory = &n
	}
	if w, ok := cell(colWeight); ok {
		in.WeightGrams.Set = true
		if w != "" {
			g, err := strconv.Atoi(w)
			if err != nil || g < 0 || g > model.MaxWeightGrams {
				fail(model.InvalidField(at(colWeight), "weight_grams must be a whole number of grams up to 10000000"))
			}
			in.WeightGrams.Value = &g
		}
	}
	if optionsGiven {
		sel := []model.SelectedOption{}
		for n := 1; n <= model.MaxOptionsPerProduct; n++ {
			val, _ := cell(optionValue(n))
			name := optionNames[n-1]
			switch {
			case name == "" && val != "":
				fail(model.InvalidField(at(optionValue(n)), "the product's first row names no option %d (%s)", n, optionName(n)))
			case name != "" && val == "":
				fail(&model.Error{Code: model.CodeBlank, Field: at(optionValue(n)), Message: "the variant needs a value for " + name})
			case name != "":
				fail(model.CheckLine(at(optionValue(n)), val, model.MaxOptionTextLen, true))
				sel = append(sel, model.SelectedOption{Name: name, Value: val})
			}
		}
		in.Options = &sel
	}
	return in, errs
}

// matchVariant finds the existing variant a row describes: the one with
// its SKU, else the one with its option values, skipping matched ones.
func matchVariant(existing []model.ProductVariant, in VariantInput, matched map[int64]bool) int {
	if in.SKU.Value != nil {
		k := model.SKUKey(*in.SKU.Value)
		if j := slices.IndexFunc(existing, func(x model.ProductVariant) bool {
			return !matched[x.ID] && x.SKU != nil && model.SKUKey(*x.SKU) == k
		}); j >= 0 {
			return j
		}
	}
	if in.Options == nil {
		return -1
	}
	want := comboSet(*in.Options)
	return slices.IndexFunc(existing, func(x model.ProductVariant) bool {
		return !matched[x.ID] && comboSet(x.Options()) == want && (x.SKU == nil || in.SKU.Value == nil)
	})
}

// comboSet is a variant's option values as a key independent of order.
func comboSet(sel []model.SelectedOption) string {
	parts := make([]string, len(sel))
	for i, o := range sel {
		parts[i] = o.Name + "\x00" + o.Value
	}
	slices.Sort(parts)
	return strings.Join(parts, "\x01")
}

// csvColumns maps the names of input fields to the columns they come from.
var csvColumns = map[string]string{
	"handle": colHandle, "title": colTitle, "titleTh": colTitleTH, "description": colDescription,
	"descriptionTh": colDescriptionTH, "categoryId": colCategory, "status": colStatus, "tags": colTags,
	"images": colImages, "sku": colSKU, "price": colPrice, "compareAtPrice": colCompareAt,
	"inventoryQuantity": colInventory, "weight": colWeight,
}

// rowErrorOf turns an error whose field path starts with a row number
// (["12", "price"]) into a row error; fallbackRow is used when the path
// has none.
func rowErrorOf(err error, fallbackRow int) RowError {
	me, ok := asModelError(err)
	if !ok {
		return RowError{Row: fallbackRow, Code: model.CodeInternal, Message: "internal error"}
	}
	re := RowError{Row: fallbackRow, Code: me.Code, Message: me.Message}
	f := me.Field
	if len(f) > 0 {
		if n, err := strconv.Atoi(f[0]); err == nil {
			re.Row = n
		}
		f = f[1:]
	}
	if len(f) > 0 {
		if col, ok := csvColumns[f[0]]; ok {
			re.Column = col
		} else if slices.Contains(Columns, f[0]) {
			re.Column = f[0]
		} else if f[0] == "selectedOptions" {
			re.Column = optionValue(1)
			if len(f) >= 3 {
				if n, err := strconv.Atoi(f[1]); err == nil && n < model.MaxOptionsPerProduct {
					if f[2] == "name" {
						re.Column = optionName(n + 1)
					} else {
						re.Column = optionValue(n + 1)
					}
				}
			}
		}
	}
	return re
}

// columnOrder is the place of a column in Columns, for sorting row errors.
func columnOrder(col string) int { return slices.Index(Columns, col) }

// countImport adds a changed product's counts to the summary.
func countImport(s *ImportSummary, d *draft) {
	if d.before == nil {
		s.ProductsCreated++
		s.VariantsCreated += len(d.after.Variants)
		return
	}
	s.ProductsUpdated++
	old := map[int64]*model.ProductVariant{}
	for i := range d.before.Variants {
		old[d.before.Variants[i].ID] = &d.before.Variants[i]
	}
	for i := range d.after.Variants {
		a := &d.after.Variants[i]
		b, ok := old[a.ID]
		delete(old, a.ID)
		switch {
		case !ok:
			s.VariantsCreated++
		case !sameJSON(importVariantFields(b), importVariantFields(a)):
			s.VariantsUpdated++
		}
	}
	s.VariantsDeleted += len(old)
}

// importFields is what the audit log keeps of an imported product: its
// fields, its variants and its images, so that an unchanged product is
// seen as such and skipped.
func importFields(r *store.ProductRows) map[string]any {
	f := productFields(r)
	tags := slices.Clone(r.Tags)
	slices.Sort(tags) // the order tags are read back in
	f["tags"] = tags
	vs := make([]map[string]any, len(r.Variants))
	for i := range r.Variants {
		vs[i] = importVariantFields(&r.Variants[i])
	}
	ims := make([]map[string]any, len(r.Images))
	for i, im := range r.Images {
		var alt any
		if im.AltText != nil {
			alt = *im.AltText
		}
		ims[i] = map[string]any{"url": im.URL, "altText": alt}
	}
	f["variants"], f["images"] = vs, ims
	return f
}

func importVariantFields(v *model.ProductVariant) map[string]any {
	f := variantFields(v)
	delete(f, "product")
	f["id"] = v.ID
	return f
}
