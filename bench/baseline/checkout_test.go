package main

import (
	"database/sql"
	"math/rand/v2"
	"testing"

	"github.com/langran/langran/model"
)

// The baseline's hand-written pricing gives Langran's figures: the same
// VAT, shared between the goods and the delivery and among the lines the
// same way.
func TestPriceLinesMatchesLangran(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 10000 {
		n := 1 + rng.IntN(4)
		lines := make([]pricedLine, n)
		in := model.PriceInput{VATRate: vatRate}
		for i := range lines {
			lines[i] = pricedLine{price: int64(1 + rng.IntN(500000)), quantity: 1 + rng.IntN(5), currency: "THB"}
			if rng.IntN(5) == 0 { // ties in the remainders
				lines[i].price = 100
			}
			in.Lines = append(in.Lines, model.PriceLine{Key: int64(i), UnitPrice: lines[i].price, Quantity: lines[i].quantity})
		}
		switch rng.IntN(3) {
		case 1:
			in.Shipping = int64(rng.IntN(50000))
		case 2:
			in.Shipping = 4000 // ฿40, as the demo's and the benchmark's rates charge
		}
		_, total, vat := priceLines(lines, in.Shipping)
		want := model.Price(in)
		if total != want.Total || vat != want.VAT {
			t.Fatalf("%v + %d: total %d VAT %d, Langran %d and %d", in.Lines, in.Shipping, total, vat, want.Total, want.VAT)
		}
		for i, l := range lines {
			if l.subtotal != want.Lines[i].Subtotal || l.vat != want.Lines[i].VAT {
				t.Fatalf("%v + %d: line %d: %d / %d, Langran %d / %d", in.Lines, in.Shipping, i, l.subtotal, l.vat, want.Lines[i].Subtotal, want.Lines[i].VAT)
			}
		}
	}
}

// The baseline prices a shipping rate as Langran's table provider does
// (model.ShippingRate.PriceFor): flat and weight rates, subtotal bounds and
// the free-shipping threshold, each inclusive, and inactive rates.
func TestPriceRateMatchesLangran(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	opt := func() *int64 {
		if rng.IntN(2) == 0 {
			return nil
		}
		v := int64(rng.IntN(300000))
		return &v
	}
	null := func(p *int64) sql.NullInt64 {
		if p == nil {
			return sql.NullInt64{}
		}
		return sql.NullInt64{Int64: *p, Valid: true}
	}
	for range 20000 {
		r := model.ShippingRate{Kind: model.RateFlat, Amount: int64(rng.IntN(20000)), Active: rng.IntN(8) > 0,
			MinSubtotal: opt(), MaxSubtotal: opt(), FreeOver: opt()}
		if rng.IntN(2) == 0 {
			r.Kind = model.RateWeight
			var bs []model.WeightBracket
			limit := 0
			for range 1 + rng.IntN(4) {
				limit += 1 + rng.IntN(3000)
				up := limit
				bs = append(bs, model.WeightBracket{UpToGrams: &up, Amount: int64(rng.IntN(40000))})
			}
			if rng.IntN(2) == 0 {
				bs = append(bs, model.WeightBracket{Amount: int64(rng.IntN(40000))}) // open-ended
			}
			r.SetWeightBrackets(bs)
		}
		row := rateRow{kind: string(r.Kind), amount: r.Amount, brackets: r.Brackets, active: r.Active,
			minSubtotal: null(r.MinSubtotal), maxSubtotal: null(r.MaxSubtotal), freeOver: null(r.FreeOver)}
		weight, subtotal := int64(rng.IntN(12000)), int64(rng.IntN(300000))
		if rng.IntN(4) == 0 && r.FreeOver != nil { // at the threshold exactly
			subtotal = *r.FreeOver
		}
		gotAmount, gotOK := priceRate(row, weight, subtotal)
		wantAmount, wantOK := r.PriceFor(weight, subtotal)
		if gotAmount != wantAmount || gotOK != wantOK {
			t.Fatalf("%+v at %d g, subtotal %d: %d %v, Langran %d %v", r, weight, subtotal, gotAmount, gotOK, wantAmount, wantOK)
		}
	}
}
