// Package stripe takes card payments through Stripe PaymentIntents.
//
// The server creates a PaymentIntent for the order's amount and hands its
// client secret to the storefront; Stripe.js or a mobile SDK collects the
// card and confirms the intent directly with Stripe, so card data never
// reaches Langran. Stripe then reports what happened through signed
// webhooks, which ParseWebhook verifies and decodes for the payment ledger.
//
// Each Provider carries its own key and HTTP backend (no stripe-go globals),
// so two shops, or a test and a server, can share one process.
package stripe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// DefaultTimeout bounds one HTTP request to Stripe when Config gives
// neither a client nor a timeout. stripe-go's own default is 80 s, longer
// than any buyer waits at a checkout.
const DefaultTimeout = 30 * time.Second

// DefaultWebhookTolerance is how far a webhook's signed timestamp may be
// from now, the same window Stripe's libraries use.
const DefaultWebhookTolerance = 5 * time.Minute

// Config configures a Provider.
type Config struct {
	// SecretKey is the API secret key (sk_live_…, sk_test_… or a
	// restricted rk_… key with PaymentIntents and Refunds write access).
	SecretKey string
	// WebhookSecret is the endpoint's signing secret (whsec_…).
	WebhookSecret string
	// PublishableKey (pk_…) is what storefronts initialise Stripe.js with;
	// the provider only carries it for the server to hand out.
	PublishableKey string
	// APIBase replaces https://api.stripe.com, e.g. with a stripe-mock URL.
	APIBase string
	// HTTPClient makes the requests; nil means a client with Timeout.
	HTTPClient *http.Client
	// Timeout bounds each request when HTTPClient is nil; 0 means
	// DefaultTimeout.
	Timeout time.Duration
	// MaxNetworkRetries is how often stripe-go repeats a request that
	// failed on the network or with a conflict, with the same idempotency
	// key so Stripe acts once: 0 leaves stripe-go's default (2), a
	// negative number turns retries off.
	MaxNetworkRetries int
	// WebhookTolerance is how old (or how far ahead) a webhook's signed
	// timestamp may be; 0 means DefaultWebhookTolerance.
	WebhookTolerance time.Duration
	// Logger receives stripe-go's retry warnings; nil means slog.Default().
	// Nothing else stripe-go logs is passed on: its error and debug lines
	// carry response bodies with client secrets.
	Logger *slog.Logger
}

// Provider is Stripe as a payment.Provider and payment.WebhookParser.
type Provider struct {
	api            *stripeapi.Client
	secretKey      string
	publishableKey string
	webhookSecret  []byte
	tolerance      time.Duration
}

var (
	_ payment.Provider      = (*Provider)(nil)
	_ payment.WebhookParser = (*Provider)(nil)
)

// New returns a Provider for cfg. It checks the configuration but makes no
// request.
func New(cfg Config) (*Provider, error) {
	if cfg.SecretKey == "" {
		return nil, errors.New("stripe: a secret key is required")
	}
	if cfg.WebhookSecret == "" {
		return nil, errors.New("stripe: a webhook signing secret is required")
	}
	httpClient := cfg.HTTPClient
	if httpClient == nil {
		timeout := cfg.Timeout
		if timeout <= 0 {
			timeout = DefaultTimeout
		}
		httpClient = &http.Client{Timeout: timeout}
	}
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	backend := &stripeapi.BackendConfig{
		HTTPClient:    httpClient,
		LeveledLogger: warnLogger{logger},
	}
	switch {
	case cfg.MaxNetworkRetries < 0:
		backend.MaxNetworkRetries = stripeapi.Int64(0)
	case cfg.MaxNetworkRetries > 0:
		backend.MaxNetworkRetries = stripeapi.Int64(int64(cfg.MaxNetworkRetries))
	}
	if cfg.APIBase != "" {
		backend.URL = stripeapi.String(cfg.APIBase)
	}
	tolerance := cfg.WebhookTolerance
	if tolerance <= 0 {
		tolerance = DefaultWebhookTolerance
	}
	return &Provider{
		api:            stripeapi.NewClient(cfg.SecretKey, stripeapi.WithBackends(stripeapi.NewBackendsWithConfig(backend))),
		secretKey:      cfg.SecretKey,
		publishableKey: cfg.PublishableKey,
		webhookSecret:  []byte(cfg.WebhookSecret),
		tolerance:      tolerance,
	}, nil
}

// Method is the method Stripe serves: cards.
func (p *Provider) Method() model.PaymentMethod { return model.MethodStripeCard }

// PublishableKey is the key storefronts initialise Stripe.js with.
func (p *Provider) PublishableKey() string { return p.publishableKey }

// Start creates a PaymentIntent for the order's amount. The buyer's client
// confirms it with the returned client secret; nothing is charged here.
func (p *Provider) Start(ctx context.Context, r payment.StartRequest) (*payment.Started, error) {
	if r.IdempotencyKey == "" {
		return nil, errors.New("stripe: start: an idempotency key is required")
	}
	if r.Amount <= 0 {
		return nil, fmt.Errorf("stripe: start: amount %d is not positive", r.Amount)
	}
	// Stripe counts every currency Langran knows (THB, USD, EUR in
	// hundredths, JPY in yen) in the same minor unit as model.Money, so the
	// amount goes through as it is.
	if !r.Currency.Valid() {
		return nil, fmt.Errorf("stripe: start: unknown currency %q", r.Currency)
	}
	captureMethod := "automatic"
	if r.ManualCapture {
		captureMethod = "manual"
	}
	params := &stripeapi.PaymentIntentCreateParams{
		Amount:        stripeapi.Int64(r.Amount),
		Currency:      stripeapi.String(strings.ToLower(string(r.Currency))),
		CaptureMethod: stripeapi.String(captureMethod),
		// Cards only (wallets such as Apple Pay and Google Pay are cards
		// too): the method is STRIPE_CARD, manual capture is a card
		// feature, and the ledger's statuses assume a card's quick answer
		// rather than a bank redirect that settles days later.
		PaymentMethodTypes: []*string{stripeapi.String("card")},
		Description:        stripeapi.String("Order #" + r.OrderNumber),
		Metadata:           metadataOf(r.PaymentID, r.OrderID, r.OrderNumber),
	}
	if r.Email != "" {
		params.ReceiptEmail = stripeapi.String(r.Email)
	}
	params.SetIdempotencyKey(r.IdempotencyKey)
	pi, err := p.api.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return nil, p.translate("start", err)
	}
	return &payment.Started{
		Ref:          pi.ID,
		Status:       startedStatus(pi.Status),
		ClientSecret: pi.ClientSecret,
		Instructions: "Enter your card details to pay.",
	}, nil
}

// Capture takes amount of what the PaymentIntent holds. Stripe releases
// the rest of the hold: a PaymentIntent is captured once.
func (p *Provider) Capture(ctx context.Context, pay *model.Payment, amount int64, idempotencyKey string) (*payment.Outcome, error) {
	if err := check("capture", pay, idempotencyKey); err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, fmt.Errorf("stripe: capture: amount %d is not positive", amount)
	}
	params := &stripeapi.PaymentIntentCaptureParams{AmountToCapture: stripeapi.Int64(amount)}
	params.SetIdempotencyKey(idempotencyKey)
	pi, err := p.api.V1PaymentIntents.Capture(ctx, pay.ProviderRef, params)
	if err != nil {
		return nil, p.translate("capture", err)
	}
	return captureOutcome(pi), nil
}

// Void cancels the PaymentIntent, releasing a hold or calling off an
// attempt the buyer has not finished.
func (p *Provider) Void(ctx context.Context, pay *model.Payment, idempotencyKey string) (*payment.Outcome, error) {
	if err := check("void", pay, idempotencyKey); err != nil {
		return nil, err
	}
	params := &stripeapi.PaymentIntentCancelParams{}
	params.SetIdempotencyKey(idempotencyKey)
	pi, err := p.api.V1PaymentIntents.Cancel(ctx, pay.ProviderRef, params)
	if err != nil {
		return nil, p.translate("void", err)
	}
	return voidOutcome(pi), nil
}

// Refund gives amount of what the PaymentIntent took back to the card.
// The refund carries the payment's metadata so its webhooks name the
// payment even though they are about a Refund object.
func (p *Provider) Refund(ctx context.Context, pay *model.Payment, amount int64, idempotencyKey string) (*payment.Outcome, error) {
	if err := check("refund", pay, idempotencyKey); err != nil {
		return nil, err
	}
	if amount <= 0 {
		return nil, fmt.Errorf("stripe: refund: amount %d is not positive", amount)
	}
	params := &stripeapi.RefundCreateParams{
		PaymentIntent: stripeapi.String(pay.ProviderRef),
		Amount:        stripeapi.Int64(amount),
		Metadata:      metadataOf(pay.ID, pay.OrderID, ""),
	}
	// The key names the ledger entry, so the refund's webhooks settle
	// that entry even if they arrive before this call returns.
	params.Metadata[MetaMovementKey] = idempotencyKey
	params.SetIdempotencyKey(idempotencyKey)
	rf, err := p.api.V1Refunds.Create(ctx, params)
	if err != nil {
		return nil, p.translate("refund", err)
	}
	return refundOutcome(rf), nil
}

func check(op string, pay *model.Payment, idempotencyKey string) error {
	if idempotencyKey == "" {
		return fmt.Errorf("stripe: %s: an idempotency key is required", op)
	}
	if pay == nil || pay.ProviderRef == "" {
		return fmt.Errorf("stripe: %s: the payment has no PaymentIntent", op)
	}
	return nil
}

// Metadata keys Langran writes on PaymentIntents and Refunds.
const (
	MetaPaymentID   = "langran_payment_id"
	MetaOrderID     = "langran_order_id"
	MetaOrderNumber = "order_number"
	MetaMovementKey = "langran_key"
)

func metadataOf(paymentID, orderID int64, orderNumber string) map[string]string {
	m := map[string]string{
		MetaPaymentID: strconv.FormatInt(paymentID, 10),
		MetaOrderID:   strconv.FormatInt(orderID, 10),
	}
	if orderNumber != "" {
		m[MetaOrderNumber] = orderNumber
	}
	return m
}

// startedStatus is where a PaymentIntent leaves the payment: AUTHORIZED
// once the card is held, CAPTURED once the money is taken, PENDING while
// the buyer or the bank still has something to do.
func startedStatus(s stripeapi.PaymentIntentStatus) model.PaymentStatus {
	switch s {
	case stripeapi.PaymentIntentStatusRequiresCapture:
		return model.PaymentAuthorized
	case stripeapi.PaymentIntentStatusSucceeded:
		return model.PaymentCaptured
	case stripeapi.PaymentIntentStatusCanceled:
		return model.PaymentVoided
	}
	return model.PaymentPending
}

// captureOutcome reads a captured PaymentIntent. Stripe answers a capture
// with succeeded or an error; anything else (processing) is reported as
// PENDING and settled by the payment_intent.succeeded webhook.
func captureOutcome(pi *stripeapi.PaymentIntent) *payment.Outcome {
	o := &payment.Outcome{Ref: chargeRef(pi), Status: model.TxPending}
	switch pi.Status {
	case stripeapi.PaymentIntentStatusSucceeded:
		o.Status = model.TxSuccess
	case stripeapi.PaymentIntentStatusCanceled:
		o.Status = model.TxFailure
		o.ErrorCode = "canceled"
	}
	return o
}

// voidOutcome reads a canceled PaymentIntent.
func voidOutcome(pi *stripeapi.PaymentIntent) *payment.Outcome {
	o := &payment.Outcome{Ref: pi.ID, Status: model.TxPending}
	switch pi.Status {
	case stripeapi.PaymentIntentStatusCanceled:
		o.Status = model.TxSuccess
	case stripeapi.PaymentIntentStatusSucceeded:
		// Captured before the cancel arrived: nothing was released.
		o.Status = model.TxFailure
		o.ErrorCode = "already_captured"
	}
	return o
}

// refundOutcome reads a Refund: pending and requires_action refunds are
// still on their way, failed and canceled ones gave nothing back.
func refundOutcome(rf *stripeapi.Refund) *payment.Outcome {
	return &payment.Outcome{Ref: rf.ID, Status: refundStatus(rf.Status), ErrorCode: refundErrorCode(rf.Status, string(rf.FailureReason))}
}

func refundStatus(s stripeapi.RefundStatus) model.TransactionStatus {
	switch s {
	case stripeapi.RefundStatusSucceeded:
		return model.TxSuccess
	case stripeapi.RefundStatusFailed, stripeapi.RefundStatusCanceled:
		return model.TxFailure
	}
	return model.TxPending
}

func refundErrorCode(s stripeapi.RefundStatus, failureReason string) string {
	if refundStatus(s) != model.TxFailure {
		return ""
	}
	if failureReason != "" {
		return failureReason
	}
	return string(s)
}

// chargeRef is the PaymentIntent's latest charge, the movement a capture
// makes; the PaymentIntent's own ID when Stripe did not name one.
func chargeRef(pi *stripeapi.PaymentIntent) string {
	if pi.LatestCharge != nil && pi.LatestCharge.ID != "" {
		return pi.LatestCharge.ID
	}
	return pi.ID
}

// refusals are invalid_request_error codes with which Stripe refuses a
// capture or refund for good: retrying the same request changes nothing,
// so they are answered as payment.Declined rather than as outages.
// Anything else (a parameter Stripe does not accept, an idempotency key
// reused with other parameters or still in use) is our bug or a passing
// state and stays a plain error.
var refusals = map[stripeapi.ErrorCode]bool{
	stripeapi.ErrorCodeAmountTooLarge:               true,
	stripeapi.ErrorCodeAmountTooSmall:               true,
	stripeapi.ErrorCodeChargeAlreadyCaptured:        true,
	stripeapi.ErrorCodeChargeAlreadyRefunded:        true,
	stripeapi.ErrorCodeChargeDisputed:               true,
	stripeapi.ErrorCodeChargeExpiredForCapture:      true,
	stripeapi.ErrorCodePaymentIntentUnexpectedState: true,
	stripeapi.ErrorCodeBalanceInsufficient:          true,
	stripeapi.ErrorCodeRefundDisputedPayment:        true,
	stripeapi.ErrorCodeChargeNotRefundable:          true,
}

// declinedMessage is shown to the buyer when Stripe gives no message.
const declinedMessage = "Your card was declined."

// refusedMessage is what staff see when Stripe refuses a capture or
// refund; Stripe's own text for these is written for developers.
const refusedMessage = "Stripe refused this request for the payment in its current state."

// translate turns a stripe-go error into a *payment.Declined when Stripe
// said no, and otherwise into an error whose text names the operation,
// Stripe's error type, code, HTTP status and request ID, but never the
// key, the request or a client secret.
func (p *Provider) translate(op string, err error) error {
	var se *stripeapi.Error
	if !errors.As(err, &se) {
		// Network failures, timeouts, cancellations: their text names the
		// URL and the cause, not the key (it travels in a header), but
		// redact anyway in case a proxy or wrapper echoes it.
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return fmt.Errorf("stripe: %s: %w", op, err)
		}
		return fmt.Errorf("stripe: %s: %s", op, p.redact(err.Error()))
	}
	switch {
	case se.Type == stripeapi.ErrorTypeCard:
		code := string(se.Code)
		if code == "" {
			code = string(se.DeclineCode)
		}
		if code == "" {
			code = "card_declined"
		}
		// Stripe writes card errors' messages for buyers.
		msg := p.redact(se.Msg)
		if msg == "" {
			msg = declinedMessage
		}
		return &payment.Declined{Code: code, Message: msg}
	case se.Type == stripeapi.ErrorTypeInvalidRequest && refusals[se.Code]:
		return &payment.Declined{Code: string(se.Code), Message: refusedMessage}
	}
	var b strings.Builder
	fmt.Fprintf(&b, "stripe: %s: %s", op, se.Type)
	if se.Code != "" {
		fmt.Fprintf(&b, " %s", se.Code)
	}
	if se.HTTPStatusCode != 0 {
		fmt.Fprintf(&b, " (HTTP %d", se.HTTPStatusCode)
		if se.RequestID != "" {
			fmt.Fprintf(&b, ", request %s", se.RequestID)
		}
		b.WriteString(")")
	}
	// An authentication error (401, or 403 for a restricted key) quotes
	// part of the key, so it is replaced; the rest say what was wrong with
	// the request, which the log needs.
	switch {
	case se.HTTPStatusCode == http.StatusUnauthorized:
		b.WriteString(": Stripe refused the secret key")
	case se.HTTPStatusCode == http.StatusForbidden:
		b.WriteString(": the key may not make this request")
	case se.Msg != "":
		fmt.Fprintf(&b, ": %s", p.redact(se.Msg))
	}
	return errors.New(b.String())
}

// keyLike matches Stripe secrets and their masked forms as Stripe quotes
// them ("sk_test_****abcd").
var keyLike = regexp.MustCompile(`\b(sk|rk|whsec)_[A-Za-z0-9_*]+`)

func (p *Provider) redact(s string) string {
	if p.secretKey != "" {
		s = strings.ReplaceAll(s, p.secretKey, "[redacted]")
	}
	if len(p.webhookSecret) > 0 {
		s = strings.ReplaceAll(s, string(p.webhookSecret), "[redacted]")
	}
	return keyLike.ReplaceAllString(s, "[redacted]")
}

// warnLogger passes stripe-go's warnings (retries) to slog and drops the
// rest: its info lines are noise, and its error and debug lines print
// whole Stripe responses, which hold client secrets. Errors reach the
// caller as return values instead.
type warnLogger struct{ l *slog.Logger }

func (warnLogger) Debugf(string, ...any) {}
func (warnLogger) Infof(string, ...any)  {}
func (warnLogger) Errorf(string, ...any) {}
func (w warnLogger) Warnf(format string, v ...any) {
	w.l.Warn("stripe: " + fmt.Sprintf(format, v...))
}
