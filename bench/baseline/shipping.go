package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"slices"

	"github.com/langran/langran/model"
)

// Delivery, priced the way Langran's table provider prices it: the
// destination falls in one zone (the most specific of the configured
// areas; the matching rule is model.MatchShippingZone, a pure rule like
// the formats shared with Langran), and each active rate of that zone that
// takes the goods' weight and subtotal is an option. The rates are read
// and priced here, by hand: a FLAT price or the first weight bracket that
// takes the weight, nothing from the free-shipping threshold on. Two
// statements, as Langran's provider reads: the areas, then the zone's
// rates.

// tableProvider prefixes the handles of table rates, as Langran names the
// provider.
const tableProvider = "table:"

// deliveryOption is one way to deliver a cart, priced.
type deliveryOption struct {
	handle string // with the provider's prefix, as carts keep it
	title  string
	amount int64
}

// goods is what delivery is priced on: the destination and the goods'
// weight, subtotal (VAT included) and currency.
type goods struct {
	address  model.MailingAddress
	weight   int64
	subtotal int64
	currency string
}

// goodsOf sums the priced lines' weight and subtotal.
func goodsOf(address model.MailingAddress, lines []pricedLine) goods {
	g := goods{address: address, currency: "THB"}
	for _, l := range lines {
		g.weight += max(l.weight, 0) * int64(l.quantity)
		g.subtotal += l.price * int64(l.quantity)
		g.currency = l.currency
	}
	return g
}

// rateRow is a shipping_rates row as pricing needs it.
type rateRow struct {
	handle, title, kind, brackets, currency string
	amount                                  int64
	minSubtotal, maxSubtotal, freeOver      sql.NullInt64
	active                                  bool
}

// weightBracket is one bracket of a WEIGHT rate's JSON: its price for
// goods up to UpToGrams (inclusive), or any weight when nil.
type weightBracket struct {
	UpToGrams *int64 `json:"upToGrams"`
	Amount    int64  `json:"amount"`
}

// querier is a *sql.DB or a *sql.Tx.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// deliveryOptions returns the options for g, cheapest first (equal prices
// in the rates' order), and the statements it ran.
func deliveryOptions(ctx context.Context, db querier, g goods) ([]deliveryOption, int, error) {
	n := 1
	rows, err := db.QueryContext(ctx, "SELECT zone_id, kind, value FROM shipping_zone_areas")
	if err != nil {
		return nil, n, err
	}
	var areas []model.ShippingZoneArea
	for rows.Next() {
		var a model.ShippingZoneArea
		if err := rows.Scan(&a.ZoneID, &a.Kind, &a.Value); err != nil {
			rows.Close()
			return nil, n, err
		}
		areas = append(areas, a)
	}
	if err := rows.Err(); err != nil {
		return nil, n, err
	}
	zone, ok := model.MatchShippingZone(areas, model.ShippingDestination{Country: g.address.Country,
		Province: g.address.Province, Zip: g.address.Zip})
	if !ok {
		return nil, n, nil
	}
	n++
	rows, err = db.QueryContext(ctx, `SELECT handle, title, kind, amount, brackets, currency, min_subtotal, max_subtotal, free_over, active
		FROM shipping_rates WHERE zone_id = ? ORDER BY position, id`, zone)
	if err != nil {
		return nil, n, err
	}
	var out []deliveryOption
	for rows.Next() {
		var r rateRow
		if err := rows.Scan(&r.handle, &r.title, &r.kind, &r.amount, &r.brackets, &r.currency,
			&r.minSubtotal, &r.maxSubtotal, &r.freeOver, &r.active); err != nil {
			rows.Close()
			return nil, n, err
		}
		if amount, ok := priceRate(r, g.weight, g.subtotal); ok && r.currency == g.currency {
			out = append(out, deliveryOption{handle: tableProvider + r.handle, title: r.title, amount: amount})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, n, err
	}
	slices.SortStableFunc(out, func(a, b deliveryOption) int { return cmp.Compare(a.amount, b.amount) })
	return out, n, nil
}

// priceRate is what rate r charges for goods of weight grams and subtotal,
// and whether it is offered at all: active, the subtotal within the rate's
// bounds (inclusive), and for a WEIGHT rate a bracket that takes the
// weight (the first whose limit is at or above it, or an open one). From
// the free-shipping threshold on (inclusive) it costs nothing.
func priceRate(r rateRow, weight, subtotal int64) (int64, bool) {
	if !r.active || (r.minSubtotal.Valid && subtotal < r.minSubtotal.Int64) || (r.maxSubtotal.Valid && subtotal > r.maxSubtotal.Int64) {
		return 0, false
	}
	var amount int64
	switch r.kind {
	case "FLAT":
		amount = r.amount
	case "WEIGHT":
		var brackets []weightBracket
		if r.brackets != "" && json.Unmarshal([]byte(r.brackets), &brackets) != nil {
			return 0, false
		}
		i := slices.IndexFunc(brackets, func(b weightBracket) bool { return b.UpToGrams == nil || weight <= *b.UpToGrams })
		if i < 0 {
			return 0, false
		}
		amount = brackets[i].Amount
	default:
		return 0, false
	}
	if r.freeOver.Valid && subtotal >= r.freeOver.Int64 {
		amount = 0
	}
	return amount, true
}

// chooseDelivery returns the option with handle among g's options; false
// when it is not offered.
func chooseDelivery(ctx context.Context, db querier, g goods, handle string) (deliveryOption, int, bool, error) {
	opts, n, err := deliveryOptions(ctx, db, g)
	if err != nil {
		return deliveryOption{}, n, false, err
	}
	i := slices.IndexFunc(opts, func(o deliveryOption) bool { return o.handle == handle })
	if i < 0 {
		return deliveryOption{}, n, false, nil
	}
	return opts[i], n, true, nil
}
