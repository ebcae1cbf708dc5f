package model

import "testing"

// Every pair of statuses: the moves the order machine allows, and no other.
func TestOrderStatusMachine(t *testing.T) {
	all := []OrderStatus{OrderPendingPayment, OrderPaid, OrderFulfilled, OrderShipped, OrderDelivered, OrderCancelled, OrderRefunded}
	allowed := map[[2]OrderStatus]bool{
		{OrderPendingPayment, OrderPaid}: true, {OrderPendingPayment, OrderCancelled}: true,
		{OrderPaid, OrderFulfilled}: true, {OrderPaid, OrderCancelled}: true, {OrderPaid, OrderRefunded}: true,
		{OrderFulfilled, OrderShipped}: true, {OrderFulfilled, OrderDelivered}: true, {OrderFulfilled, OrderRefunded}: true,
		{OrderShipped, OrderDelivered}: true, {OrderShipped, OrderRefunded}: true,
		{OrderDelivered, OrderRefunded}: true,
	}
	for _, from := range all {
		if !from.Valid() {
			t.Errorf("%s is not valid", from)
		}
		for _, to := range all {
			want := allowed[[2]OrderStatus{from, to}]
			if got := from.CanMove(to); got != want {
				t.Errorf("%s -> %s: %v, want %v", from, to, got, want)
			}
			if err := CheckMove(from, to); (err == nil) != want || (err != nil && ErrorCodeOf(err) != CodeConflict) {
				t.Errorf("CheckMove(%s, %s) = %v", from, to, err)
			}
		}
	}
	for _, s := range []OrderStatus{OrderCancelled, OrderRefunded} {
		if !s.Final() {
			t.Errorf("%s is not final", s)
		}
	}
	if OrderStatus("LOST").Valid() || OrderStatus("").Valid() {
		t.Error("unknown statuses are valid")
	}
	for s, holds := range map[OrderStatus]bool{OrderPendingPayment: true, OrderPaid: true, OrderFulfilled: false, OrderCancelled: false} {
		if s.HoldsStock() != holds {
			t.Errorf("%s holds stock: %v", s, !holds)
		}
	}
}

func TestOrderNumbers(t *testing.T) {
	o := Order{ID: 1}
	if o.Number() != "1001" {
		t.Errorf("number %s", o.Number())
	}
	for in, want := range map[string]int64{"1001": 1, "#1042": 42, " #1001 ": 1, "1000": 0, "12": 0, "abc": 0, "#": 0, "-5": 0} {
		id, ok := ParseOrderNumber(in)
		if id != want || ok != (want != 0) {
			t.Errorf("ParseOrderNumber(%q) = %d, %v; want %d", in, id, ok, want)
		}
	}
}
