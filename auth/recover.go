package auth

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strings"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// RecoverCustomer starts a password reset: when an open account has this
// email, it mails the customer a link holding a one-time token that works
// for ResetTTL. The answer is the same whether or not there is such an
// account, and so is the work, so neither the message nor the time tells:
// both count against the throttles, both store a token (one nobody ever
// receives when there is no account), and mail leaves through the Mailer,
// which in production is an Outbox that returns at once. Requests are
// throttled per email and per client address whether or not the account
// exists. field is the path of the email argument.
func (s *Service) RecoverCustomer(ctx context.Context, email, clientAddr string, field []string) error {
	key, ok := model.NormalizeEmail(email)
	if !ok {
		return &model.Error{Code: model.CodeInvalid, Field: field, Message: "email is not a valid address"}
	}
	now := s.Now()
	account := "recover:" + HashSecret(key)[:32]
	subjects := []string{account}
	if clientAddr != "" {
		subjects = append(subjects, "recover-addr:"+clientAddr)
	}
	until, err := s.st.ThrottleBlockedUntil(ctx, subjects, now)
	if err != nil {
		return err
	}
	if !until.IsZero() {
		minutes := int(math.Ceil(until.Sub(now).Minutes()))
		return &model.Error{Code: model.CodeThrottled, Field: field,
			Message: fmt.Sprintf("too many password reset requests; try again in %d minutes", max(minutes, 1))}
	}
	if err := s.st.ThrottleFailure(ctx, account, s.cfg.RecoverThrottle, now); err != nil {
		return err
	}
	if clientAddr != "" {
		if err := s.st.ThrottleFailure(ctx, "recover-addr:"+clientAddr, s.cfg.RecoverAddressThrottle, now); err != nil {
			return err
		}
	}
	c, err := s.st.FindCustomerByEmailKey(ctx, key)
	found := err == nil
	if err != nil && model.ErrorCodeOf(err) != model.CodeNotFound {
		return err
	}
	secret, hash, err := NewSecret(PrefixResetToken)
	if err != nil {
		return err
	}
	t := &store.OneTimeToken{Purpose: store.PurposePasswordReset, TokenHash: hash,
		ExpiresAt: now.Add(s.cfg.ResetTTL), CreatedAt: now}
	if found {
		t.SubjectID = c.ID
	}
	if err := s.st.CreateOneTimeToken(ctx, t); err != nil {
		return err
	}
	if !found {
		return nil
	}
	return s.cfg.Mailer.Send(ctx, resetMessage(model.LanguageFrom(ctx), c, s.ResetURL(secret), s.cfg.ResetTTL))
}

// ResetURL is the storefront link a reset token is mailed in; the
// storefront's page passes it whole to customerResetByUrl.
func (s *Service) ResetURL(token string) string {
	return link(s.cfg.StorefrontURL, "/account/reset", token)
}

// ResetTokenFromURL takes the token out of a reset link, "" when there is
// none. Only the token matters: the link's host is the storefront's
// business, not a secret.
func ResetTokenFromURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return ""
	}
	return u.Query().Get("token")
}

// ResetInput is a password reset: the token from the mailed link, the new
// password, and the paths of the arguments they came in (for userErrors).
// CustomerID, when not zero, must be the token's customer (customerReset
// names the customer; customerResetByUrl does not).
type ResetInput struct {
	Token, Password           string
	TokenField, PasswordField []string
	CustomerID                int64
}

// ResetCustomerPassword spends a reset token once: inside one transaction
// it consumes the token (a conditional update, so of two concurrent uses
// exactly one wins), sets the new password, signs every session out, ends
// the customer's other reset links and opens a new session, which it
// returns. An unknown, expired, used or malformed token is TOKEN_INVALID
// and changes nothing; so is a token of a closed account.
func (s *Service) ResetCustomerPassword(ctx context.Context, in ResetInput) (*model.Customer, *Session, error) {
	bad := &model.Error{Code: model.CodeTokenInvalid, Field: in.TokenField,
		Message: "the reset link is not valid: it may have expired or been used; ask for a new one"}
	if !WellFormedSecret(in.Token, PrefixResetToken) {
		return nil, nil, bad
	}
	// The password is checked first, so that a weak one does not spend the
	// link.
	if err := model.CheckPassword(in.PasswordField, in.Password); err != nil {
		return nil, nil, err
	}
	hash, err := HashPassword(in.Password, s.cfg.Hash)
	if err != nil {
		return nil, nil, err
	}
	now := s.Now()
	var sess *Session
	var id int64
	err = s.st.InTx(ctx, func(tx *store.Store) error {
		t, err := tx.ConsumeOneTimeToken(ctx, store.PurposePasswordReset, HashSecret(in.Token), now)
		if err != nil {
			return notFoundAs(err, bad)
		}
		id = t.SubjectID
		if in.CustomerID != 0 && id != in.CustomerID {
			return bad // rolls the consumption back: the link still works for its owner
		}
		if err := tx.UpdateCustomer(ctx, id, map[string]any{"password_hash": hash}); err != nil {
			return notFoundAs(err, bad)
		}
		if err := tx.RevokeAllAccessTokens(ctx, store.TokenCustomer, id, now); err != nil {
			return err
		}
		if err := tx.EndOneTimeTokens(ctx, store.PurposePasswordReset, id, now); err != nil {
			return err
		}
		sess, err = s.openSession(ctx, tx, store.TokenCustomer, id)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	cs, err := s.st.FindCustomersByIDs(ctx, []int64{id})
	if err != nil || len(cs) == 0 {
		return nil, sess, err
	}
	return &cs[0], sess, nil
}

// resetMessage is the reset mail, in the language of the request that asked
// for it first and the other language after, since a shared inbox may not
// read the first.
func resetMessage(lang model.Language, c *model.Customer, link string, ttl time.Duration) Message {
	name := c.DisplayName()
	en := "Hello " + name + ",\n\n" +
		"someone, we hope you, asked to reset the password of your account. Choose a new one within " +
		durationEN(ttl) + " at:\n\n" + link + "\n\n" +
		"The link works once. If you did not ask, ignore this message: your password stays as it is.\n"
	th := "สวัสดีคุณ" + name + "\n\n" +
		"มีคำขอตั้งรหัสผ่านใหม่สำหรับบัญชีของคุณ โปรดตั้งรหัสผ่านใหม่ภายใน " + durationTH(ttl) + " ที่ลิงก์นี้\n\n" +
		link + "\n\n" +
		"ลิงก์นี้ใช้ได้ครั้งเดียว หากคุณไม่ได้ขอ ไม่ต้องทำอะไร รหัสผ่านเดิมยังใช้ได้ตามเดิม\n"
	if lang == model.LanguageTH {
		return Message{To: c.Email, Subject: "ตั้งรหัสผ่านใหม่ / Reset your password", Body: th + "\n---\n\n" + en}
	}
	return Message{To: c.Email, Subject: "Reset your password / ตั้งรหัสผ่านใหม่", Body: en + "\n---\n\n" + th}
}

func durationEN(d time.Duration) string {
	switch {
	case d == time.Hour:
		return "an hour"
	case d%time.Hour == 0:
		return fmt.Sprintf("%d hours", int(d.Hours()))
	}
	return fmt.Sprintf("%d minutes", int(math.Ceil(d.Minutes())))
}

func durationTH(d time.Duration) string {
	if d%time.Hour == 0 {
		return fmt.Sprintf("%d ชั่วโมง", int(d.Hours()))
	}
	return fmt.Sprintf("%d นาที", int(math.Ceil(d.Minutes())))
}
