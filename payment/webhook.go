package payment

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// MaxWebhookBody bounds a webhook request's body.
const MaxWebhookBody = 256 << 10

// WebhookHandler serves /webhooks/<name> for every provider that sends
// notifications. Each request is verified (a bad, missing or stale
// signature is 400 and changes nothing), recorded by event ID so a
// redelivery is acknowledged and ignored, and applied in one transaction
// with the ledger and the order. A failure to apply is 500, so the
// provider delivers it again later.
func (s *Service) WebhookHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			// A bug (in a hook, say) answers 500, so the provider tries
			// again, and is logged; nothing of it reaches the sender.
			if v := recover(); v != nil {
				s.opts.Logger.ErrorContext(r.Context(), "webhook panicked", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "the event could not be applied now; deliver it again", http.StatusInternalServerError)
			}
		}()
		name := strings.TrimPrefix(r.URL.Path, "/webhooks/")
		wp, ok := s.webhooks[name]
		if !ok {
			http.Error(w, "no such webhook", http.StatusNotFound)
			return
		}
		if r.Method != http.MethodPost {
			w.Header().Set("Allow", http.MethodPost)
			http.Error(w, "webhooks are POSTed", http.StatusMethodNotAllowed)
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxWebhookBody))
		if err != nil {
			http.Error(w, "the body is too large or could not be read", http.StatusRequestEntityTooLarge)
			return
		}
		ev, err := wp.ParseWebhook(r.Header, body, s.opts.Now())
		if errors.Is(err, ErrBadSignature) {
			s.opts.Logger.WarnContext(r.Context(), "webhook refused", "provider", name, "err", err)
			http.Error(w, "the signature is missing, invalid or stale", http.StatusBadRequest)
			return
		}
		if err != nil {
			s.opts.Logger.WarnContext(r.Context(), "webhook not understood", "provider", name, "err", err)
			http.Error(w, "the event could not be read: "+safeMessage(err), http.StatusBadRequest)
			return
		}
		if ev != nil {
			if err := s.ApplyEvent(r.Context(), name, ev); err != nil {
				s.opts.Logger.ErrorContext(r.Context(), "webhook not applied", "provider", name, "event", ev.ID, "err", err)
				http.Error(w, "the event could not be applied now; deliver it again", http.StatusInternalServerError)
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"received":true}`)
	})
}

// safeMessage is err's message when it is a model error, safe to show.
func safeMessage(err error) string {
	if e, ok := model.AsError(err); ok {
		return e.Message
	}
	return "malformed"
}

// ApplyEvent applies a verified provider event once: an event ID seen
// before changes nothing. Events may come in any order and the ledger
// never moves a payment backwards; an event for a movement we asked for
// (a capture or refund we started) settles that entry instead of writing
// a second one.
func (s *Service) ApplyEvent(ctx context.Context, provider string, ev *Event) error {
	if ev.ID == "" {
		return &model.Error{Code: model.CodeInvalid, Message: "an event without an ID"}
	}
	wp, ok := s.webhooks[provider]
	if !ok {
		return fmt.Errorf("payment: no webhook provider %q", provider)
	}
	method := model.PaymentMethod("")
	if p, ok := wp.(Provider); ok {
		method = p.Method()
	}
	// The payment is found before the transaction: which order it
	// belongs to never changes, and on MySQL the transaction's first plain
	// read fixes its snapshot, so every read in it must come after the
	// order's lock, or it would see the ledger as it was before the wait.
	found, err := s.eventPayment(ctx, s.st, method, ev)
	if err != nil && model.ErrorCodeOf(err) != model.CodeNotFound {
		return err
	}
	return s.st.RetryTx(ctx, func(tx *store.Store) error {
		if found == nil {
			// Recorded, so a redelivery is not logged again.
			fresh, err := tx.RecordWebhookEvent(ctx, provider, ev.ID, clip(ev.Type, 64), s.now())
			if err == nil && fresh {
				s.opts.Logger.WarnContext(ctx, "webhook for no payment of ours", "provider", provider, "event", ev.ID, "type", ev.Type)
			}
			return err
		}
		o, err := tx.LockOrder(ctx, found.OrderID)
		if err != nil {
			return err
		}
		fresh, err := tx.RecordWebhookEvent(ctx, provider, ev.ID, clip(ev.Type, 64), s.now())
		if err != nil || !fresh {
			return err
		}
		p, err := tx.FindPayment(ctx, found.ID)
		if err != nil {
			return err
		}
		if ev.Currency != "" && ev.Currency != p.Currency {
			s.opts.Logger.WarnContext(ctx, "webhook in another currency than its payment", "provider", provider,
				"event", ev.ID, "payment", p.ID, "currency", ev.Currency)
			return nil
		}
		if p.ProviderRef == "" && ev.PaymentRef != "" && method == model.MethodStripeCard {
			if err := tx.UpdatePayment(ctx, p.ID, map[string]any{"provider_ref": ev.PaymentRef}); err != nil {
				return err
			}
		}
		return s.applyEvent(ctx, tx, o, p, ev)
	})
}

// eventPayment finds the payment an event is about: by our ID when the
// provider carries it back, else by the provider's ID for the attempt,
// else by the reference the buyer quoted.
func (s *Service) eventPayment(ctx context.Context, tx *store.Store, method model.PaymentMethod, ev *Event) (*model.Payment, error) {
	if ev.PaymentID > 0 {
		p, err := tx.FindPayment(ctx, ev.PaymentID)
		if err != nil {
			return nil, err
		}
		if (method != "" && p.Method != method) || (ev.PaymentRef != "" && p.ProviderRef != "" && p.ProviderRef != ev.PaymentRef) {
			return nil, &model.Error{Code: model.CodeNotFound, Message: "the event's payment does not match"}
		}
		return p, nil
	}
	if method != "" {
		if p, err := tx.FindPaymentByProviderRef(ctx, method, ev.PaymentRef); model.ErrorCodeOf(err) != model.CodeNotFound {
			return p, err
		}
	}
	methods := []model.PaymentMethod{method}
	if method == "" || confirmedByStaff(method) {
		// A bank's notice names the reference the buyer quoted.
		methods = []model.PaymentMethod{model.MethodPromptPay, model.MethodBankTransfer}
	}
	return tx.FindPaymentByReference(ctx, methods, ev.PaymentRef)
}

// applyEvent writes the event's movement to the ledger, or settles the
// pending entry it answers, and applies it.
func (s *Service) applyEvent(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment, ev *Event) error {
	ref := ev.Ref
	if ref == "" {
		ref = ev.ID
	}
	// The entry this event answers: one with its reference, or one we
	// asked for and the provider has not answered yet.
	t, err := tx.FindPaymentTransactionByRef(ctx, p.ID, ev.Kind, ref)
	if err != nil && model.ErrorCodeOf(err) != model.CodeNotFound {
		return err
	}
	if t == nil {
		ledger, err := tx.FindPaymentTransactionsByPaymentIDs(ctx, []int64{p.ID})
		if err != nil {
			return err
		}
		t = answered(ledger, ev)
	}
	if t != nil {
		if t.Status == model.TxSuccess && ev.Status == model.TxFailure && t.Kind == model.TxRefund {
			return s.refundFailedLater(ctx, tx, o, p, t, ev)
		}
		if t.Status != model.TxPending || ev.Status == model.TxPending {
			if t.ProviderRef == nil {
				_, err := tx.SettlePaymentTransaction(ctx, t.ID, model.TxPending, ref, "")
				return err
			}
			return nil // answered already, by the provider's reply or an earlier event
		}
		ok, err := tx.SettlePaymentTransaction(ctx, t.ID, ev.Status, ref, clip(ev.ErrorCode, 64))
		if err != nil || !ok {
			return err
		}
		settled := *t
		settled.Status, settled.ErrorCode, settled.ProviderRef = ev.Status, ev.ErrorCode, &ref
		_, err = s.apply(ctx, tx, o, p, &settled)
		return err
	}
	// A movement we did not ask for: a card confirmed in the browser, a
	// transfer reported by the bank, a refund made in the provider's
	// dashboard. Write it unless it would move the payment backwards.
	switch ev.Kind {
	case model.TxAuthorization:
		if ev.Status == model.TxSuccess && !p.Status.Advances(model.PaymentAuthorized) {
			return nil
		}
		if ev.Status == model.TxFailure && p.Status != model.PaymentPending {
			return nil
		}
	case model.TxCapture:
		if ev.Status != model.TxSuccess || ev.Amount <= 0 {
			return nil
		}
		// Money a person moved (a transfer) arrived, whatever the
		// payment's status: each transfer is its own entry, by its
		// reference. A card's capture comes once.
		if p.Status.Final() && !confirmedByStaff(p.Method) {
			if p.Status == model.PaymentCaptured {
				s.opts.Logger.WarnContext(ctx, "a second capture reported for a captured card payment", "payment", p.ID, "event", ev.ID)
			}
			return nil
		}
	case model.TxVoid:
		if ev.Status != model.TxSuccess || !p.Status.Advances(model.PaymentVoided) || p.Captured > 0 {
			return nil
		}
	case model.TxRefund:
		if ev.Status != model.TxSuccess || ev.Amount <= 0 {
			return nil
		}
		if ev.Amount > p.Refundable() {
			// Events come in any order: the capture this refund gives
			// back is not recorded yet. Failing makes the provider
			// deliver it again, after the capture.
			return fmt.Errorf("payment: refund event %s for %d of payment %d, which has %d to refund: wait for its capture",
				ev.ID, ev.Amount, p.ID, p.Refundable())
		}
	default:
		return nil
	}
	t = &model.PaymentTransaction{PaymentID: p.ID, OrderID: o.ID, Kind: ev.Kind, Status: ev.Status, Amount: ev.Amount,
		Currency: p.Currency, ProviderRef: &ref, ErrorCode: clip(ev.ErrorCode, 64), RefundLines: "[]",
		Actor: "provider:" + strings.ToLower(string(p.Method)), CreatedAt: s.now()}
	if err := tx.AddPaymentTransaction(ctx, t); err != nil {
		return err
	}
	_, err = s.apply(ctx, tx, o, p, t)
	return err
}

// answered returns the pending ledger entry an event answers: the one
// whose idempotency key the provider carried back, else the first pending
// entry of its kind without a reference (and, for refunds, of its amount).
func answered(ledger []model.PaymentTransaction, ev *Event) *model.PaymentTransaction {
	if id, ok := strings.CutPrefix(ev.MovementKey, movementKeyPrefix); ok {
		for i := range ledger {
			if strconv.FormatInt(ledger[i].ID, 10) == id && ledger[i].Kind == ev.Kind {
				return &ledger[i]
			}
		}
	}
	for i := range ledger {
		e := &ledger[i]
		if e.Kind == ev.Kind && e.Status == model.TxPending && e.ProviderRef == nil &&
			(ev.Kind != model.TxRefund || e.Amount == ev.Amount) {
			return e
		}
	}
	return nil
}

// refundFailedLater undoes a refund the provider reported done and then
// failed (a card account closed since): the money did not go back.
func (s *Service) refundFailedLater(ctx context.Context, tx *store.Store, o *model.Order, p *model.Payment, t *model.PaymentTransaction, ev *Event) error {
	if err := tx.FailPaymentTransaction(ctx, t.ID, clip(ev.ErrorCode, 64)); err != nil {
		return err
	}
	if err := tx.UpdatePayment(ctx, p.ID, map[string]any{"refunded": p.Refunded - t.Amount}); err != nil {
		return err
	}
	after, err := tx.FindPayment(ctx, p.ID)
	if err != nil {
		return err
	}
	if err := s.syncOrder(ctx, tx, o, after, &model.PaymentTransaction{Kind: model.TxRefund, Status: model.TxFailure}); err != nil {
		return err
	}
	return tx.AddOrderEvent(ctx, &model.OrderEvent{OrderID: o.ID, Kind: model.OrderEventNote, Actor: "provider:" + strings.ToLower(string(p.Method)),
		CreatedAt: s.now(), Message: fmt.Sprintf("the refund of %s %s failed at the provider (%s): the money did not go back; refund it another way",
			model.Money{Minor: t.Amount, Currency: t.Currency}.Amount(), t.Currency, ev.ErrorCode)})
}
