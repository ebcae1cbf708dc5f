package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// Staff writes to the catalog go through two calls: LockProductRows reads
// the products being changed with everything they own, and SaveProducts
// writes them back as they should be, comparing with what was read and
// running only the statements the differences need, batched across
// products. The catalog workflow (catalog/) computes the new state and
// checks its rules; the API's mutations and the CSV import share both.

// ProductRows is a product and the rows it owns. The order of Variants,
// Options and Images is their display order: SaveProducts numbers their
// positions from it.
type ProductRows struct {
	Product  model.Product
	Tags     []string // as written; unique by model.TagKey
	Variants []model.ProductVariant
	Options  []model.ProductOption
	Images   []model.ProductImage
}

// ProductSave is one product's write: its rows as LockProductRows read
// them (nil for a new product) and as they should be.
type ProductSave struct {
	Before *ProductRows
	After  *ProductRows
	// Actor and Reference go into the inventory ledger's movements of the
	// variants whose stock the write sets (model.ActorOf the caller, and
	// what wrote it, e.g. "product.update"); Actor "" is the system.
	Actor     string
	Reference string
}

// FindProductRows reads these products, whatever their status, with
// their tags, variants, options and images, in ID order. Missing IDs are
// skipped. Variants are read as the storefront reads them (without
// timestamps).
func (s *Store) FindProductRows(ctx context.Context, ids []int64) ([]ProductRows, error) {
	return s.productRows(ctx, ids, false)
}

// LockProductRows is FindProductRows for a write: on MySQL it locks the
// product rows first, so that writers of one product take turns and each
// reads what the previous one committed. Call it before any other read in
// the transaction (a MySQL transaction reads from the snapshot of its first
// plain read).
func (s *Store) LockProductRows(ctx context.Context, ids []int64) ([]ProductRows, error) {
	return s.productRows(ctx, ids, true)
}

func (s *Store) productRows(ctx context.Context, ids []int64, lock bool) ([]ProductRows, error) {
	ids = slices.Compact(slices.Sorted(slices.Values(ids)))
	if len(ids) == 0 {
		return nil, nil
	}
	var products []model.Product
	for start := 0; start < len(ids); start += refreshBatch {
		q := s.db.WithContext(ctx).Table("products").Select(productColumns).
			Where("id IN ?", ids[start:min(start+refreshBatch, len(ids))]).Order("id")
		if lock && s.dialect == MySQL {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		ps, err := scanAll(q, scanProduct)
		if err != nil {
			return nil, err
		}
		products = append(products, ps...)
	}
	found := make([]int64, len(products))
	for i := range products {
		found[i] = products[i].ID
	}
	out := make([]ProductRows, len(products))
	at := make(map[int64]*ProductRows, len(products))
	for i := range products {
		out[i].Product = products[i]
		at[products[i].ID] = &out[i]
	}
	for start := 0; start < len(found); start += refreshBatch {
		batch := found[start:min(start+refreshBatch, len(found))]
		variants, err := s.FindVariantsByProductIDs(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, v := range variants {
			at[v.ProductID].Variants = append(at[v.ProductID].Variants, v)
		}
		options, err := s.FindOptionsByProductIDs(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, o := range options {
			at[o.ProductID].Options = append(at[o.ProductID].Options, o)
		}
		images, err := s.FindImagesByProductIDs(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, im := range images {
			at[im.ProductID].Images = append(at[im.ProductID].Images, im)
		}
		tags, err := s.FindTagsByProductIDs(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, t := range tags {
			at[t.ProductID].Tags = append(at[t.ProductID].Tags, t.Tag)
		}
	}
	return out, nil
}

// FindProductsByHandles returns the products, of any status, whose handles
// are exactly these (byte for byte, see FindProductByHandle).
func (s *Store) FindProductsByHandles(ctx context.Context, handles []string) ([]model.Product, error) {
	want := map[string]bool{}
	for _, h := range handles {
		want[h] = true
	}
	var out []model.Product
	for start := 0; start < len(handles); start += refreshBatch {
		q := s.db.WithContext(ctx).Table("products").Select(productColumns).
			Where("handle IN ?", handles[start:min(start+refreshBatch, len(handles))])
		ps, err := scanAll(q, scanProduct)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if want[p.Handle] {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// FindVariantsBySKUKeys returns the variants whose SKUs have these keys
// (model.SKUKey), of any product.
func (s *Store) FindVariantsBySKUKeys(ctx context.Context, keys []string) ([]model.ProductVariant, error) {
	var out []model.ProductVariant
	for start := 0; start < len(keys); start += refreshBatch {
		q := s.db.WithContext(ctx).Table("product_variants").Select(variantColumns).
			Where("sku_key IN ?", keys[start:min(start+refreshBatch, len(keys))])
		vs, err := scanAll(q, scanVariant)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

// HandleTable names a table whose rows have unique handles.
type HandleTable string

// The tables with handles.
const (
	ProductHandles  HandleTable = "products"
	CategoryHandles HandleTable = "categories"
)

// HandlesLike returns the handles of table that are base or base-N, the
// ones a handle made from base could collide with.
func (s *Store) HandlesLike(ctx context.Context, table HandleTable, base string) ([]string, error) {
	if table != ProductHandles && table != CategoryHandles {
		return nil, model.Errorf(model.CodeInvalid, "no handles in %s", table)
	}
	var hs []string
	err := s.db.WithContext(ctx).Table(string(table)).Where("handle = ? OR handle LIKE ?", base, base+"-%").
		Pluck("handle", &hs).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	out := hs[:0]
	for _, h := range hs {
		if h == base || strings.HasPrefix(h, base+"-") {
			out = append(out, h)
		}
	}
	return out, nil
}

// SaveProducts writes each product's rows as After says, comparing with
// Before: it inserts new products (Before nil) and the new rows of others
// (ID 0), updates the columns that changed and deletes what After no longer
// has, then sets in After the IDs of everything it inserted. It keeps what
// is derived from the rows: each product's min_price and max_price are its
// variants' lowest and highest prices (0 without variants), every SKU's
// sku_key is model.SKUKey of it, and positions follow the slices' order. A
// product's updated_at moves when anything of it changed.
//
// Statements are batched across products: deletions first (so a SKU or tag
// freed by one row can be taken by another), then updates of the changed
// rows, then multi-row INSERTs. A handle or SKU already taken is a
// Conflict. The caller refreshes the search index (RefreshProductSearch)
// in the same transaction.
//
// Stock keeps the inventory ledger's invariant (see inventory.go): a new
// variant's stock is its INITIAL movement; a changed one is set from
// Before's quantity to After's by compare-and-set and recorded as a
// CORRECTION. When the stock moved since Before was read, or After's is
// below what is committed to orders (tracked, no backorders), the save is
// a Conflict: run the write again from a fresh read.
func (s *Store) SaveProducts(ctx context.Context, saves []ProductSave) error {
	now := s.now()
	for _, sv := range saves {
		prepareRows(sv.After)
	}
	if err := s.insertProducts(ctx, saves, now); err != nil {
		return err
	}
	var pl savePlan
	for _, sv := range saves {
		if err := pl.add(sv, now); err != nil {
			return err
		}
	}
	return s.runPlan(ctx, &pl, saves)
}

// prepareRows numbers positions in display order, fills the SKU keys and
// the currency of variants, and sets the product's price range.
func prepareRows(r *ProductRows) {
	for i := range r.Variants {
		v := &r.Variants[i]
		v.Position = i
		v.SKUKey = nil
		if v.SKU != nil {
			k := model.SKUKey(*v.SKU)
			v.SKUKey = &k
		}
		if v.Currency == "" {
			v.Currency = r.Product.Currency
		}
	}
	for i := range r.Options {
		r.Options[i].Position = i
	}
	for i := range r.Images {
		r.Images[i].Position = i
	}
	r.Product.MinPrice, r.Product.MaxPrice = 0, 0
	for i, v := range r.Variants {
		if i == 0 || v.Price < r.Product.MinPrice {
			r.Product.MinPrice = v.Price
		}
		r.Product.MaxPrice = max(r.Product.MaxPrice, v.Price)
	}
}

// insertProducts inserts the new products in multi-row INSERTs and reads
// their IDs back by handle (which does not rely on how the database hands
// out auto-increment values to a multi-row INSERT).
func (s *Store) insertProducts(ctx context.Context, saves []ProductSave, now time.Time) error {
	var fresh []*ProductRows
	var rows [][]any
	for _, sv := range saves {
		if sv.Before != nil {
			continue
		}
		p := &sv.After.Product
		p.ID, p.CreatedAt, p.UpdatedAt = 0, now, now
		fresh = append(fresh, sv.After)
		rows = append(rows, []any{p.Handle, p.Title, p.TitleTH, p.Description, p.DescriptionTH, p.CategoryID,
			p.Status, p.MinPrice, p.MaxPrice, p.Currency, p.CreatedAt, p.UpdatedAt,
			model.TitleSortKey(p.Title), thaiTitleSortKey(p.Title, p.TitleTH)})
	}
	if len(fresh) == 0 {
		return nil
	}
	if err := s.insertRows(ctx, "products", []string{"handle", "title", "title_th", "description", "description_th",
		"category_id", "status", "min_price", "max_price", "currency", "created_at", "updated_at",
		"title_key", "title_th_key"}, rows, false); err != nil {
		return err
	}
	handles := make([]string, len(fresh))
	for i, r := range fresh {
		handles[i] = r.Product.Handle
	}
	ps, err := s.FindProductsByHandles(ctx, handles)
	if err != nil {
		return err
	}
	ids := make(map[string]int64, len(ps))
	for _, p := range ps {
		ids[p.Handle] = p.ID
	}
	for _, r := range fresh {
		if r.Product.ID = ids[r.Product.Handle]; r.Product.ID == 0 {
			return fmt.Errorf("database: product %q was inserted but cannot be read back", r.Product.Handle)
		}
	}
	return nil
}

// rowUpdate is one row's changed columns.
type rowUpdate struct {
	id      int64
	changes map[string]any
}

// savePlan is every statement a SaveProducts call needs, by kind.
type savePlan struct {
	delVariants, delOptions, delImages, clearSKUs []int64
	delTags                                       map[int64][]string // product -> tags as stored
	products, variants, options, images           []rowUpdate
	tags                                          []tagRespelling
	newVariants, newOptions, newImages, newTags   [][]any
	withNewRows                                   []int64
	stock                                         []stockSet
	newStock                                      []newVariantStock
}

// stockSet is a variant's stock set by a catalog write.
type stockSet struct {
	from, to         int
	variantID        int64
	reference, actor string
}

// newVariantStock is a new variant, whose stock starts its ledger once it
// has an ID.
type newVariantStock struct {
	rows             *ProductRows
	index            int
	reference, actor string
}

var (
	variantInsertColumns = []string{"product_id", "position", "sku", "sku_key", "title", "selected_options", "price",
		"compare_at_price", "currency", "inventory_quantity", "weight_grams", "created_at", "updated_at"}
	optionInsertColumns = []string{"product_id", "position", "name", "option_values"}
	imageInsertColumns  = []string{"product_id", "position", "url", "alt_text", "width", "height"}
	tagInsertColumns    = []string{"product_id", "tag", "tag_key"}
)

// tagRespelling is a tag whose key stays and whose spelling changes.
type tagRespelling struct {
	productID int64
	from, to  string
}

// add plans one product's write.
func (pl *savePlan) add(sv ProductSave, now time.Time) error {
	a := sv.After
	id := a.Product.ID
	var b ProductRows
	if sv.Before != nil {
		b = *sv.Before
	}
	changed := false
	hasNew := false

	oldVariants := indexByID(b.Variants, func(v *model.ProductVariant) int64 { return v.ID })
	for i := range a.Variants {
		v := &a.Variants[i]
		v.ProductID = id
		if v.ID == 0 {
			changed, hasNew = true, true
			pl.newStock = append(pl.newStock, newVariantStock{a, i, sv.Reference, sv.Actor})
			v.CreatedAt, v.UpdatedAt = now, now
			pl.newVariants = append(pl.newVariants, []any{id, v.Position, v.SKU, v.SKUKey, v.Title, v.SelectedOptions,
				v.Price, v.CompareAtPrice, v.Currency, v.InventoryQuantity, v.WeightGrams, v.CreatedAt, v.UpdatedAt})
			continue
		}
		old, ok := oldVariants[v.ID]
		if !ok {
			return model.Errorf(model.CodeNotFound, "variant %d is not the product's", v.ID)
		}
		if ch := variantChanges(old, v); len(ch) > 0 {
			changed = true
			if _, ok := ch["inventory_quantity"]; ok {
				delete(ch, "inventory_quantity")
				pl.stock = append(pl.stock, stockSet{variantID: v.ID, from: old.InventoryQuantity, to: v.InventoryQuantity,
					reference: sv.Reference, actor: sv.Actor})
			}
			if _, ok := ch["sku_key"]; ok && old.SKU != nil {
				pl.clearSKUs = append(pl.clearSKUs, v.ID)
			}
			ch["updated_at"] = now
			v.UpdatedAt = now
			pl.variants = append(pl.variants, rowUpdate{v.ID, ch})
		}
	}
	if gone := missing(b.Variants, a.Variants, func(v *model.ProductVariant) int64 { return v.ID }); len(gone) > 0 {
		changed = true
		pl.delVariants = append(pl.delVariants, gone...)
	}

	oldOptions := indexByID(b.Options, func(o *model.ProductOption) int64 { return o.ID })
	for i := range a.Options {
		o := &a.Options[i]
		o.ProductID = id
		if o.ID == 0 {
			changed, hasNew = true, true
			pl.newOptions = append(pl.newOptions, []any{id, o.Position, o.Name, o.ValuesJSON})
			continue
		}
		old, ok := oldOptions[o.ID]
		if !ok {
			return model.Errorf(model.CodeNotFound, "option %d is not the product's", o.ID)
		}
		ch := map[string]any{}
		setIf(ch, old.Position != o.Position, "position", o.Position)
		setIf(ch, old.Name != o.Name, "name", o.Name)
		setIf(ch, old.ValuesJSON != o.ValuesJSON, "option_values", o.ValuesJSON)
		if len(ch) > 0 {
			changed = true
			pl.options = append(pl.options, rowUpdate{o.ID, ch})
		}
	}
	if gone := missing(b.Options, a.Options, func(o *model.ProductOption) int64 { return o.ID }); len(gone) > 0 {
		changed = true
		pl.delOptions = append(pl.delOptions, gone...)
	}

	oldImages := indexByID(b.Images, func(im *model.ProductImage) int64 { return im.ID })
	for i := range a.Images {
		im := &a.Images[i]
		im.ProductID = id
		if im.ID == 0 {
			changed, hasNew = true, true
			pl.newImages = append(pl.newImages, []any{id, im.Position, im.URL, im.AltText, im.Width, im.Height})
			continue
		}
		old, ok := oldImages[im.ID]
		if !ok {
			return model.Errorf(model.CodeNotFound, "image %d is not the product's", im.ID)
		}
		ch := map[string]any{}
		setIf(ch, old.Position != im.Position, "position", im.Position)
		setIf(ch, old.URL != im.URL, "url", im.URL)
		setIf(ch, !equalPtr(old.AltText, im.AltText), "alt_text", im.AltText)
		setIf(ch, !equalPtr(old.Width, im.Width), "width", im.Width)
		setIf(ch, !equalPtr(old.Height, im.Height), "height", im.Height)
		if len(ch) > 0 {
			changed = true
			pl.images = append(pl.images, rowUpdate{im.ID, ch})
		}
	}
	if gone := missing(b.Images, a.Images, func(im *model.ProductImage) int64 { return im.ID }); len(gone) > 0 {
		changed = true
		pl.delImages = append(pl.delImages, gone...)
	}

	// Tags are matched by key: a tag whose key stays but whose spelling
	// changes ("thai" to "Thai") is rewritten in place.
	oldTags := map[string]string{}
	for _, t := range b.Tags {
		oldTags[model.TagKey(t)] = t
	}
	keep := map[string]bool{}
	for _, t := range a.Tags {
		k := model.TagKey(t)
		keep[k] = true
		switch was, ok := oldTags[k]; {
		case !ok:
			changed = true
			pl.newTags = append(pl.newTags, []any{id, t, k})
		case was != t:
			changed = true
			pl.tags = append(pl.tags, tagRespelling{id, was, t})
		}
	}
	for k, was := range oldTags {
		if !keep[k] {
			changed = true
			if pl.delTags == nil {
				pl.delTags = map[int64][]string{}
			}
			pl.delTags[id] = append(pl.delTags[id], was)
		}
	}

	if sv.Before != nil {
		ch := productChanges(&b.Product, &a.Product)
		if len(ch) > 0 || changed {
			a.Product.UpdatedAt = now
			ch["updated_at"] = now
			pl.products = append(pl.products, rowUpdate{id, ch})
		}
	}
	if hasNew {
		pl.withNewRows = append(pl.withNewRows, id)
	}
	return nil
}

// runPlan runs the planned statements and sets the IDs of inserted rows.
func (s *Store) runPlan(ctx context.Context, pl *savePlan, saves []ProductSave) error {
	db := s.db.WithContext(ctx)
	for _, d := range []struct {
		table string
		ids   []int64
	}{{"product_variants", pl.delVariants}, {"product_options", pl.delOptions}, {"product_images", pl.delImages}} {
		for start := 0; start < len(d.ids); start += refreshBatch {
			err := db.Exec("DELETE FROM "+d.table+" WHERE id IN ?", d.ids[start:min(start+refreshBatch, len(d.ids))]).Error
			if err != nil {
				return TranslateError(err)
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(pl.delTags)) {
		tags := pl.delTags[id]
		slices.Sort(tags)
		if err := db.Exec("DELETE FROM product_tags WHERE product_id = ? AND tag IN ?", id, tags).Error; err != nil {
			return TranslateError(err)
		}
	}
	// A SKU may move from one variant to another: free the changed ones
	// first, so the unique index never sees two at once.
	if len(pl.clearSKUs) > 0 {
		if err := db.Exec("UPDATE product_variants SET sku_key = NULL WHERE id IN ?", pl.clearSKUs).Error; err != nil {
			return TranslateError(err)
		}
	}
	for _, u := range []struct {
		table string
		rows  []rowUpdate
	}{{"products", pl.products}, {"product_variants", pl.variants}, {"product_options", pl.options}, {"product_images", pl.images}} {
		for _, r := range u.rows {
			if err := db.Table(u.table).Where("id = ?", r.id).Updates(r.changes).Error; err != nil {
				return TranslateError(err)
			}
		}
	}
	if err := s.setCatalogStock(ctx, pl.stock); err != nil {
		return err
	}
	for _, t := range pl.tags {
		if err := db.Exec("UPDATE product_tags SET tag = ?, tag_key = ? WHERE product_id = ? AND tag = ?",
			t.to, model.TagKey(t.to), t.productID, t.from).Error; err != nil {
			return TranslateError(err)
		}
	}
	for _, ins := range []struct {
		table   string
		columns []string
		rows    [][]any
	}{{"product_variants", variantInsertColumns, pl.newVariants}, {"product_options", optionInsertColumns, pl.newOptions},
		{"product_images", imageInsertColumns, pl.newImages}, {"product_tags", tagInsertColumns, pl.newTags}} {
		if err := s.insertRows(ctx, ins.table, ins.columns, ins.rows, false); err != nil {
			return err
		}
	}
	if err := s.readBackIDs(ctx, pl.withNewRows, saves); err != nil {
		return err
	}
	return s.recordNewVariantStock(ctx, pl.newStock)
}

// setCatalogStock sets the stock catalog writes changed, each by
// compare-and-set from the quantity the write read, and records the
// movements.
func (s *Store) setCatalogStock(ctx context.Context, sets []stockSet) error {
	type note struct{ reference, actor string }
	moves := map[note][]StockLine{}
	var order []note
	for _, st := range sets {
		res := s.db.WithContext(ctx).Exec(`UPDATE product_variants SET inventory_quantity = ?
			WHERE id = ? AND inventory_quantity = ?
			AND (? >= inventory_committed OR inventory_tracked = FALSE OR allow_backorder = TRUE)`,
			st.to, st.variantID, st.from, st.to)
		if res.Error != nil {
			return TranslateError(res.Error)
		}
		if res.RowsAffected == 0 {
			return &model.Error{Code: model.CodeConflict, Message: "a variant's stock changed meanwhile; try again"}
		}
		n := note{st.reference, st.actor}
		if _, ok := moves[n]; !ok {
			order = append(order, n)
		}
		moves[n] = append(moves[n], StockLine{st.variantID, st.to - st.from})
	}
	for _, n := range order {
		if _, err := s.recordMovements(ctx, moves[n], model.ReasonCorrection, n.reference, n.actor); err != nil {
			return err
		}
	}
	return nil
}

// recordNewVariantStock starts the ledger of new variants with their
// stock (an INITIAL movement each, of 0 too).
func (s *Store) recordNewVariantStock(ctx context.Context, fresh []newVariantStock) error {
	type note struct{ reference, actor string }
	moves := map[note][]StockLine{}
	var order []note
	for _, f := range fresh {
		v := &f.rows.Variants[f.index]
		n := note{f.reference, f.actor}
		if _, ok := moves[n]; !ok {
			order = append(order, n)
		}
		moves[n] = append(moves[n], StockLine{v.ID, v.InventoryQuantity})
	}
	for _, n := range order {
		if _, err := s.recordMovements(ctx, moves[n], model.ReasonInitial, n.reference, n.actor); err != nil {
			return err
		}
	}
	return nil
}

// readBackIDs sets the IDs of the variants, options and images just
// inserted, found by product and position (unique within a product once
// saved).
func (s *Store) readBackIDs(ctx context.Context, productIDs []int64, saves []ProductSave) error {
	if len(productIDs) == 0 {
		return nil
	}
	type key struct{ product, position int64 }
	rows := map[*ProductRows]bool{}
	for _, sv := range saves {
		rows[sv.After] = true
	}
	for _, table := range []string{"product_variants", "product_options", "product_images"} {
		ids := map[key]int64{}
		for start := 0; start < len(productIDs); start += refreshBatch {
			var found []struct{ ID, ProductID, Position int64 }
			err := s.db.WithContext(ctx).Table(table).Select("id, product_id, position").
				Where("product_id IN ?", productIDs[start:min(start+refreshBatch, len(productIDs))]).Find(&found).Error
			if err != nil {
				return TranslateError(err)
			}
			for _, f := range found {
				ids[key{f.ProductID, f.Position}] = f.ID
			}
		}
		for r := range rows {
			pid := r.Product.ID
			switch table {
			case "product_variants":
				for i := range r.Variants {
					if r.Variants[i].ID == 0 {
						r.Variants[i].ID = ids[key{pid, int64(r.Variants[i].Position)}]
					}
				}
			case "product_options":
				for i := range r.Options {
					if r.Options[i].ID == 0 {
						r.Options[i].ID = ids[key{pid, int64(r.Options[i].Position)}]
					}
				}
			case "product_images":
				for i := range r.Images {
					if r.Images[i].ID == 0 {
						r.Images[i].ID = ids[key{pid, int64(r.Images[i].Position)}]
					}
				}
			}
		}
	}
	return nil
}

// productChanges returns the product columns that differ.
func productChanges(b, a *model.Product) map[string]any {
	ch := map[string]any{}
	setIf(ch, b.Handle != a.Handle, "handle", a.Handle)
	setIf(ch, b.Title != a.Title, "title", a.Title)
	setIf(ch, b.TitleTH != a.TitleTH, "title_th", a.TitleTH)
	setIf(ch, b.Description != a.Description, "description", a.Description)
	setIf(ch, b.DescriptionTH != a.DescriptionTH, "description_th", a.DescriptionTH)
	setIf(ch, !equalPtr(b.CategoryID, a.CategoryID), "category_id", a.CategoryID)
	setIf(ch, b.Status != a.Status, "status", a.Status)
	setIf(ch, b.MinPrice != a.MinPrice, "min_price", a.MinPrice)
	setIf(ch, b.MaxPrice != a.MaxPrice, "max_price", a.MaxPrice)
	setIf(ch, b.Currency != a.Currency, "currency", a.Currency)
	return ch
}

// variantChanges returns the variant columns that differ. The stock is
// written only when it changed, so that a save never overwrites a
// concurrent change of stock with the value it read.
func variantChanges(b, a *model.ProductVariant) map[string]any {
	ch := map[string]any{}
	setIf(ch, b.Position != a.Position, "position", a.Position)
	if !equalPtr(b.SKU, a.SKU) {
		ch["sku"] = a.SKU
		if !equalPtr(skuKeyOf(b.SKU), a.SKUKey) {
			ch["sku_key"] = a.SKUKey
		}
	}
	setIf(ch, b.Title != a.Title, "title", a.Title)
	setIf(ch, b.SelectedOptions != a.SelectedOptions, "selected_options", a.SelectedOptions)
	setIf(ch, b.Price != a.Price, "price", a.Price)
	setIf(ch, !equalPtr(b.CompareAtPrice, a.CompareAtPrice), "compare_at_price", a.CompareAtPrice)
	setIf(ch, b.Currency != a.Currency, "currency", a.Currency)
	setIf(ch, b.InventoryQuantity != a.InventoryQuantity, "inventory_quantity", a.InventoryQuantity)
	setIf(ch, !equalPtr(b.WeightGrams, a.WeightGrams), "weight_grams", a.WeightGrams)
	return ch
}

func skuKeyOf(sku *string) *string {
	if sku == nil {
		return nil
	}
	k := model.SKUKey(*sku)
	return &k
}

func setIf(m map[string]any, cond bool, column string, v any) {
	if cond {
		m[column] = v
	}
}

func equalPtr[T comparable](a, b *T) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func indexByID[T any](rows []T, id func(*T) int64) map[int64]*T {
	out := make(map[int64]*T, len(rows))
	for i := range rows {
		out[id(&rows[i])] = &rows[i]
	}
	return out
}

// missing returns the IDs of before's rows that after lacks.
func missing[T any](before, after []T, id func(*T) int64) []int64 {
	keep := map[int64]bool{}
	for i := range after {
		keep[id(&after[i])] = true
	}
	var out []int64
	for i := range before {
		if k := id(&before[i]); !keep[k] {
			out = append(out, k)
		}
	}
	return out
}

// backfillSKUKeys fills product_variants.sku_key from sku (migration 6),
// a batch of variants per statement. Two SKUs with one key make it fail,
// naming them: the unique index refuses the second.
func (s *Store) backfillSKUKeys(ctx context.Context) error {
	var after int64
	for {
		var rows []struct {
			ID  int64
			SKU string `gorm:"column:sku"`
		}
		err := s.db.WithContext(ctx).Table("product_variants").Select("id, sku").
			Where("id > ? AND sku IS NOT NULL", after).Order("id").Limit(refreshBatch).Find(&rows).Error
		if err != nil {
			return TranslateError(err)
		}
		if len(rows) == 0 {
			return nil
		}
		var cases strings.Builder
		args := make([]any, 0, 2*len(rows)+1)
		ids := make([]int64, len(rows))
		for i, r := range rows {
			cases.WriteString(" WHEN ? THEN ?")
			args = append(args, r.ID, model.SKUKey(r.SKU))
			ids[i] = r.ID
		}
		args = append(args, ids)
		err = s.db.WithContext(ctx).Exec("UPDATE product_variants SET sku_key = CASE id"+cases.String()+" END WHERE id IN ?", args...).Error
		if model.ErrorCodeOf(TranslateError(err)) == model.CodeConflict {
			return fmt.Errorf("two variants have SKUs that differ only in case or surrounding spaces; "+
				"rename one of them and migrate again: %w", err)
		}
		if err != nil {
			return TranslateError(err)
		}
		after = rows[len(rows)-1].ID
	}
}

// LockProductsByHandles is FindProductsByHandles for a write: on MySQL it
// locks the rows found (and the gaps of the handles not found, so two
// imports of one new handle take turns). Call it first in the transaction.
func (s *Store) LockProductsByHandles(ctx context.Context, handles []string) ([]model.Product, error) {
	want := map[string]bool{}
	for _, h := range handles {
		want[h] = true
	}
	var out []model.Product
	for start := 0; start < len(handles); start += refreshBatch {
		q := s.db.WithContext(ctx).Table("products").Select(productColumns).
			Where("handle IN ?", handles[start:min(start+refreshBatch, len(handles))])
		if s.dialect == MySQL {
			q = q.Clauses(clause.Locking{Strength: "UPDATE"})
		}
		ps, err := scanAll(q, scanProduct)
		if err != nil {
			return nil, err
		}
		for _, p := range ps {
			if want[p.Handle] {
				out = append(out, p)
			}
		}
	}
	return out, nil
}
