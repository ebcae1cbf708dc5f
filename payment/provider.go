// Package payment takes money for orders: it starts payments with a
// provider, records every money movement once in a ledger, moves the
// order when it is paid or refunded, and applies the providers' webhooks.
//
// Providers are where the technology varies (Stripe, PromptPay, methods
// staff confirm by hand); each implements Provider, and those that send
// webhooks implement WebhookParser too. A provider is never called while
// a database transaction is open: the service writes what it is about to
// ask, commits, calls the provider with an idempotency key derived from
// the row it wrote, and records the answer in a second transaction, so a
// retry after a crash or timeout asks the provider the same question again
// and the provider answers it once.
package payment

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/langran/langran/model"
)

// Provider takes money by one method.
type Provider interface {
	// Method is the method the provider serves.
	Method() model.PaymentMethod
	// Start begins collecting r.Amount. It must be idempotent in
	// r.IdempotencyKey: the same key again answers with the same attempt.
	Start(ctx context.Context, r StartRequest) (*Started, error)
	// Capture takes amount of what the payment holds.
	Capture(ctx context.Context, p *model.Payment, amount int64, idempotencyKey string) (*Outcome, error)
	// Void releases what the payment holds, or calls the attempt off.
	Void(ctx context.Context, p *model.Payment, idempotencyKey string) (*Outcome, error)
	// Refund gives amount of what the payment took back to the buyer.
	Refund(ctx context.Context, p *model.Payment, amount int64, idempotencyKey string) (*Outcome, error)
}

// StartRequest is what a provider needs to start a payment. The amount
// and currency are the order's, never the client's.
type StartRequest struct {
	PaymentID     int64
	OrderID       int64
	OrderNumber   string
	Amount        int64 // minor units
	Currency      model.CurrencyCode
	Email         string
	ManualCapture bool // hold the money and capture it later (cards only)
	// IdempotencyKey is unique to the payment row; the provider passes it
	// on (Stripe's Idempotency-Key) so a retried Start creates nothing new.
	IdempotencyKey string
}

// Started is what the client needs next, by method.
type Started struct {
	Ref          string              // the provider's ID for the attempt, "" when it has none
	Status       model.PaymentStatus // PENDING, or AUTHORIZED/CAPTURED when the provider already did it
	ClientSecret string              // Stripe: confirms the PaymentIntent in the browser or app
	Payload      string              // PromptPay: the EMVCo payload to show as a QR code
	Reference    string              // what the buyer quotes on a transfer
	Instructions string              // what the buyer should do, for people
}

// Outcome is a provider's answer to a capture, void or refund.
type Outcome struct {
	Ref       string // the provider's ID for the movement (charge, refund)
	Status    model.TransactionStatus
	ErrorCode string // the provider's reason when Status is FAILURE
}

// Declined is returned (wrapped or as is) by a provider that answered no:
// a card declined, an amount refused. The attempt is over; retrying the
// same request will not change the answer.
type Declined struct {
	Code    string // the provider's code, e.g. "card_declined"
	Message string // safe to show to the buyer
}

func (d *Declined) Error() string { return "declined: " + d.Code + ": " + d.Message }

// IsDeclined returns the Declined in err's chain, nil when there is none.
func IsDeclined(err error) *Declined {
	var d *Declined
	if errors.As(err, &d) {
		return d
	}
	return nil
}

// WebhookParser is a provider that sends notifications: Stripe's events,
// a bank's transfer notices.
type WebhookParser interface {
	// WebhookName is the last part of the endpoint's path, /webhooks/<name>.
	WebhookName() string
	// ParseWebhook verifies the request's signature and freshness against
	// now and decodes it. It returns ErrBadSignature (wrapped) when the
	// request is unsigned, tampered with or stale, and (nil, nil) for
	// events the store does not act on, which are acknowledged.
	ParseWebhook(h http.Header, body []byte, now time.Time) (*Event, error)
}

// ErrBadSignature is a webhook that could not be verified: it changes
// nothing and is answered 400.
var ErrBadSignature = errors.New("webhook signature missing, invalid or stale")

// Event is a provider's notification, verified and decoded.
type Event struct {
	// ID is the provider's event ID: each is applied once.
	ID string
	// Type is the provider's event type, for the log and the history.
	Type string
	// PaymentID is our payment's ID when the provider carries it back
	// (Stripe's metadata), 0 otherwise.
	PaymentID int64
	// PaymentRef is the provider's ID for the attempt (a PaymentIntent),
	// or the reference the buyer quoted on a transfer.
	PaymentRef string
	// Kind, Status, Amount and Currency describe the movement.
	Kind     model.TransactionKind
	Status   model.TransactionStatus
	Amount   int64
	Currency model.CurrencyCode
	// Ref is the provider's ID for the movement (charge, refund, bank
	// transfer); it makes the ledger entry unique.
	Ref       string
	ErrorCode string
	// MovementKey is the idempotency key the movement was asked for with
	// (langran-tx-<id>), when the provider carries it back: it names the
	// ledger entry the event answers even before the entry knows the
	// provider's reference.
	MovementKey string
	// Created is when the provider made the event: events may arrive out
	// of order, and the ledger never moves a payment backwards.
	Created time.Time
}
