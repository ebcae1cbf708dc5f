package model

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
	"time"
)

func TestVATIn(t *testing.T) {
	for _, c := range []struct {
		gross, vat int64
		rate       RateBasisPoints
	}{
		{10700, 700, 700},    // 107.00 -> base 100.00, VAT 7.00
		{53600, 3507, 700},   // 536.00 -> base 500.93, VAT 35.07
		{0, 0, 700},          //
		{1, 0, 700},          // 0.01 holds 0.0654: rounds to 0
		{8, 1, 700},          // 0.08 holds 0.523: rounds up
		{7, 0, 700},          // 0.07 holds 0.458
		{-53600, -3507, 700}, // a refund mirrors the sale
		{11000, 1000, 1000},  // 10%
		{10000, 0, 0},        // no VAT
		{99999999999, 6542056075, 700},
	} {
		if got := VATIn(c.gross, c.rate); got != c.vat {
			t.Errorf("VATIn(%d, %s) = %d, want %d", c.gross, c.rate, got, c.vat)
		}
	}
}

// VATIn agrees with exact rational rounding for many amounts and rates.
func TestVATInMatchesExactRounding(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		gross := r.Int64N(1_000_000_000_00)
		rate := RateBasisPoints(r.Int64N(2500))
		num, den := gross*int64(rate), int64(MaxRate)+int64(rate)
		want := num / den
		if 2*(num%den) >= den {
			want++
		}
		if got := VATIn(gross, rate); got != want {
			t.Fatalf("VATIn(%d, %d) = %d, want %d", gross, rate, got, want)
		}
	}
}

// SplitVAT shows a tax invoice's two figures; the base is whatever the VAT
// leaves, so the two always add up to the gross.
func TestSplitVAT(t *testing.T) {
	for _, c := range []struct {
		name            string
		gross, base, vt int64
		rate            RateBasisPoints
	}{
		{"107.00, the reference's first example", 10700, 10000, 700, 700},
		{"536.00, the reference's second example", 53600, 50093, 3507, 700},
		{"zero", 0, 0, 0, 700},
		{"0.01 baht holds 0.065 satang of VAT: none", 1, 1, 0, 700},
		// In satang: 15 × 7/107 = 0.98, 8 × 7/107 = 0.52: half up takes
		// both up where truncation would give 0.
		{"0.15 rounds up", 15, 14, 1, 700},
		{"0.08 rounds up", 8, 7, 1, 700},
		{"7 satang hold 0.458: down", 7, 7, 0, 700},
		// At 7% a gross never holds exactly half a satang (14 × gross is
		// even, 107 is odd); at 20% 3 satang hold exactly 0.5, and half up
		// takes it up where half even would not.
		{"exactly half a satang rounds up", 3, 2, 1, 2000},
		{"half again, upwards", 15, 12, 3, 2000}, // 2.5 satang -> 3
		{"a refund mirrors the sale", -53600, -50093, -3507, 700},
		{"no VAT", 12345, 12345, 0, 0},
		{"10%", 11000, 10000, 1000, 1000},
	} {
		base, vat := SplitVAT(c.gross, c.rate)
		if base != c.base || vat != c.vt {
			t.Errorf("%s: SplitVAT(%d, %s) = %d, %d; want %d, %d", c.name, c.gross, c.rate, base, vat, c.base, c.vt)
		}
	}
}

// The int64 extremes used to recurse forever (−MinInt64 is MinInt64); they
// now give the exact rational answer, and base + VAT is still the gross.
func TestVATInExtremes(t *testing.T) {
	for _, gross := range []int64{math.MaxInt64, math.MinInt64, math.MinInt64 + 1} {
		for _, rate := range []RateBasisPoints{1, 700, MaxRate, math.MaxInt64} {
			n := new(big.Rat).SetFrac(new(big.Int).Mul(big.NewInt(gross), big.NewInt(int64(rate))),
				new(big.Int).Add(big.NewInt(int64(MaxRate)), big.NewInt(int64(rate))))
			// Half up on the magnitude: floor(|x| + 1/2), then the sign back.
			abs := new(big.Rat).Abs(n)
			abs.Add(abs, big.NewRat(1, 2))
			want := new(big.Int).Quo(abs.Num(), abs.Denom())
			if n.Sign() < 0 {
				want.Neg(want)
			}
			base, vat := SplitVAT(gross, rate)
			if vat != want.Int64() || base+vat != gross {
				t.Errorf("SplitVAT(%d, %d) = %d, %d; want VAT %s", gross, rate, base, vat, want)
			}
		}
	}
}

func TestAllocate(t *testing.T) {
	for _, c := range []struct {
		total   int64
		weights []int64
		want    []int64
	}{
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{10, []int64{5, 3, 2}, []int64{5, 3, 2}},
		{7, []int64{1, 2}, []int64{2, 5}},
		{5, []int64{0, 0}, []int64{5, 0}},
		{-100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{0, []int64{3, 4}, []int64{0, 0}},
		{1, []int64{}, []int64{}},
	} {
		got := Allocate(c.total, c.weights)
		if len(got) != len(c.want) {
			t.Fatalf("Allocate(%d, %v) = %v", c.total, c.weights, got)
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("Allocate(%d, %v) = %v, want %v", c.total, c.weights, got, c.want)
				break
			}
		}
	}
}

func TestPrice(t *testing.T) {
	shirt := PriceLine{Key: 1, ProductID: 10, Categories: []int64{3, 1}, UnitPrice: 39000, Quantity: 2}  // 780.00
	coffee := PriceLine{Key: 2, ProductID: 20, Categories: []int64{7, 5}, UnitPrice: 32000, Quantity: 1} // 320.00
	lines := []PriceLine{shirt, coffee}
	for _, c := range []struct {
		name      string
		discounts []PricedDiscount
		shipping  int64
		discount  int64
		shipOff   int64
		total     int64
		reasons   []string // per code, "" when applied
	}{
		{"no discount", nil, 5000, 0, 0, 115000, nil},
		{"10% off everything", []PricedDiscount{{Code: "TEN", Kind: DiscountPercentage, Value: 1000}}, 0, 11000, 0, 99000, []string{""}},
		{"10% off clothing only", []PricedDiscount{{Code: "TEE", Kind: DiscountPercentage, Value: 1000, CategoryIDs: []int64{1}}}, 0, 7800, 0, 102200, []string{""}},
		{"fixed 100 off a product", []PricedDiscount{{Code: "C100", Kind: DiscountFixedAmount, Value: 10000, ProductIDs: []int64{20}}}, 0, 10000, 0, 100000, []string{""}},
		{"fixed amount capped at the eligible lines", []PricedDiscount{{Code: "BIG", Kind: DiscountFixedAmount, Value: 99999999, ProductIDs: []int64{20}}}, 0, 32000, 0, 78000, []string{""}},
		{"minimum subtotal not met", []PricedDiscount{{Code: "MIN", Kind: DiscountFixedAmount, Value: 5000, MinSubtotal: 200000}}, 0, 0, 0, 110000, []string{ReasonMinSubtotal}},
		{"free shipping", []PricedDiscount{{Code: "SHIP", Kind: DiscountFreeShipping}}, 5000, 0, 5000, 110000, []string{""}},
		{"free shipping without shipping", []PricedDiscount{{Code: "SHIP", Kind: DiscountFreeShipping}}, 0, 0, 0, 110000, []string{ReasonNoShipping}},
		{"restricted to nothing in the cart", []PricedDiscount{{Code: "TOYS", Kind: DiscountPercentage, Value: 5000, CategoryIDs: []int64{99}}}, 0, 0, 0, 110000, []string{ReasonNoEligible}},
		{"two percentages: the first only", []PricedDiscount{{Code: "A", Kind: DiscountPercentage, Value: 1000}, {Code: "B", Kind: DiscountPercentage, Value: 5000}}, 0, 11000, 0, 99000, []string{"", ReasonNotCombinable}},
		{"percentage then fixed", []PricedDiscount{{Code: "A", Kind: DiscountPercentage, Value: 1000}, {Code: "F", Kind: DiscountFixedAmount, Value: 1000}, {Code: "S", Kind: DiscountFreeShipping}}, 5000, 12000, 5000, 98000, []string{"", "", ""}},
	} {
		tot := Price(PriceInput{Lines: lines, Discounts: c.discounts, Shipping: c.shipping, VATRate: 700})
		if tot.Discount != c.discount || tot.ShippingDiscount != c.shipOff || tot.Total != c.total {
			t.Errorf("%s: discount %d shipping off %d total %d; want %d %d %d", c.name, tot.Discount, tot.ShippingDiscount, tot.Total, c.discount, c.shipOff, c.total)
		}
		for i, want := range c.reasons {
			if got := tot.Discounts[i]; got.Reason != want || got.Applicable != (want == "") {
				t.Errorf("%s: code %s: %+v, want reason %q", c.name, got.Code, got, want)
			}
		}
		checkTotals(t, c.name, lines, tot, 700)
	}
}

// checkTotals asserts the invariants of any priced order.
func checkTotals(t *testing.T, name string, lines []PriceLine, tot Totals, rate RateBasisPoints) {
	t.Helper()
	var sub, disc, lineTotal, lineVAT int64
	for i, l := range tot.Lines {
		sub += l.Subtotal
		disc += l.Discount
		lineTotal += l.Total
		lineVAT += l.VAT
		if l.Subtotal != lines[i].Subtotal() || l.Total != l.Subtotal-l.Discount || l.Discount < 0 || l.Total < 0 {
			t.Errorf("%s: line %d: %+v", name, i, l)
		}
	}
	if sub != tot.Subtotal || disc != tot.Discount || lineTotal != tot.Subtotal-tot.Discount {
		t.Errorf("%s: lines add to %d/%d/%d, order %d/%d", name, sub, disc, lineTotal, tot.Subtotal, tot.Discount)
	}
	if tot.Total != tot.Subtotal-tot.Discount+tot.Shipping-tot.ShippingDiscount || tot.Total < 0 {
		t.Errorf("%s: total %d", name, tot.Total)
	}
	if tot.VAT != VATIn(tot.Total, rate) || tot.Base != tot.Total-tot.VAT {
		t.Errorf("%s: VAT %d base %d for total %d", name, tot.VAT, tot.Base, tot.Total)
	}
	if lineVAT > tot.VAT || (tot.Shipping-tot.ShippingDiscount == 0 && lineVAT != tot.VAT) {
		t.Errorf("%s: the lines' VAT %d, the order's %d", name, lineVAT, tot.VAT)
	}
}

// Random orders keep every invariant: lines add up to the order, VAT is the
// extraction of the total, nothing goes negative.
func TestPriceInvariants(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	kinds := []DiscountKind{DiscountPercentage, DiscountFixedAmount, DiscountFreeShipping}
	for n := range 20000 {
		var lines []PriceLine
		for i := range 1 + r.IntN(6) {
			lines = append(lines, PriceLine{Key: int64(i), ProductID: int64(r.IntN(5)), Categories: []int64{int64(r.IntN(4))},
				UnitPrice: r.Int64N(500000), Quantity: 1 + r.IntN(20)})
		}
		var ds []PricedDiscount
		for range r.IntN(4) {
			d := PricedDiscount{Code: "X", Kind: kinds[r.IntN(3)], Value: r.Int64N(12000), MinSubtotal: r.Int64N(300000)}
			if r.IntN(2) == 0 {
				d.CategoryIDs = []int64{int64(r.IntN(4))}
			}
			ds = append(ds, d)
		}
		rate := RateBasisPoints(r.Int64N(2000))
		tot := Price(PriceInput{Lines: lines, Discounts: ds, Shipping: r.Int64N(20000), VATRate: rate})
		checkTotals(t, "random", lines, tot, rate)
		if t.Failed() {
			t.Fatalf("order %d: %+v %+v", n, lines, ds)
		}
	}
}

func TestVATSchedule(t *testing.T) {
	s, err := ParseVATSchedule("10@2027-10-01, 7%@1992-01-01")
	if err != nil {
		t.Fatal(err)
	}
	day := func(d string) time.Time { v, _ := time.Parse("2006-01-02", d); return v }
	for d, want := range map[string]RateBasisPoints{"1991-12-31": 0, "2026-11-30": 700, "2027-09-30": 700, "2027-10-01": 1000} {
		if got := s.RateAt(day(d)); got != want {
			t.Errorf("RateAt(%s) = %s, want %s", d, got, want)
		}
	}
	if ThaiVAT.RateAt(time.Now()) != 700 || RateBasisPoints(650).String() != "6.5%" {
		t.Errorf("Thai VAT %s", ThaiVAT.RateAt(time.Now()))
	}
	for _, bad := range []string{"", "7", "7@2026-13-01", "101@2026-01-01", "-1@2026-01-01", "7@2026-01-01,8@2026-01-01"} {
		if _, err := ParseVATSchedule(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
