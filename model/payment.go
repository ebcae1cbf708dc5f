package model

import "time"

// PaymentMethod is how a buyer pays an order.
type PaymentMethod string

// The payment methods.
const (
	MethodStripeCard     PaymentMethod = "STRIPE_CARD"      // a card, through Stripe PaymentIntents
	MethodPromptPay      PaymentMethod = "PROMPTPAY"        // a Thai QR transfer to the shop's PromptPay ID
	MethodBankTransfer   PaymentMethod = "BANK_TRANSFER"    // a transfer to the shop's account, confirmed by staff
	MethodCashOnDelivery PaymentMethod = "CASH_ON_DELIVERY" // cash to the courier, confirmed by staff
)

// Valid reports whether m is a known method.
func (m PaymentMethod) Valid() bool {
	switch m {
	case MethodStripeCard, MethodPromptPay, MethodBankTransfer, MethodCashOnDelivery:
		return true
	}
	return false
}

// PaymentStatus is where one payment attempt is.
type PaymentStatus string

// The payment statuses.
const (
	PaymentPending    PaymentStatus = "PENDING"    // waiting for the buyer, the bank or the provider
	PaymentAuthorized PaymentStatus = "AUTHORIZED" // money held on the card, not yet taken
	PaymentCaptured   PaymentStatus = "CAPTURED"   // money taken (some may have been refunded since)
	PaymentVoided     PaymentStatus = "VOIDED"     // the hold was released or the attempt called off; nothing taken
	PaymentFailed     PaymentStatus = "FAILED"     // declined or abandoned; nothing taken
)

// Final reports whether nothing more can happen to a payment in status s
// but refunds.
func (s PaymentStatus) Final() bool {
	return s == PaymentCaptured || s == PaymentVoided || s == PaymentFailed
}

// rank orders the statuses a payment passes through, so an event that
// arrives late (an authorization reported after the capture) never moves
// a payment backwards.
func (s PaymentStatus) rank() int {
	switch s {
	case PaymentPending:
		return 0
	case PaymentAuthorized:
		return 1
	}
	return 2 // captured, voided and failed are all ends
}

// Advances reports whether a payment in status s may move to status to:
// forwards only, and never from one end to another.
func (s PaymentStatus) Advances(to PaymentStatus) bool {
	if s == to {
		return false
	}
	if s.Final() {
		return false
	}
	return to.rank() > s.rank()
}

// TransactionKind is the kind of a money movement in a payment's ledger.
type TransactionKind string

// The transaction kinds.
const (
	TxAuthorization TransactionKind = "AUTHORIZATION" // money held
	TxCapture       TransactionKind = "CAPTURE"       // money taken
	TxRefund        TransactionKind = "REFUND"        // money given back
	TxVoid          TransactionKind = "VOID"          // a hold released
)

// TransactionStatus is the outcome of a money movement.
type TransactionStatus string

// The transaction statuses.
const (
	TxPending TransactionStatus = "PENDING" // asked for; the provider has not answered yet
	TxSuccess TransactionStatus = "SUCCESS"
	TxFailure TransactionStatus = "FAILURE"
)

// Payment is one attempt to pay an order by one method. Its amount and
// currency come from the order when it starts, never from the client.
type Payment struct {
	ID       int64 `gorm:"primaryKey"`
	OrderID  int64
	Method   PaymentMethod
	Status   PaymentStatus
	Amount   int64 // what the attempt asks for, in minor units
	Currency CurrencyCode
	// Captured and Refunded are what the payment's ledger adds up to.
	Captured int64
	Refunded int64
	// ProviderRef is the provider's ID for the attempt (a Stripe
	// PaymentIntent); "" for methods confirmed by staff.
	ProviderRef string
	// ClientSecret is what a Stripe client confirms the PaymentIntent
	// with. Only the order's buyer sees it.
	ClientSecret string
	// Payload is the PromptPay EMVCo payload the buyer's banking app scans.
	Payload string
	// Reference is what the buyer quotes on a transfer (and what a bank's
	// notification names), or the bank's reference once confirmed.
	Reference string
	// Instructions tell the buyer what to do next, for people.
	Instructions string
	// IdempotencyKey is IdempotencyKeyHash of the order and the caller's key.
	IdempotencyKey string
	// RequestHash is RequestHash of the request the key came with.
	RequestHash   string
	ManualCapture bool
	ErrorCode     string
	ErrorMessage  string
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

// GID returns the payment's opaque global ID.
func (p *Payment) GID() string { return EncodeGlobalID(TypePayment, p.ID) }

// Refundable is what may still be given back from the payment.
func (p *Payment) Refundable() int64 { return p.Captured - p.Refunded }

// PaymentTransaction is one money movement in a payment's ledger. It is
// written once per movement: a provider's reference or a caller's
// idempotency key that was seen before finds the existing entry.
type PaymentTransaction struct {
	ID        int64 `gorm:"primaryKey"`
	PaymentID int64
	OrderID   int64
	Kind      TransactionKind
	Status    TransactionStatus
	Amount    int64
	Currency  CurrencyCode
	// ProviderRef is the provider's ID for the movement (a Stripe charge
	// or refund, a bank's transfer reference); nil until known. Unique per
	// payment and kind.
	ProviderRef *string
	// IdempotencyKey is IdempotencyKeyHash of the order and the caller's
	// key, nil for movements a provider reported.
	IdempotencyKey *string
	ErrorCode      string
	Reason         string
	// RefundLines is a refund's lines as JSON ([{"lineId":1,"quantity":2}]),
	// "[]" for a refund of an amount only or another kind.
	RefundLines string
	// Restock says whether a refund's lines go back to stock.
	Restock   bool
	Actor     string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// RefundLine is how many units of an order line a refund gives money
// back for.
type RefundLine struct {
	LineID   int64 `json:"lineId"`
	Quantity int   `json:"quantity"`
}

// GID returns the transaction's opaque global ID.
func (t *PaymentTransaction) GID() string { return EncodeGlobalID(TypePaymentTransaction, t.ID) }

// FinancialStatus is an order's money state, with Shopify's names.
type FinancialStatus string

// The financial statuses.
const (
	FinancialPending           FinancialStatus = "PENDING"
	FinancialAuthorized        FinancialStatus = "AUTHORIZED"
	FinancialPartiallyPaid     FinancialStatus = "PARTIALLY_PAID"
	FinancialPaid              FinancialStatus = "PAID"
	FinancialPartiallyRefunded FinancialStatus = "PARTIALLY_REFUNDED"
	FinancialRefunded          FinancialStatus = "REFUNDED"
	FinancialVoided            FinancialStatus = "VOIDED"
)

// OrderMoney is what an order's payments add up to.
type OrderMoney struct {
	Total      int64 // the order's total
	Authorized int64 // held on cards and not yet captured or voided
	Captured   int64
	Refunded   int64
	Voided     bool // some hold was released and nothing was ever captured
}

// Outstanding is what the buyer still owes.
func (m OrderMoney) Outstanding() int64 {
	if d := m.Total - m.Captured; d > 0 {
		return d
	}
	return 0
}

// Status is the order's financial status: refunds first (money went back),
// then what was captured, then what is held.
func (m OrderMoney) Status() FinancialStatus {
	switch {
	case m.Refunded > 0 && m.Refunded >= m.Captured:
		return FinancialRefunded
	case m.Refunded > 0:
		return FinancialPartiallyRefunded
	case m.Captured > 0 && m.Captured >= m.Total:
		return FinancialPaid
	case m.Captured > 0:
		return FinancialPartiallyPaid
	case m.Authorized > 0:
		return FinancialAuthorized
	case m.Voided:
		return FinancialVoided
	}
	return FinancialPending
}

// Payment error codes.
const (
	CodeNothingToPay         ErrorCode = "NOTHING_TO_PAY"             // the order is paid, cancelled or free
	CodeMethodUnavailable    ErrorCode = "PAYMENT_METHOD_UNAVAILABLE" // the shop does not take this method
	CodePaymentDeclined      ErrorCode = "PAYMENT_DECLINED"           // the provider said no
	CodeProviderError        ErrorCode = "PAYMENT_PROVIDER_ERROR"     // the provider could not be reached or failed; retry with the same key
	CodeRefundExceeds        ErrorCode = "REFUND_EXCEEDS_CAPTURED"    // more than was taken and not yet given back
	CodePaymentNotCapturable ErrorCode = "PAYMENT_NOT_CAPTURABLE"     // nothing held to capture or void
)
