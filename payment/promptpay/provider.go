package promptpay

import (
	"context"
	"fmt"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
	"github.com/langran/langran/payment/manual"
)

// Provider takes payments by PromptPay to the shop's PromptPay ID. Start
// answers with the payload to show as a QR code; the money is confirmed
// by staff (paymentMarkReceived) or by the bank's notification
// (Notifications), and refunds are transferred back by staff, so Capture
// is refused and Void and Refund succeed at once, as for a bank transfer.
type Provider struct {
	manual.StaffConfirmed
	kind IDKind
	id   string // normalised, as the payload carries it
}

// New returns the provider for payments to the PromptPay ID id: a Thai
// mobile number, a 13-digit national or tax ID, or a 15-digit e-wallet ID
// (see Payload), the value of LANGRAN_PROMPTPAY_ID.
func New(id string) (*Provider, error) {
	kind, value, err := normalizeID(id)
	if err != nil {
		return nil, err
	}
	return &Provider{
		StaffConfirmed: manual.NewStaffConfirmed(model.MethodPromptPay, "PromptPay"),
		kind:           kind,
		id:             value,
	}, nil
}

// Start answers with a dynamic QR payload for exactly r.Amount, the
// reference the buyer may quote, and short instructions. PromptPay moves
// baht only, so other currencies are refused.
func (p *Provider) Start(_ context.Context, r payment.StartRequest) (*payment.Started, error) {
	if r.Currency != model.CurrencyTHB {
		return nil, model.InvalidField([]string{"currency"}, "PromptPay takes Thai baht (THB) only, not %q", r.Currency)
	}
	s, err := p.Pending(r)
	if err != nil {
		return nil, err
	}
	if r.Amount > maxAmount {
		return nil, model.InvalidField([]string{"amount"}, "PromptPay takes at most %s THB in one payment", model.FormatMinor(maxAmount, 2))
	}
	s.Payload = encode(p.kind, p.id, r.Amount)
	s.Instructions = fmt.Sprintf(
		"Scan the QR code with your banking app and pay %s THB by PromptPay. If the app asks for a note, enter %s.",
		model.Money{Minor: r.Amount, Currency: model.CurrencyTHB}.Amount(), s.Reference)
	return s, nil
}

var _ payment.Provider = (*Provider)(nil)
