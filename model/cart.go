package model

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"
)

// Cart statuses.
const (
	CartActive    = "ACTIVE"    // being filled
	CartCompleted = "COMPLETED" // turned into an order
	CartMerged    = "MERGED"    // its lines moved into the customer's cart when they signed in
)

// Cart limits; more is refused, never trimmed.
const (
	MaxCartLines      = 100
	MaxLineQuantity   = 999
	MaxDiscountCodes  = 5
	MaxDiscountCode   = 64
	MaxCartNote       = 2000
	CartLifetime      = 30 * 24 * time.Hour // an untouched cart expires after this
	cartKeyBytes      = 16
	cartKeyEncodedLen = 22
)

// Cart is a shopper's basket. It is found by its key, a 128-bit random
// secret inside its ID: whoever holds the ID may read and change the cart,
// and nobody can guess another's. A signed-in customer's cart carries their
// ID, so it follows them across devices.
type Cart struct {
	ID         int64 `gorm:"primaryKey"`
	CartKey    string
	CustomerID *int64
	Email      string
	Phone      string
	// CountryCode is the buyer's country (ISO 3166-1 alpha-2), for prices and
	// delivery.
	CountryCode string
	// DeliveryAddress is the buyer's MailingAddress as JSON, "" when none.
	DeliveryAddress string
	Note            string
	// DiscountCodes are the codes the buyer entered, space-separated, in order.
	DiscountCodes string
	// DeliveryOption is the handle of the chosen delivery option.
	DeliveryOption string
	Status         string
	CreatedAt      time.Time
	UpdatedAt      time.Time
	ExpiresAt      time.Time
	// Version is raised by every write to the cart: a change that read
	// version n writes only if it is still n.
	Version int64
	// Lines are the cart's lines as the change that returned the cart left
	// them (stored, with their IDs), so that its answer need not read them
	// again; nil when the cart was read, or its lines are not known.
	Lines []CartLine `gorm:"-"`
}

// GID returns the cart's opaque global ID, which holds its key.
func (c *Cart) GID() string { return EncodeCartID(c.CartKey) }

// Codes returns the entered discount codes.
func (c *Cart) Codes() []string { return strings.Fields(c.DiscountCodes) }

// CartLine is a variant in a cart with its quantity. Prices are never
// stored: they are the variant's current price whenever the cart is read.
type CartLine struct {
	ID        int64 `gorm:"primaryKey"`
	CartID    int64
	VariantID int64
	Quantity  int
	// SeenPrice is the variant's unit price when the shopper last added or
	// changed the line: a different price now is a PRICE_CHANGED problem
	// until they change the line again. Nil for lines older than the column.
	SeenPrice *int64
	CreatedAt time.Time
	UpdatedAt time.Time
}

// GID returns the line's opaque global ID.
func (l *CartLine) GID() string { return EncodeGlobalID(TypeCartLine, l.ID) }

// NewCartKey returns a fresh random cart key.
func NewCartKey() string {
	var b [cartKeyBytes]byte
	_, _ = rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

const cartGIDPrefix = gidPrefix + "Cart/"

// EncodeCartID returns the opaque ID of the cart with key.
func EncodeCartID(key string) string {
	return base64.RawURLEncoding.EncodeToString([]byte(cartGIDPrefix + key))
}

// DecodeCartID returns the key inside a cart ID. Anything that is not a
// cart ID of the right form is a CodeInvalid error.
func DecodeCartID(id string) (string, error) {
	bad := &Error{Code: CodeInvalid, Message: "invalid cart ID"}
	if id == "" || len(id) > maxGlobalIDLen || !isBase64URL(id) {
		return "", bad
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(id)
	if err != nil {
		return "", bad
	}
	key, ok := strings.CutPrefix(string(raw), cartGIDPrefix)
	if !ok || len(key) != cartKeyEncodedLen || !isBase64URL(key) {
		return "", bad
	}
	if _, err := base64.RawURLEncoding.Strict().DecodeString(key); err != nil {
		return "", bad
	}
	return key, nil
}

// NormalizeDiscountCode is the form codes are compared in: trimmed and
// upper-cased (codes are case-insensitive, as shoppers type them).
func NormalizeDiscountCode(s string) string { return strings.ToUpper(strings.TrimSpace(s)) }

// Cart problems: what stops a cart from being checked out.
const (
	ProblemOutOfStock          = "OUT_OF_STOCK"          // a line wants more than is available
	ProblemMerchandiseGone     = "MERCHANDISE_NOT_FOUND" // a line's variant no longer exists or is not for sale
	ProblemMissingEmail        = "MISSING_EMAIL"
	ProblemMissingAddress      = "MISSING_DELIVERY_ADDRESS"
	ProblemEmptyCart           = "EMPTY_CART"
	ProblemDeliveryNotChosen   = "DELIVERY_OPTION_NOT_SELECTED"
	ProblemPriceChanged        = "PRICE_CHANGED"                 // a line's price is not the one the shopper saw
	ProblemDeliveryUnavailable = "DELIVERY_OPTION_NOT_AVAILABLE" // the chosen option is no longer offered
	ProblemDiscountInvalidNow  = "DISCOUNT_CODE_NOT_APPLICABLE"
)
