package main

import (
	"math/rand/v2"
	"testing"

	"github.com/langran/langran/model"
)

// The baseline's hand-written pricing gives Langran's figures: the same
// VAT, shared among the lines the same way.
func TestPriceLinesMatchesLangran(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for range 5000 {
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
		_, total, vat := priceLines(lines)
		want := model.Price(in)
		if total != want.Total || vat != want.VAT {
			t.Fatalf("%v: total %d VAT %d, Langran %d and %d", in.Lines, total, vat, want.Total, want.VAT)
		}
		for i, l := range lines {
			if l.subtotal != want.Lines[i].Subtotal || l.vat != want.Lines[i].VAT {
				t.Fatalf("%v: line %d: %d / %d, Langran %d / %d", in.Lines, i, l.subtotal, l.vat, want.Lines[i].Subtotal, want.Lines[i].VAT)
			}
		}
	}
}
