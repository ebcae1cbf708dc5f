package store

import (
	"context"
	"database/sql"
	"strings"

	"gorm.io/gorm"

	"github.com/langran/langran/model"
)

// The storefront's hottest queries (a page of products, and the variants and
// images of a page) scan rows by hand instead of through GORM's reflection:
// on the product grid that reflection cost more CPU than the rest of the
// store together. GORM still builds and runs the queries, so callbacks,
// statement counting and contexts work as everywhere else.

// productColumns are the products columns in the order scanProduct reads them.
const productColumns = "id, handle, title, title_th, description, description_th, category_id, status, min_price, max_price, currency, created_at, updated_at"

// qualified prefixes each column of a comma-separated list with table.
func qualified(table, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = table + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// productDest returns scan destinations for productColumns, in order.
func productDest(p *model.Product) []any {
	return []any{&p.ID, &p.Handle, &p.Title, &p.TitleTH, &p.Description, &p.DescriptionTH, &p.CategoryID,
		&p.Status, &p.MinPrice, &p.MaxPrice, &p.Currency, &p.CreatedAt, &p.UpdatedAt}
}

func scanProduct(rows *sql.Rows, p *model.Product) error {
	return rows.Scan(productDest(p)...)
}

// variantColumns are what the storefront reads of a variant. Timestamps are
// left out: no storefront field shows them, and parsing them was a tenth of
// the grid's database cost. Variants read here have zero CreatedAt/UpdatedAt.
const variantColumns = "id, product_id, position, sku, title, selected_options, price, compare_at_price, currency, " +
	"inventory_quantity, inventory_committed, inventory_tracked, allow_backorder, low_stock_threshold, weight_grams"

func scanVariant(rows *sql.Rows, v *model.ProductVariant) error {
	return rows.Scan(&v.ID, &v.ProductID, &v.Position, &v.SKU, &v.Title, &v.SelectedOptions, &v.Price,
		&v.CompareAtPrice, &v.Currency, &v.InventoryQuantity, &v.InventoryCommitted, &v.InventoryTracked,
		&v.AllowBackorder, &v.LowStockThreshold, &v.WeightGrams)
}

// variantAllColumns are every column of a variant, in the order
// scanVariantAll reads them: FindVariantsByIDs returns whole variants (the
// loaders, checkout and the staff's stock writes read them) without GORM's
// reflection, which was a tenth of a checkout's CPU.
const variantAllColumns = variantColumns + ", sku_key, created_at, updated_at"

// variantAllDest returns scan destinations for variantAllColumns, in order.
func variantAllDest(v *model.ProductVariant) []any {
	return []any{&v.ID, &v.ProductID, &v.Position, &v.SKU, &v.Title, &v.SelectedOptions, &v.Price,
		&v.CompareAtPrice, &v.Currency, &v.InventoryQuantity, &v.InventoryCommitted, &v.InventoryTracked,
		&v.AllowBackorder, &v.LowStockThreshold, &v.WeightGrams, &v.SKUKey, &v.CreatedAt, &v.UpdatedAt}
}

func scanVariantAll(rows *sql.Rows, v *model.ProductVariant) error {
	return rows.Scan(variantAllDest(v)...)
}

// cartColumns are a cart's columns in the order cartDest reads them.
const cartColumns = "id, cart_key, customer_id, email, phone, country_code, delivery_address, note, discount_codes, " +
	"delivery_option, status, created_at, updated_at, expires_at, version"

// cartDest returns scan destinations for cartColumns, in order.
func cartDest(c *model.Cart) []any {
	return []any{&c.ID, &c.CartKey, &c.CustomerID, &c.Email, &c.Phone, &c.CountryCode, &c.DeliveryAddress, &c.Note,
		&c.DiscountCodes, &c.DeliveryOption, &c.Status, &c.CreatedAt, &c.UpdatedAt, &c.ExpiresAt, &c.Version}
}

// shippingRateColumns are a shipping rate's columns in the order
// scanShippingRate reads them: pricing a cart's delivery reads the zone's
// rates every time.
const shippingRateColumns = "id, zone_id, handle, title, description, code, kind, amount, brackets, currency, " +
	"min_subtotal, max_subtotal, free_over, min_days, max_days, active, position, created_at, updated_at"

func scanShippingRate(rows *sql.Rows, r *model.ShippingRate) error {
	return rows.Scan(&r.ID, &r.ZoneID, &r.Handle, &r.Title, &r.Description, &r.Code, &r.Kind, &r.Amount, &r.Brackets,
		&r.Currency, &r.MinSubtotal, &r.MaxSubtotal, &r.FreeOver, &r.MinDays, &r.MaxDays, &r.Active, &r.Position,
		&r.CreatedAt, &r.UpdatedAt)
}

func scanShippingArea(rows *sql.Rows, a *model.ShippingZoneArea) error {
	return rows.Scan(&a.ZoneID, &a.Kind, &a.Value)
}

const imageColumns = "id, product_id, position, url, alt_text, width, height"

func scanImage(rows *sql.Rows, i *model.ProductImage) error {
	return rows.Scan(&i.ID, &i.ProductID, &i.Position, &i.URL, &i.AltText, &i.Width, &i.Height)
}

// scanAll runs q, which must select the columns scan reads, and collects the rows.
func scanAll[T any](q *gorm.DB, scan func(*sql.Rows, *T) error) ([]T, error) {
	rows, err := q.Rows()
	if err != nil {
		return nil, TranslateError(err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		var v T
		if err := scan(rows, &v); err != nil {
			return nil, TranslateError(err)
		}
		out = append(out, v)
	}
	return out, TranslateError(rows.Err())
}

// findOwnedRows reads the rows of table owned by productIDs, in display order.
func findOwnedRows[T any](ctx context.Context, s *Store, table, columns string, productIDs []int64, scan func(*sql.Rows, *T) error) ([]T, error) {
	if len(productIDs) == 0 {
		return nil, nil
	}
	q := s.db.WithContext(ctx).Table(table).Select(columns).Where("product_id IN ?", productIDs).Order("product_id, position, id")
	return scanAll(q, scan)
}
