package stripe

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	stripeapi "github.com/stripe/stripe-go/v82"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// SignatureHeader is the header Stripe signs webhooks in.
const SignatureHeader = "Stripe-Signature"

// WebhookName is the endpoint's last path element: /webhooks/stripe.
func (p *Provider) WebhookName() string { return "stripe" }

// SignPayload returns a Stripe-Signature header value for body, signed
// with secret at time t the way Stripe signs its webhooks: t=<unix
// seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">. Tests and local tools use
// it to send events Langran accepts.
func SignPayload(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(signature([]byte(secret), ts, body))
}

func signature(secret []byte, ts string, body []byte) []byte {
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(ts))
	mac.Write([]byte{'.'})
	mac.Write(body)
	return mac.Sum(nil)
}

// ParseWebhook verifies a Stripe webhook and decodes the events the ledger
// acts on. The signature is checked here rather than with stripe-go's
// webhook package so the clock is the caller's now (testable, and the same
// clock the ledger uses), and so an event rendered in the endpoint's API
// version is not refused for differing from the version stripe-go was
// generated for: only long-stable fields of PaymentIntents and Refunds
// are read.
func (p *Provider) ParseWebhook(h http.Header, body []byte, now time.Time) (*payment.Event, error) {
	if err := p.verify(h.Get(SignatureHeader), body, now); err != nil {
		return nil, err
	}
	return decodeEvent(body)
}

// verify checks header against body. Stripe sends one t= and one or more
// v1= signatures (several while an endpoint's secret is being rolled);
// one matching v1 is enough. v0 and unknown schemes are ignored.
func (p *Provider) verify(header string, body []byte, now time.Time) error {
	if header == "" {
		return fmt.Errorf("stripe webhook: no %s header: %w", SignatureHeader, payment.ErrBadSignature)
	}
	var ts string
	var sigs [][]byte
	for part := range strings.SplitSeq(header, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			continue
		}
		switch k {
		case "t":
			if ts != "" {
				return fmt.Errorf("stripe webhook: two timestamps: %w", payment.ErrBadSignature)
			}
			ts = v
		case "v1":
			if sig, err := hex.DecodeString(v); err == nil && len(sig) == sha256.Size {
				sigs = append(sigs, sig)
			}
		}
	}
	if ts == "" || len(sigs) == 0 {
		return fmt.Errorf("stripe webhook: no timestamp or no v1 signature: %w", payment.ErrBadSignature)
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("stripe webhook: bad timestamp: %w", payment.ErrBadSignature)
	}
	want := signature(p.webhookSecret, ts, body)
	matched := false
	for _, sig := range sigs {
		if hmac.Equal(sig, want) {
			matched = true
		}
	}
	if !matched {
		return fmt.Errorf("stripe webhook: no signature matches: %w", payment.ErrBadSignature)
	}
	// Checked after the signature so a forged timestamp learns nothing.
	// Ahead of now counts too: a clock that far off is as suspicious as a
	// replay.
	age := now.Sub(time.Unix(sec, 0))
	if age > p.tolerance || age < -p.tolerance {
		return fmt.Errorf("stripe webhook: signed %s from now, over the %s tolerance: %w", age.Round(time.Second), p.tolerance, payment.ErrBadSignature)
	}
	return nil
}

// The JSON the parser reads. Only these fields are decoded, so the event
// may come in any API version that keeps them.
type (
	eventJSON struct {
		ID      string `json:"id"`
		Type    string `json:"type"`
		Created int64  `json:"created"`
		Data    struct {
			Object json.RawMessage `json:"object"`
		} `json:"data"`
	}
	paymentIntentJSON struct {
		ID               string            `json:"id"`
		Amount           int64             `json:"amount"`
		AmountCapturable int64             `json:"amount_capturable"`
		AmountReceived   int64             `json:"amount_received"`
		Currency         string            `json:"currency"`
		LatestCharge     expandable        `json:"latest_charge"`
		Metadata         map[string]string `json:"metadata"`
		LastPaymentError *struct {
			Code        string     `json:"code"`
			DeclineCode string     `json:"decline_code"`
			Charge      expandable `json:"charge"`
		} `json:"last_payment_error"`
	}
	refundJSON struct {
		ID            string            `json:"id"`
		Amount        int64             `json:"amount"`
		Currency      string            `json:"currency"`
		Status        string            `json:"status"`
		FailureReason string            `json:"failure_reason"`
		PaymentIntent expandable        `json:"payment_intent"`
		Metadata      map[string]string `json:"metadata"`
	}
)

// expandable is a reference Stripe sends as an ID or, when expanded, as
// the object; either way only the ID is kept.
type expandable string

func (e *expandable) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case bytes.Equal(b, []byte("null")):
		*e = ""
		return nil
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*e = expandable(s)
		return nil
	}
	var obj struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(b, &obj); err != nil {
		return err
	}
	*e = expandable(obj.ID)
	return nil
}

// decodeEvent turns a verified event into a ledger event.
//
// Refunds are read from the refund.created, refund.updated and
// refund.failed events, whose object is the Refund itself: its ID is the
// movement's reference, its amount and status are that refund's alone,
// and it carries the metadata Refund sets. charge.refunded is not used: it
// reports the charge's running total, and since API version 2022-11-15
// its Charge no longer lists the refunds, so it cannot name the movement.
func decodeEvent(body []byte) (*payment.Event, error) {
	var ev eventJSON
	if err := json.Unmarshal(body, &ev); err != nil {
		return nil, fmt.Errorf("stripe webhook: decode event: %w", err)
	}
	if ev.ID == "" || ev.Type == "" {
		return nil, errors.New("stripe webhook: event without id or type")
	}
	out := &payment.Event{ID: ev.ID, Type: ev.Type, Created: time.Unix(ev.Created, 0).UTC()}
	switch ev.Type {
	case "payment_intent.succeeded", "payment_intent.amount_capturable_updated",
		"payment_intent.payment_failed", "payment_intent.canceled":
		var pi paymentIntentJSON
		if err := decodeObject(ev, &pi); err != nil {
			return nil, err
		}
		if pi.ID == "" {
			return nil, fmt.Errorf("stripe webhook: %s %s: PaymentIntent without id", ev.Type, ev.ID)
		}
		out.PaymentID = paymentIDOf(pi.Metadata)
		out.PaymentRef = pi.ID
		out.Currency = currencyOf(pi.Currency)
		applyPaymentIntent(out, ev.Type, &pi)
		if out.Kind == "" {
			return nil, nil
		}
		return out, nil
	case "refund.created", "refund.updated", "refund.failed":
		var rf refundJSON
		if err := decodeObject(ev, &rf); err != nil {
			return nil, err
		}
		if rf.ID == "" {
			return nil, fmt.Errorf("stripe webhook: %s %s: Refund without id", ev.Type, ev.ID)
		}
		out.PaymentID = paymentIDOf(rf.Metadata)
		out.PaymentRef = string(rf.PaymentIntent)
		if out.PaymentID == 0 && out.PaymentRef == "" {
			// A refund of a charge made without a PaymentIntent: not one
			// of Langran's payments.
			return nil, nil
		}
		out.Kind = model.TxRefund
		out.Ref = rf.ID
		out.MovementKey = rf.Metadata[MetaMovementKey]
		out.Amount = rf.Amount
		out.Currency = currencyOf(rf.Currency)
		status := stripeapi.RefundStatus(rf.Status)
		out.Status = refundStatus(status)
		out.ErrorCode = refundErrorCode(status, rf.FailureReason)
		return out, nil
	}
	return nil, nil
}

// applyPaymentIntent fills in the movement a PaymentIntent event reports;
// it leaves Kind empty when there is none.
func applyPaymentIntent(out *payment.Event, typ string, pi *paymentIntentJSON) {
	charge := string(pi.LatestCharge)
	if charge == "" {
		charge = pi.ID
	}
	switch typ {
	case "payment_intent.succeeded":
		out.Kind, out.Status = model.TxCapture, model.TxSuccess
		out.Amount, out.Ref = pi.AmountReceived, charge
	case "payment_intent.amount_capturable_updated":
		if pi.AmountCapturable <= 0 {
			return // nothing held any more: the capture or cancel event says what happened
		}
		out.Kind, out.Status = model.TxAuthorization, model.TxSuccess
		out.Amount, out.Ref = pi.AmountCapturable, charge
	case "payment_intent.payment_failed":
		out.Kind, out.Status = model.TxAuthorization, model.TxFailure
		out.Amount, out.Ref = pi.Amount, pi.ID
		out.ErrorCode = "payment_failed"
		if e := pi.LastPaymentError; e != nil {
			// Each failed attempt has its own charge: keying the entry by it
			// records a second failure after a retry with another card.
			if e.Charge != "" {
				out.Ref = string(e.Charge)
			}
			switch {
			case e.Code != "":
				out.ErrorCode = e.Code
			case e.DeclineCode != "":
				out.ErrorCode = e.DeclineCode
			}
		}
	case "payment_intent.canceled":
		out.Kind, out.Status = model.TxVoid, model.TxSuccess
		out.Amount, out.Ref = pi.Amount, pi.ID
	}
}

func decodeObject(ev eventJSON, v any) error {
	if len(ev.Data.Object) == 0 {
		return fmt.Errorf("stripe webhook: %s %s: no data.object", ev.Type, ev.ID)
	}
	if err := json.Unmarshal(ev.Data.Object, v); err != nil {
		return fmt.Errorf("stripe webhook: %s %s: decode data.object: %w", ev.Type, ev.ID, err)
	}
	return nil
}

// paymentIDOf reads langran_payment_id; 0 when absent or not an ID (a
// PaymentIntent made in the Dashboard), and the ledger finds the payment
// by the PaymentIntent's ID instead.
func paymentIDOf(md map[string]string) int64 {
	id, err := strconv.ParseInt(md[MetaPaymentID], 10, 64)
	if err != nil || id <= 0 {
		return 0
	}
	return id
}

func currencyOf(s string) model.CurrencyCode { return model.CurrencyCode(strings.ToUpper(s)) }
