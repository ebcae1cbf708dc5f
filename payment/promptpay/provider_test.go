package promptpay

import (
	"context"
	"strings"
	"testing"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

func startRequest() payment.StartRequest {
	return payment.StartRequest{
		PaymentID: 7, OrderID: 1, OrderNumber: "1001", Amount: 10000,
		Currency: model.CurrencyTHB, Email: "buyer@example.com", IdempotencyKey: "k",
	}
}

func TestProviderStart(t *testing.T) {
	p, err := New("081-234-5678")
	if err != nil {
		t.Fatal(err)
	}
	if p.Method() != model.MethodPromptPay {
		t.Errorf("Method() = %s", p.Method())
	}
	s, err := p.Start(context.Background(), startRequest())
	if err != nil {
		t.Fatal(err)
	}
	// The payload promptpay-qr makes for 0812345678 and 100 baht.
	want := "00020101021229370016A000000677010111011300668123456785802TH53037645406100.006304BB8A"
	if s.Status != model.PaymentPending || s.Payload != want || s.Reference != "1001-7" || s.Ref != "" || s.ClientSecret != "" {
		t.Errorf("Start = %+v, want PENDING, payload %s and reference 1001-7", s, want)
	}
	for _, w := range []string{"100.00 THB", "PromptPay", "1001-7"} {
		if !strings.Contains(s.Instructions, w) {
			t.Errorf("instructions %q do not say %q", s.Instructions, w)
		}
	}
	f, err := Parse(s.Payload)
	if err != nil || !f.Dynamic || f.Amount != 10000 {
		t.Errorf("the payload reads %+v, %v; want a dynamic QR for 100.00", f, err)
	}
	again, err := p.Start(context.Background(), startRequest())
	if err != nil || *again != *s {
		t.Errorf("a retried Start answered %+v, %v; first %+v", again, err, s)
	}
}

func TestProviderStartRefuses(t *testing.T) {
	p, err := New("0105558123451")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct {
		change func(*payment.StartRequest)
		field  string
	}{
		"dollars":         {func(r *payment.StartRequest) { r.Currency = model.CurrencyUSD }, "currency"},
		"no currency":     {func(r *payment.StartRequest) { r.Currency = "" }, "currency"},
		"nothing to pay":  {func(r *payment.StartRequest) { r.Amount = 0 }, "amount"},
		"negative":        {func(r *payment.StartRequest) { r.Amount = -1 }, "amount"},
		"too much":        {func(r *payment.StartRequest) { r.Amount = maxAmount + 1 }, "amount"},
		"no payment ID":   {func(r *payment.StartRequest) { r.PaymentID = 0 }, "paymentId"},
		"no order number": {func(r *payment.StartRequest) { r.OrderNumber = "" }, "orderNumber"},
	} {
		r := startRequest()
		c.change(&r)
		s, err := p.Start(context.Background(), r)
		e, ok := model.AsError(err)
		if !ok || e.Code != model.CodeInvalid || len(e.Field) != 1 || e.Field[0] != c.field {
			t.Errorf("%s: Start = %+v, %v; want INVALID about %s", name, s, err, c.field)
		}
	}
}

func TestNewRefusesBadIDs(t *testing.T) {
	for _, id := range []string{"", "0212345678", "1234567890123", "promptpay"} {
		if _, err := New(id); model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Errorf("New(%q) = %v, want INVALID", id, err)
		}
	}
}

func TestProviderSettlement(t *testing.T) {
	ctx := context.Background()
	p, _ := New("0812345678")
	pay := &model.Payment{ID: 7, Method: model.MethodPromptPay, Amount: 10000, Currency: model.CurrencyTHB, Status: model.PaymentCaptured, Captured: 10000}
	if out, err := p.Capture(ctx, pay, 10000, "k1"); out != nil || model.ErrorCodeOf(err) != model.CodePaymentNotCapturable ||
		!strings.Contains(err.Error(), "PromptPay") || !strings.Contains(err.Error(), "paymentMarkReceived") {
		t.Errorf("Capture = %+v, %v; want PAYMENT_NOT_CAPTURABLE pointing to paymentMarkReceived", out, err)
	}
	if out, err := p.Void(ctx, pay, "k2"); err != nil || out.Status != model.TxSuccess || out.Ref != "" {
		t.Errorf("Void = %+v, %v; want SUCCESS", out, err)
	}
	if out, err := p.Refund(ctx, pay, 2500, "k3"); err != nil || out.Status != model.TxSuccess || out.Ref != "" {
		t.Errorf("Refund = %+v, %v; want SUCCESS without a ref", out, err)
	}
}
