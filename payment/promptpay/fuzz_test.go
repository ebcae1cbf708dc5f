package promptpay

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// FuzzParse feeds Parse arbitrary payloads: it must never panic, must
// refuse with an INVALID error, and whatever it accepts must survive a
// round trip through Payload. Each input is tried as it is and with its
// CRC made right, so the fuzzer explores past the CRC check too.
func FuzzParse(f *testing.F) {
	for _, c := range crossChecked {
		f.Add(c.payload)
	}
	f.Add(withCRC("00020101021229370016A000000677010111011300668123456785303764540310058" + "02TH5907LANGRAN62080704R001"))
	f.Add(withCRC("00020101021229540016A00000067701011101130066812345678021301055581234515802TH53037645406100.00"))
	f.Add("00020101021229370016A000000677010111011300668123456785802TH53037645406100.00630")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		checkParse(t, s)
		checkParse(t, fixCRC(s))
	})
}

// fixCRC gives s a right CRC: in place of the last four characters when
// "6304" precedes them, appended otherwise.
func fixCRC(s string) string {
	if n := len(s); n >= 8 && s[n-8:n-4] == crcPlaceholder {
		s = s[:n-8]
	}
	return withCRC(s)
}

func checkParse(t *testing.T, s string) {
	t.Helper()
	got, err := Parse(s)
	if err != nil {
		if model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Fatalf("Parse(%q) failed with %v, not an INVALID error", s, err)
		}
		return
	}
	id := got.ID
	if got.Kind == Mobile {
		id = "0" + id[len(thaiMobilePfx):]
	}
	p, err := Payload(id, got.Amount)
	if err != nil {
		t.Fatalf("Parse(%q) = %+v, but Payload(%q, %d) refuses it: %v", s, got, id, got.Amount, err)
	}
	again, err := Parse(p)
	want := Fields{Dynamic: got.Amount > 0, Kind: got.Kind, ID: got.ID, Amount: got.Amount}
	if err != nil || *again != want {
		t.Fatalf("Parse(Payload(%q, %d)) = %+v, %v; want %+v", id, got.Amount, again, err, want)
	}
}

// FuzzPayload checks that every payload Payload makes, Parse reads back
// as the ID and amount it was made from.
func FuzzPayload(f *testing.F) {
	for _, c := range crossChecked {
		f.Add(c.id, c.satang)
	}
	f.Add("+66-0812345678", int64(-1))
	f.Fuzz(func(t *testing.T, id string, amount int64) {
		p, err := Payload(id, amount)
		if err != nil {
			if model.ErrorCodeOf(err) != model.CodeInvalid {
				t.Fatalf("Payload(%q, %d) failed with %v, not an INVALID error", id, amount, err)
			}
			return
		}
		kind, value, _ := normalizeID(id)
		got, err := Parse(p)
		want := Fields{Dynamic: amount > 0, Kind: kind, ID: value, Amount: amount}
		if err != nil || *got != want {
			t.Fatalf("Parse(Payload(%q, %d) = %q) = %+v, %v; want %+v", id, amount, p, got, err, want)
		}
	})
}

// FuzzNotificationBody feeds the notice decoder arbitrary bodies: it must
// never panic, must refuse with an INVALID error, and what it accepts
// must be a positive baht capture with every field present.
func FuzzNotificationBody(f *testing.F) {
	f.Add([]byte(exampleBody))
	f.Add([]byte(`{"id":"e","reference":"r","transactionRef":"t","amount":"0.01","currency":"THB","paidAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"id":"e","reference":"r","transactionRef":"t","amount":100.5,"currency":"THB","paidAt":"2026-01-01T00:00:00Z"}`))
	f.Add([]byte(`{"amount":"-1"}`))
	f.Add([]byte(`null`))
	f.Fuzz(func(t *testing.T, body []byte) {
		ev, err := decodeNotification(body)
		if err != nil {
			if model.ErrorCodeOf(err) != model.CodeInvalid {
				t.Fatalf("decodeNotification(%q) failed with %v, not an INVALID error", body, err)
			}
			return
		}
		if ev.Amount <= 0 || ev.Amount > maxAmount || ev.Currency != model.CurrencyTHB ||
			ev.ID == "" || ev.PaymentRef == "" || ev.Ref == "" || ev.Created.IsZero() ||
			ev.Kind != model.TxCapture || ev.Status != model.TxSuccess {
			t.Fatalf("decodeNotification(%q) = %+v", body, ev)
		}
	})
}

// FuzzSignatureHeader feeds ParseWebhook arbitrary signature headers for a
// good body: it must never panic, and must answer ErrBadSignature unless
// the header carries the body's signature.
func FuzzSignatureHeader(f *testing.F) {
	f.Add(exampleSignature)
	f.Add("t=1796026805,v1=00,v1=" + strings.Repeat("ab", 32))
	f.Add(" t=1796026805 , v2=x, v1=" + strings.Repeat("AB", 32))
	f.Add("t=,v1=")
	f.Add("")
	n, _ := NewNotifications([]byte(exampleSecret))
	now := time.Unix(exampleSigned, 0)
	f.Fuzz(func(t *testing.T, header string) {
		if s, err := parseSignature(header); err == nil && (len(s.v1) == 0 || len(s.v1) > maxSignatures || s.rawT == "") {
			t.Fatalf("parseSignature(%q) = %+v", header, s)
		}
		h := http.Header{}
		h.Set(SignatureHeader, header)
		ev, err := n.ParseWebhook(h, []byte(exampleBody), now)
		if err != nil && !errors.Is(err, payment.ErrBadSignature) {
			t.Fatalf("ParseWebhook with header %q failed with %v, not ErrBadSignature", header, err)
		}
		if err == nil && !strings.Contains(strings.ToLower(header), strings.TrimPrefix(exampleSignature, "t=1796026805,")) {
			t.Fatalf("ParseWebhook accepted header %q = %+v", header, ev)
		}
	})
}
