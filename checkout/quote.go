package checkout

import (
	"context"
	"fmt"
	"slices"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Catalog is what pricing a cart reads: the variants, their products, the
// categories' ancestors (for discounts restricted to a category), the
// discount codes and how often the buyer used them. GraphQL reads go
// through the request's dataloaders; checkout reads through its
// transaction.
type Catalog interface {
	// VariantsWithProducts returns the variants with these IDs and their
	// products, by ID.
	VariantsWithProducts(ctx context.Context, ids []int64) (map[int64]*model.ProductVariant, map[int64]*model.Product, error)
	Ancestors(ctx context.Context, categoryIDs []int64) (map[int64][]int64, error)
	Discounts(ctx context.Context, codeKeys []string) (map[string]*model.Discount, error)
	Uses(ctx context.Context, discountIDs []int64, buyerKey string) (map[int64]int, error)
	// DeliveryRate prices the delivery option with handle for the request;
	// false when it is not offered for it.
	DeliveryRate(ctx context.Context, req model.ShippingRequest, handle string) (model.DeliveryOption, bool)
}

// Delivery is what carts need of the shipping service: the options for a
// delivery, and one option priced again. shipping.Service implements it;
// server wiring hands it to the checkout service.
type Delivery interface {
	Options(ctx context.Context, req model.ShippingRequest) (options []model.DeliveryOption, degraded []string)
	Rate(ctx context.Context, req model.ShippingRequest, handle string) (model.DeliveryOption, bool)
}

// QuotedLine is a cart line as priced now.
type QuotedLine struct {
	Line    model.CartLine
	Variant *model.ProductVariant // nil when the variant is gone or not for sale
	Product *model.Product        // the variant's product, when the variant is for sale
	Totals  model.LineTotals
}

// Problem stops a cart from being checked out.
type Problem struct {
	Code    string
	Message string
	LineID  int64 // 0 when not about a line
}

// Quote is a cart priced now: its totals, each line's figures, what each
// entered code did, and what stops checkout.
type Quote struct {
	Currency model.CurrencyCode
	Totals   model.Totals
	Lines    []QuotedLine
	Codes    []model.AppliedDiscount // one per entered code, in order
	Problems []Problem
	// Discounts are the codes that apply, for counting their use at checkout.
	Discounts []*model.Discount
	// ShippingRequest is what delivery options are asked for: set when the
	// cart has a delivery address and a shipping service is configured.
	ShippingRequest *model.ShippingRequest
	// Delivery is the chosen delivery option as priced now, nil when none
	// is chosen or it is no longer offered.
	Delivery *model.DeliveryOption
}

// BuyerKey identifies the buyer for per-customer discount limits: the
// customer when signed in, else the normalised email.
func BuyerKey(c *model.Cart) string {
	if c.CustomerID != nil {
		return fmt.Sprintf("customer:%d", *c.CustomerID)
	}
	if k, ok := model.NormalizeEmail(c.Email); ok {
		return "email:" + k
	}
	return ""
}

// Quote prices the cart's lines at today's prices and VAT rate.
func (s *Service) Quote(ctx context.Context, cat Catalog, c *model.Cart, lines []model.CartLine) (*Quote, error) {
	q := &Quote{Currency: model.CurrencyTHB}
	var vids []int64
	for _, l := range lines {
		vids = append(vids, l.VariantID)
	}
	variants, products, err := cat.VariantsWithProducts(ctx, vids)
	if err != nil {
		return nil, err
	}
	var catIDs []int64
	for _, p := range products {
		if p.CategoryID != nil {
			catIDs = append(catIDs, *p.CategoryID)
		}
	}
	// Categories matter only to codes restricted to them.
	var ancestors map[int64][]int64
	if len(c.Codes()) > 0 {
		if ancestors, err = cat.Ancestors(ctx, catIDs); err != nil {
			return nil, err
		}
	}
	var priced []model.PriceLine
	for _, l := range lines {
		ql := QuotedLine{Line: l}
		v := variants[l.VariantID]
		var p *model.Product
		if v != nil {
			p = products[v.ProductID]
		}
		if v == nil || !p.VisibleInStorefront() {
			q.Problems = append(q.Problems, Problem{Code: model.ProblemMerchandiseGone, LineID: l.ID,
				Message: "this item is no longer for sale; remove it to check out"})
			q.Lines = append(q.Lines, ql)
			continue
		}
		ql.Variant, ql.Product = v, p
		q.Currency = v.Currency
		if l.SeenPrice != nil && *l.SeenPrice != v.Price {
			q.Problems = append(q.Problems, Problem{Code: model.ProblemPriceChanged, LineID: l.ID,
				Message: fmt.Sprintf("the price changed from %s to %s; change the line (or set the same quantity) to accept it",
					model.FormatMinor(*l.SeenPrice, 2), model.FormatMinor(v.Price, 2))})
		}
		if !v.CanSell(l.Quantity) {
			q.Problems = append(q.Problems, Problem{Code: model.ProblemOutOfStock, LineID: l.ID,
				Message: fmt.Sprintf("only %d left in stock", max(v.Available(), 0))})
		}
		cats := []int64{}
		if p.CategoryID != nil {
			cats = append([]int64{*p.CategoryID}, ancestors[*p.CategoryID]...)
		}
		priced = append(priced, model.PriceLine{Key: l.ID, ProductID: p.ID, Categories: cats,
			UnitPrice: v.Price, Quantity: l.Quantity})
		q.Lines = append(q.Lines, ql)
	}

	// The codes: unknown and unusable ones are reported, the rest priced.
	codes := c.Codes()
	found, err := cat.Discounts(ctx, codes)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for _, d := range found {
		ids = append(ids, d.ID)
	}
	uses, err := cat.Uses(ctx, ids, BuyerKey(c))
	if err != nil {
		return nil, err
	}
	now := s.now()
	var pricedCodes []model.PricedDiscount
	reasons := map[string]string{}
	for _, code := range codes {
		d := found[code]
		switch {
		case d == nil:
			reasons[code] = model.ReasonUnknownCode
		case d.UnusableReason(now, uses[d.ID]) != "":
			reasons[code] = d.UnusableReason(now, uses[d.ID])
		default:
			pd := d.Priced()
			pd.Code = code
			pricedCodes = append(pricedCodes, pd)
		}
	}
	vatRate := s.vat.RateAt(now)
	var shipping int64
	addr := DeliveryAddressOf(c)
	if addr != nil && s.delivery != nil && len(priced) > 0 {
		// Delivery is priced on the goods after their discounts.
		goods := model.Price(model.PriceInput{Lines: priced, Discounts: pricedCodes, VATRate: vatRate})
		req := model.ShippingRequest{Destination: model.ShippingDestination{Country: addr.Country, Province: addr.Province, Zip: addr.Zip},
			Subtotal: goods.Subtotal - goods.Discount, Currency: q.Currency}
		for _, l := range q.Lines {
			if l.Variant == nil {
				continue
			}
			w := 0
			if l.Variant.WeightGrams != nil {
				w = *l.Variant.WeightGrams
			}
			req.Lines = append(req.Lines, model.ShippingLine{VariantID: l.Variant.ID, Quantity: l.Line.Quantity, WeightGrams: w, UnitPrice: l.Variant.Price})
		}
		q.ShippingRequest = &req
		switch opt, ok := cat.DeliveryRate(ctx, req, c.DeliveryOption); {
		case c.DeliveryOption == "":
			if !s.optional {
				q.Problems = append(q.Problems, Problem{Code: model.ProblemDeliveryNotChosen,
					Message: "choose a delivery option (the cart's deliveryOptions lists them)"})
			}
		case !ok:
			q.Problems = append(q.Problems, Problem{Code: model.ProblemDeliveryUnavailable,
				Message: "the chosen delivery option is not offered for this cart any more; choose another"})
		default:
			q.Delivery = &opt
			shipping = opt.Amount
		}
	}
	q.Totals = model.Price(model.PriceInput{Lines: priced, Discounts: pricedCodes, VATRate: vatRate, Shipping: shipping})
	for _, code := range codes {
		if r, ok := reasons[code]; ok {
			q.Codes = append(q.Codes, model.AppliedDiscount{Code: code, Reason: r})
			continue
		}
		i := slices.IndexFunc(q.Totals.Discounts, func(a model.AppliedDiscount) bool { return a.Code == code })
		a := q.Totals.Discounts[i]
		q.Codes = append(q.Codes, a)
		if a.Applicable {
			q.Discounts = append(q.Discounts, found[code])
		}
	}
	for i := range q.Lines {
		j := slices.IndexFunc(q.Totals.Lines, func(t model.LineTotals) bool { return t.Key == q.Lines[i].Line.ID })
		if j >= 0 {
			q.Lines[i].Totals = q.Totals.Lines[j]
		}
	}

	for _, a := range q.Codes {
		if !a.Applicable {
			q.Problems = append(q.Problems, Problem{Code: model.ProblemDiscountInvalidNow,
				Message: fmt.Sprintf("the code %s does not apply (%s); remove it to check out", a.Code, a.Reason)})
		}
	}
	if len(lines) == 0 {
		q.Problems = append(q.Problems, Problem{Code: model.ProblemEmptyCart, Message: "the cart is empty"})
	}
	if _, ok := model.NormalizeEmail(c.Email); !ok {
		q.Problems = append(q.Problems, Problem{Code: model.ProblemMissingEmail, Message: "give an email for the receipt"})
	}
	if addr == nil {
		q.Problems = append(q.Problems, Problem{Code: model.ProblemMissingAddress, Message: "give a delivery address"})
	}
	return q, nil
}

// StoreCatalog reads the catalog through a store (or a transaction), and
// prices delivery through Delivery (none when nil).
type StoreCatalog struct {
	St       *store.Store
	Delivery Delivery
}

// DeliveryRate implements Catalog.
func (c StoreCatalog) DeliveryRate(ctx context.Context, req model.ShippingRequest, handle string) (model.DeliveryOption, bool) {
	if c.Delivery == nil || handle == "" {
		return model.DeliveryOption{}, false
	}
	return c.Delivery.Rate(ctx, req, handle)
}

// DeliveryOptions returns the delivery options of a quoted cart, cheapest
// first; none without a delivery address. Providers that fail are left
// out (and logged by the shipping service): the cart never fails for them.
func (s *Service) DeliveryOptions(ctx context.Context, q *Quote) []model.DeliveryOption {
	if q.ShippingRequest == nil || s.delivery == nil {
		return nil
	}
	opts, _ := s.delivery.Options(ctx, *q.ShippingRequest)
	return opts
}

// VariantsWithProducts implements Catalog: one joined read of the columns
// pricing and the order's lines need (store.FindVariantsToSell).
func (c StoreCatalog) VariantsWithProducts(ctx context.Context, ids []int64) (map[int64]*model.ProductVariant, map[int64]*model.Product, error) {
	vs, ps, err := c.St.FindVariantsToSell(ctx, ids)
	variants := make(map[int64]*model.ProductVariant, len(vs))
	for i := range vs {
		variants[vs[i].ID] = &vs[i]
	}
	products := make(map[int64]*model.Product, len(ps))
	for i := range ps {
		products[ps[i].ID] = &ps[i]
	}
	return variants, products, err
}

// Ancestors implements Catalog.
func (c StoreCatalog) Ancestors(ctx context.Context, ids []int64) (map[int64][]int64, error) {
	rows, err := c.St.FindCategoryAncestors(ctx, ids)
	out := map[int64][]int64{}
	for _, r := range rows {
		out[r.DescendantID] = append(out[r.DescendantID], r.AncestorID)
	}
	return out, err
}

// Discounts implements Catalog.
func (c StoreCatalog) Discounts(ctx context.Context, keys []string) (map[string]*model.Discount, error) {
	rows, err := c.St.FindDiscountsByCodeKeys(ctx, keys)
	out := map[string]*model.Discount{}
	for i := range rows {
		out[rows[i].CodeKey] = &rows[i]
	}
	return out, err
}

// Uses implements Catalog.
func (c StoreCatalog) Uses(ctx context.Context, ids []int64, buyerKey string) (map[int64]int, error) {
	return c.St.CountDiscountUses(ctx, ids, buyerKey)
}
