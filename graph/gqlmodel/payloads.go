package gqlmodel

import "github.com/langran/langran/model"

// CartPayload is the result of every cart mutation. The schema names one
// payload type per mutation (CartCreatePayload, CartLinesAddPayload, …) so
// each can grow on its own; until one does, they share this Go type.
type CartPayload struct {
	Cart       *model.Cart `json:"cart,omitempty"`
	UserErrors []UserError `json:"userErrors"`
}

// CheckoutCompletePayload is checkoutComplete's result.
type CheckoutCompletePayload struct {
	Order      *model.Order `json:"order,omitempty"`
	UserErrors []UserError  `json:"userErrors"`
}

// OrderPayload is the result of a staff change to an order.
type OrderPayload struct {
	Order      *model.Order `json:"order,omitempty"`
	UserErrors []UserError  `json:"userErrors"`
}

// PaymentCreatePayload is paymentCreate's result.
type PaymentCreatePayload struct {
	Payment    *model.Payment `json:"payment,omitempty"`
	UserErrors []UserError    `json:"userErrors"`
}

// PaymentPayload is the result of a staff change to a payment.
type PaymentPayload struct {
	Payment    *model.Payment `json:"payment,omitempty"`
	Order      *model.Order   `json:"order,omitempty"`
	UserErrors []UserError    `json:"userErrors"`
}

// RefundCreatePayload is refundCreate's result.
type RefundCreatePayload struct {
	Refund     *model.PaymentTransaction `json:"refund,omitempty"`
	Order      *model.Order              `json:"order,omitempty"`
	UserErrors []UserError               `json:"userErrors"`
}
