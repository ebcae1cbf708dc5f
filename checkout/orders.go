package checkout

import (
	"context"
	"fmt"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Move is a change of an order's status with what comes with it.
type Move struct {
	To      model.OrderStatus
	Kind    string         // the event's kind; OrderEventStatus when empty
	Message string         // for the history
	Set     map[string]any // other columns to change
}

// MoveOrder moves the order to a new status if its status machine allows
// it, in one transaction under the order's row lock: a cancelled order's
// stock goes back, and an unpaid one's discount uses too. A status that
// changed meanwhile is a Conflict, never a double move.
func (s *Service) MoveOrder(ctx context.Context, id int64, m Move) (*model.Order, error) {
	var out *model.Order
	err := s.st.RetryTx(ctx, func(tx *store.Store) error {
		o, err := tx.LockOrder(ctx, id)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return &model.Error{Code: model.CodeNotFound, Field: []string{"id"}, Message: "no such order"}
		}
		if err != nil {
			return err
		}
		if err := model.CheckMove(o.Status, m.To); err != nil {
			return model.WithField(err, "id")
		}
		now := s.now()
		set := map[string]any{}
		for k, v := range m.Set {
			set[k] = v
		}
		if m.To == model.OrderCancelled {
			set["cancelled_at"] = now
			if o.Captured == 0 && o.Authorized == 0 {
				set["financial_status"] = model.FinancialVoided
			}
			if o.Status.HoldsStock() {
				if err := s.releaseStock(ctx, tx, o); err != nil {
					return err
				}
			}
			if o.Status == model.OrderPendingPayment {
				if err := tx.ReleaseDiscountUses(ctx, o.ID); err != nil {
					return err
				}
			}
		}
		if m.To == model.OrderPaid {
			set["paid_at"] = now
		}
		if m.To == model.OrderFulfilled {
			// The goods leave: on hand and committed go down together,
			// and the ledger records the sale.
			lines, err := orderStock(ctx, tx, o)
			if err != nil {
				return err
			}
			if _, err := tx.FulfilStock(ctx, lines, "order "+o.Number(), actorOf(ctx)); err != nil {
				return err
			}
		}
		kind := m.Kind
		if kind == "" {
			kind = model.OrderEventStatus
		}
		ev := &model.OrderEvent{Kind: kind, Message: m.Message, Actor: actorOf(ctx), CreatedAt: now}
		if err := tx.MoveOrder(ctx, o.ID, o.Status, m.To, set, ev); err != nil {
			return err
		}
		out, err = tx.LockOrder(ctx, o.ID)
		return err
	})
	return out, err
}

// releaseStock gives back the units the order had committed.
func (s *Service) releaseStock(ctx context.Context, tx *store.Store, o *model.Order) error {
	lines, err := orderStock(ctx, tx, o)
	if err != nil {
		return err
	}
	return tx.ReleaseStock(ctx, lines)
}

// orderStock returns the quantities the order's lines hold.
func orderStock(ctx context.Context, tx *store.Store, o *model.Order) ([]store.StockLine, error) {
	lines, err := tx.FindOrderLinesByOrderIDs(ctx, []int64{o.ID})
	if err != nil {
		return nil, err
	}
	out := make([]store.StockLine, 0, len(lines))
	for _, l := range lines {
		if n := l.Held(); n > 0 {
			out = append(out, store.StockLine{VariantID: l.VariantID, Quantity: n})
		}
	}
	return out, nil
}

// Cancel calls off an order that has not been fulfilled; its stock goes
// back.
func (s *Service) Cancel(ctx context.Context, id int64, reason string) (*model.Order, error) {
	if e := model.CheckMultiline([]string{"reason"}, reason, model.MaxCartNote); e != nil {
		return nil, e
	}
	msg := "cancelled"
	if reason != "" {
		msg += ": " + reason
	}
	return s.MoveOrder(ctx, id, Move{To: model.OrderCancelled, Message: msg})
}

// Fulfil records that a paid order went to a carrier.
func (s *Service) Fulfil(ctx context.Context, id int64, carrier, tracking string) (*model.Order, error) {
	carrier, tracking = strings.TrimSpace(carrier), strings.TrimSpace(tracking)
	if e := model.CheckLine([]string{"carrier"}, carrier, 64, true); e != nil {
		return nil, e
	}
	if e := model.CheckLine([]string{"trackingNumber"}, tracking, 128, true); e != nil {
		return nil, e
	}
	return s.MoveOrder(ctx, id, Move{To: model.OrderFulfilled, Message: fmt.Sprintf("handed to %s, tracking %s", carrier, tracking),
		Set: map[string]any{"carrier": carrier, "tracking_number": tracking}})
}

// AddNote adds a staff note to the order's history.
func (s *Service) AddNote(ctx context.Context, id int64, note string) (*model.Order, error) {
	note = strings.TrimSpace(note)
	if note == "" {
		return nil, &model.Error{Code: model.CodeBlank, Field: []string{"note"}, Message: "note must not be blank"}
	}
	if e := model.CheckMultiline([]string{"note"}, note, model.MaxCartNote); e != nil {
		return nil, e
	}
	var out *model.Order
	err := s.st.InTx(ctx, func(tx *store.Store) error {
		o, err := tx.LockOrder(ctx, id)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return &model.Error{Code: model.CodeNotFound, Field: []string{"id"}, Message: "no such order"}
		}
		if err != nil {
			return err
		}
		out = o
		return tx.AddOrderEvent(ctx, &model.OrderEvent{OrderID: id, Kind: model.OrderEventNote, Message: note,
			Actor: actorOf(ctx), CreatedAt: s.now()})
	})
	return out, err
}

// ExpireUnpaid cancels the orders whose time to pay is over, returning
// their stock and discount uses, and says how many it cancelled. Several
// replicas may run it at once: each order moves under its row lock with a
// conditional update, so one replica expires it and the others skip it.
func (s *Service) ExpireUnpaid(ctx context.Context) (int, error) {
	n := 0
	for {
		orders, err := s.st.FindExpiredOrders(ctx, s.now(), expireBatch)
		if err != nil {
			return n, err
		}
		moved := 0
		for _, o := range orders {
			_, err := s.MoveOrder(ctx, o.ID, Move{To: model.OrderCancelled, Kind: model.OrderEventExpired,
				Message: "not paid in time; its stock went back"})
			switch {
			case err == nil:
				n++
				moved++
			case model.ErrorCodeOf(err) == model.CodeConflict:
				// Paid or expired by another replica meanwhile.
			default:
				return n, err
			}
		}
		if len(orders) < expireBatch || moved == 0 {
			return n, nil
		}
	}
}

// expireBatch is how many expired orders one pass reads.
const expireBatch = 100
