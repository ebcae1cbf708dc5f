package checkout

import (
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Complete turns the cart with key into an order, in one transaction:
// re-price and re-check the cart, take the stock, count the discount codes'
// use, write the order with snapshot lines and mark the cart checked out.
// Either all of it happens or none. A transaction that loses a conflict (a
// deadlock, a Galera certification failure) is run again whole, a bounded
// number of times.
//
// The idempotency key makes retries safe: the same key for the same cart
// returns the order made the first time and takes nothing; the same key
// for another cart is IDEMPOTENCY_KEY_REUSED. Checkouts of one cart queue
// on its row lock, so a key sent twice at once still makes one order.
func (s *Service) Complete(ctx context.Context, cartKey, idempotencyKey string) (*model.Order, error) {
	if err := checkIdempotencyKey(idempotencyKey); err != nil {
		return nil, err
	}
	hash := model.HashIdempotencyKey(idempotencyKey)
	delivery, err := s.deliverySnapshot(ctx, cartKey)
	if err != nil {
		return nil, err
	}
	var out *model.Order
	err = s.st.RetryTx(ctx, func(tx *store.Store) error {
		o, err := s.complete(ctx, tx, delivery, cartKey, hash)
		out = o
		return err
	})
	if model.ErrorCodeOf(err) == model.CodeConflict && out == nil {
		// The order's insert found the key taken (its unique index
		// decided): by an earlier or concurrent checkout of another cart,
		// which is an error, or of this one, whose order is the answer.
		if o, ferr := s.st.FindOrderByIdempotencyKey(ctx, hash); ferr == nil {
			if c, cerr := s.st.FindCartByKey(ctx, cartKey); cerr == nil && c.ID == o.CartID {
				return o, nil
			}
			return nil, errKeyReused()
		}
	}
	if err != nil {
		return nil, err
	}
	return out, nil
}

func errKeyReused() error {
	return &model.Error{Code: model.CodeIdempotencyKeyReused, Field: []string{"idempotencyKey"},
		Message: "this idempotency key was used to check out another cart; make a new key for each cart"}
}

// checkIdempotencyKey refuses keys that are empty, too long or not
// printable.
func checkIdempotencyKey(k string) error {
	if k == "" || len(k) > model.MaxIdempotencyKey || strings.ContainsFunc(k, func(r rune) bool {
		return !unicode.IsPrint(r) || r == unicode.ReplacementChar
	}) {
		return model.InvalidField([]string{"idempotencyKey"},
			"idempotencyKey must be 1 to %d printable characters, such as a UUID made once per checkout", model.MaxIdempotencyKey)
	}
	return nil
}

// deliverySnapshot is how the checkout's transaction prices delivery
// without asking a provider while it holds its locks: no carrier's API is
// waited on, and no provider's read needs a second connection of SQLite's
// small pool meanwhile. When every provider is the shop's own table, the
// tables are read now (or taken from memory) and priced from in the
// transaction. Otherwise the cart's chosen option is priced now, and in
// the transaction that price answers only for the same request: a cart
// that changed in between fails as not ready.
func (s *Service) deliverySnapshot(ctx context.Context, cartKey string) (Delivery, error) {
	if s.delivery == nil {
		return nil, nil
	}
	d, err := s.pricingDelivery(ctx)
	if err != nil {
		return nil, err
	}
	if _, prepared := d.(preparedDelivery); prepared {
		// Every provider prices from the shop's own tables: read now (or
		// kept in memory), they price in the transaction with no wait on
		// a carrier or on a second connection.
		return d, nil
	}
	// The cart and its lines in one read: a cart that chose an option
	// needs both, and one without costs the same single statement.
	c, lines, err := s.st.FindCartWithLines(ctx, cartKey)
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && c.DeliveryOption == "") {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	q, err := s.Quote(ctx, StoreCatalog{St: s.st, Delivery: s.delivery}, c, lines)
	if err != nil || q.ShippingRequest == nil || q.Delivery == nil {
		return nil, err
	}
	return fixedDelivery{req: *q.ShippingRequest, opt: *q.Delivery}, nil
}

// pricingDelivery is what prices a cart's chosen delivery in a change or a
// checkout: when every provider is the shop's own table, the tables taken
// now (from memory, or read) and priced from, which reads nothing more and
// so never needs a second connection inside a transaction; otherwise the
// shipping service itself.
func (s *Service) pricingDelivery(ctx context.Context) (Delivery, error) {
	if p, ok := s.delivery.(preparer); ok {
		rate, err := p.PrepareRate(ctx)
		if err != nil {
			return nil, err
		}
		if rate != nil {
			return preparedDelivery(rate), nil
		}
	}
	return s.delivery, nil
}

// preparer is a Delivery that can price from tables read beforehand
// (shipping.Service, when every provider is the shop's own table).
type preparer interface {
	PrepareRate(ctx context.Context) (func(context.Context, model.ShippingRequest, string) (model.DeliveryOption, bool), error)
}

// preparedDelivery prices with a prepared Rate.
type preparedDelivery func(context.Context, model.ShippingRequest, string) (model.DeliveryOption, bool)

func (p preparedDelivery) Options(context.Context, model.ShippingRequest) ([]model.DeliveryOption, []string) {
	return nil, nil // checkout asks only for the chosen option
}

func (p preparedDelivery) Rate(ctx context.Context, req model.ShippingRequest, handle string) (model.DeliveryOption, bool) {
	return p(ctx, req, handle)
}

// fixedDelivery answers one delivery option for one request.
type fixedDelivery struct {
	req model.ShippingRequest
	opt model.DeliveryOption
}

func (f fixedDelivery) Options(context.Context, model.ShippingRequest) ([]model.DeliveryOption, []string) {
	return []model.DeliveryOption{f.opt}, nil
}

func (f fixedDelivery) Rate(_ context.Context, req model.ShippingRequest, handle string) (model.DeliveryOption, bool) {
	return f.opt, handle == f.opt.Handle && reflect.DeepEqual(req, f.req)
}

func (s *Service) complete(ctx context.Context, tx *store.Store, delivery Delivery, cartKey, keyHash string) (*model.Order, error) {
	c, lines, err := tx.LockCart(ctx, cartKey)
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && ownedByOther(ctx, c)) {
		return nil, errCartGone("cartId")
	}
	if err != nil {
		return nil, err
	}
	if c.Status == model.CartCompleted {
		// A retry of a checkout that succeeded answers with its order. The
		// key is looked up only here: an active cart has no order yet, and
		// a key already used for another cart fails the order's insert on
		// its unique index, which Complete answers.
		o, err := tx.FindOrderByIdempotencyKey(ctx, keyHash)
		switch {
		case err == nil && o.CartID == c.ID:
			return o, nil
		case err == nil:
			return nil, errKeyReused()
		case model.ErrorCodeOf(err) != model.CodeNotFound:
			return nil, err
		}
		return nil, &model.Error{Code: model.CodeAlreadyCheckedOut, Field: []string{"cartId"},
			Message: "the cart has been checked out already, with another idempotency key"}
	}
	if !s.Usable(ctx, c) {
		return nil, errCartGone("cartId")
	}
	q, err := s.Quote(ctx, StoreCatalog{St: tx, Delivery: delivery}, c, lines)
	if err != nil {
		return nil, err
	}
	if len(q.Problems) > 0 {
		var codes []string
		for _, p := range q.Problems {
			codes = append(codes, p.Code)
		}
		// A delivery option that no longer matches follows from another
		// change found in the transaction (a code used up meanwhile changes
		// the subtotal delivery was priced on): that change names the error.
		cause := codes
		if others := slices.DeleteFunc(slices.Clone(codes), func(c string) bool { return c == model.ProblemDeliveryUnavailable }); len(others) > 0 {
			cause = others
		}
		code := model.CodeCartNotReady
		switch {
		case allAre(cause, model.ProblemOutOfStock):
			code = model.CodeOutOfStock
		case allAre(cause, model.ProblemDiscountInvalidNow):
			code = model.CodeDiscountUnavailable
		}
		return nil, &model.Error{Code: code, Field: []string{"cartId"},
			Message: fmt.Sprintf("the cart cannot be checked out: %s (see the cart's problems)", strings.Join(codes, ", "))}
	}

	// Stock: the units are committed to the order with one conditional
	// update of all the variants (row by row in variant order, so
	// checkouts of the same variants never lock them in opposite orders).
	// A short line fails it, and the error rolls the transaction back. On
	// hand changes when the order ships.
	if err := tx.TakeStockAtOnce(ctx, stockLines(q.Lines)); err != nil {
		if model.ErrorCodeOf(err) == model.CodeOutOfStock {
			return nil, &model.Error{Code: model.CodeOutOfStock, Field: []string{"cartId"},
				Message: "an item sold out meanwhile; see the cart's problems, change it and try again"}
		}
		return nil, err
	}

	now := s.now()
	payBy := now.Add(s.payWithin)
	order := &model.Order{AccessKey: model.NewCartKey(), CustomerID: c.CustomerID, CartID: c.ID, IdempotencyKey: keyHash,
		Email: strings.ToLower(c.Email), Phone: c.Phone, Status: model.OrderPendingPayment, Currency: q.Currency,
		Subtotal: q.Totals.Subtotal, Discount: q.Totals.Discount, Shipping: q.Totals.Shipping, ShippingOff: q.Totals.ShippingDiscount,
		Total: q.Totals.Total, VAT: q.Totals.VAT, VATRate: s.vat.RateAt(now), DeliveryAddress: c.DeliveryAddress,
		Note: c.Note, CreatedAt: now, UpdatedAt: now, PayBy: &payBy, FinancialStatus: model.FinancialPending}
	if q.Delivery != nil {
		order.DeliveryOption, order.DeliveryTitle = q.Delivery.Handle, q.Delivery.Title
	}
	var applied []string
	for _, d := range q.Discounts {
		applied = append(applied, d.CodeKey)
	}
	order.DiscountCodes = strings.Join(applied, " ")
	olines := make([]model.OrderLine, len(q.Lines))
	for i, l := range q.Lines {
		sku := ""
		if l.Variant.SKU != nil {
			sku = *l.Variant.SKU
		}
		olines[i] = model.OrderLine{VariantID: l.Variant.ID, ProductID: l.Product.ID, Title: l.Product.Title,
			VariantTitle: l.Variant.Title, SKU: sku, Quantity: l.Line.Quantity, UnitPrice: l.Variant.Price,
			Subtotal: l.Totals.Subtotal, Discount: l.Totals.Discount, Total: l.Totals.Total, VAT: l.Totals.VAT}
	}
	ev := &model.OrderEvent{Kind: model.OrderEventPlaced, ToStatus: string(model.OrderPendingPayment),
		Message: "order placed", Actor: actorOf(ctx), CreatedAt: now}
	if order.Total == 0 {
		// Nothing to pay (codes took it all): paid at once, or it would
		// wait for a payment that cannot start and expire.
		order.Status, order.FinancialStatus, order.PaidAt, order.PayBy = model.OrderPaid, model.FinancialPaid, &now, nil
		ev.ToStatus, ev.Message = string(model.OrderPaid), "order placed, with nothing to pay"
	}
	if err := tx.CreateOrder(ctx, order, olines, ev); err != nil {
		return nil, err
	}

	// Discount uses: a conditional update per code, so a code limited to N
	// uses is never used N+1 times however many checkouts race.
	buyer := BuyerKey(c)
	// In ID order, like the stock: two carts with the same codes typed in
	// opposite orders lock the codes' rows in the same order.
	slices.SortFunc(q.Discounts, func(a, b *model.Discount) int { return cmp.Compare(a.ID, b.ID) })
	for _, d := range q.Discounts {
		ok, err := tx.UseDiscount(ctx, d.ID, buyer, order.ID, now)
		if err != nil {
			return nil, err
		}
		if ok && d.PerCustomerLimit != nil && buyer != "" {
			n, err := tx.CountDiscountUsesLocked(ctx, d.ID, buyer)
			if err != nil {
				return nil, err
			}
			ok = n <= *d.PerCustomerLimit
		}
		if !ok {
			return nil, &model.Error{Code: model.CodeDiscountUnavailable, Field: []string{"cartId"},
				Message: fmt.Sprintf("the code %s has just been used up; remove it from the cart and try again", d.Code)}
		}
	}
	if err := tx.MarkCartCompleted(ctx, c.ID, now); err != nil {
		return nil, err
	}
	return order, nil
}

// stockLines are the quantities the quoted lines take.
func stockLines(lines []QuotedLine) []store.StockLine {
	out := make([]store.StockLine, len(lines))
	for i, l := range lines {
		out[i] = store.StockLine{VariantID: l.Line.VariantID, Quantity: l.Line.Quantity}
	}
	return out
}

// actorOf names the caller for an order's history: as the inventory
// ledger names them (model.ActorOf), and a shopper without an account as
// "guest".
func actorOf(ctx context.Context) string {
	v := model.ViewerFrom(ctx)
	if v == nil || v.Kind == model.ViewerAnonymous {
		return "guest"
	}
	return model.ActorOf(v)
}

// DefaultPayWithin is how long an order waits for payment before it
// expires and its stock goes back.
const DefaultPayWithin = 60 * time.Minute

func allAre(xs []string, x string) bool {
	for _, y := range xs {
		if y != x {
			return false
		}
	}
	return true
}
