package main

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/langran/langran/model"
)

// A purchase is a list of steps, each one GraphQL mutation sent as a
// shopper's storefront would send it. The selections are small (IDs,
// userErrors, the order's number and total): the benchmark measures the
// writes, not the rendering of a cart.
type purchaseStep struct {
	name  string // as given to -steps
	op    string // the operationName; the baseline dispatches on it
	field string // the mutation's field in the response
	query string
	// vars returns the step's variables for purchase p.
	vars func(p *purchase) map[string]any
}

// purchaseSteps are the steps -steps may name. The buyer step asks for the
// cart's deliveryOptions, as a storefront does once it has an address, and
// the delivery step chooses the first (the cheapest) of them.
var purchaseSteps = []purchaseStep{
	{
		name: "create", op: "CartCreate", field: "cartCreate",
		query: `mutation CartCreate($input: CartInput) { cartCreate(input: $input) { cart { id } userErrors { code message } } }`,
		vars: func(p *purchase) map[string]any {
			lines := make([]any, len(p.lines))
			for i, l := range p.lines {
				lines[i] = map[string]any{"merchandiseId": model.EncodeGlobalID(model.TypeProductVariant, l.VariantID), "quantity": l.Quantity}
			}
			return map[string]any{"input": map[string]any{"lines": lines}}
		},
	},
	{
		name: "buyer", op: "CartBuyerIdentityUpdate", field: "cartBuyerIdentityUpdate",
		query: `mutation CartBuyerIdentityUpdate($cartId: ID!, $buyer: CartBuyerIdentityInput!) { cartBuyerIdentityUpdate(cartId: $cartId, buyerIdentity: $buyer) { cart { id deliveryOptions { handle } } userErrors { code message } } }`,
		vars: func(p *purchase) map[string]any {
			return map[string]any{"cartId": p.cartID, "buyer": map[string]any{
				"email": p.email, "phone": "0812345678",
				"deliveryAddress": map[string]any{"firstName": "Malee", "lastName": "Srisuk", "address1": "12 Sukhumvit Soi 11",
					"city": "Khlong Toei", "province": "Bangkok", "zip": "10110", "country": "TH", "phone": "0812345678"}}}
		},
	},
	{
		name: "delivery", op: "CartSelectedDeliveryOptionUpdate", field: "cartSelectedDeliveryOptionUpdate",
		query: `mutation CartSelectedDeliveryOptionUpdate($cartId: ID!, $handle: String!) { cartSelectedDeliveryOptionUpdate(cartId: $cartId, handle: $handle) { cart { id } userErrors { code message } } }`,
		vars: func(p *purchase) map[string]any {
			return map[string]any{"cartId": p.cartID, "handle": p.deliveryHandle}
		},
	},
	{
		name: "checkout", op: "CheckoutComplete", field: "checkoutComplete",
		query: `mutation CheckoutComplete($cartId: ID!, $key: String!) { checkoutComplete(cartId: $cartId, idempotencyKey: $key) { order { id number total { amount } } userErrors { code message } } }`,
		vars: func(p *purchase) map[string]any {
			return map[string]any{"cartId": p.cartID, "key": p.key}
		},
	},
}

// defaultSteps is a whole purchase: the cart, the buyer, the delivery and
// the checkout.
const defaultSteps = "create,buyer,delivery,checkout"

// parseSteps turns "create,buyer,delivery,checkout" into steps. A purchase
// starts with create and ends with checkout; delivery needs buyer before
// it (the options depend on the address).
func parseSteps(s string) ([]purchaseStep, error) {
	var out []purchaseStep
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		i := slices.IndexFunc(purchaseSteps, func(p purchaseStep) bool { return p.name == name })
		if i < 0 {
			var known []string
			for _, p := range purchaseSteps {
				known = append(known, p.name)
			}
			return nil, fmt.Errorf("-steps: unknown step %q (known: %s)", name, strings.Join(known, ", "))
		}
		out = append(out, purchaseSteps[i])
	}
	if len(out) < 2 || out[0].name != "create" || out[len(out)-1].name != "checkout" {
		return nil, errors.New("-steps must start with create and end with checkout")
	}
	if d := stepIndex(out, "delivery"); d >= 0 && !slices.ContainsFunc(out[:d], func(p purchaseStep) bool { return p.name == "buyer" }) {
		return nil, errors.New("-steps: delivery needs buyer before it: the delivery options depend on the address")
	}
	return out, nil
}

// stepIndex is where the step named name is in steps, or -1.
func stepIndex(steps []purchaseStep, name string) int {
	return slices.IndexFunc(steps, func(p purchaseStep) bool { return p.name == name })
}

// hasStep reports whether steps include the step named name.
func hasStep(steps []purchaseStep, name string) bool { return stepIndex(steps, name) >= 0 }

// purchaseLine is a variant and quantity a buyer puts in the cart.
type purchaseLine struct {
	VariantID int64
	Quantity  int
}

// purchase is one buyer's purchase in progress.
type purchase struct {
	lines  []purchaseLine
	email  string
	key    string // the idempotency key, new for every purchase
	cartID string
	// deliveryHandle is the first of the cart's deliveryOptions, as the
	// buyer step answered them.
	deliveryHandle string
	// What checkoutComplete answered.
	orderID, total string
}

// outcome is how a purchase ended.
type outcome int

const (
	purchased  outcome = iota
	outOfStock         // checkoutComplete answered OUT_OF_STOCK: a correct refusal
	failed             // anything else: a transport error, an HTTP status, errors, another userError
)

// buyerClient sends purchases to one target.
type buyerClient struct {
	http  *http.Client
	url   string
	steps []purchaseStep
}

// stepPayload is what the benchmark reads of a mutation's payload.
type stepPayload struct {
	Cart *struct {
		ID              string `json:"id"`
		DeliveryOptions []struct {
			Handle string `json:"handle"`
		} `json:"deliveryOptions"`
	} `json:"cart"`
	Order *struct {
		ID     string `json:"id"`
		Number string `json:"number"`
		Total  struct {
			Amount string `json:"amount"`
		} `json:"total"`
	} `json:"order"`
	UserErrors []struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"userErrors"`
}

// step sends one step of p and reads its payload.
func (c *buyerClient) step(ctx context.Context, s purchaseStep, p *purchase, buf *bytes.Buffer) (*stepPayload, error) {
	body, err := json.Marshal(map[string]any{"operationName": s.op, "query": s.query, "variables": s.vars(p)})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := buf.ReadFrom(resp.Body); err != nil {
		return nil, fmt.Errorf("%s: %w", s.name, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s: HTTP %d: %.300s", s.name, resp.StatusCode, buf.Bytes())
	}
	var r struct {
		Data   map[string]*stepPayload `json:"data"`
		Errors []json.RawMessage       `json:"errors"`
	}
	if err := json.Unmarshal(buf.Bytes(), &r); err != nil {
		return nil, fmt.Errorf("%s: %w: %.300s", s.name, err, buf.Bytes())
	}
	pl := r.Data[s.field]
	if len(r.Errors) > 0 || pl == nil {
		return nil, fmt.Errorf("%s: %.300s", s.name, buf.Bytes())
	}
	return pl, nil
}

// errOutOfStock is checkoutComplete's OUT_OF_STOCK.
var errOutOfStock = errors.New("OUT_OF_STOCK")

// purchase runs every step of p and returns how long checkoutComplete took.
func (c *buyerClient) purchase(ctx context.Context, p *purchase, buf *bytes.Buffer) (time.Duration, error) {
	var last time.Duration
	for _, s := range c.steps {
		t0 := time.Now()
		pl, err := c.step(ctx, s, p, buf)
		last = time.Since(t0)
		if err != nil {
			return last, err
		}
		if len(pl.UserErrors) > 0 {
			if s.name == "checkout" && pl.UserErrors[0].Code == "OUT_OF_STOCK" {
				return last, errOutOfStock
			}
			return last, fmt.Errorf("%s: %s: %s", s.name, pl.UserErrors[0].Code, pl.UserErrors[0].Message)
		}
		switch {
		case s.name == "create" && pl.Cart != nil:
			p.cartID = pl.Cart.ID
		case s.name == "buyer" && pl.Cart != nil && len(pl.Cart.DeliveryOptions) > 0:
			p.deliveryHandle = pl.Cart.DeliveryOptions[0].Handle
		case s.name == "buyer" && hasStep(c.steps, "delivery"):
			return last, errors.New("buyer: the cart has no delivery options")
		case s.name == "checkout" && pl.Order != nil:
			p.orderID, p.total = pl.Order.ID, pl.Order.Total.Amount
		case s.name == "checkout":
			return last, errors.New("checkout: no order and no userErrors")
		}
		if p.cartID == "" {
			return last, fmt.Errorf("%s: no cart", s.name)
		}
	}
	return last, nil
}

// purchaseResult is what one closed-loop run of purchases measured.
type purchaseResult struct {
	Purchases  int // completed: an order was made
	OutOfStock int // refused with OUT_OF_STOCK
	Errors     int
	FirstErr   error
	Elapsed    time.Duration
	// Of completed purchases, sorted: the whole purchase, and its
	// checkoutComplete alone.
	Latencies, CheckoutLatencies []time.Duration
	// Of purchases refused OUT_OF_STOCK, sorted: the whole attempt.
	RefusedLatencies []time.Duration
}

// Attempts is every purchase started and finished.
func (r purchaseResult) Attempts() int { return r.Purchases + r.OutOfStock + r.Errors }

// PurchasesPerSecond is the rate of completed purchases.
func (r purchaseResult) PurchasesPerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Purchases) / r.Elapsed.Seconds()
}

// linePicker chooses a purchase's lines.
type linePicker func(rng *rand.Rand) []purchaseLine

// runPurchases keeps buyers purchases in flight, each buyer starting the
// next as soon as the last ended, until d has passed or maxAttempts
// purchases have started (0: no cap). Purchases in flight at the deadline
// are finished and counted.
func runPurchases(ctx context.Context, c *buyerClient, buyers int, d time.Duration, maxAttempts int, pick linePicker) purchaseResult {
	type buyerResult struct {
		lat, checkout, refused []time.Duration
		errors                 int
		firstErr               error
	}
	results := make([]buyerResult, buyers)
	var started atomic.Int64
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for w := range buyers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := &results[w]
			var seed [16]byte
			_, _ = crand.Read(seed[:])
			rng := rand.New(rand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
			var buf bytes.Buffer
			for ctx.Err() == nil {
				t0 := time.Now()
				if !t0.Before(deadline) || (maxAttempts > 0 && started.Add(1) > int64(maxAttempts)) {
					return
				}
				p := &purchase{lines: pick(rng), email: fmt.Sprintf("buyer%d@example.com", w),
					key: fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())}
				co, err := c.purchase(ctx, p, &buf)
				switch {
				case err == nil:
					res.lat = append(res.lat, time.Since(t0))
					res.checkout = append(res.checkout, co)
				case errors.Is(err, errOutOfStock):
					res.refused = append(res.refused, time.Since(t0))
				case ctx.Err() != nil:
					return
				default:
					res.errors++
					if res.firstErr == nil {
						res.firstErr = err
					}
				}
			}
		}()
	}
	wg.Wait()
	out := purchaseResult{Elapsed: time.Since(start)}
	for _, r := range results {
		out.Latencies = append(out.Latencies, r.lat...)
		out.CheckoutLatencies = append(out.CheckoutLatencies, r.checkout...)
		out.RefusedLatencies = append(out.RefusedLatencies, r.refused...)
		out.Errors += r.errors
		if out.FirstErr == nil {
			out.FirstErr = r.firstErr
		}
	}
	out.Purchases, out.OutOfStock = len(out.Latencies), len(out.RefusedLatencies)
	slices.Sort(out.Latencies)
	slices.Sort(out.CheckoutLatencies)
	slices.Sort(out.RefusedLatencies)
	return out
}

// pickFromPool returns a picker of 2 or 3 lines of distinct variants of
// pool, 1 or 2 of each; with scarce set, the first line is always 1 of
// variant scarce and the others come from pool.
func pickFromPool(pool []int64, scarce int64) linePicker {
	return func(rng *rand.Rand) []purchaseLine {
		n := 2 + rng.IntN(2)
		lines := make([]purchaseLine, 0, n)
		if scarce != 0 {
			lines = append(lines, purchaseLine{VariantID: scarce, Quantity: 1})
		}
		for len(lines) < n {
			v := pool[rng.IntN(len(pool))]
			if !slices.ContainsFunc(lines, func(l purchaseLine) bool { return l.VariantID == v }) {
				lines = append(lines, purchaseLine{VariantID: v, Quantity: 1 + rng.IntN(2)})
			}
		}
		return lines
	}
}
