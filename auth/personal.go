package auth

import (
	"context"
	"math"
	"strconv"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// ExportCustomerData gathers the open account id's data. NotFound when it
// is closed or unknown.
func (s *Service) ExportCustomerData(ctx context.Context, id int64) (*model.CustomerData, error) {
	cs, err := s.st.FindCustomersByIDs(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 || cs[0].ClosedAt != nil {
		return nil, model.Errorf(model.CodeNotFound, "no such customer")
	}
	addrs, err := s.st.FindAddressesByCustomerIDs(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	tokens, err := s.st.FindAccessTokensBySubject(ctx, store.TokenCustomer, id)
	if err != nil {
		return nil, err
	}
	d := &model.CustomerData{GeneratedAt: s.Now(), Customer: &cs[0], Addresses: addrs, Kinds: model.CustomerDataKinds,
		Sessions: make([]model.SessionRecord, 0, len(tokens))}
	for _, t := range tokens {
		d.Sessions = append(d.Sessions, model.SessionRecord{CreatedAt: t.CreatedAt, ExpiresAt: t.ExpiresAt, RevokedAt: t.RevokedAt})
	}
	return d, nil
}

// CloseCustomer closes the signed-in customer's own account, after checking
// the password (wrong ones count against the account's sign-in throttle,
// so closing is no way round it). See closeCustomer for what closing does.
func (s *Service) CloseCustomer(ctx context.Context, id int64, password string, passwordField []string) error {
	cs, err := s.st.FindCustomersByIDs(ctx, []int64{id})
	if err != nil {
		return err
	}
	if len(cs) == 0 || cs[0].ClosedAt != nil {
		return model.Errorf(model.CodeNotFound, "no such customer")
	}
	c := cs[0]
	now := s.Now()
	account := accountSubject(store.TokenCustomer, c.EmailKey)
	until, err := s.st.ThrottleBlockedUntil(ctx, []string{account}, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		minutes := int(math.Ceil(until.Sub(now).Minutes()))
		return &model.Error{Code: model.CodeThrottled, Field: passwordField,
			Message: "too many wrong passwords; try again in " + strconv.Itoa(max(minutes, 1)) + " minutes"}
	}
	if ok, err := VerifyPassword(password, c.PasswordHash); err != nil || !ok {
		if err := s.st.ThrottleFailure(ctx, account, s.cfg.AccountThrottle, now); err != nil {
			return err
		}
		return &model.Error{Code: model.CodeInvalidLogin, Field: passwordField, Message: "password is incorrect"}
	}
	return s.closeCustomer(ctx, &model.Viewer{Kind: model.ViewerCustomer, ID: id}, id, "")
}

// CloseCustomerOnRequest closes a customer's account for staff acting on
// the customer's request (by phone, by letter), recording who did it and
// why in the audit log.
func (s *Service) CloseCustomerOnRequest(ctx context.Context, by *model.Viewer, id int64, reason string, reasonField []string) error {
	if err := CheckName(reasonField, reason, 500); err != nil {
		return err
	}
	if reason == "" {
		return &model.Error{Code: model.CodeBlank, Field: reasonField, Message: "reason is required: say how the customer asked"}
	}
	return s.closeCustomer(ctx, by, id, reason)
}

// PruneAge is how long expired one-time tokens and old throttle counts
// are kept before Prune deletes them.
const PruneAge = 24 * time.Hour

// Prune deletes one-time tokens that expired more than PruneAge ago and
// throttle counts (which hold hashed emails and client addresses) older
// than that which block nobody. The server runs it every hour.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	now := s.Now()
	return s.st.PruneAuthRecords(ctx, now.Add(-PruneAge), now)
}

// closeCustomer anonymises the account (store.CloseCustomer), signs every
// session out, ends its reset links and records the closing in the audit
// log, all in one transaction. The audit entry holds the account's ID and
// the reason, never a personal field.
func (s *Service) closeCustomer(ctx context.Context, by *model.Viewer, id int64, reason string) error {
	now := s.Now()
	return s.st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CloseCustomer(ctx, id, now); err != nil {
			return notFoundAs(err, model.Errorf(model.CodeNotFound, "no such customer, or it is already closed"))
		}
		if err := tx.RevokeAllAccessTokens(ctx, store.TokenCustomer, id, now); err != nil {
			return err
		}
		if err := tx.EndOneTimeTokens(ctx, store.PurposePasswordReset, id, now); err != nil {
			return err
		}
		after := map[string]any{"closed": true}
		if reason != "" {
			after["reason"] = reason
		}
		return Audit(ctx, tx, by, "customer.close", string(model.TypeCustomer), id, map[string]any{"closed": false}, after)
	})
}
