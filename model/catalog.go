package model

import (
	"encoding/json"
	"time"
)

// ProductStatus is the lifecycle state of a product. Only ACTIVE products are
// visible to the storefront.
type ProductStatus string

// Product statuses.
const (
	ProductActive   ProductStatus = "ACTIVE"
	ProductDraft    ProductStatus = "DRAFT"
	ProductArchived ProductStatus = "ARCHIVED"
)

// Product is a thing the store sells, in one or more variants.
// Text has an English form and an optional Thai form.
type Product struct {
	ID            int64 `gorm:"primaryKey"`
	Handle        string
	Title         string
	TitleTH       string `gorm:"column:title_th"`
	Description   string
	DescriptionTH string `gorm:"column:description_th"`
	CategoryID    *int64
	Status        ProductStatus
	// MinPrice and MaxPrice are the lowest and highest variant prices in minor
	// units, kept on the product so that price filters and sorting use an index.
	MinPrice  int64
	MaxPrice  int64
	Currency  CurrencyCode
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GID returns the product's opaque global ID.
func (p *Product) GID() string { return EncodeGlobalID(TypeProduct, p.ID) }

// StorefrontStatus is the one status the storefront sees: products in any
// other status, and their variants, images and options, are hidden from it
// on every path. Lists filter on it in SQL; objects in hand are checked with
// VisibleInStorefront.
const StorefrontStatus = ProductActive

// VisibleInStorefront reports whether the storefront may see p.
func (p *Product) VisibleInStorefront() bool { return p != nil && p.Status == StorefrontStatus }

// ProductVariant is one purchasable version of a product (a size, a colour).
type ProductVariant struct {
	ID        int64 `gorm:"primaryKey"`
	ProductID int64
	Position  int
	SKU       *string `gorm:"column:sku"`
	// SKUKey is model.SKUKey of the SKU, which the database keeps unique;
	// the store sets it whenever it writes a SKU. Reads may leave it nil.
	SKUKey          *string `gorm:"column:sku_key"`
	Title           string
	SelectedOptions string // JSON array of SelectedOption, in option order
	Price           int64  // minor units, VAT included
	CompareAtPrice  *int64 // minor units; the "was" price, when on sale
	Currency        CurrencyCode
	// InventoryQuantity is the stock on hand: units in the warehouse,
	// those already promised to orders included. The inventory ledger's
	// movements of the variant add up to it.
	InventoryQuantity int
	// InventoryCommitted is the units taken by orders not yet fulfilled.
	InventoryCommitted int
	// InventoryTracked is false for a variant sold without counting stock
	// (made to order, digital). The database's default is true; GORM
	// leaves a false out of an INSERT for the same default.
	InventoryTracked bool `gorm:"default:true"`
	// AllowBackorder lets a tracked variant be sold beyond its stock.
	AllowBackorder bool
	// LowStockThreshold, when set, marks the variant low on stock once
	// no more than this many units are available.
	LowStockThreshold *int
	WeightGrams       *int
	CreatedAt         time.Time
	UpdatedAt         time.Time
}

// SelectedOption is one option value a variant has, e.g. Size = M.
type SelectedOption struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Options decodes the variant's selected options. Stored JSON is written by us,
// so a decoding failure means corrupt data and yields no options.
func (v *ProductVariant) Options() []SelectedOption {
	var out []SelectedOption
	if v.SelectedOptions != "" {
		_ = json.Unmarshal([]byte(v.SelectedOptions), &out)
	}
	return out
}

// GID returns the variant's opaque global ID.
func (v *ProductVariant) GID() string { return EncodeGlobalID(TypeProductVariant, v.ID) }

// PriceMoney returns the variant's price as Money.
func (v *ProductVariant) PriceMoney() Money { return Money{Minor: v.Price, Currency: v.Currency} }

// CompareAtPriceMoney returns the variant's compare-at price, nil when it has none.
func (v *ProductVariant) CompareAtPriceMoney() *Money {
	if v.CompareAtPrice == nil {
		return nil
	}
	return &Money{Minor: *v.CompareAtPrice, Currency: v.Currency}
}

// WeightUnit is the unit a weight is given in.
type WeightUnit string

// Weight units. Weights are stored in grams.
const (
	WeightGrams     WeightUnit = "GRAMS"
	WeightKilograms WeightUnit = "KILOGRAMS"
)

// Weight returns the variant's shipping weight in grams, nil when unknown.
func (v *ProductVariant) Weight() *float64 {
	if v.WeightGrams == nil {
		return nil
	}
	w := float64(*v.WeightGrams)
	return &w
}

// WeightUnit returns the unit of Weight: always grams.
func (v *ProductVariant) WeightUnit() WeightUnit { return WeightGrams }

// ProductImage is a picture of a product, hosted elsewhere and referenced by URL.
type ProductImage struct {
	ID        int64 `gorm:"primaryKey"`
	ProductID int64
	Position  int
	URL       string `gorm:"column:url"`
	AltText   *string
	Width     *int
	Height    *int
}

// GID returns the image's opaque global ID.
func (i *ProductImage) GID() string { return EncodeGlobalID(TypeProductImage, i.ID) }

// ProductOption is a dimension along which variants differ, with its values
// in display order, e.g. Colour: [Red, Blue].
type ProductOption struct {
	ID         int64 `gorm:"primaryKey"`
	ProductID  int64
	Position   int
	Name       string
	ValuesJSON string `gorm:"column:option_values"`
}

// Values decodes the option's values.
func (o *ProductOption) Values() []string {
	var out []string
	if o.ValuesJSON != "" {
		_ = json.Unmarshal([]byte(o.ValuesJSON), &out)
	}
	return out
}

// GID returns the option's opaque global ID.
func (o *ProductOption) GID() string { return EncodeGlobalID(TypeProductOption, o.ID) }

// ProductTag is one tag on a product.
type ProductTag struct {
	ProductID int64  `gorm:"primaryKey"`
	Tag       string `gorm:"primaryKey"`
}

// Category is a node in the catalog's category tree.
type Category struct {
	ID       int64 `gorm:"primaryKey"`
	ParentID *int64
	Handle   string
	Name     string
	NameTH   string `gorm:"column:name_th"`
	Position int
	Depth    int // 0 for a root
}

// GID returns the category's opaque global ID.
func (c *Category) GID() string { return EncodeGlobalID(TypeCategory, c.ID) }

// CategoryClosure relates every category to each of its ancestors and to
// itself (depth 0), so that "this category and all below it" is one indexed
// lookup instead of a recursive walk.
type CategoryClosure struct {
	AncestorID   int64 `gorm:"primaryKey"`
	DescendantID int64 `gorm:"primaryKey"`
	Depth        int
}

// TableName keeps GORM's name for the closure table explicit.
func (CategoryClosure) TableName() string { return "category_closure" }
