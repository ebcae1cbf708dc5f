// Package manual takes payments whose money people move: a bank transfer
// to the shop's account and cash paid to the courier. Nothing is charged
// by a machine: Start tells the buyer what to do and which reference to
// quote, staff confirm the money when it arrives (paymentMarkReceived),
// and staff give it back by hand when a refund is recorded.
//
// PromptPay (package payment/promptpay) is settled the same way, so it
// builds on StaffConfirmed and Reference from here.
package manual

import (
	"context"
	"strconv"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// Reference is what the buyer quotes on a transfer for one payment:
// the order number and the payment's ID, "1001-7". It is short enough to
// type into a banking app's memo, names the order for staff at a glance,
// and differs between two attempts to pay the same order.
func Reference(orderNumber string, paymentID int64) string {
	return orderNumber + "-" + strconv.FormatInt(paymentID, 10)
}

// StaffConfirmed is the capture, void and refund of a method whose money
// people move. Providers embed it and add their own Start.
type StaffConfirmed struct {
	method model.PaymentMethod
	name   string // for messages: "PromptPay", "a bank transfer"
}

// NewStaffConfirmed returns the settlement of method, named name in
// messages to staff.
func NewStaffConfirmed(method model.PaymentMethod, name string) StaffConfirmed {
	return StaffConfirmed{method: method, name: name}
}

// Method is the method served.
func (s StaffConfirmed) Method() model.PaymentMethod { return s.method }

// Pending checks r and answers it with a pending attempt and the
// reference the buyer quotes; the caller adds its payload and
// instructions. The answer depends on r alone, so a retried Start with
// the same request gets the same attempt. r.ManualCapture is ignored:
// nothing is ever held, and every payment waits for people to confirm it.
func (s StaffConfirmed) Pending(r payment.StartRequest) (*payment.Started, error) {
	switch {
	case r.Amount <= 0:
		return nil, model.InvalidField([]string{"amount"}, "the amount to pay must be positive, not %d", r.Amount)
	case r.PaymentID <= 0:
		return nil, model.InvalidField([]string{"paymentId"}, "the payment has no ID yet")
	case !r.Currency.Valid():
		return nil, model.InvalidField([]string{"currency"}, "unknown currency %q", r.Currency)
	case r.OrderNumber == "":
		return nil, model.InvalidField([]string{"orderNumber"}, "the order has no number")
	}
	return &payment.Started{
		Status:    model.PaymentPending,
		Reference: Reference(r.OrderNumber, r.PaymentID),
	}, nil
}

// Capture is not how these payments complete: nothing is held, and
// staff confirm the money that arrived with paymentMarkReceived.
func (s StaffConfirmed) Capture(_ context.Context, _ *model.Payment, _ int64, _ string) (*payment.Outcome, error) {
	return nil, model.Errorf(model.CodePaymentNotCapturable,
		"%s is not captured: staff confirm the money that arrived with paymentMarkReceived", s.name)
}

// Void calls the attempt off. Nothing was held, so there is nothing to
// release and it always succeeds; money the buyer sends afterwards is
// found by staff and given back as a refund.
func (s StaffConfirmed) Void(_ context.Context, _ *model.Payment, _ string) (*payment.Outcome, error) {
	return &payment.Outcome{Status: model.TxSuccess}, nil
}

// Refund records that amount goes back to the buyer. Staff transfer it
// (or hand it) back themselves, so it succeeds at once and has no
// provider reference; the ledger entry is the record that it is owed.
func (s StaffConfirmed) Refund(_ context.Context, _ *model.Payment, amount int64, _ string) (*payment.Outcome, error) {
	if amount <= 0 {
		return nil, model.InvalidField([]string{"amount"}, "the amount to refund must be positive, not %d", amount)
	}
	return &payment.Outcome{Status: model.TxSuccess}, nil
}
