package promptpay

import (
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
	"unicode"
	"unicode/utf8"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// Notifications reads the shop's bank's notices that a PromptPay transfer
// arrived, so a payment is confirmed without staff. Thai banks have no
// common format for these, so Langran defines one and the bank (or the
// small relay the shop runs beside its bank's API) sends it to
// /webhooks/promptpay:
//
//	POST /webhooks/promptpay
//	Content-Type: application/json
//	Langran-Signature: t=1796026805,v1=b7299e2aa6d8c67c64cc35610fac7d03453e94f9e03fabf016190e89f2360cb0
//
//	{"id":"evt-20261130-0001","reference":"1001-7","transactionRef":"202611301234567","amount":"100.00","currency":"THB","paidAt":"2026-11-30T15:20:00+07:00"}
//
// (signed with the secret "example-secret-0123456789").
// id is the notice's own ID (each is applied once); reference is the
// payment's Reference, the one the buyer was shown; transactionRef is the
// bank's reference for the transfer; amount is a decimal string in baht
// with at most two decimals (never a JSON number); currency is THB; paidAt
// is when the money arrived, in RFC 3339. Other fields are ignored.
//
// The signature header carries t, the Unix time in seconds when the
// notice was signed, and v1, the lowercase hex HMAC-SHA256 of "<t>.<body>"
// (the raw body, byte for byte) keyed with the shared secret. A header may
// carry several v1 values, one per secret, so a secret can be rotated
// without a gap: the sender signs with the old and the new one until the
// shop has switched. A notice is accepted when any v1 matches any of the
// shop's secrets and t is within five minutes of the shop's clock, either
// way. Sign makes the header.
type Notifications struct {
	secrets [][]byte
}

// SignatureHeader is the header a notice's signature travels in.
const SignatureHeader = "Langran-Signature"

// Tolerance is how far a notice's signing time may be from the shop's
// clock, either way: enough for clocks that disagree a little and a slow
// network, too little to replay a captured notice later.
const Tolerance = 5 * time.Minute

// MinSecretLen is the shortest secret NewNotifications takes; a secret is
// best made by `openssl rand -hex 32`.
const MinSecretLen = 16

// maxSignatures bounds the v1 values checked for one notice.
const maxSignatures = 8

// Field limits of a notice; real ones are far shorter.
const (
	maxEventIDLen   = 255
	maxReferenceLen = 64
	maxTransferLen  = 255
)

// NewNotifications returns the reader of notices signed with any of
// secrets (the current one, and the previous one while it is rotated).
func NewNotifications(secrets ...[]byte) (*Notifications, error) {
	if len(secrets) == 0 {
		return nil, model.Errorf(model.CodeInvalid, "PromptPay notifications need a webhook secret")
	}
	n := &Notifications{}
	for _, s := range secrets {
		if len(s) < MinSecretLen {
			return nil, model.Errorf(model.CodeInvalid, "a PromptPay webhook secret has at least %d characters", MinSecretLen)
		}
		n.secrets = append(n.secrets, append([]byte(nil), s...))
	}
	return n, nil
}

// WebhookName is the endpoint's name, /webhooks/promptpay.
func (n *Notifications) WebhookName() string { return "promptpay" }

// ParseWebhook verifies a notice's signature and freshness, then decodes
// it as a successful capture of the payment with its reference. A notice
// with a good signature but a malformed body is an INVALID error, not
// payment.ErrBadSignature: the sender has a bug to fix, not a key.
func (n *Notifications) ParseWebhook(h http.Header, body []byte, now time.Time) (*payment.Event, error) {
	if err := n.verify(h.Get(SignatureHeader), body, now); err != nil {
		return nil, fmt.Errorf("%w: %v", payment.ErrBadSignature, err)
	}
	return decodeNotification(body)
}

func (n *Notifications) verify(header string, body []byte, now time.Time) error {
	if header == "" {
		return fmt.Errorf("no %s header", SignatureHeader)
	}
	sig, err := parseSignature(header)
	if err != nil {
		return err
	}
	signed := time.Unix(sig.t, 0)
	if d := now.Sub(signed); d > Tolerance || d < -Tolerance {
		return fmt.Errorf("signed at %s, more than %s from now (%s)", signed.UTC().Format(time.RFC3339), Tolerance, now.UTC().Format(time.RFC3339))
	}
	for _, secret := range n.secrets {
		want := mac(secret, sig.rawT, body)
		for _, v1 := range sig.v1 {
			if hmac.Equal(want, v1) {
				return nil
			}
		}
	}
	return errors.New("no v1 signature matches")
}

// Sign returns the Langran-Signature header value for body signed with
// secret at time t.
func Sign(secret []byte, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret []byte, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// signature is a parsed Langran-Signature header.
type signature struct {
	t    int64
	rawT string // as sent: the signature covers these characters
	v1   [][]byte
}

// parseSignature reads "t=<unix seconds>,v1=<hex>[,v1=<hex>...]". Spaces
// around items are allowed and schemes other than v1 are skipped, so a
// sender can add a stronger one later without breaking old readers.
func parseSignature(header string) (signature, error) {
	var s signature
	seenT := false
	for _, item := range strings.Split(header, ",") {
		key, value, ok := strings.Cut(strings.TrimSpace(item), "=")
		if !ok {
			return s, fmt.Errorf("item %q is not key=value", item)
		}
		switch key {
		case "t":
			if seenT {
				return s, errors.New("t appears twice")
			}
			seenT = true
			// At most 12 digits: Unix seconds until the year 33658, and no overflow.
			if len(value) > 12 || !allDigits(value) {
				return s, fmt.Errorf("t %q is not Unix seconds", value)
			}
			s.t, _ = strconv.ParseInt(value, 10, 64)
			s.rawT = value
		case "v1":
			if len(s.v1) == maxSignatures {
				return s, fmt.Errorf("more than %d v1 signatures", maxSignatures)
			}
			b, err := hex.DecodeString(value)
			if err != nil || len(b) != sha256.Size {
				return s, fmt.Errorf("v1 %q is not %d hex digits", value, 2*sha256.Size)
			}
			s.v1 = append(s.v1, b)
		}
	}
	if !seenT {
		return s, errors.New("no t")
	}
	if len(s.v1) == 0 {
		return s, errors.New("no v1 signature")
	}
	return s, nil
}

// notification is a notice's body as sent.
type notification struct {
	ID             string          `json:"id"`
	Reference      string          `json:"reference"`
	TransactionRef string          `json:"transactionRef"`
	Amount         json.RawMessage `json:"amount"`
	Currency       string          `json:"currency"`
	PaidAt         string          `json:"paidAt"`
}

// decodeNotification reads a notice's body into the event it reports.
func decodeNotification(body []byte) (*payment.Event, error) {
	bad := func(format string, args ...any) (*payment.Event, error) {
		return nil, model.Errorf(model.CodeInvalid, "PromptPay notification: "+format, args...)
	}
	var n notification
	if err := json.Unmarshal(body, &n); err != nil {
		return bad("malformed JSON: %v", err)
	}
	for _, f := range []struct {
		name, value string
		max         int
	}{
		{"id", n.ID, maxEventIDLen},
		{"reference", n.Reference, maxReferenceLen},
		{"transactionRef", n.TransactionRef, maxTransferLen},
	} {
		switch {
		case f.value == "":
			return bad("%s is missing", f.name)
		case len(f.value) > f.max:
			return bad("%s is longer than %d bytes", f.name, f.max)
		case !utf8.ValidString(f.value) || strings.IndexFunc(f.value, unicode.IsControl) >= 0:
			return bad("%s holds control characters or invalid UTF-8", f.name)
		}
	}
	if n.Currency != string(model.CurrencyTHB) {
		return bad("currency %q, want THB", n.Currency)
	}
	amount, err := decodeAmount(n.Amount)
	if err != nil {
		return bad("amount: %v", err)
	}
	if n.PaidAt == "" {
		return bad("paidAt is missing")
	}
	paidAt, err := time.Parse(time.RFC3339, n.PaidAt)
	if err != nil {
		return bad("paidAt %q is not an RFC 3339 time", n.PaidAt)
	}
	return &payment.Event{
		ID:         n.ID,
		Type:       "transfer.received",
		PaymentRef: n.Reference,
		Kind:       model.TxCapture,
		Status:     model.TxSuccess,
		Amount:     amount,
		Currency:   model.CurrencyTHB,
		Ref:        n.TransactionRef,
		Created:    paidAt,
	}, nil
}

// decodeAmount reads a JSON string of baht, such as "100.00" or "100.5",
// into satang exactly. A JSON number is refused: it invites floats.
func decodeAmount(raw json.RawMessage) (int64, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, errors.New("missing")
	}
	var s string
	if raw[0] != '"' || json.Unmarshal(raw, &s) != nil {
		return 0, errors.New(`must be a decimal string such as "100.00", not a JSON number or other value`)
	}
	if s != "" && (s[0] == '-' || s[0] == '+') {
		return 0, fmt.Errorf("%q has a sign; a transfer received is positive", s)
	}
	v, err := model.ParseMinor(s, 2)
	if err != nil {
		return 0, fmt.Errorf("%q: %v", s, err)
	}
	if v == 0 {
		return 0, errors.New("zero")
	}
	if v > maxAmount {
		return 0, fmt.Errorf("more than %s baht", model.FormatMinor(maxAmount, 2))
	}
	return v, nil
}

var _ payment.WebhookParser = (*Notifications)(nil)
