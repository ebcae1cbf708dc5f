package model

import (
	"testing"
)

func TestInventoryRules(t *testing.T) {
	three := 3
	cases := []struct {
		name                   string
		v                      ProductVariant
		available              int
		quantityAvailable      *int // nil: not tracked
		forSale, low           bool
		canSell1, canSell5     bool
		canSellAll, canSellOne bool
	}{
		{name: "in stock", v: ProductVariant{InventoryQuantity: 10, InventoryTracked: true},
			available: 10, quantityAvailable: ptr(10), forSale: true, canSell1: true, canSell5: true},
		{name: "partly committed", v: ProductVariant{InventoryQuantity: 10, InventoryCommitted: 6, InventoryTracked: true},
			available: 4, quantityAvailable: ptr(4), forSale: true, canSell1: true},
		{name: "all committed", v: ProductVariant{InventoryQuantity: 6, InventoryCommitted: 6, InventoryTracked: true},
			available: 0, quantityAvailable: ptr(0)},
		{name: "sold out", v: ProductVariant{InventoryTracked: true}, available: 0, quantityAvailable: ptr(0)},
		{name: "backorder, oversold", v: ProductVariant{InventoryQuantity: 2, InventoryCommitted: 5, InventoryTracked: true, AllowBackorder: true},
			available: -3, quantityAvailable: ptr(0), forSale: true, canSell1: true, canSell5: true},
		{name: "not tracked", v: ProductVariant{InventoryQuantity: 0, InventoryCommitted: 4},
			available: -4, forSale: true, canSell1: true, canSell5: true},
		{name: "low at threshold", v: ProductVariant{InventoryQuantity: 5, InventoryCommitted: 2, InventoryTracked: true, LowStockThreshold: &three},
			available: 3, quantityAvailable: ptr(3), forSale: true, low: true, canSell1: true},
		{name: "above threshold", v: ProductVariant{InventoryQuantity: 4, InventoryTracked: true, LowStockThreshold: &three},
			available: 4, quantityAvailable: ptr(4), forSale: true, canSell1: true},
		{name: "untracked is never low", v: ProductVariant{LowStockThreshold: &three},
			available: 0, forSale: true, canSell1: true, canSell5: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := c.v
			if got := v.Available(); got != c.available {
				t.Errorf("Available = %d, want %d", got, c.available)
			}
			q := v.QuantityAvailable()
			if (q == nil) != (c.quantityAvailable == nil) || q != nil && *q != *c.quantityAvailable {
				t.Errorf("QuantityAvailable = %v, want %v", deref(q), deref(c.quantityAvailable))
			}
			if got := v.AvailableForSale(); got != c.forSale {
				t.Errorf("AvailableForSale = %v, want %v", got, c.forSale)
			}
			if got := v.LowStock(); got != c.low {
				t.Errorf("LowStock = %v, want %v", got, c.low)
			}
			if got := v.CanSell(1); got != c.canSell1 {
				t.Errorf("CanSell(1) = %v, want %v", got, c.canSell1)
			}
			if got := v.CanSell(5); got != c.canSell5 {
				t.Errorf("CanSell(5) = %v, want %v", got, c.canSell5)
			}
			// A variant can be sold at all exactly when one unit can.
			if v.AvailableForSale() != v.CanSell(1) {
				t.Errorf("AvailableForSale %v but CanSell(1) %v", v.AvailableForSale(), v.CanSell(1))
			}
			l := v.InventoryLevel()
			if l.OnHand != v.InventoryQuantity || l.Committed != v.InventoryCommitted || l.Available != c.available ||
				l.Tracked != v.InventoryTracked || l.AllowBackorder != v.AllowBackorder || l.LowStock != c.low {
				t.Errorf("InventoryLevel = %+v", l)
			}
		})
	}
}

func TestInventoryReasons(t *testing.T) {
	for _, r := range []InventoryReason{ReasonReceived, ReasonCorrection, ReasonDamaged, ReasonShrinkage, ReasonReturned, ReasonRestock} {
		if !r.Valid() || !r.StaffMay() {
			t.Errorf("%s: Valid %v, StaffMay %v", r, r.Valid(), r.StaffMay())
		}
	}
	for _, r := range []InventoryReason{ReasonInitial, ReasonSold} {
		if !r.Valid() || r.StaffMay() {
			t.Errorf("%s: Valid %v, StaffMay %v; want valid, system only", r, r.Valid(), r.StaffMay())
		}
	}
	for _, r := range []InventoryReason{"", "received", "STOLEN"} {
		if r.Valid() || r.StaffMay() {
			t.Errorf("%q accepted", r)
		}
	}
}

func TestInventoryInputChecks(t *testing.T) {
	f := []string{"x"}
	for _, c := range []struct {
		name string
		err  *Error
		code ErrorCode // "" for accepted
	}{
		{"delta 1", CheckInventoryDelta(f, 1), ""},
		{"delta -1", CheckInventoryDelta(f, -1), ""},
		{"delta max", CheckInventoryDelta(f, MaxInventoryQuantity), ""},
		{"delta -max", CheckInventoryDelta(f, -MaxInventoryQuantity), ""},
		{"delta 0", CheckInventoryDelta(f, 0), CodeInvalid},
		{"delta over", CheckInventoryDelta(f, MaxInventoryQuantity+1), CodeInvalid},
		{"delta under", CheckInventoryDelta(f, -MaxInventoryQuantity-1), CodeInvalid},
		{"reference empty", CheckInventoryReference(f, ""), ""},
		{"reference", CheckInventoryReference(f, "PO-2026-114 ใบส่งของ"), ""},
		{"reference NUL", CheckInventoryReference(f, "a\x00b"), CodeInvalid},
		{"reference too long", CheckInventoryReference(f, stringOf('a', 256)), CodeTooLong},
		{"reference newline", CheckInventoryReference(f, "a\nb"), CodeInvalid},
		{"key", CheckIdempotencyKey(f, "5b0e6c1e-8f1d-4c1b-a5a0-3d0f1b2c9e77"), ""},
		{"key blank", CheckIdempotencyKey(f, "  "), CodeBlank},
		{"key too long", CheckIdempotencyKey(f, stringOf('k', 256)), CodeTooLong},
	} {
		got := ErrorCode("")
		if c.err != nil {
			got = c.err.Code
			if len(c.err.Field) != 1 || c.err.Field[0] != "x" {
				t.Errorf("%s: field %v", c.name, c.err.Field)
			}
		}
		if got != c.code {
			t.Errorf("%s: %q, want %q", c.name, got, c.code)
		}
	}
}

func TestActorOf(t *testing.T) {
	for _, c := range []struct {
		v    *Viewer
		want string
	}{
		{nil, "system"}, {Anonymous, "system"}, {&Viewer{Kind: ViewerStaff, ID: 12}, "staff:12"},
		{&Viewer{Kind: ViewerPartner, ID: 3}, "partner:3"}, {&Viewer{Kind: ViewerCustomer, ID: 5}, "customer:5"},
	} {
		if got := ActorOf(c.v); got != c.want {
			t.Errorf("ActorOf(%+v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func deref(p *int) any {
	if p == nil {
		return nil
	}
	return *p
}

func stringOf(r rune, n int) string {
	b := make([]rune, n)
	for i := range b {
		b[i] = r
	}
	return string(b)
}
