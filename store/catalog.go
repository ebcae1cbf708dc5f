package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// ProductSortKey is an order the storefront can list products in.
type ProductSortKey string

// Product sort keys; the GraphQL enum ProductSortKeys maps onto these.
const (
	SortByID        ProductSortKey = "ID"
	SortByTitle     ProductSortKey = "TITLE"
	SortByPrice     ProductSortKey = "PRICE"
	SortByCreatedAt ProductSortKey = "CREATED_AT"
)

// ProductFilter narrows a product list. Zero fields do not filter.
type ProductFilter struct {
	CategoryID *int64 // this category and every category below it
	// Query holds words that must all occur, as substrings, in the English
	// or Thai title or description, compared after model.FoldText (see
	// search.go): at most MaxSearchWords words of MaxSearchWordRunes
	// characters, or the list fails with INVALID.
	Query     string
	MinPrice  *int64 // some variant costs at least this (minor units)
	MaxPrice  *int64 // some variant costs at most this (minor units)
	Available *bool  // has / has no variant in stock
	// Tag matches products with a tag whose model.TagKey equals this one's:
	// case-insensitive (Go's Unicode lower-casing), accents significant,
	// surrounding whitespace ignored, on every database.
	Tag string
	// Statuses lists the product statuses to include. Empty means the
	// storefront's (model.StorefrontStatus): only staff lists set it.
	Statuses []model.ProductStatus
}

// Page selects one page of a keyset-paginated list: Limit items from the
// start of the window between After and Before, or from its end when
// Backward (Relay's `last`).
type Page struct {
	Sort     ProductSortKey
	Reverse  bool
	Limit    int
	Backward bool
	After    *model.Cursor
	Before   *model.Cursor
	// Language is the language titles are sorted in under SortByTitle: with
	// LanguageTH, by the Thai title (the English one where it is empty),
	// otherwise by the English title. Cursors of the two orders differ.
	Language model.Language
}

func (p Page) backward() bool { return p.Backward }

func (p Page) limit() int { return p.Limit }

// sortOrder is one concrete order a list can be read in: the cursor key that
// names it, the column behind it (a title sort key column, compared byte for
// byte on both databases, for the title orders), and the sort value of a
// product in cursor form. The product ID breaks ties.
type sortOrder struct {
	cursorKey string
	column    string
	value     func(p *model.Product) string
	parse     func(v string) (any, bool) // a cursor value back to the column's type
	compare   func(a, b *model.Product) int
}

var (
	orderByID = sortOrder{cursorKey: "ID", column: "id",
		value:   func(*model.Product) string { return "" },
		compare: func(a, b *model.Product) int { return cmp.Compare(a.ID, b.ID) }}
	orderByTitle = sortOrder{cursorKey: "TITLE", column: "title_key",
		value: func(p *model.Product) string { return model.TitleSortKey(p.Title) }, parse: parseSortKey,
		compare: func(a, b *model.Product) int {
			return strings.Compare(model.TitleSortKey(a.Title), model.TitleSortKey(b.Title))
		}}
	orderByTitleTH = sortOrder{cursorKey: "TITLE_TH", column: "title_th_key",
		value: func(p *model.Product) string { return thaiTitleSortKey(p.Title, p.TitleTH) }, parse: parseSortKey,
		compare: func(a, b *model.Product) int {
			return strings.Compare(thaiTitleSortKey(a.Title, a.TitleTH), thaiTitleSortKey(b.Title, b.TitleTH))
		}}
	orderByPrice = sortOrder{cursorKey: "PRICE", column: "min_price",
		value:   func(p *model.Product) string { return strconv.FormatInt(p.MinPrice, 10) },
		compare: func(a, b *model.Product) int { return cmp.Compare(a.MinPrice, b.MinPrice) },
		parse: func(v string) (any, bool) {
			n, err := strconv.ParseInt(v, 10, 64)
			return n, err == nil
		}}
	orderByCreatedAt = sortOrder{cursorKey: "CREATED_AT", column: "created_at",
		value:   func(p *model.Product) string { return strconv.FormatInt(p.CreatedAt.Unix(), 10) },
		compare: func(a, b *model.Product) int { return a.CreatedAt.Compare(b.CreatedAt) },
		parse: func(v string) (any, bool) {
			n, err := strconv.ParseInt(v, 10, 64)
			// Only years 1 to 9999 fit a DATETIME; anything else was not made by us.
			if err != nil || n < minCursorUnix || n > maxCursorUnix {
				return nil, false
			}
			return time.Unix(n, 0).UTC(), true
		}}
)

// thaiTitleSortKey is the key of the Thai title order: the Thai title's,
// or the English title's where there is no Thai one.
func thaiTitleSortKey(title, titleTH string) string {
	return model.TitleSortKey(model.Localized(model.LanguageTH, title, titleTH))
}

// The range of Unix seconds a CREATED_AT cursor may hold: 0001-01-01 to 9999-12-31.
const (
	minCursorUnix = -62135596800
	maxCursorUnix = 253402300799
)

// parseSortKey accepts a title sort key from a cursor only if it could have
// been made by model.TitleSortKey: MySQL's binary collation pads with
// spaces, so it orders a string ending in a space or holding a character
// below the space differently from SQLite, and such keys never come from us.
func parseSortKey(v string) (any, bool) {
	if len(v) > model.MaxSortKeyBytes || !utf8.ValidString(v) || strings.HasSuffix(v, " ") {
		return nil, false
	}
	for i := 0; i < len(v); i++ {
		if v[i] < ' ' {
			return nil, false
		}
	}
	return v, true
}

// order returns the order the page is read in.
func (p Page) order() (sortOrder, error) {
	switch p.Sort {
	case SortByID:
		return orderByID, nil
	case SortByTitle:
		if p.Language == model.LanguageTH {
			return orderByTitleTH, nil
		}
		return orderByTitle, nil
	case SortByPrice:
		return orderByPrice, nil
	case SortByCreatedAt:
		return orderByCreatedAt, nil
	}
	return sortOrder{}, model.Errorf(model.CodeInvalid, "unknown sort key %q", p.Sort)
}

// CursorFor returns the cursor of product p in the page's order. Cursors
// name their order, so a cursor of the Thai title order is refused in the
// English one and the other way round.
func (p Page) CursorFor(prod *model.Product) model.Cursor {
	o, err := p.order()
	if err != nil {
		return model.Cursor{SortKey: string(p.Sort), ID: prod.ID}
	}
	return model.Cursor{SortKey: o.cursorKey, ID: prod.ID, Value: o.value(prod)}
}

// CursorKey is the sort key the page's cursors carry ("TITLE_TH" for the
// Thai title order): a cursor with another one is refused.
func (p Page) CursorKey() string {
	o, err := p.order()
	if err != nil {
		return string(p.Sort)
	}
	return o.cursorKey
}

// cursorValue converts a cursor's text value back to the column's type,
// rejecting cursors made under another order or tampered with.
func (o sortOrder) cursorValue(c *model.Cursor) (any, error) {
	if c.SortKey != o.cursorKey {
		return nil, model.Errorf(model.CodeInvalid, "invalid cursor: it belongs to another sort order")
	}
	v, ok := o.parse(c.Value)
	if !ok {
		return nil, model.Errorf(model.CodeInvalid, "invalid cursor")
	}
	return v, nil
}

// productQueries returns the storefront products matching f as one or two
// queries over the table "products", for the caller to select from, order
// and limit alike: the union of their results is the answer. A text query
// gives two, of which one returns rows (see searchBranches); ratio says how
// rare a word must be for the index to be used.
func (s *Store) productQueries(db *gorm.DB, f ProductFilter, ratio int64) ([]*gorm.DB, error) {
	qs := []*gorm.DB{db.Table("products")}
	if f.Query != "" {
		words, err := searchWords(f.Query)
		if err != nil {
			return nil, err
		}
		if len(words) > 0 {
			qs = s.searchBranches(db, words, ratio)
		}
	}
	for i := range qs {
		qs[i] = applyFilter(qs[i], "products", f)
	}
	return qs, nil
}

// applyFilter adds the filter, all but the text query (which
// productQueries adds), to q. Only products in model.StorefrontStatus are
// listed unless the filter names statuses, which only staff lists do.
func applyFilter(q *gorm.DB, table string, f ProductFilter) *gorm.DB {
	col := func(c string) string { return table + "." + c }
	switch len(f.Statuses) {
	case 0:
		q = q.Where(col("status")+" = ?", model.StorefrontStatus)
	case 1:
		q = q.Where(col("status")+" = ?", f.Statuses[0])
	default:
		q = q.Where(col("status")+" IN ?", f.Statuses)
	}
	if f.CategoryID != nil {
		q = q.Where(col("category_id")+" IN (SELECT descendant_id FROM category_closure WHERE ancestor_id = ?)", *f.CategoryID)
	}
	if f.MinPrice != nil {
		q = q.Where(col("max_price")+" >= ?", *f.MinPrice)
	}
	if f.MaxPrice != nil {
		q = q.Where(col("min_price")+" <= ?", *f.MaxPrice)
	}
	if f.Available != nil {
		// model.ProductVariant.AvailableForSale, in SQL.
		exists := "EXISTS (SELECT 1 FROM product_variants v WHERE v.product_id = " + col("id") + " AND " + availableForSaleSQL("v") + ")"
		if *f.Available {
			q = q.Where(exists)
		} else {
			q = q.Where("NOT " + exists)
		}
	}
	if f.Tag != "" {
		q = q.Where("EXISTS (SELECT 1 FROM product_tags t WHERE t.product_id = "+col("id")+" AND t.tag_key = ?)", model.TagKey(f.Tag))
	}
	return q
}

// applyKeyset adds the cursor conditions and the order. The query reads in
// the page's direction; backward pages are read in reverse and flipped after.
func applyKeyset(q *gorm.DB, table string, pg Page) (*gorm.DB, string, error) {
	o, err := pg.order()
	if err != nil {
		return nil, "", err
	}
	asc := !pg.Reverse
	bound := func(c *model.Cursor, after bool) error {
		// "after" in ascending order means greater; each flip inverts it.
		greater := after == asc
		op := "<"
		if greater {
			op = ">"
		}
		if o.column == "id" {
			if c.SortKey != o.cursorKey {
				return model.Errorf(model.CodeInvalid, "invalid cursor: it belongs to another sort order")
			}
			q = q.Where(table+".id "+op+" ?", c.ID)
			return nil
		}
		v, err := o.cursorValue(c)
		if err != nil {
			return err
		}
		col := table + "." + o.column
		q = q.Where("("+col+" "+op+" ? OR ("+col+" = ? AND "+table+".id "+op+" ?))", v, v, c.ID)
		return nil
	}
	if pg.After != nil {
		if err := bound(pg.After, true); err != nil {
			return nil, "", err
		}
	}
	if pg.Before != nil {
		if err := bound(pg.Before, false); err != nil {
			return nil, "", err
		}
	}
	dir := "ASC"
	if asc == pg.backward() {
		dir = "DESC"
	}
	order := table + ".id " + dir
	if o.column != "id" {
		order = table + "." + o.column + " " + dir + ", " + order
	}
	return q, order, nil
}

// listQuery returns the statement that reads one page of the storefront
// products matching f, and whether its rows must be put in page order in
// Go: a union of two queries (a text search, see productQueries) comes back
// in no particular order.
func (s *Store) listQuery(db *gorm.DB, f ProductFilter, pg Page) (q *gorm.DB, sort bool, err error) {
	qs, err := s.productQueries(db, f, listIndexRatio)
	if err != nil {
		return nil, false, err
	}
	for i := range qs {
		q, order, err := applyKeyset(qs[i], "products", pg)
		if err != nil {
			return nil, false, err
		}
		qs[i] = q.Select(qualified("products", productColumns)).Order(order).Limit(pg.limit() + 1)
	}
	if len(qs) == 1 {
		return qs[0], false, nil
	}
	for i := range qs {
		qs[i] = db.Session(&gorm.Session{NewDB: true}).Raw("SELECT * FROM (?) langran_branch", qs[i])
	}
	return union(db.Session(&gorm.Session{NewDB: true}), qs), true, nil
}

// ListProducts returns one page of storefront products and whether more
// products lie beyond it in the direction of reading.
func (s *Store) ListProducts(ctx context.Context, f ProductFilter, pg Page) ([]model.Product, bool, error) {
	q, sort, err := s.listQuery(s.db.WithContext(ctx), f, pg)
	if err != nil {
		return nil, false, err
	}
	out, err := scanAll(q, scanProduct)
	if err != nil {
		return nil, false, err
	}
	if sort {
		o, _ := pg.order()
		// The order the rows were read in: descending when exactly one of
		// reverse and backward holds.
		desc := pg.Reverse != pg.backward()
		slices.SortFunc(out, func(a, b model.Product) int {
			c := o.compare(&a, &b)
			if c == 0 {
				c = cmp.Compare(a.ID, b.ID)
			}
			if desc {
				c = -c
			}
			return c
		})
	}
	more := len(out) > pg.limit()
	if more {
		out = out[:pg.limit()]
	}
	if pg.backward() {
		slices.Reverse(out)
	}
	return out, more, nil
}

// CountProducts counts the storefront products matching f.
func (s *Store) CountProducts(ctx context.Context, f ProductFilter) (int64, error) {
	db := s.db.WithContext(ctx)
	qs, err := s.productQueries(db, f, countIndexRatio)
	if err != nil {
		return 0, err
	}
	var n int64
	if len(qs) == 1 {
		err = qs[0].Count(&n).Error
		return n, TranslateError(err)
	}
	err = db.Raw("SELECT (?) + (?)", qs[0].Select("COUNT(*)"), qs[1].Select("COUNT(*)")).Scan(&n).Error
	return n, TranslateError(err)
}

// CategoryProductsPage is one category's page of products.
type CategoryProductsPage struct {
	Products []model.Product
	More     bool
}

// ListProductsInCategories returns the same page of products for each of
// several categories (each including its descendants) in one statement, so
// a list of categories with their products costs one query, not one per
// category. Every category gets the page's keyset bounds.
//
// The statement is a UNION ALL of one ordered, limited SELECT of IDs per
// category; the rows are joined after, and an outer ORDER BY puts them in
// page order (the title orders compare key columns byte for byte, so it is
// the same on every database). (Ranking every product of every category
// with a window function, the obvious single query, read whole subtrees:
// 2.6 s for 20 categories over 100k products.)
func (s *Store) ListProductsInCategories(ctx context.Context, categoryIDs []int64, pg Page) (map[int64]CategoryProductsPage, error) {
	out := make(map[int64]CategoryProductsPage, len(categoryIDs))
	if len(categoryIDs) == 0 {
		return out, nil
	}
	var parts []string
	var args []any
	var order string
	for i, id := range categoryIDs {
		q := s.db.WithContext(ctx).Table("products p").
			Where("p.category_id IN (SELECT descendant_id FROM category_closure WHERE ancestor_id = ?)", id)
		q = applyFilter(q, "p", ProductFilter{})
		q, o, err := applyKeyset(q, "p", pg)
		if err != nil {
			return nil, err
		}
		order = o
		// Only IDs inside: sorting narrow rows is what keeps a category of
		// tens of thousands of products cheap. Full rows are joined after.
		q = q.Select("p.id, ? AS langran_group", id).Order(o).Limit(pg.limit() + 1)
		parts = append(parts, fmt.Sprintf("SELECT * FROM (?) t%d", i))
		args = append(args, q)
	}
	union := s.db.WithContext(ctx).Raw("SELECT "+qualified("p", productColumns)+", u.langran_group FROM ("+
		strings.Join(parts, " UNION ALL ")+") u JOIN products p ON p.id = u.id ORDER BY u.langran_group, "+order, args...)
	type row struct {
		model.Product
		LangranGroup int64
	}
	rows, err := scanAll(union, func(r *sql.Rows, v *row) error {
		return r.Scan(append(productDest(&v.Product), &v.LangranGroup)...)
	})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		page := out[r.LangranGroup]
		if len(page.Products) == pg.limit() {
			page.More = true
		} else {
			page.Products = append(page.Products, r.Product)
		}
		out[r.LangranGroup] = page
	}
	if pg.backward() {
		for k, page := range out {
			slices.Reverse(page.Products)
			out[k] = page
		}
	}
	return out, nil
}

// CountProductsInCategories counts storefront products in each category,
// descendants included, in one query.
func (s *Store) CountProductsInCategories(ctx context.Context, categoryIDs []int64) (map[int64]int64, error) {
	type row struct {
		AncestorID int64
		N          int64
	}
	var rows []row
	q := s.db.WithContext(ctx).Table("category_closure cc").
		Joins("JOIN products p ON p.category_id = cc.descendant_id").
		Where("cc.ancestor_id IN ?", categoryIDs)
	err := applyFilter(q, "p", ProductFilter{}).Select("cc.ancestor_id, COUNT(*) AS n").Group("cc.ancestor_id").Scan(&rows).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	out := make(map[int64]int64, len(categoryIDs))
	for _, r := range rows {
		out[r.AncestorID] = r.N
	}
	return out, nil
}

// FindProductsByIDs returns the products with these IDs, whatever their
// status; callers decide what the caller may see. Missing IDs are skipped.
// It names its columns (the products table also holds sort keys no caller
// reads) and scans them by hand, as the product lists do.
func (s *Store) FindProductsByIDs(ctx context.Context, ids []int64) ([]model.Product, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return scanAll(s.db.WithContext(ctx).Table("products").Select(productColumns).Where("id IN ?", ids), scanProduct)
}

// FindVariantsByIDs returns the variants with these IDs.
func (s *Store) FindVariantsByIDs(ctx context.Context, ids []int64) ([]model.ProductVariant, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return scanAll(s.db.WithContext(ctx).Table("product_variants").Select(variantAllColumns).Where("id IN ?", ids), scanVariantAll)
}

// FindVariantsToSell is FindVariantsWithProducts with only the columns
// pricing a cart and writing its order read: of the variant its product,
// SKU, title, price, currency, stock and weight; of the product its title,
// category and status. The other fields are left zero. Carts and checkout
// read variants this way three times a purchase, and the rest of the two rows
// (descriptions, handles, timestamps) is half the columns.
func (s *Store) FindVariantsToSell(ctx context.Context, ids []int64) ([]model.ProductVariant, []model.Product, error) {
	return s.variantsWithProducts(ctx, ids, `v.id, v.product_id, v.sku, v.title, v.price, v.currency, v.inventory_quantity,
			v.inventory_committed, v.inventory_tracked, v.allow_backorder, v.weight_grams, p.id, p.title, p.category_id, p.status`,
		func(v *model.ProductVariant, p *model.Product) []any {
			return []any{&v.ID, &v.ProductID, &v.SKU, &v.Title, &v.Price, &v.Currency, &v.InventoryQuantity,
				&v.InventoryCommitted, &v.InventoryTracked, &v.AllowBackorder, &v.WeightGrams, &p.ID, &p.Title, &p.CategoryID, &p.Status}
		})
}

// FindVariantsWithProducts returns the variants with these IDs and their
// products (each product once), read together in one statement: pricing a
// cart and checking that variants are for sale need both, and one round
// trip instead of two is a tenth of a cart change's statements. Variants
// without a product are left out.
func (s *Store) FindVariantsWithProducts(ctx context.Context, ids []int64) ([]model.ProductVariant, []model.Product, error) {
	return s.variantsWithProducts(ctx, ids, qualified("v", variantAllColumns)+", "+qualified("p", productColumns),
		func(v *model.ProductVariant, p *model.Product) []any {
			return append(variantAllDest(v), productDest(p)...)
		})
}

// variantsWithProducts reads columns of the variants with these IDs (v)
// joined to their products (p), in variant order, into what dest points
// at, and returns the variants and each product once.
func (s *Store) variantsWithProducts(ctx context.Context, ids []int64, columns string,
	dest func(*model.ProductVariant, *model.Product) []any) ([]model.ProductVariant, []model.Product, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	q := s.db.WithContext(ctx).Raw(`SELECT `+columns+`
		FROM product_variants v JOIN products p ON p.id = v.product_id
		WHERE v.id IN ? ORDER BY v.id`, ids)
	type row struct {
		v model.ProductVariant
		p model.Product
	}
	rows, err := scanAll(q, func(rows *sql.Rows, r *row) error { return rows.Scan(dest(&r.v, &r.p)...) })
	if err != nil {
		return nil, nil, err
	}
	variants := make([]model.ProductVariant, len(rows))
	var products []model.Product
	seen := make(map[int64]bool, len(rows))
	for i, r := range rows {
		variants[i] = r.v
		if !seen[r.p.ID] {
			seen[r.p.ID] = true
			products = append(products, r.p)
		}
	}
	return variants, products, nil
}

// FindCategoriesByIDs returns the categories with these IDs.
func (s *Store) FindCategoriesByIDs(ctx context.Context, ids []int64) ([]model.Category, error) {
	return findByIDs[model.Category](ctx, s, "categories", ids)
}

// FindImagesByIDs returns the images with these IDs.
func (s *Store) FindImagesByIDs(ctx context.Context, ids []int64) ([]model.ProductImage, error) {
	return findByIDs[model.ProductImage](ctx, s, "product_images", ids)
}

// FindOptionsByIDs returns the product options with these IDs.
func (s *Store) FindOptionsByIDs(ctx context.Context, ids []int64) ([]model.ProductOption, error) {
	return findByIDs[model.ProductOption](ctx, s, "product_options", ids)
}

func findByIDs[T any](ctx context.Context, s *Store, table string, ids []int64) ([]T, error) {
	var out []T
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Table(table).Where("id IN ?", ids).Find(&out).Error
	return out, TranslateError(err)
}

// FindProductByHandle returns the product whose handle is exactly handle,
// byte for byte, or a NotFound error. The unique index finds the row; the
// comparison in Go is what makes the match exact on MySQL too, whose
// utf8mb4_unicode_ci collation would also answer "BATIK-SHIRT" or
// "batik-shirt  " with the product "batik-shirt".
func (s *Store) FindProductByHandle(ctx context.Context, handle string) (*model.Product, error) {
	q := s.db.WithContext(ctx).Table("products").Select(productColumns).Where("handle = ?", handle).Limit(1)
	ps, err := scanAll(q, scanProduct)
	if err != nil {
		return nil, err
	}
	if len(ps) == 0 || ps[0].Handle != handle {
		return nil, notFound()
	}
	return &ps[0], nil
}

// FindCategoryByHandle returns the category whose handle is exactly handle,
// byte for byte, or a NotFound error (see FindProductByHandle).
func (s *Store) FindCategoryByHandle(ctx context.Context, handle string) (*model.Category, error) {
	var cs []model.Category
	err := s.db.WithContext(ctx).Table("categories").Where("handle = ?", handle).Limit(1).Find(&cs).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	if len(cs) == 0 || cs[0].Handle != handle {
		return nil, notFound()
	}
	return &cs[0], nil
}

// notFound is the error for a row that does not exist, the same TranslateError
// gives for gorm.ErrRecordNotFound.
func notFound() error { return TranslateError(gorm.ErrRecordNotFound) }

// FindVariantsByProductIDs returns the variants of these products in display order.
func (s *Store) FindVariantsByProductIDs(ctx context.Context, productIDs []int64) ([]model.ProductVariant, error) {
	return findOwnedRows(ctx, s, "product_variants", variantColumns, productIDs, scanVariant)
}

// FindImagesByProductIDs returns the images of these products in display order.
func (s *Store) FindImagesByProductIDs(ctx context.Context, productIDs []int64) ([]model.ProductImage, error) {
	return findOwnedRows(ctx, s, "product_images", imageColumns, productIDs, scanImage)
}

// FindOptionsByProductIDs returns the options of these products in display order.
func (s *Store) FindOptionsByProductIDs(ctx context.Context, productIDs []int64) ([]model.ProductOption, error) {
	return findByProductIDs[model.ProductOption](ctx, s, "product_options", productIDs)
}

func findByProductIDs[T any](ctx context.Context, s *Store, table string, productIDs []int64) ([]T, error) {
	var out []T
	if len(productIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Table(table).Where("product_id IN ?", productIDs).
		Order("product_id, position, id").Find(&out).Error
	return out, TranslateError(err)
}

// FindTagsByProductIDs returns the tags of these products, by product and
// then by tag in byte order. The sort is done in Go: MySQL's collation would
// order "apple", "Banana" and "éclair" differently from SQLite.
func (s *Store) FindTagsByProductIDs(ctx context.Context, productIDs []int64) ([]model.ProductTag, error) {
	var out []model.ProductTag
	if len(productIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Table("product_tags").Select("product_id, tag").
		Where("product_id IN ?", productIDs).Find(&out).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	slices.SortFunc(out, func(a, b model.ProductTag) int {
		if c := cmp.Compare(a.ProductID, b.ProductID); c != 0 {
			return c
		}
		return strings.Compare(a.Tag, b.Tag)
	})
	return out, nil
}

// FindChildCategories returns the children of these categories in display order.
func (s *Store) FindChildCategories(ctx context.Context, parentIDs []int64) ([]model.Category, error) {
	var out []model.Category
	if len(parentIDs) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Table("categories").Where("parent_id IN ?", parentIDs).
		Order("parent_id, position, id").Find(&out).Error
	return out, TranslateError(err)
}

// FindCategoryAncestors returns, for each category, the closure rows naming
// its proper ancestors, root first.
func (s *Store) FindCategoryAncestors(ctx context.Context, ids []int64) ([]model.CategoryClosure, error) {
	var out []model.CategoryClosure
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Table("category_closure").
		Where("descendant_id IN ? AND depth > 0", ids).
		Order("descendant_id, depth DESC").Find(&out).Error
	return out, TranslateError(err)
}

// CountCategories counts all categories.
func (s *Store) CountCategories(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("categories").Count(&n).Error
	return n, TranslateError(err)
}

// ExplainRow is one row of MySQL's EXPLAIN output, the columns we check.
type ExplainRow struct {
	Table string  `gorm:"column:table"`
	Type  string  `gorm:"column:type"`
	Key   *string `gorm:"column:key"`
	Rows  *int64  `gorm:"column:rows"`
	Extra *string `gorm:"column:Extra"`
}

// ExplainListProducts returns MySQL's plan for the ListProducts query, so
// tests and operators can check that each sort order uses its index.
func (s *Store) ExplainListProducts(ctx context.Context, f ProductFilter, pg Page) ([]ExplainRow, error) {
	if s.dialect != MySQL {
		return nil, fmt.Errorf("explain: only on MySQL")
	}
	dry := s.db.WithContext(ctx).Session(&gorm.Session{DryRun: true})
	q, _, err := s.listQuery(dry, f, pg)
	if err != nil {
		return nil, err
	}
	var sink []model.Product
	stmt := q.Find(&sink).Statement
	var rows []ExplainRow
	err = s.db.WithContext(ctx).Raw("EXPLAIN "+stmt.SQL.String(), stmt.Vars...).Scan(&rows).Error
	return rows, TranslateError(err)
}
