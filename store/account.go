package store

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/langran/langran/model"
)

// Token kinds in access_tokens.
const (
	TokenCustomer = "customer"
	TokenStaff    = "staff"
)

// One-time token purposes.
const (
	PurposePasswordReset   = "reset"
	PurposeStaffInvitation = "invite"
)

// AccessToken is a sign-in session: the hash of the bearer token, whose it
// is, and until when it is good.
type AccessToken struct {
	ID        int64 `gorm:"primaryKey"`
	TokenHash string
	Kind      string
	SubjectID int64
	ExpiresAt time.Time
	CreatedAt time.Time
	RevokedAt *time.Time
}

// OneTimeToken is a secret that may be used once before it expires: a
// password reset or a staff invitation.
type OneTimeToken struct {
	ID        int64 `gorm:"primaryKey"`
	Purpose   string
	SubjectID int64
	TokenHash string
	ExpiresAt time.Time
	UsedAt    *time.Time
	CreatedAt time.Time
}

// CreateCustomer inserts c; a taken email is a Conflict.
func (s *Store) CreateCustomer(ctx context.Context, c *model.Customer) error {
	return TranslateError(s.db.WithContext(ctx).Table("customers").Create(c).Error)
}

// FindCustomerByEmailKey returns the open account with this email key, or
// NotFound.
func (s *Store) FindCustomerByEmailKey(ctx context.Context, key string) (*model.Customer, error) {
	var c model.Customer
	err := s.db.WithContext(ctx).Table("customers").Where("email_key = ? AND closed_at IS NULL", key).Take(&c).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &c, nil
}

// FindCustomersByIDs returns the customers with these IDs, closed ones too.
func (s *Store) FindCustomersByIDs(ctx context.Context, ids []int64) ([]model.Customer, error) {
	return findByIDs[model.Customer](ctx, s, "customers", ids)
}

// UpdateCustomer changes the given columns of an open account; NotFound when
// there is none.
func (s *Store) UpdateCustomer(ctx context.Context, id int64, changes map[string]any) error {
	changes["updated_at"] = s.now()
	res := s.db.WithContext(ctx).Table("customers").Where("id = ? AND closed_at IS NULL", id).Updates(changes)
	return rowsOrNotFound(res)
}

// FindAddressesByCustomerIDs returns the addresses of these customers, oldest first.
func (s *Store) FindAddressesByCustomerIDs(ctx context.Context, ids []int64) ([]model.MailingAddress, error) {
	var out []model.MailingAddress
	if len(ids) == 0 {
		return out, nil
	}
	err := s.db.WithContext(ctx).Where("customer_id IN ?", ids).Order("customer_id, id").Find(&out).Error
	return out, TranslateError(err)
}

// MaxAddressesPerCustomer bounds a customer's saved addresses.
const MaxAddressesPerCustomer = 50

// CreateAddress saves a new address for its customer, refusing more than
// MaxAddressesPerCustomer. The first address becomes the default.
func (s *Store) CreateAddress(ctx context.Context, a *model.MailingAddress) error {
	return s.InTx(ctx, func(tx *Store) error {
		// Lock the customer row: concurrent creates count one after another.
		var c model.Customer
		if err := tx.db.WithContext(ctx).Table("customers").Clauses(clause.Locking{Strength: "UPDATE"}).
			Where("id = ? AND closed_at IS NULL", a.CustomerID).Take(&c).Error; err != nil {
			return TranslateError(err)
		}
		var n int64
		if err := tx.db.WithContext(ctx).Table("customer_addresses").Where("customer_id = ?", a.CustomerID).Count(&n).Error; err != nil {
			return TranslateError(err)
		}
		if n >= MaxAddressesPerCustomer {
			return model.Errorf(model.CodeLimitExceeded, "a customer may keep at most %d addresses", MaxAddressesPerCustomer)
		}
		if err := tx.db.WithContext(ctx).Create(a).Error; err != nil {
			return TranslateError(err)
		}
		if c.DefaultAddressID == nil {
			return TranslateError(tx.db.WithContext(ctx).Table("customers").Where("id = ?", c.ID).
				Update("default_address_id", a.ID).Error)
		}
		return nil
	})
}

// UpdateAddress replaces the fields of one of the customer's addresses;
// NotFound when the address is not the customer's.
func (s *Store) UpdateAddress(ctx context.Context, a *model.MailingAddress) error {
	res := s.db.WithContext(ctx).Model(&model.MailingAddress{}).
		Where("id = ? AND customer_id = ?", a.ID, a.CustomerID).
		Select("first_name", "last_name", "company", "address1", "address2", "subdistrict", "district", "city",
			"province", "zip", "country", "phone", "tax_id", "branch", "updated_at").
		Updates(a)
	return rowsOrNotFound(res)
}

// DeleteAddress removes one of the customer's addresses, clearing the
// default when it was the default; NotFound when it is not the customer's.
func (s *Store) DeleteAddress(ctx context.Context, customerID, addressID int64) error {
	return s.InTx(ctx, func(tx *Store) error {
		res := tx.db.WithContext(ctx).Where("id = ? AND customer_id = ?", addressID, customerID).Delete(&model.MailingAddress{})
		if err := rowsOrNotFound(res); err != nil {
			return err
		}
		return TranslateError(tx.db.WithContext(ctx).Table("customers").
			Where("id = ? AND default_address_id = ?", customerID, addressID).Update("default_address_id", nil).Error)
	})
}

// SetDefaultAddress makes one of the customer's addresses the default;
// NotFound when it is not the customer's.
func (s *Store) SetDefaultAddress(ctx context.Context, customerID, addressID int64) error {
	res := s.db.WithContext(ctx).Table("customers").
		Where("id = ? AND closed_at IS NULL AND EXISTS (SELECT 1 FROM customer_addresses a WHERE a.id = ? AND a.customer_id = ?)",
			customerID, addressID, customerID).
		Updates(map[string]any{"default_address_id": addressID, "updated_at": s.now()})
	return rowsOrNotFound(res)
}

// CreateAccessToken stores a new sign-in session.
func (s *Store) CreateAccessToken(ctx context.Context, t *AccessToken) error {
	return TranslateError(s.db.WithContext(ctx).Table("access_tokens").Create(t).Error)
}

// FindLiveAccessToken returns the unrevoked, unexpired token with this hash
// and kind, or NotFound.
func (s *Store) FindLiveAccessToken(ctx context.Context, kind, hash string, now time.Time) (*AccessToken, error) {
	var t AccessToken
	err := s.db.WithContext(ctx).Table("access_tokens").
		Where("token_hash = ? AND kind = ? AND revoked_at IS NULL AND expires_at > ?", hash, kind, now).Take(&t).Error
	if err != nil {
		return nil, TranslateError(err)
	}
	return &t, nil
}

// RenewAccessToken moves a live token's expiry to expires; NotFound when the
// token is unknown, expired or revoked.
func (s *Store) RenewAccessToken(ctx context.Context, kind, hash string, now, expires time.Time) error {
	res := s.db.WithContext(ctx).Table("access_tokens").
		Where("token_hash = ? AND kind = ? AND revoked_at IS NULL AND expires_at > ?", hash, kind, now).
		Update("expires_at", expires)
	return rowsOrNotFound(res)
}

// RevokeAccessToken ends a session; NotFound when it was not live.
func (s *Store) RevokeAccessToken(ctx context.Context, kind, hash string, now time.Time) error {
	res := s.db.WithContext(ctx).Table("access_tokens").
		Where("token_hash = ? AND kind = ? AND revoked_at IS NULL", hash, kind).Update("revoked_at", now)
	return rowsOrNotFound(res)
}

// RevokeAllAccessTokens ends every session of a subject (after a password
// change, a deactivation or closing an account).
func (s *Store) RevokeAllAccessTokens(ctx context.Context, kind string, subjectID int64, now time.Time) error {
	return TranslateError(s.db.WithContext(ctx).Table("access_tokens").
		Where("kind = ? AND subject_id = ? AND revoked_at IS NULL", kind, subjectID).Update("revoked_at", now).Error)
}

// CreateStaff inserts a staff member; a taken email is a Conflict.
func (s *Store) CreateStaff(ctx context.Context, m *model.StaffMember) error {
	return TranslateError(s.db.WithContext(ctx).Create(m).Error)
}

// FindStaffByEmailKey returns the staff member with this email key, or NotFound.
func (s *Store) FindStaffByEmailKey(ctx context.Context, key string) (*model.StaffMember, error) {
	var m model.StaffMember
	if err := s.db.WithContext(ctx).Where("email_key = ?", key).Take(&m).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &m, nil
}

// FindStaffByIDs returns the staff members with these IDs.
func (s *Store) FindStaffByIDs(ctx context.Context, ids []int64) ([]model.StaffMember, error) {
	return findByIDs[model.StaffMember](ctx, s, "staff", ids)
}

// ListStaff returns one page of staff members in ID order.
func (s *Store) ListStaff(ctx context.Context, pg Page) ([]model.StaffMember, bool, error) {
	return pageByID[model.StaffMember](s.db.WithContext(ctx).Table("staff"), "id", pg)
}

// CountStaff counts staff members.
func (s *Store) CountStaff(ctx context.Context) (int64, error) {
	var n int64
	err := s.db.WithContext(ctx).Table("staff").Count(&n).Error
	return n, TranslateError(err)
}

// UpdateStaff changes a staff member's role, active flag or password hash
// (the non-nil ones). Inside one transaction it refuses a change that would
// leave the store without an active owner: the owners' rows are locked
// first, so two owners demoting each other at once cannot both succeed.
func (s *Store) UpdateStaff(ctx context.Context, id int64, role *model.Role, active *bool, passwordHash *string) (*model.StaffMember, error) {
	var out model.StaffMember
	err := s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		var owners []model.StaffMember
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("role = ? AND active = ?", model.RoleOwner, true).
			Order("id").Find(&owners).Error; err != nil {
			return TranslateError(err)
		}
		if err := db.Clauses(clause.Locking{Strength: "UPDATE"}).Where("id = ?", id).Take(&out).Error; err != nil {
			return TranslateError(err)
		}
		changes := map[string]any{"updated_at": tx.now()}
		if role != nil {
			changes["role"], out.Role = *role, *role
		}
		if active != nil {
			changes["active"], out.Active = *active, *active
		}
		if passwordHash != nil {
			changes["password_hash"], out.PasswordHash = *passwordHash, *passwordHash
		}
		stillOwner := out.Role == model.RoleOwner && out.Active
		wasOwner := false
		for _, o := range owners {
			wasOwner = wasOwner || o.ID == id
		}
		if wasOwner && !stillOwner && len(owners) == 1 {
			return model.Errorf(model.CodeConflict, "the store must keep at least one active owner")
		}
		return TranslateError(db.Model(&model.StaffMember{}).Where("id = ?", id).Updates(changes).Error)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// CreateAPIKey stores a partner key.
func (s *Store) CreateAPIKey(ctx context.Context, k *model.APIKey) error {
	return TranslateError(s.db.WithContext(ctx).Create(k).Error)
}

// FindLiveAPIKey returns the unrevoked key with this hash, or NotFound.
func (s *Store) FindLiveAPIKey(ctx context.Context, hash string) (*model.APIKey, error) {
	var k model.APIKey
	if err := s.db.WithContext(ctx).Where("key_hash = ? AND revoked_at IS NULL", hash).Take(&k).Error; err != nil {
		return nil, TranslateError(err)
	}
	return &k, nil
}

// TouchAPIKey records that a key was used, at most once a minute per key, so
// that a busy partner does not write on every request.
func (s *Store) TouchAPIKey(ctx context.Context, id int64, now time.Time) error {
	return TranslateError(s.db.WithContext(ctx).Table("api_keys").
		Where("id = ? AND (last_used_at IS NULL OR last_used_at < ?)", id, now.Add(-time.Minute)).
		Update("last_used_at", now).Error)
}

// RevokeAPIKey revokes a key; NotFound when it was not live.
func (s *Store) RevokeAPIKey(ctx context.Context, id int64, now time.Time) (*model.APIKey, error) {
	res := s.db.WithContext(ctx).Table("api_keys").Where("id = ? AND revoked_at IS NULL", id).Update("revoked_at", now)
	if err := rowsOrNotFound(res); err != nil {
		return nil, err
	}
	keys, err := s.FindAPIKeysByIDs(ctx, []int64{id})
	if err != nil || len(keys) == 0 {
		return nil, TranslateError(err)
	}
	return &keys[0], nil
}

// FindAPIKeysByIDs returns the keys with these IDs.
func (s *Store) FindAPIKeysByIDs(ctx context.Context, ids []int64) ([]model.APIKey, error) {
	return findByIDs[model.APIKey](ctx, s, "api_keys", ids)
}

// ListAPIKeys returns one page of keys in ID order.
func (s *Store) ListAPIKeys(ctx context.Context, pg Page) ([]model.APIKey, bool, error) {
	return pageByID[model.APIKey](s.db.WithContext(ctx).Table("api_keys"), "id", pg)
}

// CreateOneTimeToken stores a password reset or invitation.
func (s *Store) CreateOneTimeToken(ctx context.Context, t *OneTimeToken) error {
	return TranslateError(s.db.WithContext(ctx).Table("one_time_tokens").Create(t).Error)
}

// ConsumeOneTimeToken marks the unused, unexpired token with this purpose
// and hash used, and returns it. A conditional update, so two concurrent
// uses of one token cannot both succeed; NotFound otherwise.
func (s *Store) ConsumeOneTimeToken(ctx context.Context, purpose, hash string, now time.Time) (*OneTimeToken, error) {
	var t OneTimeToken
	err := s.InTx(ctx, func(tx *Store) error {
		res := tx.db.WithContext(ctx).Table("one_time_tokens").
			Where("purpose = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ?", purpose, hash, now).
			Update("used_at", now)
		if err := rowsOrNotFound(res); err != nil {
			return err
		}
		return TranslateError(tx.db.WithContext(ctx).Table("one_time_tokens").Where("token_hash = ?", hash).Take(&t).Error)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// Throttle limits: how many failures within Window block a subject, and for
// how long.
type Throttle struct {
	Window   time.Duration
	Failures int
	Block    time.Duration
}

// ThrottleBlockedUntil returns the latest time any of the subjects is
// blocked until; the zero time when none is blocked at now.
func (s *Store) ThrottleBlockedUntil(ctx context.Context, subjects []string, now time.Time) (time.Time, error) {
	var rows []struct{ BlockedUntil time.Time }
	err := s.db.WithContext(ctx).Table("auth_throttle").Select("blocked_until").
		Where("subject IN ? AND blocked_until > ?", subjects, now).Find(&rows).Error
	var until time.Time
	for _, r := range rows {
		if r.BlockedUntil.After(until) {
			until = r.BlockedUntil
		}
	}
	return until, TranslateError(err)
}

// ThrottleFailure counts a failed attempt against subject under limit t,
// blocking it once it reaches t.Failures within t.Window. Both steps are
// single atomic statements (an upsert that adds one, then a conditional
// update that blocks), never a read and a write, so concurrent failures
// all count on both databases.
func (s *Store) ThrottleFailure(ctx context.Context, subject string, t Throttle, now time.Time) error {
	db := s.db.WithContext(ctx)
	stale := now.Add(-t.Window)
	// The assignments are in this order on purpose: MySQL evaluates them
	// left to right, each seeing the ones before; failures must see the
	// old window_start, as SQLite's (which evaluates all on the old row) do.
	err := db.Table("auth_throttle").Clauses(clause.OnConflict{
		Columns: []clause.Column{{Name: "subject"}},
		DoUpdates: clause.Set{
			{Column: clause.Column{Name: "failures"}, Value: gorm.Expr("CASE WHEN window_start < ? THEN 1 ELSE failures + 1 END", stale)},
			{Column: clause.Column{Name: "window_start"}, Value: gorm.Expr("CASE WHEN window_start < ? THEN ? ELSE window_start END", stale, now)},
		},
	}).Create(map[string]any{"subject": subject, "failures": 1, "window_start": now}).Error
	if err != nil {
		return TranslateError(err)
	}
	return TranslateError(db.Table("auth_throttle").Where("subject = ? AND failures >= ?", subject, t.Failures).
		Updates(map[string]any{"blocked_until": now.Add(t.Block), "failures": 0, "window_start": now}).Error)
}

// ThrottleClear forgets a subject's failures (after a successful sign-in).
func (s *Store) ThrottleClear(ctx context.Context, subject string) error {
	return TranslateError(s.db.WithContext(ctx).Table("auth_throttle").
		Where("subject = ? AND blocked_until IS NULL", subject).Delete(nil).Error)
}

// AppendAudit records a write by staff or a partner.
func (s *Store) AppendAudit(ctx context.Context, e *model.AuditEntry) error {
	if e.CreatedAt.IsZero() {
		e.CreatedAt = s.now()
	}
	return TranslateError(s.db.WithContext(ctx).Create(e).Error)
}

// AuditFilter narrows the audit log.
type AuditFilter struct {
	ObjectType string
	ObjectID   int64
	ActorKind  model.ViewerKind
	ActorID    int64
	Since      *time.Time
	Until      *time.Time
}

// ListAudit returns one page of the audit log in ID (time) order.
func (s *Store) ListAudit(ctx context.Context, f AuditFilter, pg Page) ([]model.AuditEntry, bool, error) {
	q := s.db.WithContext(ctx).Table("audit_log")
	if f.ObjectType != "" {
		q = q.Where("object_type = ?", f.ObjectType)
	}
	if f.ObjectID != 0 {
		q = q.Where("object_id = ?", f.ObjectID)
	}
	if f.ActorKind != "" {
		q = q.Where("actor_kind = ? AND actor_id = ?", f.ActorKind, f.ActorID)
	}
	if f.Since != nil {
		q = q.Where("created_at >= ?", *f.Since)
	}
	if f.Until != nil {
		q = q.Where("created_at < ?", *f.Until)
	}
	return pageByID[model.AuditEntry](q, "id", pg)
}

// now is the store's clock: UTC, whole seconds, like every stored time.
func (s *Store) now() time.Time { return s.db.NowFunc() }

// rowsOrNotFound turns a write that matched no row into NotFound.
func rowsOrNotFound(res *gorm.DB) error {
	if res.Error != nil {
		return TranslateError(res.Error)
	}
	if res.RowsAffected == 0 {
		return &model.Error{Code: model.CodeNotFound, Message: "not found"}
	}
	return nil
}

// FindAddressesByIDs returns the addresses with these IDs.
func (s *Store) FindAddressesByIDs(ctx context.Context, ids []int64) ([]model.MailingAddress, error) {
	return findByIDs[model.MailingAddress](ctx, s, "customer_addresses", ids)
}

// FindAuditByIDs returns the audit entries with these IDs.
func (s *Store) FindAuditByIDs(ctx context.Context, ids []int64) ([]model.AuditEntry, error) {
	return findByIDs[model.AuditEntry](ctx, s, "audit_log", ids)
}

// EndOneTimeTokens marks every unused token of a subject for purpose used,
// so that a link mailed earlier stops working once the password has been
// reset or the account closed.
func (s *Store) EndOneTimeTokens(ctx context.Context, purpose string, subjectID int64, now time.Time) error {
	return TranslateError(s.db.WithContext(ctx).Table("one_time_tokens").
		Where("purpose = ? AND subject_id = ? AND used_at IS NULL", purpose, subjectID).Update("used_at", now).Error)
}

// ClosedEmail is the placeholder a closed account's email and email key
// become: unique (it holds the ID) and never an address (it has no @), so
// it frees the real address for a new account and no sign-in can match it.
func ClosedEmail(id int64) string { return fmt.Sprintf("closed:%d", id) }

// CloseCustomer anonymises an open account in place: the email becomes
// ClosedEmail, names and phone are emptied, marketing consent withdrawn,
// the password hash cleared, every saved address deleted and closed_at set.
// The row stays, so that orders keep a buyer to refer to. A conditional
// update on closed_at IS NULL, so closing twice (or twice at once) closes
// once; NotFound when the account is unknown or already closed. Run it in
// the transaction that also revokes the customer's sessions.
func (s *Store) CloseCustomer(ctx context.Context, id int64, now time.Time) error {
	return s.InTx(ctx, func(tx *Store) error {
		db := tx.db.WithContext(ctx)
		res := db.Table("customers").Where("id = ? AND closed_at IS NULL", id).Updates(map[string]any{
			"email": ClosedEmail(id), "email_key": ClosedEmail(id), "password_hash": "",
			"first_name": "", "last_name": "", "phone": "", "accepts_marketing": false,
			"default_address_id": nil, "closed_at": now, "updated_at": now,
		})
		if err := rowsOrNotFound(res); err != nil {
			return err
		}
		return TranslateError(db.Where("customer_id = ?", id).Delete(&model.MailingAddress{}).Error)
	})
}

// FindAccessTokensBySubject returns every session of a subject, newest
// first, revoked and expired ones included (a data export lists them).
func (s *Store) FindAccessTokensBySubject(ctx context.Context, kind string, subjectID int64) ([]AccessToken, error) {
	var out []AccessToken
	err := s.db.WithContext(ctx).Table("access_tokens").Where("kind = ? AND subject_id = ?", kind, subjectID).
		Order("id DESC").Find(&out).Error
	return out, TranslateError(err)
}

// PruneAuthRecords deletes what no longer serves a purpose and may hold
// personal data: one-time tokens that expired before before, and throttle
// counts whose window began before before and that block nobody now. It
// returns how many rows went.
func (s *Store) PruneAuthRecords(ctx context.Context, before, now time.Time) (int64, error) {
	db := s.db.WithContext(ctx)
	tokens := db.Table("one_time_tokens").Where("expires_at < ?", before).Delete(nil)
	if tokens.Error != nil {
		return 0, TranslateError(tokens.Error)
	}
	throttle := db.Table("auth_throttle").
		Where("window_start < ? AND (blocked_until IS NULL OR blocked_until < ?)", before, now).Delete(nil)
	return tokens.RowsAffected + throttle.RowsAffected, TranslateError(throttle.Error)
}
