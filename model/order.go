package model

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// OrderStatus is where an order is in its life.
type OrderStatus string

// The order statuses.
const (
	OrderPendingPayment OrderStatus = "PENDING_PAYMENT" // placed, stock taken, not paid yet
	OrderPaid           OrderStatus = "PAID"            // paid in full
	OrderFulfilled      OrderStatus = "FULFILLED"       // packed and handed to a carrier, with tracking
	OrderShipped        OrderStatus = "SHIPPED"         // the carrier has it on the way
	OrderDelivered      OrderStatus = "DELIVERED"       // the buyer has it
	OrderCancelled      OrderStatus = "CANCELLED"       // called off before delivery; its stock went back
	OrderRefunded       OrderStatus = "REFUNDED"        // paid back after payment
)

// orderMoves lists the statuses each status may move to. Nothing leaves
// CANCELLED or REFUNDED: they are final.
var orderMoves = map[OrderStatus][]OrderStatus{
	OrderPendingPayment: {OrderPaid, OrderCancelled},
	OrderPaid:           {OrderFulfilled, OrderCancelled, OrderRefunded},
	OrderFulfilled:      {OrderShipped, OrderDelivered, OrderRefunded},
	OrderShipped:        {OrderDelivered, OrderRefunded},
	OrderDelivered:      {OrderRefunded},
}

// CanMove reports whether an order may go from status from to status to.
func (from OrderStatus) CanMove(to OrderStatus) bool {
	for _, s := range orderMoves[from] {
		if s == to {
			return true
		}
	}
	return false
}

// Valid reports whether s is a known status.
func (s OrderStatus) Valid() bool {
	switch s {
	case OrderPendingPayment, OrderPaid, OrderFulfilled, OrderShipped, OrderDelivered, OrderCancelled, OrderRefunded:
		return true
	}
	return false
}

// Final reports whether nothing can follow s.
func (s OrderStatus) Final() bool { return len(orderMoves[s]) == 0 }

// HoldsStock reports whether an order in status s still has its stock set
// aside (committed) rather than shipped or returned.
func (s OrderStatus) HoldsStock() bool { return s == OrderPendingPayment || s == OrderPaid }

// CheckMove returns a CodeConflict error when the order may not move from
// status from to status to.
func CheckMove(from, to OrderStatus) error {
	if from.CanMove(to) {
		return nil
	}
	return &Error{Code: CodeConflict, Message: fmt.Sprintf("an order that is %s cannot become %s", from, to)}
}

// Order is a cart checked out: what was bought, at which prices and VAT,
// by whom and where it goes. Its lines are snapshots, so later catalog
// changes do not change it.
type Order struct {
	ID int64 `gorm:"primaryKey"`
	// AccessKey is a 128-bit random secret: whoever holds it may read (and
	// pay) the order, which is how a guest comes back to theirs.
	AccessKey      string
	CustomerID     *int64
	CartID         int64
	IdempotencyKey string // SHA-256 of the key the checkout came with, hex
	Email          string
	Phone          string
	Status         OrderStatus
	Currency       CurrencyCode
	Subtotal       int64
	Discount       int64
	Shipping       int64
	ShippingOff    int64
	Total          int64
	VAT            int64
	VATRate        RateBasisPoints `gorm:"column:vat_rate"`
	DiscountCodes  string          // the codes that applied, space-separated
	// DeliveryAddress is the buyer's MailingAddress as JSON, "" when none.
	DeliveryAddress string
	DeliveryOption  string // the option's handle
	DeliveryTitle   string // the option's title as the buyer saw it
	Note            string
	Carrier         string
	TrackingNumber  string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// PayBy is when an unpaid order expires and its stock goes back.
	PayBy       *time.Time
	PaidAt      *time.Time
	CancelledAt *time.Time
	// FinancialStatus and the sums below are what the order's payment
	// ledger adds up to, kept up to date in each ledger write.
	FinancialStatus FinancialStatus
	Authorized      int64
	Captured        int64
	Refunded        int64
}

// Money returns what the order's payments add up to.
func (o *Order) Money() OrderMoney {
	return OrderMoney{Total: o.Total, Authorized: o.Authorized, Captured: o.Captured, Refunded: o.Refunded,
		Voided: o.FinancialStatus == FinancialVoided}
}

// GID returns the order's opaque global ID.
func (o *Order) GID() string { return EncodeGlobalID(TypeOrder, o.ID) }

// orderNumberBase is added to an order's ID to make its number, so the
// first order is #1001 rather than #1.
const orderNumberBase = 1000

// Number is the order's number for people: receipts, emails, the phone.
// It is the order's ID plus 1000, so numbers are unique without a counter
// every checkout would queue on; they may skip when a checkout fails.
func (o *Order) Number() string { return strconv.FormatInt(o.ID+orderNumberBase, 10) }

// ParseOrderNumber returns the ID of the order with number n ("1001" or
// "#1001"), false when n is not an order number.
func ParseOrderNumber(n string) (int64, bool) {
	n = strings.TrimPrefix(strings.TrimSpace(n), "#")
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil || v <= orderNumberBase {
		return 0, false
	}
	return v - orderNumberBase, true
}

// OrderLine is a snapshot of a cart line at checkout.
type OrderLine struct {
	ID           int64 `gorm:"primaryKey"`
	OrderID      int64
	VariantID    int64
	ProductID    int64
	Title        string // the product's title
	VariantTitle string
	SKU          string `gorm:"column:sku"`
	Quantity     int
	UnitPrice    int64 // VAT-inclusive
	Subtotal     int64 // UnitPrice × Quantity
	Discount     int64 // the line's share of the order's discounts
	Total        int64 // Subtotal − Discount
	VAT          int64 `gorm:"column:vat"` // the line's share of the order's VAT
	// RefundedQuantity is how many of the line's units refunds named.
	RefundedQuantity int
	// Restocked is how many of the line's units went back to stock after
	// a refund, so fulfilment and cancellation do not move them again.
	Restocked int
}

// Held is how many of the line's units the order still holds in stock.
func (l *OrderLine) Held() int { return l.Quantity - l.Restocked }

// GID returns the line's opaque global ID.
func (l *OrderLine) GID() string { return EncodeGlobalID(TypeOrderLine, l.ID) }

// OrderEvent is one entry of an order's history.
type OrderEvent struct {
	ID         int64 `gorm:"primaryKey"`
	OrderID    int64
	Kind       string // PLACED, STATUS_CHANGED, NOTE, EXPIRED...
	FromStatus string
	ToStatus   string
	Message    string
	Actor      string // "customer:7", "staff:2", "guest", "system"
	CreatedAt  time.Time
}

// The kinds of order event.
const (
	OrderEventPlaced  = "PLACED"
	OrderEventStatus  = "STATUS_CHANGED"
	OrderEventNote    = "NOTE"
	OrderEventExpired = "EXPIRED"
)

// HashIdempotencyKey is the form an idempotency key is stored and compared
// in.
func HashIdempotencyKey(k string) string {
	h := sha256.Sum256([]byte(k))
	return hex.EncodeToString(h[:])
}

// Checkout error codes.
const (
	CodeCartNotReady        ErrorCode = "CART_NOT_READY"          // the cart has problems that block checkout
	CodeDiscountUnavailable ErrorCode = "DISCOUNT_CODE_NOT_VALID" // a code that applied no longer does
	CodeAlreadyCheckedOut   ErrorCode = "ALREADY_CHECKED_OUT"     // the cart became an order already
)
