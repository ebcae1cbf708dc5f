package resolver

import (
	"context"
	"crypto/subtle"
	"github.com/99designs/gqlgen/graphql"
	"strings"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// canReadOrder reports whether the caller may read the order: it is their
// own, they are staff who may read orders, or they hold its access key.
func canReadOrder(ctx context.Context, o *model.Order, accessKey string) bool {
	v := model.ViewerFrom(ctx)
	switch {
	case v.Can(model.PermReadOrders):
		return true
	case o.CustomerID != nil && v.IsCustomer(*o.CustomerID):
		return true
	case accessKey != "":
		if subtle.ConstantTimeCompare([]byte(accessKey), []byte(o.AccessKey)) == 1 {
			markBuyer(ctx, o.ID)
			return true
		}
	}
	return false
}

// buyerKey marks, for the rest of a request, an order its caller proved
// to be the buyer of by its access key.
type buyerKey int64

// markBuyer records that the caller holds the order's access key.
func markBuyer(ctx context.Context, orderID int64) {
	if l := store.LoadersFrom(ctx); l != nil {
		_, _ = l.Memo(buyerKey(orderID), func() (any, error) { return true, nil })
	}
}

// isBuyer reports whether the caller is the order's buyer: its customer,
// or holding its access key in this request. Staff are not.
func isBuyer(ctx context.Context, o *model.Order) bool {
	if o.CustomerID != nil && model.ViewerFrom(ctx).IsCustomer(*o.CustomerID) {
		return true
	}
	l := store.LoadersFrom(ctx)
	if l == nil {
		return false
	}
	v, _ := l.Memo(buyerKey(o.ID), func() (any, error) { return false, nil })
	return v == true
}

// loadOrder returns the order with id if the caller may read it, nil
// otherwise (as if it did not exist).
func loadOrder(ctx context.Context, id int64, accessKey string) (*model.Order, error) {
	o, err := store.LoadersFrom(ctx).OrderByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !canReadOrder(ctx, o, accessKey) {
		return nil, nil
	}
	return o, nil
}

// changeOrder decodes a staff mutation's order ID, runs the change and
// answers it.
func changeOrder(ctx context.Context, id string, change func(oid int64) (*model.Order, error)) (*gqlmodel.OrderPayload, error) {
	oid, err := decodeID([]string{"id"}, id, model.TypeOrder)
	if err != nil {
		return orderPayload(ctx, nil, err)
	}
	o, err := change(oid)
	return orderPayload(ctx, o, err)
}

// orderPayload answers a change to an order.
func orderPayload(ctx context.Context, o *model.Order, err error) (*gqlmodel.OrderPayload, error) {
	ue, err := userErrors(err)
	if len(ue) > 0 || err != nil {
		return &gqlmodel.OrderPayload{UserErrors: ue}, err
	}
	store.LoadersFrom(ctx).ClearAll()
	return &gqlmodel.OrderPayload{Order: o, UserErrors: ue}, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func eventStatus(s string) *model.OrderStatus {
	st := model.OrderStatus(s)
	if !st.Valid() {
		return nil
	}
	return &st
}

// lineMoney is an amount of the line's order's currency.
func (r *orderLineResolver) lineMoney(ctx context.Context, l *model.OrderLine, minor int64) (*model.Money, error) {
	o, err := store.LoadersFrom(ctx).OrderByID.Load(ctx, l.OrderID)()
	if err != nil {
		return nil, err
	}
	return money(minor, o.Currency), nil
}

// orderFilter converts the staff's order filter.
func orderFilter(in *gqlmodel.OrderFilter) (store.OrderFilter, error) {
	var f store.OrderFilter
	if in == nil {
		return f, nil
	}
	f.Status = in.Status
	f.Since, f.Until = in.CreatedAfter, in.CreatedBefore
	if in.CustomerID != nil {
		id, err := decodeID([]string{"filter", "customerId"}, *in.CustomerID, model.TypeCustomer)
		if err != nil {
			return f, err
		}
		f.CustomerID = &id
	}
	if in.Email != nil {
		f.Email = strings.ToLower(strings.TrimSpace(*in.Email))
	}
	if in.Number != nil {
		id, ok := model.ParseOrderNumber(*in.Number)
		if !ok {
			return f, model.InvalidField([]string{"filter", "number"}, "number must be an order number such as 1001")
		}
		f.ID = id
	}
	return f, nil
}

// primeOrders loads, for a page of orders, what the query selects on them
// in one batch per relation: lines (with their variants and products),
// events and customers. The orders' own resolvers then read the loaders'
// caches, so a page costs the same statements whatever its size, on a busy
// machine too (see primeVariants).
func primeOrders(ctx context.Context, st *store.Store, orders []model.Order) error {
	if len(orders) == 0 {
		return nil
	}
	p := newPrefetcher(ctx, st)
	nodes := p.connectionNodeSelections(ctx)
	fields := graphql.CollectFields(p.op, nodes, []string{"Order", "Node"})
	l := store.LoadersFrom(ctx)
	ids := make([]int64, len(orders))
	var customers []int64
	for i := range orders {
		ids[i] = orders[i].ID
		l.OrderByID.Prime(ctx, orders[i].ID, &orders[i])
		if orders[i].CustomerID != nil {
			customers = append(customers, *orders[i].CustomerID)
		}
	}
	for _, f := range fields {
		switch f.Name {
		case "events":
			if _, errs := l.OrderEventsByOrder.LoadMany(ctx, ids)(); firstErr(errs) != nil {
				return firstErr(errs)
			}
		case "payments":
			groups, errs := l.PaymentsByOrder.LoadMany(ctx, ids)()
			if firstErr(errs) != nil {
				return firstErr(errs)
			}
			var pids []int64
			for _, g := range groups {
				for _, p := range g {
					pids = append(pids, p.ID)
				}
			}
			// Their ledgers, when selected, in one batch too.
			if len(pids) > 0 && selects(p, f, "Payment", "transactions") {
				if _, errs := l.PaymentTxsByPayment.LoadMany(ctx, pids)(); firstErr(errs) != nil {
					return firstErr(errs)
				}
			}
		case "customer":
			if _, errs := l.CustomerByID.LoadMany(ctx, customers)(); notFoundOK(errs) != nil {
				return notFoundOK(errs)
			}
		case "lines":
			groups, errs := l.OrderLinesByOrder.LoadMany(ctx, ids)()
			if firstErr(errs) != nil {
				return firstErr(errs)
			}
			var lines []model.OrderLine
			for _, g := range groups {
				lines = append(lines, g...)
			}
			if err := primeVariants(ctx, st, lines, func(l *model.OrderLine) int64 { return l.VariantID }); err != nil {
				return err
			}
		}
	}
	return nil
}

func firstErr(errs []error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// notFoundOK is firstErr without NotFound (a closed account, say).
func notFoundOK(errs []error) error {
	for _, e := range errs {
		if e != nil && model.ErrorCodeOf(e) != model.CodeNotFound {
			return e
		}
	}
	return nil
}

// selects reports whether field f's selection on type typ includes a
// field named name.
func selects(p *prefetcher, f graphql.CollectedField, typ, name string) bool {
	for _, c := range graphql.CollectFields(p.op, f.Selections, []string{typ}) {
		if c.Name == name {
			return true
		}
	}
	return false
}
