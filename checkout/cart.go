// Package checkout is the shopper's side of buying: carts (their lines,
// buyer, discount codes and price) and the one transaction that turns a
// cart into an order. A change to a cart's lines happens under the cart's
// row lock, in a transaction, and is checked against the catalog as it is
// then; a change of the cart's own fields (the buyer, the note, the codes,
// the delivery option) is one UPDATE conditional on the cart's version, so
// it too applies to the cart as it was read, or is read and made again.
package checkout

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Options configure the service.
type Options struct {
	Now func() time.Time
	VAT model.VATSchedule
	// PayWithin is how long an order may stay unpaid before it expires
	// (DefaultPayWithin when zero).
	PayWithin time.Duration
	// Delivery quotes delivery options; without it carts have none and
	// need none.
	Delivery Delivery
	// DeliveryOptional lets a cart with a delivery address check out
	// without choosing a delivery option (a shop of downloads or of
	// pick-up in store); the options are still offered.
	DeliveryOptional bool
}

// Service runs carts and checkout.
type Service struct {
	st        *store.Store
	now       func() time.Time
	vat       model.VATSchedule
	payWithin time.Duration
	delivery  Delivery
	optional  bool
}

// New returns the service over st.
func New(st *store.Store, o Options) *Service {
	if o.Now == nil {
		o.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	}
	if len(o.VAT) == 0 {
		o.VAT = model.ThaiVAT
	}
	if o.PayWithin <= 0 {
		o.PayWithin = DefaultPayWithin
	}
	return &Service{st: st, now: o.Now, vat: o.VAT, payWithin: o.PayWithin, delivery: o.Delivery, optional: o.DeliveryOptional}
}

// LineInput is a variant and a quantity to add.
type LineInput struct {
	VariantID int64
	Quantity  int
}

// LineUpdate sets a line's quantity; 0 removes it.
type LineUpdate struct {
	LineID   int64
	Quantity int
}

// BuyerInput changes who is buying; nil fields stay.
type BuyerInput struct {
	Email           *string
	Phone           *string
	CountryCode     *string
	DeliveryAddress *model.MailingAddress
	// CustomerID attaches the cart to a signed-in customer (the resolver
	// authenticates the token or the request).
	CustomerID *int64
}

// CartInput is a new cart's contents.
type CartInput struct {
	Lines         []LineInput
	Buyer         *BuyerInput
	DiscountCodes []string
	Note          *string
}

// errCartGone is the answer for an unknown or expired cart.
func errCartGone(field string) error {
	return &model.Error{Code: model.CodeNotFound, Field: []string{field}, Message: "no such cart: it may have expired"}
}

// ownedByOther reports whether the cart belongs to a customer other than
// the signed-in caller. Such a cart is treated as if it did not exist: a
// cart ID that leaked is still no way into another customer's cart while
// signed in as someone else.
func ownedByOther(ctx context.Context, c *model.Cart) bool {
	v := model.ViewerFrom(ctx)
	return v.Kind == model.ViewerCustomer && c.CustomerID != nil && *c.CustomerID != v.ID
}

// Usable reports whether the caller may read and change the cart now: it is
// active, not expired, and not another customer's.
func (s *Service) Usable(ctx context.Context, c *model.Cart) bool {
	return c.Status == model.CartActive && s.now().Before(c.ExpiresAt) && !ownedByOther(ctx, c)
}

// Cart returns the cart with key, nil when there is none the caller may use
// (unknown, expired, merged, checked out, or another customer's).
func (s *Service) Cart(ctx context.Context, key string) (*model.Cart, error) {
	c, err := s.st.FindCartByKey(ctx, key)
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && !s.Usable(ctx, c)) {
		return nil, nil
	}
	return c, err
}

// CustomerCart returns the customer's current cart, nil when they have none.
func (s *Service) CustomerCart(ctx context.Context, customerID int64) (*model.Cart, error) {
	c, err := s.st.FindActiveCartOfCustomer(ctx, customerID, s.now())
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	return c, err
}

// PruneCarts deletes carts that expired (or were merged and then expired),
// in batches, and returns how many went. Checked-out carts stay: their
// orders point at them.
func (s *Service) PruneCarts(ctx context.Context) (int64, error) {
	var total int64
	for {
		n, err := s.st.DeleteExpiredCarts(ctx, s.now(), pruneBatch)
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}

// pruneBatch is how many expired carts one delete removes.
const pruneBatch = 500

// Create makes a cart.
func (s *Service) Create(ctx context.Context, in CartInput) (*model.Cart, error) {
	now := s.now()
	c := &model.Cart{CartKey: model.NewCartKey(), Status: model.CartActive, CreatedAt: now, UpdatedAt: now,
		ExpiresAt: now.Add(model.CartLifetime)}
	lines, err := s.addLines(ctx, s.st, nil, in.Lines, []string{"input", "lines"})
	if err != nil {
		return nil, err
	}
	if in.Note != nil {
		if err := setNote(c, *in.Note, []string{"input", "note"}); err != nil {
			return nil, err
		}
	}
	if in.DiscountCodes != nil {
		if err := setCodes(c, in.DiscountCodes, []string{"input", "discountCodes"}); err != nil {
			return nil, err
		}
	}
	if in.Buyer != nil {
		if err := setBuyer(c, *in.Buyer, []string{"input", "buyerIdentity"}); err != nil {
			return nil, err
		}
	}
	for i := range lines {
		lines[i].CreatedAt, lines[i].UpdatedAt = now, now
	}
	if err := s.st.CreateCart(ctx, c, lines); err != nil {
		return nil, err
	}
	if c.CustomerID != nil {
		// A cart made signed in becomes the customer's current one; an older
		// one of theirs is merged into it.
		return s.change(ctx, c.CartKey, "input", func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
			return s.mergeCustomerCarts(ctx, tx, c, lines)
		})
	}
	return c, nil
}

// change runs fn on the cart with key, locked, and saves what it returns.
// field names the argument the cart came in, for errors.
func (s *Service) change(ctx context.Context, key, field string,
	fn func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error)) (*model.Cart, error) {
	var out *model.Cart
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		c, lines, err := tx.LockCart(ctx, key)
		if err := s.changeable(ctx, c, err, field); err != nil {
			return err
		}
		now := s.now()
		before := slices.Clone(lines)
		lines, err = fn(tx, c, lines)
		if err != nil {
			return err
		}
		c.UpdatedAt, c.ExpiresAt = now, now.Add(model.CartLifetime)
		if sameLines(before, lines) {
			// A change of the buyer, the note, the codes or the
			// delivery: the lines need no writes.
			c.Lines, out = lines, c
			return tx.SaveCartFields(ctx, c)
		}
		for i := range lines {
			if lines[i].ID == 0 {
				lines[i].CreatedAt = now
			}
			lines[i].UpdatedAt = now
		}
		if err := tx.SaveCart(ctx, c, lines); err != nil {
			return err
		}
		c.Lines, out = lines, c
		return nil
	})
	return out, err
}

// changeable returns why the cart a change read (c, or the read's error
// err) may not be changed by the caller, nil when it may: it is gone (or
// another customer's), or checked out. field names the argument the cart
// came in.
func (s *Service) changeable(ctx context.Context, c *model.Cart, err error, field string) error {
	switch {
	case model.ErrorCodeOf(err) == model.CodeNotFound:
		return errCartGone(field)
	case err != nil:
		return err
	case !ownedByOther(ctx, c) && c.Status == model.CartCompleted:
		return &model.Error{Code: model.CodeConflict, Field: []string{field}, Message: "the cart has been checked out"}
	case !s.Usable(ctx, c):
		return errCartGone(field)
	}
	return nil
}

// changeFields runs fn on the cart with key and saves the cart's own fields
// (the buyer, the note, the codes, the delivery option; never its lines)
// with one conditional UPDATE of the version it read: a read and a write,
// no transaction and no lock. When another change wrote first the UPDATE
// writes nothing, and the cart is read and fn run again; after a few such
// attempts it runs under the cart's lock instead (change), so it always
// ends. fn reads (never writes) through db, which is the store or, under
// the lock, the transaction, and may refuse with an error.
func (s *Service) changeFields(ctx context.Context, key, field string,
	fn func(db *store.Store, c *model.Cart, lines []model.CartLine) error) (*model.Cart, error) {
	for attempt := 1; attempt <= maxFieldAttempts; attempt++ {
		c, lines, err := s.st.FindCartWithLines(ctx, key)
		if err := s.changeable(ctx, c, err, field); err != nil {
			return nil, err
		}
		if err := fn(s.st, c, lines); err != nil {
			return nil, err
		}
		now := s.now()
		c.UpdatedAt, c.ExpiresAt = now, now.Add(model.CartLifetime)
		ok, err := s.st.SaveCartFieldsIf(ctx, c)
		switch {
		case err != nil && !store.Retryable(err):
			return nil, err
		case ok:
			c.Lines = lines
			return c, nil
		}
		// Another write came first, or a deadlock or a Galera
		// certification failure against a write through another node.
	}
	// Other changes keep getting there first: queue for the cart's lock
	// like a change of its lines.
	return s.change(ctx, key, field, func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
		return lines, fn(tx, c, lines)
	})
}

// maxFieldAttempts is how often changeFields reads and writes a cart that
// other changes keep getting to first before it takes the cart's lock.
const maxFieldAttempts = 3

// sameLines reports whether after holds the same lines as before, with the
// same quantities and seen prices.
func sameLines(before, after []model.CartLine) bool {
	return slices.EqualFunc(before, after, func(a, b model.CartLine) bool {
		return a.ID == b.ID && a.ID != 0 && a.Quantity == b.Quantity &&
			(a.SeenPrice == nil) == (b.SeenPrice == nil) && (a.SeenPrice == nil || *a.SeenPrice == *b.SeenPrice)
	})
}

// AddLines adds variants to the cart with key.
func (s *Service) AddLines(ctx context.Context, key string, in []LineInput) (*model.Cart, error) {
	return s.change(ctx, key, "cartId", func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
		return s.addLines(ctx, tx, lines, in, []string{"lines"})
	})
}

// addLines checks the new lines against the catalog as db sees it (the
// cart's transaction, when there is one: SQLite's pool is one connection)
// and merges them into lines: a variant already there gets the quantity
// added.
func (s *Service) addLines(ctx context.Context, db *store.Store, lines []model.CartLine, in []LineInput, field []string) ([]model.CartLine, error) {
	at := func(i int, name string) []string { return append(slices.Clone(field), fmt.Sprint(i), name) }
	ids := make([]int64, len(in))
	for i, l := range in {
		if l.Quantity < 1 || l.Quantity > model.MaxLineQuantity {
			return nil, model.InvalidField(at(i, "quantity"), "quantity must be between 1 and %d", model.MaxLineQuantity)
		}
		ids[i] = l.VariantID
	}
	forSale, err := variantsForSale(ctx, db, ids)
	if err != nil {
		return nil, err
	}
	for i, l := range in {
		v := forSale[l.VariantID]
		if v == nil {
			return nil, &model.Error{Code: model.CodeNotFound, Field: at(i, "merchandiseId"),
				Message: "merchandiseId is not a variant for sale"}
		}
		price := v.Price
		j := slices.IndexFunc(lines, func(x model.CartLine) bool { return x.VariantID == l.VariantID })
		if j < 0 {
			lines = append(lines, model.CartLine{VariantID: l.VariantID, Quantity: l.Quantity, SeenPrice: &price})
			continue
		}
		if lines[j].Quantity+l.Quantity > model.MaxLineQuantity {
			return nil, model.InvalidField(at(i, "quantity"), "a line may hold at most %d", model.MaxLineQuantity)
		}
		lines[j].Quantity += l.Quantity
		lines[j].SeenPrice = &price
	}
	if len(lines) > model.MaxCartLines {
		return nil, &model.Error{Code: model.CodeLimitExceeded, Field: field, Message: fmt.Sprintf("a cart may hold at most %d lines", model.MaxCartLines)}
	}
	return lines, nil
}

// variantsForSale returns the variants the storefront may sell, by ID:
// they exist and their product is visible.
func variantsForSale(ctx context.Context, db *store.Store, ids []int64) (map[int64]*model.ProductVariant, error) {
	out := map[int64]*model.ProductVariant{}
	if len(ids) == 0 {
		return out, nil
	}
	vs, ps, err := db.FindVariantsToSell(ctx, ids)
	if err != nil {
		return nil, err
	}
	visible := map[int64]bool{}
	for i := range ps {
		visible[ps[i].ID] = ps[i].VisibleInStorefront()
	}
	for i := range vs {
		if visible[vs[i].ProductID] {
			out[vs[i].ID] = &vs[i]
		}
	}
	return out, nil
}

// UpdateLines sets lines' quantities; 0 removes a line.
func (s *Service) UpdateLines(ctx context.Context, key string, in []LineUpdate) (*model.Cart, error) {
	return s.change(ctx, key, "cartId", func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
		// Changing a line accepts its price as it is now.
		var vids []int64
		for _, l := range lines {
			vids = append(vids, l.VariantID)
		}
		variants, err := tx.FindVariantsByIDs(ctx, vids)
		if err != nil {
			return nil, err
		}
		prices := map[int64]int64{}
		for _, v := range variants {
			prices[v.ID] = v.Price
		}
		for i, u := range in {
			j := slices.IndexFunc(lines, func(x model.CartLine) bool { return x.ID == u.LineID })
			if j >= 0 {
				if p, ok := prices[lines[j].VariantID]; ok {
					lines[j].SeenPrice = &p
				}
			}
			switch {
			case j < 0:
				return nil, &model.Error{Code: model.CodeNotFound, Field: []string{"lines", fmt.Sprint(i), "id"}, Message: "no such line in the cart"}
			case u.Quantity < 0 || u.Quantity > model.MaxLineQuantity:
				return nil, model.InvalidField([]string{"lines", fmt.Sprint(i), "quantity"}, "quantity must be between 0 and %d", model.MaxLineQuantity)
			case u.Quantity == 0:
				lines = slices.Delete(lines, j, j+1)
			default:
				lines[j].Quantity = u.Quantity
			}
		}
		return lines, nil
	})
}

// RemoveLines removes lines.
func (s *Service) RemoveLines(ctx context.Context, key string, lineIDs []int64) (*model.Cart, error) {
	return s.change(ctx, key, "cartId", func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
		for i, id := range lineIDs {
			j := slices.IndexFunc(lines, func(x model.CartLine) bool { return x.ID == id })
			if j < 0 {
				return nil, &model.Error{Code: model.CodeNotFound, Field: []string{"lineIds", fmt.Sprint(i)}, Message: "no such line in the cart"}
			}
			lines = slices.Delete(lines, j, j+1)
		}
		return lines, nil
	})
}

// SetDiscountCodes replaces the cart's codes.
func (s *Service) SetDiscountCodes(ctx context.Context, key string, codes []string) (*model.Cart, error) {
	return s.changeFields(ctx, key, "cartId", func(_ *store.Store, c *model.Cart, _ []model.CartLine) error {
		return setCodes(c, codes, []string{"discountCodes"})
	})
}

// SetDeliveryOption chooses the cart's delivery option by its handle, one
// of the cart's deliveryOptions. The option is checked against the cart as
// read, and stored only if the cart is still as read (changeFields), so a
// cart changed meanwhile is read and checked again. When every provider is
// the shop's own table, the tables are taken first (from memory, or read)
// and the option priced from them, reading nothing more; a carrier's
// provider is asked with no lock held, unless other changes of the same
// cart kept winning and the check runs under its lock.
func (s *Service) SetDeliveryOption(ctx context.Context, key, handle string) (*model.Cart, error) {
	field := []string{"handle"}
	if handle == "" || len(handle) > maxDeliveryHandle || !utf8.ValidString(handle) {
		return nil, model.InvalidField(field, "a delivery option's handle is 1 to %d characters", maxDeliveryHandle)
	}
	delivery, err := s.pricingDelivery(ctx)
	if err != nil {
		return nil, err
	}
	return s.changeFields(ctx, key, "cartId", func(db *store.Store, c *model.Cart, lines []model.CartLine) error {
		q, err := s.Quote(ctx, StoreCatalog{St: db, Delivery: delivery}, c, lines)
		if err != nil {
			return err
		}
		if q.ShippingRequest == nil {
			return &model.Error{Code: model.CodeInvalid, Field: field,
				Message: "give the cart some lines and a delivery address first: delivery options depend on them"}
		}
		if _, ok := delivery.Rate(ctx, *q.ShippingRequest, handle); !ok {
			return &model.Error{Code: model.CodeNotFound, Field: field, Message: "no such delivery option for this cart"}
		}
		c.DeliveryOption = handle
		return nil
	})
}

// maxDeliveryHandle is the longest delivery option handle a cart keeps.
const maxDeliveryHandle = 64

// SetNote sets the buyer's note.
func (s *Service) SetNote(ctx context.Context, key, note string) (*model.Cart, error) {
	return s.changeFields(ctx, key, "cartId", func(_ *store.Store, c *model.Cart, _ []model.CartLine) error {
		return setNote(c, note, []string{"note"})
	})
}

// SetBuyer changes who is buying. Attaching a customer makes the cart theirs
// and moves the lines of their other active cart into it, under the cart's
// lock; any other change of the buyer is a change of the cart's own fields.
func (s *Service) SetBuyer(ctx context.Context, key string, in BuyerInput) (*model.Cart, error) {
	if in.CustomerID == nil {
		return s.changeFields(ctx, key, "cartId", func(_ *store.Store, c *model.Cart, _ []model.CartLine) error {
			return setBuyer(c, in, []string{"buyerIdentity"})
		})
	}
	return s.change(ctx, key, "cartId", func(tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
		if c.CustomerID != nil && in.CustomerID != nil && *c.CustomerID != *in.CustomerID {
			return nil, &model.Error{Code: model.CodeForbidden, Field: []string{"buyerIdentity", "customerAccessToken"},
				Message: "the cart belongs to another customer"}
		}
		if err := setBuyer(c, in, []string{"buyerIdentity"}); err != nil {
			return nil, err
		}
		if in.CustomerID != nil {
			return s.mergeCustomerCarts(ctx, tx, c, lines)
		}
		return lines, nil
	})
}

// mergeCustomerCarts moves the lines of the customer's other active carts
// into c (quantities add up, capped at the limits) and marks those carts
// merged, so the customer has one cart across their devices.
func (s *Service) mergeCustomerCarts(ctx context.Context, tx *store.Store, c *model.Cart, lines []model.CartLine) ([]model.CartLine, error) {
	if c.Email == "" {
		// The receipt goes to the customer's address unless the buyer
		// gives another.
		cs, err := tx.FindCustomersByIDs(ctx, []int64{*c.CustomerID})
		if err != nil {
			return nil, err
		}
		if len(cs) == 1 {
			c.Email = cs[0].Email
		}
	}
	for {
		other, err := tx.FindOtherActiveCartOfCustomer(ctx, *c.CustomerID, c.ID, s.now())
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return lines, nil
		}
		if err != nil {
			return nil, err
		}
		oc, olines, err := tx.LockCartByID(ctx, other.ID)
		if err != nil {
			return nil, err
		}
		for _, ol := range olines {
			j := slices.IndexFunc(lines, func(x model.CartLine) bool { return x.VariantID == ol.VariantID })
			switch {
			case j >= 0:
				lines[j].Quantity = min(lines[j].Quantity+ol.Quantity, model.MaxLineQuantity)
			case len(lines) < model.MaxCartLines:
				lines = append(lines, model.CartLine{VariantID: ol.VariantID, Quantity: ol.Quantity, SeenPrice: ol.SeenPrice})
			}
		}
		if c.Email == "" {
			c.Email = oc.Email
		}
		oc.Status, oc.UpdatedAt = model.CartMerged, s.now()
		if err := tx.SaveCart(ctx, oc, nil); err != nil {
			return nil, err
		}
	}
}

func setNote(c *model.Cart, note string, field []string) error {
	if !utf8.ValidString(note) || utf8.RuneCountInString(note) > model.MaxCartNote {
		return model.InvalidField(field, "note must be text of at most %d characters", model.MaxCartNote)
	}
	c.Note = note
	return nil
}

func setCodes(c *model.Cart, codes []string, field []string) error {
	if len(codes) > model.MaxDiscountCodes {
		return &model.Error{Code: model.CodeLimitExceeded, Field: field, Message: fmt.Sprintf("at most %d discount codes", model.MaxDiscountCodes)}
	}
	var out []string
	for i, code := range codes {
		k := model.NormalizeDiscountCode(code)
		if k == "" || len(k) > model.MaxDiscountCode || strings.ContainsFunc(k, func(r rune) bool {
			return r <= ' ' || r == 0x7f || !utf8.ValidRune(r)
		}) {
			return model.InvalidField(append(slices.Clone(field), fmt.Sprint(i)), "a discount code is 1 to %d characters without spaces", model.MaxDiscountCode)
		}
		if !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	c.DiscountCodes = strings.Join(out, " ")
	return nil
}

func setBuyer(c *model.Cart, in BuyerInput, field []string) error {
	at := func(n string) []string { return append(slices.Clone(field), n) }
	if in.Email != nil {
		e := strings.TrimSpace(*in.Email)
		if e != "" {
			if _, ok := model.NormalizeEmail(e); !ok {
				return model.InvalidField(at("email"), "email is not a valid address")
			}
		}
		c.Email = e
	}
	if in.Phone != nil {
		p := strings.TrimSpace(*in.Phone)
		if len(p) > 32 || strings.ContainsFunc(p, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '+' || r == ' ' || r == '-') }) {
			return model.InvalidField(at("phone"), "phone must be digits, with an optional leading +")
		}
		c.Phone = p
	}
	if in.CountryCode != nil {
		cc := strings.ToUpper(strings.TrimSpace(*in.CountryCode))
		if cc != "" && (len(cc) != 2 || cc[0] < 'A' || cc[0] > 'Z' || cc[1] < 'A' || cc[1] > 'Z') {
			return model.InvalidField(at("countryCode"), "countryCode must be an ISO 3166-1 alpha-2 code such as TH")
		}
		c.CountryCode = cc
	}
	if in.DeliveryAddress != nil {
		b, err := json.Marshal(in.DeliveryAddress)
		if err != nil {
			return err
		}
		c.DeliveryAddress = string(b)
		if c.CountryCode == "" {
			c.CountryCode = in.DeliveryAddress.Country
		}
	}
	if in.CustomerID != nil {
		c.CustomerID = in.CustomerID
	}
	return nil
}

// DeliveryAddressOf returns the cart's delivery address, nil when none.
func DeliveryAddressOf(c *model.Cart) *model.MailingAddress {
	if c.DeliveryAddress == "" {
		return nil
	}
	var a model.MailingAddress
	if json.Unmarshal([]byte(c.DeliveryAddress), &a) != nil {
		return nil
	}
	return &a
}
