// Package resolver translates between GraphQL and the domain: it decodes
// arguments, checks what the caller may see, and calls the store and
// workflow packages. It holds no business rules of its own.
package resolver

import (
	"github.com/langran/langran/auth"
	"github.com/langran/langran/catalog"
	"github.com/langran/langran/checkout"
	"github.com/langran/langran/discount"
	"github.com/langran/langran/inventory"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/shipping"
	"github.com/langran/langran/store"
)

// MaxPageSize is the largest `first` or `last` a connection accepts. Asking
// for more is an error rather than a silent clamp, so clients notice.
const MaxPageSize = 100

// MaxNodesPerRequest bounds the IDs one `nodes` call may ask for.
const MaxNodesPerRequest = 250

// Resolver is the root resolver; gqlgen builds the per-type resolvers from it.
type Resolver struct {
	Store    *store.Store
	Auth     *auth.Service
	Catalog  *catalog.Service
	Checkout *checkout.Service
	// Shipping quotes delivery options from every provider; ShippingTable
	// is the built-in provider, whose zones and rates staff write.
	Shipping      *shipping.Service
	ShippingTable *shipping.Table
	// Inventory runs staff writes to stock.
	Inventory *inventory.Service
	// Discounts runs staff writes to discount codes.
	Discounts *discount.Service
	// Payments takes payments and refunds.
	Payments *payment.Service
	// PromptPayQRURL returns the address of a PNG QR code of a PromptPay
	// payload (a signed link the server answers).
	PromptPayQRURL func(payload string) string
	// StripePublishableKey is handed to storefronts; "" without Stripe.
	StripePublishableKey string
}
