package main

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/langran/langran/model"
)

// The checkout half of the baseline: cartCreate, cartBuyerIdentityUpdate
// (answering the cart's deliveryOptions), cartSelectedDeliveryOptionUpdate
// and checkoutComplete for guests, written straight against Langran's
// tables with database/sql, so that the checkout benchmark can run the same
// purchases against both servers on one migrated database and check the
// same invariants afterwards. It keeps Langran's transaction semantics (the
// cart's row lock, the idempotency key, a conditional stock take per
// variant in ID order, delivery priced again, the order with snapshot lines
// and its first event, the cart marked checked out, all in one transaction
// run again whole on a deadlock) and leaves out everything else: GraphQL,
// authentication, limits, logging, discount codes, signed-in customers and
// shipping providers other than the zone and rate tables (shipping.go).
//
// The pure formats and rules it shares with Langran come from model (global
// IDs, cart keys, the idempotency key's hash, minor units as decimals, the
// address's JSON, which zone an address falls in), so that the rows the two
// write can be compared column by column; the pricing (a rate's price, VAT
// extraction and its sharing between delivery and lines) is written here.

// vatRate is Thailand's 7 %, in basis points.
const vatRate = 700

// maxTxAttempts bounds how often a checkout transaction runs (Langran: 5).
const maxTxAttempts = 5

// checkoutOperation answers one of the three purchase mutations, named by
// the request's operationName, and returns the response's data. It reads
// the variables by the names the load generator gives them (bench/purchase.go).
func (s *pageServer) checkoutOperation(ctx context.Context, op string, vars json.RawMessage) (any, int, error) {
	switch op {
	case "CartCreate":
		var v struct {
			Input struct {
				Lines []struct {
					MerchandiseID string `json:"merchandiseId"`
					Quantity      *int   `json:"quantity"`
				} `json:"lines"`
				BuyerIdentity *buyerInput `json:"buyerIdentity"`
			} `json:"input"`
		}
		if err := json.Unmarshal(vars, &v); err != nil {
			return nil, 0, errBadRequest
		}
		lines := make([]lineInput, len(v.Input.Lines))
		for i, l := range v.Input.Lines {
			lines[i] = lineInput{id: l.MerchandiseID, quantity: 1}
			if l.Quantity != nil {
				lines[i].quantity = *l.Quantity
			}
		}
		id, n, uerr, err := s.createCart(ctx, lines, v.Input.BuyerIdentity)
		return map[string]any{"cartCreate": cartPayload(id, uerr)}, n, err
	case "CartBuyerIdentityUpdate":
		var v struct {
			CartID string     `json:"cartId"`
			Buyer  buyerInput `json:"buyer"`
		}
		if err := json.Unmarshal(vars, &v); err != nil {
			return nil, 0, errBadRequest
		}
		n, uerr, err := s.setBuyer(ctx, v.CartID, v.Buyer)
		if uerr != nil || err != nil {
			return map[string]any{"cartBuyerIdentityUpdate": cartPayload("", uerr)}, n, err
		}
		// The storefront shows the delivery options once it has the address.
		opts, m, err := s.cartDeliveryOptions(ctx, v.CartID)
		p := cartPayload(v.CartID, nil)
		p["cart"].(map[string]any)["deliveryOptions"] = opts
		return map[string]any{"cartBuyerIdentityUpdate": p}, n + m, err
	case "CartSelectedDeliveryOptionUpdate":
		var v struct {
			CartID string `json:"cartId"`
			Handle string `json:"handle"`
		}
		if err := json.Unmarshal(vars, &v); err != nil {
			return nil, 0, errBadRequest
		}
		n, uerr, err := s.selectDelivery(ctx, v.CartID, v.Handle)
		return map[string]any{"cartSelectedDeliveryOptionUpdate": cartPayload(v.CartID, uerr)}, n, err
	case "CheckoutComplete":
		var v struct {
			CartID         string `json:"cartId"`
			IdempotencyKey string `json:"key"`
		}
		if err := json.Unmarshal(vars, &v); err != nil {
			return nil, 0, errBadRequest
		}
		o, n, uerr, err := s.completeCheckout(ctx, v.CartID, v.IdempotencyKey)
		p := map[string]any{"order": nil, "userErrors": userErrors(uerr)}
		if o != nil {
			p["order"] = map[string]any{"id": model.EncodeGlobalID(model.TypeOrder, o.id),
				"number": strconv.FormatInt(o.id+1000, 10), "total": map[string]string{"amount": formatAmount(o.total, o.currency)}}
		}
		return map[string]any{"checkoutComplete": p}, n, err
	}
	return nil, 0, fmt.Errorf("%w: unknown operation %q", errBadRequest, op)
}

var errBadRequest = errors.New("the body is not a request the baseline knows")

// userError is an expected failure, answered in userErrors.
type userError struct {
	code    string
	message string
}

func userErrors(e *userError) []any {
	if e == nil {
		return []any{}
	}
	return []any{map[string]string{"code": e.code, "message": e.message}}
}

func cartPayload(id string, e *userError) map[string]any {
	p := map[string]any{"cart": nil, "userErrors": userErrors(e)}
	if e == nil && id != "" {
		p["cart"] = map[string]any{"id": id}
	}
	return p
}

type lineInput struct {
	id       string
	quantity int
}

type buyerInput struct {
	Email           *string       `json:"email"`
	Phone           *string       `json:"phone"`
	DeliveryAddress *addressInput `json:"deliveryAddress"`
}

type addressInput struct {
	FirstName, LastName, Company, Address1, Address2, City, Province, Zip, Country, Phone string
}

// buyerColumns are a buyer's cart columns, checked.
type buyerColumns struct {
	email, phone, country, address string
}

func checkBuyer(b *buyerInput) (buyerColumns, *userError) {
	var out buyerColumns
	if b == nil {
		return out, nil
	}
	if b.Email != nil {
		out.email = strings.TrimSpace(*b.Email)
		if _, ok := model.NormalizeEmail(out.email); out.email != "" && !ok {
			return out, &userError{"INVALID", "email is not a valid address"}
		}
	}
	if b.Phone != nil {
		out.phone = strings.TrimSpace(*b.Phone)
		if len(out.phone) > 32 || strings.ContainsFunc(out.phone, func(r rune) bool { return !(r >= '0' && r <= '9' || r == '+' || r == ' ' || r == '-') }) {
			return out, &userError{"INVALID", "phone must be digits"}
		}
	}
	if a := b.DeliveryAddress; a != nil {
		if a.Country == "TH" && (len(a.Zip) != 5 || strings.ContainsFunc(a.Zip, func(r rune) bool { return r < '0' || r > '9' })) {
			return out, &userError{"INVALID", "a Thai zip has 5 digits"}
		}
		// The same JSON as Langran stores, so the orders compare equal.
		j, err := json.Marshal(model.MailingAddress{FirstName: a.FirstName, LastName: a.LastName, Company: a.Company,
			Address1: a.Address1, Address2: a.Address2, City: a.City, Province: a.Province, Zip: a.Zip,
			Country: a.Country, Phone: a.Phone})
		if err != nil {
			return out, &userError{"INVALID", "bad address"}
		}
		out.address, out.country = string(j), a.Country
	}
	return out, nil
}

// now is Langran's clock: whole seconds in UTC.
func now() time.Time { return time.Now().UTC().Truncate(time.Second) }

// createCart checks the lines (known variants of active products, 1 to 999
// each, variants merged) and inserts the cart and its lines in one
// transaction: three statements.
func (s *pageServer) createCart(ctx context.Context, in []lineInput, buyer *buyerInput) (string, int, *userError, error) {
	n := 0
	qty := map[int64]int{}
	var ids []any
	for _, l := range in {
		id, err := model.DecodeGlobalIDOf(l.id, model.TypeProductVariant)
		if err != nil {
			return "", n, &userError{"INVALID", "merchandiseId is not a variant ID"}, nil
		}
		if l.quantity < 1 || l.quantity > model.MaxLineQuantity {
			return "", n, &userError{"INVALID", "quantity must be between 1 and 999"}, nil
		}
		if _, ok := qty[id]; !ok {
			ids = append(ids, id)
		}
		if qty[id] += l.quantity; qty[id] > model.MaxLineQuantity {
			return "", n, &userError{"INVALID", "a line may hold at most 999"}, nil
		}
	}
	if len(ids) > model.MaxCartLines {
		return "", n, &userError{"LIMIT_EXCEEDED", "too many lines"}, nil
	}
	b, uerr := checkBuyer(buyer)
	if uerr != nil {
		return "", n, uerr, nil
	}
	if len(ids) > 0 {
		n++
		var found int
		err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM product_variants v JOIN products p ON p.id = v.product_id
			WHERE v.id IN (`+placeholders(len(ids))+`) AND p.status = 'ACTIVE'`, ids...).Scan(&found)
		if err != nil {
			return "", n, nil, err
		}
		if found != len(ids) {
			return "", n, &userError{"NOT_FOUND", "merchandiseId is not a variant for sale"}, nil
		}
	}
	key, t := model.NewCartKey(), now()
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		n++
		res, err := tx.ExecContext(ctx, `INSERT INTO carts (cart_key, email, phone, country_code, delivery_address, note,
			discount_codes, delivery_option, status, created_at, updated_at, expires_at) VALUES (?, ?, ?, ?, ?, '', '', '', 'ACTIVE', ?, ?, ?)`,
			key, b.email, b.phone, b.country, b.address, t, t, t.Add(model.CartLifetime))
		if err != nil {
			return err
		}
		cartID, err := res.LastInsertId()
		if err != nil || len(ids) == 0 {
			return err
		}
		args := make([]any, 0, 5*len(ids))
		for _, id := range ids {
			args = append(args, cartID, id, qty[id.(int64)], t, t)
		}
		n++
		_, err = tx.ExecContext(ctx, `INSERT INTO cart_lines (cart_id, variant_id, quantity, created_at, updated_at) VALUES `+
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?),", len(ids)), ","), args...)
		return err
	})
	if err != nil {
		return "", n, nil, err
	}
	return model.EncodeCartID(key), n, nil, nil
}

// setBuyer sets a guest cart's email, phone and address with one
// conditional UPDATE: the cart must be active and not expired.
func (s *pageServer) setBuyer(ctx context.Context, cartID string, buyer buyerInput) (int, *userError, error) {
	key, err := model.DecodeCartID(cartID)
	if err != nil {
		return 0, &userError{"INVALID", "invalid cart ID"}, nil
	}
	b, uerr := checkBuyer(&buyer)
	if uerr != nil {
		return 0, uerr, nil
	}
	set := []string{"updated_at = ?", "expires_at = ?"}
	t := now()
	args := []any{t, t.Add(model.CartLifetime)}
	if buyer.Email != nil {
		set, args = append(set, "email = ?"), append(args, b.email)
	}
	if buyer.Phone != nil {
		set, args = append(set, "phone = ?"), append(args, b.phone)
	}
	if buyer.DeliveryAddress != nil {
		set, args = append(set, "delivery_address = ?", "country_code = IF(country_code = '', ?, country_code)"), append(args, b.address, b.country)
	}
	args = append(args, key, t)
	res, err := s.db.ExecContext(ctx, "UPDATE carts SET "+strings.Join(set, ", ")+
		" WHERE cart_key = ? AND status = 'ACTIVE' AND expires_at > ?", args...)
	if err != nil {
		return 1, nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 1, &userError{"NOT_FOUND", "no such cart: it may have expired"}, err
	}
	return 1, nil, nil
}

// cartGoods reads what delivery is priced on for an active, unexpired
// cart: its address and the lines of variants for sale, joined to their
// prices and weights, in one statement. ok is false when there is no such
// cart, or it has no lines or no address.
func (s *pageServer) cartGoods(ctx context.Context, key string) (cartID int64, g goods, ok bool, err error) {
	rows, err := s.db.QueryContext(ctx, `SELECT c.id, c.delivery_address, l.quantity, v.price, v.currency, COALESCE(v.weight_grams, 0)
		FROM carts c JOIN cart_lines l ON l.cart_id = c.id JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
		WHERE c.cart_key = ? AND c.status = 'ACTIVE' AND c.expires_at > ? AND c.customer_id IS NULL AND p.status = 'ACTIVE' ORDER BY l.id`, key, now())
	if err != nil {
		return 0, g, false, err
	}
	var address string
	var lines []pricedLine
	for rows.Next() {
		var l pricedLine
		if err := rows.Scan(&cartID, &address, &l.quantity, &l.price, &l.currency, &l.weight); err != nil {
			rows.Close()
			return 0, g, false, err
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil || len(lines) == 0 || address == "" {
		return 0, g, false, err
	}
	var a model.MailingAddress
	if err := json.Unmarshal([]byte(address), &a); err != nil {
		return 0, g, false, err
	}
	return cartID, goodsOf(a, lines), true, nil
}

// cartDeliveryOptions answers a cart's deliveryOptions { handle }: none
// without lines or an address.
func (s *pageServer) cartDeliveryOptions(ctx context.Context, cartID string) ([]any, int, error) {
	out := []any{}
	key, err := model.DecodeCartID(cartID)
	if err != nil {
		return out, 0, nil
	}
	_, g, ok, err := s.cartGoods(ctx, key)
	if err != nil || !ok {
		return out, 1, err
	}
	opts, n, err := deliveryOptions(ctx, s.db, g)
	for _, o := range opts {
		out = append(out, map[string]string{"handle": o.handle})
	}
	return out, 1 + n, err
}

// selectDelivery chooses the cart's delivery option: one of the options
// for the cart as it is now (checked before the write, as Langran checks
// it before taking the cart's lock), stored with one conditional UPDATE of
// the active, unexpired cart.
func (s *pageServer) selectDelivery(ctx context.Context, cartID, handle string) (int, *userError, error) {
	key, err := model.DecodeCartID(cartID)
	if err != nil {
		return 0, &userError{"INVALID", "invalid cart ID"}, nil
	}
	if handle == "" || len(handle) > 64 {
		return 0, &userError{"INVALID", "a delivery option's handle is 1 to 64 characters"}, nil
	}
	n := 1
	_, g, ok, err := s.cartGoods(ctx, key)
	if err != nil {
		return n, nil, err
	}
	if !ok {
		return n, &userError{"INVALID", "give the cart some lines and a delivery address first"}, nil
	}
	_, m, ok, err := chooseDelivery(ctx, s.db, g, handle)
	if n += m; err != nil {
		return n, nil, err
	}
	if !ok {
		return n, &userError{"NOT_FOUND", "no such delivery option for this cart"}, nil
	}
	t := now()
	n++
	res, err := s.db.ExecContext(ctx, `UPDATE carts SET delivery_option = ?, updated_at = ?, expires_at = ?
		WHERE cart_key = ? AND status = 'ACTIVE' AND expires_at > ?`, handle, t, t.Add(model.CartLifetime), key, t)
	if err != nil {
		return n, nil, err
	}
	if k, err := res.RowsAffected(); err != nil || k == 0 {
		return n, &userError{"NOT_FOUND", "no such cart: it may have expired"}, err
	}
	return n, nil, nil
}

// order is what checkoutComplete answers with.
type order struct {
	id       int64
	total    int64
	currency string
}

// pricedLine is a cart line joined to its variant and product.
type pricedLine struct {
	variantID, productID int64
	quantity             int
	price                int64
	currency             string
	sku                  sql.NullString
	variantTitle, title  string
	active               bool
	canSell              bool
	weight               int64 // grams, 0 when the variant has none
	subtotal, vat        int64
}

// completeCheckout is Langran's checkoutComplete for a guest cart without
// discount codes, in one transaction retried whole on a
// deadlock or lock wait timeout.
func (s *pageServer) completeCheckout(ctx context.Context, cartID, idemKey string) (*order, int, *userError, error) {
	key, err := model.DecodeCartID(cartID)
	if err != nil {
		return nil, 0, &userError{"INVALID", "invalid cart ID"}, nil
	}
	if idemKey == "" || len(idemKey) > model.MaxIdempotencyKey {
		return nil, 0, &userError{"INVALID", "idempotencyKey must be 1 to 255 characters"}, nil
	}
	hash := model.HashIdempotencyKey(idemKey)
	n := 0
	for attempt := 1; ; attempt++ {
		var o *order
		var uerr *userError
		err := s.inTx(ctx, func(tx *sql.Tx) error {
			var m int
			var err error
			o, m, uerr, err = s.complete(ctx, tx, key, hash)
			n += m
			if uerr != nil && err == nil {
				return errRollback
			}
			return err
		})
		if errors.Is(err, errRollback) {
			return nil, n, uerr, nil
		}
		var myErr *mysql.MySQLError
		if errors.As(err, &myErr) && myErr.Number == 1062 && o == nil {
			// Another checkout inserted an order with this key first.
			n++
			var cart int64
			var prior order
			if err := s.db.QueryRowContext(ctx, `SELECT o.id, o.total, o.currency, o.cart_id FROM orders o WHERE o.idempotency_key = ?`, hash).
				Scan(&prior.id, &prior.total, &prior.currency, &cart); err != nil {
				return nil, n, nil, err
			}
			n++
			var mine int64
			if err := s.db.QueryRowContext(ctx, "SELECT id FROM carts WHERE cart_key = ?", key).Scan(&mine); err == nil && mine == cart {
				return &prior, n, nil, nil
			}
			return nil, n, &userError{"IDEMPOTENCY_KEY_REUSED", "this idempotency key was used to check out another cart"}, nil
		}
		if err == nil || attempt == maxTxAttempts || !errors.As(err, &myErr) || (myErr.Number != 1213 && myErr.Number != 1205) {
			return o, n, nil, err
		}
		select {
		case <-ctx.Done():
			return nil, n, nil, ctx.Err()
		case <-time.After(time.Duration(1+rand.IntN(4*attempt)) * time.Millisecond):
		}
	}
}

// errRollback ends a transaction that found a userError.
var errRollback = errors.New("rollback")

func (s *pageServer) complete(ctx context.Context, tx *sql.Tx, key, hash string) (*order, int, *userError, error) {
	n := 1
	var (
		cartID                                int64
		status, email, phone, address, option string
		note                                  string
		customer                              sql.NullInt64
		expires                               time.Time
	)
	err := tx.QueryRowContext(ctx, `SELECT id, status, email, phone, delivery_address, delivery_option, note, customer_id, expires_at
		FROM carts WHERE cart_key = ? FOR UPDATE`, key).Scan(&cartID, &status, &email, &phone, &address, &option, &note, &customer, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, n, &userError{"NOT_FOUND", "no such cart: it may have expired"}, nil
	}
	if err != nil {
		return nil, n, nil, err
	}
	// The key first: a retry of a checkout that succeeded gets its order.
	n++
	var prior order
	var priorCart int64
	err = tx.QueryRowContext(ctx, "SELECT id, total, currency, cart_id FROM orders WHERE idempotency_key = ?", hash).
		Scan(&prior.id, &prior.total, &prior.currency, &priorCart)
	switch {
	case err == nil && priorCart == cartID:
		return &prior, n, nil, nil
	case err == nil:
		return nil, n, &userError{"IDEMPOTENCY_KEY_REUSED", "this idempotency key was used to check out another cart"}, nil
	case !errors.Is(err, sql.ErrNoRows):
		return nil, n, nil, err
	}
	t := now()
	switch {
	case status == "COMPLETED":
		return nil, n, &userError{"ALREADY_CHECKED_OUT", "the cart has been checked out already"}, nil
	case status != "ACTIVE" || !t.Before(expires) || customer.Valid:
		return nil, n, &userError{"NOT_FOUND", "no such cart: it may have expired"}, nil
	}

	// The lines with their variants' prices and stock, read in the
	// transaction.
	n++
	rows, err := tx.QueryContext(ctx, `SELECT l.variant_id, l.quantity, v.product_id, v.price, v.currency, v.sku, v.title, p.title,
			COALESCE(v.weight_grams, 0), p.status = 'ACTIVE', (v.inventory_tracked = FALSE OR v.allow_backorder = TRUE OR v.inventory_quantity - v.inventory_committed >= l.quantity)
		FROM cart_lines l JOIN product_variants v ON v.id = l.variant_id JOIN products p ON p.id = v.product_id
		WHERE l.cart_id = ? ORDER BY l.id`, cartID)
	if err != nil {
		return nil, n, nil, err
	}
	var lines []pricedLine
	for rows.Next() {
		var l pricedLine
		if err := rows.Scan(&l.variantID, &l.quantity, &l.productID, &l.price, &l.currency, &l.sku, &l.variantTitle, &l.title, &l.weight, &l.active, &l.canSell); err != nil {
			rows.Close()
			return nil, n, nil, err
		}
		lines = append(lines, l)
	}
	if err := rows.Err(); err != nil {
		return nil, n, nil, err
	}
	var problems []string
	outOfStock := 0
	for _, l := range lines {
		switch {
		case !l.active:
			problems = append(problems, "MERCHANDISE_NOT_FOUND")
		case !l.canSell:
			problems = append(problems, "OUT_OF_STOCK")
			outOfStock++
		}
	}
	if len(lines) == 0 {
		problems = append(problems, "EMPTY_CART")
	}
	if _, ok := model.NormalizeEmail(email); !ok {
		problems = append(problems, "MISSING_EMAIL")
	}
	// Delivery, priced in the transaction: the baseline asks no carrier,
	// only the tables, so it needs no snapshot taken before the locks.
	var delivery deliveryOption
	if address == "" {
		problems = append(problems, "MISSING_DELIVERY_ADDRESS")
	} else if len(lines) > 0 {
		var a model.MailingAddress
		if err := json.Unmarshal([]byte(address), &a); err != nil {
			return nil, n, nil, err
		}
		var forSale []pricedLine
		for _, l := range lines {
			if l.active {
				forSale = append(forSale, l)
			}
		}
		ok := false
		if option != "" {
			var m int
			delivery, m, ok, err = chooseDelivery(ctx, tx, goodsOf(a, forSale), option)
			if n += m; err != nil {
				return nil, n, nil, err
			}
		}
		switch {
		case option == "" && s.deliveryRequired:
			problems = append(problems, "DELIVERY_OPTION_NOT_SELECTED")
		case option == "":
		case !ok:
			problems = append(problems, "DELIVERY_OPTION_NOT_AVAILABLE")
		}
	}
	if len(problems) > 0 {
		code := "CART_NOT_READY"
		if outOfStock == len(problems) {
			code = "OUT_OF_STOCK"
		}
		return nil, n, &userError{code, "the cart cannot be checked out: " + strings.Join(problems, ", ")}, nil
	}
	currency, total, vat := priceLines(lines, delivery.amount)
	subtotal := total - delivery.amount

	// The stock: one conditional UPDATE per variant, in ID order.
	byVariant := slices.Clone(lines)
	slices.SortFunc(byVariant, func(a, b pricedLine) int { return int(a.variantID - b.variantID) })
	for _, l := range byVariant {
		n++
		res, err := tx.ExecContext(ctx, `UPDATE product_variants SET inventory_committed = inventory_committed + ?, updated_at = ?
			WHERE id = ? AND (inventory_tracked = FALSE OR allow_backorder = TRUE OR inventory_quantity - inventory_committed >= ?)`,
			l.quantity, t, l.variantID, l.quantity)
		if err != nil {
			return nil, n, nil, err
		}
		if k, err := res.RowsAffected(); err != nil || k == 0 {
			return nil, n, &userError{"OUT_OF_STOCK", "an item sold out meanwhile"}, err
		}
	}

	n++
	res, err := tx.ExecContext(ctx, `INSERT INTO orders (access_key, customer_id, cart_id, idempotency_key, email, phone, status,
			currency, subtotal, discount, shipping, shipping_off, total, vat, vat_rate, discount_codes, delivery_address,
			delivery_option, delivery_title, note, carrier, tracking_number, created_at, updated_at, pay_by)
		VALUES (?, NULL, ?, ?, ?, ?, 'PENDING_PAYMENT', ?, ?, 0, ?, 0, ?, ?, ?, '', ?, ?, ?, ?, '', '', ?, ?, ?)`,
		model.NewCartKey(), cartID, hash, strings.ToLower(email), phone, currency, subtotal, delivery.amount, total, vat, vatRate,
		address, delivery.handle, delivery.title, note, t, t, t.Add(s.payWithin))
	if err != nil {
		return nil, n, nil, err
	}
	orderID, err := res.LastInsertId()
	if err != nil {
		return nil, n, nil, err
	}
	args := make([]any, 0, 12*len(lines))
	for _, l := range lines {
		args = append(args, orderID, l.variantID, l.productID, l.title, l.variantTitle, l.sku.String, l.quantity,
			l.price, l.subtotal, 0, l.subtotal, l.vat)
	}
	n++
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_lines (order_id, variant_id, product_id, title, variant_title, sku, quantity,
			unit_price, subtotal, discount, total, vat) VALUES `+
		strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),", len(lines)), ","), args...); err != nil {
		return nil, n, nil, err
	}
	n++
	if _, err := tx.ExecContext(ctx, `INSERT INTO order_events (order_id, kind, from_status, to_status, message, actor, created_at)
		VALUES (?, 'PLACED', '', 'PENDING_PAYMENT', 'order placed', 'guest', ?)`, orderID, t); err != nil {
		return nil, n, nil, err
	}
	n++
	if _, err := tx.ExecContext(ctx, "UPDATE carts SET status = 'COMPLETED', updated_at = ? WHERE id = ?", t, cartID); err != nil {
		return nil, n, nil, err
	}
	return &order{id: orderID, total: total, currency: currency}, n, nil, nil
}

// priceLines sets each line's subtotal and VAT share and returns the
// currency, the total (the lines plus shipping) and its VAT. The VAT is
// taken out of the total once, rounded half up (total × 700 / 10700), and
// shared by largest remainder (ties to the earlier share): first between
// the goods and the delivery, then the goods' part among the lines in
// proportion to their amounts, so the shares add up to it exactly.
func priceLines(lines []pricedLine, shipping int64) (currency string, total, vat int64) {
	currency = "THB"
	amounts := make([]int64, len(lines))
	var goods int64
	for i := range lines {
		lines[i].subtotal = lines[i].price * int64(lines[i].quantity)
		amounts[i] = lines[i].subtotal
		goods += lines[i].subtotal
		currency = lines[i].currency
	}
	shipping = max(shipping, 0)
	total = goods + shipping
	const den = 10000 + vatRate
	vat = (total*vatRate*2 + den) / (2 * den)
	goodsVAT := vat
	if total > 0 {
		goodsVAT = share(vat, []int64{goods, shipping})[0]
	}
	for i, v := range share(goodsVAT, amounts) {
		lines[i].vat = v
	}
	return currency, total, vat
}

// share divides a non-negative amount among weights in proportion, by
// largest remainder (ties to the earlier weight); all of it to the first
// when the weights sum to nothing.
func share(amount int64, weights []int64) []int64 {
	parts := make([]int64, len(weights))
	var sum int64
	for _, w := range weights {
		sum += w
	}
	if len(weights) == 0 {
		return parts
	}
	if sum <= 0 {
		parts[0] = amount
		return parts
	}
	type rem struct {
		i int
		r int64
	}
	rems := make([]rem, len(weights))
	var given int64
	for i, w := range weights {
		parts[i] = amount * w / sum
		given += parts[i]
		rems[i] = rem{i, amount * w % sum}
	}
	slices.SortStableFunc(rems, func(a, b rem) int { return cmp.Compare(b.r, a.r) })
	for k := int64(0); k < amount-given; k++ {
		parts[rems[k].i]++
	}
	return parts
}

// inTx runs fn in a transaction, committing when it returns nil.
func (s *pageServer) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	return tx.Commit()
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// serveCheckout answers a purchase mutation in the shape Langran answers it.
func (s *pageServer) serveCheckout(w http.ResponseWriter, r *http.Request, op string, vars json.RawMessage) {
	data, statements, err := s.checkoutOperation(r.Context(), op, vars)
	s.requests.Add(1)
	s.statements.Add(int64(statements))
	w.Header().Set("X-SQL-Statements", strconv.Itoa(statements))
	if errors.Is(err, errBadRequest) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if err != nil {
		s.errors.Add(1)
		writeError(w, http.StatusInternalServerError, "internal error: "+err.Error())
		return
	}
	body, err := json.Marshal(map[string]any{"data": data})
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	_, _ = w.Write(body)
}
