package model

import (
	"fmt"
	"math/bits"
	"slices"
	"sort"
	"strings"
	"time"
)

// Prices are VAT-inclusive integer minor units. This file holds every rule
// that turns lines, discounts and shipping into totals and VAT, so that the
// cart, checkout, orders and receipts compute the same figures.
//
// Rounding policy (stated once, tested in pricing_test.go):
//   - VAT is extracted from a gross (VAT-inclusive) amount as
//     gross × rate / (100% + rate), rounded half up to the minor unit:
//     107.00 THB holds 7.00 VAT, 536.00 THB holds 35.07.
//   - An order's VAT is extracted once, from the order's total (goods after
//     discounts, plus shipping): per document, so the tax invoice's VAT is
//     exactly the extraction of its total.
//   - Line figures (each line's discount and VAT) are that order-level
//     figure shared out over the lines in proportion to their amounts, by
//     largest remainder, so the lines always add up to the order exactly.

// RateBasisPoints is a rate in hundredths of a percent: 700 is 7%.
type RateBasisPoints int64

// MaxRate bounds rates (100%).
const MaxRate RateBasisPoints = 10000

// String writes the rate as a percentage, e.g. "7%" or "6.5%".
func (r RateBasisPoints) String() string {
	s := FormatMinor(int64(r), 2)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s + "%"
}

// VATIn returns the VAT contained in a gross (VAT-inclusive) amount at rate,
// rounded half up: gross × rate / (100% + rate). Amounts below zero are
// treated as their opposite and negated, so refunds mirror sales. A rate of
// zero or below holds no VAT.
func VATIn(gross int64, rate RateBasisPoints) int64 {
	if rate <= 0 {
		return 0
	}
	// The magnitude as uint64: negating math.MinInt64 in int64 gives
	// itself back, which used to recurse forever.
	neg := gross < 0
	u := uint64(gross)
	if neg {
		u = -u
	}
	// A 128-bit product so that no amount or rate overflows; the quotient
	// fits because rate < den. The remainder is compared as r ≥ den − r
	// rather than 2r ≥ den, which could overflow for absurd rates.
	den := uint64(MaxRate) + uint64(rate)
	hi, lo := bits.Mul64(u, uint64(rate))
	q, r := bits.Div64(hi, lo, den)
	if r >= den-r {
		q++
	}
	vat := int64(q)
	if neg {
		vat = -vat
	}
	return vat
}

// SplitVAT splits a gross (VAT-inclusive) amount into its base and the VAT
// it contains, as a tax invoice shows them: the VAT is VATIn's (half up),
// and the base is what is left, so base + VAT == gross exactly.
func SplitVAT(gross int64, rate RateBasisPoints) (base, vat int64) {
	vat = VATIn(gross, rate)
	return gross - vat, vat
}

// VATPeriod is a VAT rate that applies from a date on.
type VATPeriod struct {
	From time.Time
	Rate RateBasisPoints
}

// VATSchedule is the VAT rates over time, in order of their start.
type VATSchedule []VATPeriod

// ThaiVAT is Thailand's VAT as sold today: 7% (the statutory 10% reduced by
// royal decree, period after period). Configuration can add changes with
// their dates.
var ThaiVAT = VATSchedule{{From: time.Date(1992, 1, 1, 0, 0, 0, 0, time.UTC), Rate: 700}}

// RateAt returns the rate in force at t (the last period started by then),
// or 0 before the first.
func (s VATSchedule) RateAt(t time.Time) RateBasisPoints {
	var rate RateBasisPoints
	for _, p := range s {
		if !p.From.After(t) {
			rate = p.Rate
		}
	}
	return rate
}

// ParseVATSchedule reads a schedule such as "7@1992-01-01,10@2027-10-01":
// percentages (up to two decimals) from dates (UTC), in any order.
func ParseVATSchedule(s string) (VATSchedule, error) {
	var out VATSchedule
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		rate, date, ok := strings.Cut(part, "@")
		if !ok {
			return nil, fmt.Errorf("%q: want RATE@YYYY-MM-DD, e.g. 7@1992-01-01", part)
		}
		bp, err := ParseMinor(strings.TrimSuffix(strings.TrimSpace(rate), "%"), 2)
		if err != nil || bp < 0 || bp > int64(MaxRate) {
			return nil, fmt.Errorf("%q: the rate must be a percentage from 0 to 100", part)
		}
		from, err := time.Parse("2006-01-02", strings.TrimSpace(date))
		if err != nil {
			return nil, fmt.Errorf("%q: the date must be YYYY-MM-DD", part)
		}
		out = append(out, VATPeriod{From: from, Rate: RateBasisPoints(bp)})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no VAT rate given")
	}
	sort.Slice(out, func(i, j int) bool { return out[i].From.Before(out[j].From) })
	for i := 1; i < len(out); i++ {
		if out[i].From.Equal(out[i-1].From) {
			return nil, fmt.Errorf("two VAT rates from %s", out[i].From.Format("2006-01-02"))
		}
	}
	return out, nil
}

// Allocate shares total out over weights in proportion, by largest
// remainder: the parts add up to total exactly, and equal weights get
// parts that differ by at most one unit (earlier ones first). Weights must
// not be negative; with all weights zero, everything goes to the first.
func Allocate(total int64, weights []int64) []int64 {
	parts := make([]int64, len(weights))
	if len(weights) == 0 {
		return parts
	}
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if sum == 0 {
		parts[0] = total
		return parts
	}
	neg := total < 0
	if neg {
		total = -total
	}
	type rem struct {
		i int
		r int64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		q, r := mulDiv(total, w, sum)
		parts[i] = q
		given += q
		rems[i] = rem{i, r}
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		switch {
		case a.r > b.r:
			return -1
		case a.r < b.r:
			return 1
		}
		return 0
	})
	for k := int64(0); k < total-given; k++ {
		parts[rems[k].i]++
	}
	if neg {
		for i := range parts {
			parts[i] = -parts[i]
		}
	}
	return parts
}

// mulDiv returns a × b / c and the remainder, for non-negative a, b and
// positive c, through a 128-bit product. Callers keep the quotient within
// int64 (b ≤ c here), so the division cannot overflow.
func mulDiv(a, b, c int64) (q, r int64) {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	uq, ur := bits.Div64(hi, lo, uint64(c))
	return int64(uq), int64(ur)
}

// DiscountKind is how a discount takes money off.
type DiscountKind string

// The discount kinds.
const (
	DiscountPercentage   DiscountKind = "PERCENTAGE"    // Value is a rate in basis points of the eligible lines
	DiscountFixedAmount  DiscountKind = "FIXED_AMOUNT"  // Value is minor units off the eligible lines
	DiscountFreeShipping DiscountKind = "FREE_SHIPPING" // the shipping amount is waived
)

// PriceLine is one line to price: a variant at its current unit price
// (VAT-inclusive) and a quantity, with the product and categories a
// discount's restriction is checked against.
type PriceLine struct {
	Key        int64 // the cart line's ID, to find the line's figures
	ProductID  int64
	Categories []int64 // the product's category and every ancestor
	UnitPrice  int64
	Quantity   int
}

// Subtotal is the line's amount before discounts.
func (l PriceLine) Subtotal() int64 { return l.UnitPrice * int64(l.Quantity) }

// PricedDiscount is a discount code as pricing needs it: what it takes off,
// and where. A discount restricted to products or categories applies only
// to the lines of those (categories include their descendants: a line's
// Categories list its category's ancestors).
type PricedDiscount struct {
	Code        string
	Kind        DiscountKind
	Value       int64
	MinSubtotal int64
	ProductIDs  []int64
	CategoryIDs []int64
}

func (d PricedDiscount) eligible(l PriceLine) bool {
	if len(d.ProductIDs) == 0 && len(d.CategoryIDs) == 0 {
		return true
	}
	if slices.Contains(d.ProductIDs, l.ProductID) {
		return true
	}
	for _, c := range l.Categories {
		if slices.Contains(d.CategoryIDs, c) {
			return true
		}
	}
	return false
}

// Discount reasons: why a code given did not apply.
const (
	ReasonMinSubtotal   = "MIN_SUBTOTAL_NOT_MET"
	ReasonNoEligible    = "NO_ELIGIBLE_LINES"
	ReasonNoShipping    = "NO_SHIPPING_TO_WAIVE"
	ReasonNotCombinable = "ONE_CODE_OF_A_KIND"
)

// PriceInput is everything pricing needs.
type PriceInput struct {
	Lines     []PriceLine
	Discounts []PricedDiscount // in the order the buyer gave them
	Shipping  int64            // the chosen delivery option's price, VAT-inclusive
	VATRate   RateBasisPoints
}

// AppliedDiscount says what a code did: how much it took off, or why not.
type AppliedDiscount struct {
	Code       string
	Applicable bool
	Reason     string // when not applicable
	Amount     int64  // minor units taken off (goods or shipping)
}

// LineTotals are one line's figures after the order's discounts.
type LineTotals struct {
	Key      int64
	Subtotal int64 // unit price × quantity
	Discount int64 // this line's share of the goods discounts
	Total    int64 // Subtotal − Discount
	VAT      int64 // this line's share of the order's VAT (shipping's share is on the order)
}

// Totals are an order's (or a cart's) figures, all VAT-inclusive.
type Totals struct {
	Subtotal         int64 // the lines before discounts
	Discount         int64 // taken off the lines
	Shipping         int64 // the delivery price before a free-shipping code
	ShippingDiscount int64 // waived by a free-shipping code
	Total            int64 // Subtotal − Discount + Shipping − ShippingDiscount
	VAT              int64 // contained in Total, extracted once
	Base             int64 // Total − VAT
	Lines            []LineTotals
	Discounts        []AppliedDiscount
}

// Price computes totals. Each kind of discount applies once (the first code
// of a kind that can apply; later ones of the same kind are reported as not
// applicable); percentage and fixed amounts combine, the percentage taken
// first; goods discounts never exceed the eligible lines.
func Price(in PriceInput) Totals {
	t := Totals{Shipping: max(in.Shipping, 0)}
	lineAmounts := make([]int64, len(in.Lines))
	for i, l := range in.Lines {
		lineAmounts[i] = l.Subtotal()
		t.Subtotal += lineAmounts[i]
	}
	lineDiscounts := make([]int64, len(in.Lines))
	used := map[DiscountKind]bool{}
	for _, d := range in.Discounts {
		a := AppliedDiscount{Code: d.Code}
		var weights []int64
		var eligibleSum int64
		for i, l := range in.Lines {
			w := int64(0)
			if d.eligible(l) {
				w = lineAmounts[i] - lineDiscounts[i]
			}
			weights = append(weights, w)
			eligibleSum += w
		}
		switch {
		case used[d.Kind]:
			a.Reason = ReasonNotCombinable
		case t.Subtotal < d.MinSubtotal:
			a.Reason = ReasonMinSubtotal
		case d.Kind == DiscountFreeShipping && t.Shipping == 0:
			a.Reason = ReasonNoShipping
		case d.Kind == DiscountFreeShipping:
			a.Applicable, a.Amount = true, t.Shipping
			t.ShippingDiscount = t.Shipping
		case eligibleSum == 0:
			a.Reason = ReasonNoEligible
		default:
			off := d.Value
			if d.Kind == DiscountPercentage {
				off = PercentOf(eligibleSum, RateBasisPoints(min(d.Value, int64(MaxRate))))
			}
			off = min(max(off, 0), eligibleSum)
			for i, p := range Allocate(off, weights) {
				lineDiscounts[i] += p
			}
			a.Applicable, a.Amount = true, off
			t.Discount += off
		}
		if a.Applicable {
			used[d.Kind] = true
		}
		t.Discounts = append(t.Discounts, a)
	}
	t.Total = t.Subtotal - t.Discount + t.Shipping - t.ShippingDiscount
	t.VAT = VATIn(t.Total, in.VATRate)
	t.Base = t.Total - t.VAT
	// The lines' share of the VAT: the VAT of the goods part of the total,
	// shared by the lines' amounts after discounts.
	goods := t.Subtotal - t.Discount
	goodsVAT := t.VAT
	if t.Total > 0 {
		goodsVAT = Allocate(t.VAT, []int64{goods, t.Shipping - t.ShippingDiscount})[0]
	}
	lineTotals := make([]int64, len(in.Lines))
	for i := range in.Lines {
		lineTotals[i] = lineAmounts[i] - lineDiscounts[i]
	}
	lineVAT := Allocate(goodsVAT, lineTotals)
	for i, l := range in.Lines {
		t.Lines = append(t.Lines, LineTotals{Key: l.Key, Subtotal: lineAmounts[i], Discount: lineDiscounts[i],
			Total: lineTotals[i], VAT: lineVAT[i]})
	}
	return t
}

// PercentOf returns rate (basis points) of a non-negative amount, rounded
// half up: 10% of 999.99 is 100.00.
func PercentOf(amount int64, rate RateBasisPoints) int64 {
	q, r := mulDiv(amount, int64(rate), int64(MaxRate))
	if 2*r >= int64(MaxRate) {
		q++
	}
	return q
}
