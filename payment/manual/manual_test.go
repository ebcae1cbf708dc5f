package manual

import (
	"context"
	"strings"
	"testing"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

func request() payment.StartRequest {
	return payment.StartRequest{
		PaymentID: 7, OrderID: 1, OrderNumber: "1001", Amount: 125050,
		Currency: model.CurrencyTHB, IdempotencyKey: "k",
	}
}

func TestReference(t *testing.T) {
	for _, c := range []struct {
		order string
		id    int64
		want  string
	}{
		{"1001", 7, "1001-7"},
		{"1001", 8, "1001-8"}, // a second attempt at the same order is told apart
		{"123456", 9876543210, "123456-9876543210"},
	} {
		if got := Reference(c.order, c.id); got != c.want {
			t.Errorf("Reference(%q, %d) = %q, want %q", c.order, c.id, got, c.want)
		}
	}
}

func TestParseAccount(t *testing.T) {
	good := []struct {
		in   string
		want Account
	}{
		{"Kasikornbank|Langran Co., Ltd.|123-4-56789-0", Account{"Kasikornbank", "Langran Co., Ltd.", "123-4-56789-0"}},
		{"  ธนาคารกสิกรไทย | บริษัท หลังร้าน จำกัด |1234567890 ", Account{"ธนาคารกสิกรไทย", "บริษัท หลังร้าน จำกัด", "1234567890"}},
		{"GSB|Somchai|020 0 1234 5678", Account{"GSB", "Somchai", "020 0 1234 5678"}},
	}
	for _, c := range good {
		got, err := ParseAccount(c.in)
		if err != nil || got != c.want {
			t.Errorf("ParseAccount(%q) = %+v, %v; want %+v", c.in, got, err, c.want)
		}
	}
	bad := map[string]string{
		"":                           "exactly two",
		"Kasikornbank|1234567890":    "exactly two",
		"K|L|1234567890|extra":       "exactly two",
		" |Langran|1234567890":       "bank is empty",
		"Kasikornbank||1234567890":   "account name is empty",
		"Kasikornbank|Langran|":      "account number is empty",
		"Kasikornbank|Langran|12345": "has 5 digits",
		"Kasikornbank|Langran|123456789012345678901":     "has 21 digits",
		"Kasikornbank|Langran|123-456-789O":              "only digits",
		"Kasi\x00kornbank|Langran|1234567890":            "control characters",
		"Kasikornbank|Lang\xffran|1234567890":            "UTF-8",
		strings.Repeat("K", 101) + "|Langran|1234567890": "longer than 100",
	}
	for in, want := range bad {
		_, err := ParseAccount(in)
		if model.ErrorCodeOf(err) != model.CodeInvalid || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseAccount(%q) = %v, want an INVALID error saying %q", in, err, want)
		}
	}
}

func TestStart(t *testing.T) {
	ctx := context.Background()
	bank := NewBankTransfer(Account{"Kasikornbank", "Langran Co., Ltd.", "123-4-56789-0"})
	cod := NewCashOnDelivery()
	for _, c := range []struct {
		p      payment.Provider
		method model.PaymentMethod
		says   []string
	}{
		{bank, model.MethodBankTransfer, []string{"Transfer 1250.50 THB", "Kasikornbank", "123-4-56789-0", "Langran Co., Ltd.", "reference 1001-7"}},
		{cod, model.MethodCashOnDelivery, []string{"Pay 1250.50 THB in cash to the courier", "1001-7"}},
	} {
		if c.p.Method() != c.method {
			t.Errorf("Method() = %s, want %s", c.p.Method(), c.method)
		}
		s, err := c.p.Start(ctx, request())
		if err != nil {
			t.Fatalf("%s: Start: %v", c.method, err)
		}
		if s.Status != model.PaymentPending || s.Reference != "1001-7" || s.Ref != "" || s.Payload != "" {
			t.Errorf("%s: Start = %+v, want PENDING with reference 1001-7 and nothing else", c.method, s)
		}
		for _, w := range c.says {
			if !strings.Contains(s.Instructions, w) {
				t.Errorf("%s: instructions %q do not say %q", c.method, s.Instructions, w)
			}
		}
		again, _ := c.p.Start(ctx, request())
		if *again != *s {
			t.Errorf("%s: a retried Start answered %+v, first %+v", c.method, again, s)
		}
		held := request()
		held.ManualCapture = true // a card setting; nothing is held here either way
		if h, err := c.p.Start(ctx, held); err != nil || *h != *s {
			t.Errorf("%s: Start with ManualCapture = %+v, %v; want the same pending attempt", c.method, h, err)
		}
	}
}

func TestStartRefuses(t *testing.T) {
	for name, change := range map[string]func(*payment.StartRequest){
		"amount zero":     func(r *payment.StartRequest) { r.Amount = 0 },
		"amount negative": func(r *payment.StartRequest) { r.Amount = -100 },
		"no payment ID":   func(r *payment.StartRequest) { r.PaymentID = 0 },
		"no order number": func(r *payment.StartRequest) { r.OrderNumber = "" },
		"no currency":     func(r *payment.StartRequest) { r.Currency = "" },
	} {
		r := request()
		change(&r)
		for _, p := range []payment.Provider{NewBankTransfer(Account{"B", "N", "1234567890"}), NewCashOnDelivery()} {
			if s, err := p.Start(context.Background(), r); model.ErrorCodeOf(err) != model.CodeInvalid {
				t.Errorf("%s: %s: Start = %+v, %v; want INVALID", p.Method(), name, s, err)
			}
		}
	}
}

func TestSettlement(t *testing.T) {
	ctx := context.Background()
	p := &model.Payment{ID: 7, Amount: 125050, Currency: model.CurrencyTHB, Status: model.PaymentCaptured, Captured: 125050}
	for _, prov := range []payment.Provider{NewBankTransfer(Account{"B", "N", "1234567890"}), NewCashOnDelivery()} {
		out, err := prov.Capture(ctx, p, 100, "k1")
		if out != nil || model.ErrorCodeOf(err) != model.CodePaymentNotCapturable || !strings.Contains(err.Error(), "paymentMarkReceived") {
			t.Errorf("%s: Capture = %+v, %v; want PAYMENT_NOT_CAPTURABLE naming paymentMarkReceived", prov.Method(), out, err)
		}
		out, err = prov.Void(ctx, p, "k2")
		if err != nil || out.Status != model.TxSuccess || out.Ref != "" {
			t.Errorf("%s: Void = %+v, %v; want SUCCESS without a ref", prov.Method(), out, err)
		}
		out, err = prov.Refund(ctx, p, 5000, "k3")
		if err != nil || out.Status != model.TxSuccess || out.Ref != "" {
			t.Errorf("%s: Refund = %+v, %v; want SUCCESS without a ref", prov.Method(), out, err)
		}
		if _, err := prov.Refund(ctx, p, 0, "k4"); model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Errorf("%s: Refund of 0 = %v, want INVALID", prov.Method(), err)
		}
	}
}
