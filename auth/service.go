package auth

import (
	"context"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// Config tunes the service. Zero fields take the defaults in New.
type Config struct {
	Hash             HashParams
	CustomerTokenTTL time.Duration // how long a customer stays signed in
	StaffTokenTTL    time.Duration // how long a staff session lasts
	InvitationTTL    time.Duration // how long a staff invitation can be accepted
	ResetTTL         time.Duration // how long a password reset link works
	// AccountThrottle limits failed sign-ins per account (email), whether
	// or not the account exists; AddressThrottle per client address.
	AccountThrottle store.Throttle
	AddressThrottle store.Throttle
	// RecoverThrottle limits password reset requests per email, whether or
	// not the account exists; RecoverAddressThrottle per client address.
	RecoverThrottle        store.Throttle
	RecoverAddressThrottle store.Throttle
	// Now is the clock; tests move it.
	Now func() time.Time
	// Mailer sends invitations and password resets. Password reset mail
	// is sent through it from the background (see Outbox) when it is one;
	// the service never waits for it there.
	Mailer Mailer
	// StorefrontURL and AdminURL are where links in mail point.
	StorefrontURL string
	AdminURL      string
}

// Service is the accounts workflow.
type Service struct {
	st        *store.Store
	cfg       Config
	dummyHash string
}

// New returns the service over st, filling in defaults.
func New(st *store.Store, cfg Config) *Service {
	if cfg.Hash == (HashParams{}) {
		cfg.Hash = DefaultHashParams
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.CustomerTokenTTL, 30*24*time.Hour)
	def(&cfg.StaffTokenTTL, 12*time.Hour)
	def(&cfg.InvitationTTL, 7*24*time.Hour)
	def(&cfg.ResetTTL, time.Hour)
	if cfg.AccountThrottle.Failures == 0 {
		cfg.AccountThrottle = store.Throttle{Window: 15 * time.Minute, Failures: 10, Block: 15 * time.Minute}
	}
	if cfg.AddressThrottle.Failures == 0 {
		cfg.AddressThrottle = store.Throttle{Window: 15 * time.Minute, Failures: 50, Block: 15 * time.Minute}
	}
	if cfg.RecoverThrottle.Failures == 0 {
		cfg.RecoverThrottle = store.Throttle{Window: time.Hour, Failures: 5, Block: time.Hour}
	}
	if cfg.RecoverAddressThrottle.Failures == 0 {
		cfg.RecoverAddressThrottle = store.Throttle{Window: time.Hour, Failures: 30, Block: time.Hour}
	}
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Now().UTC().Truncate(time.Second) }
	}
	if cfg.Mailer == nil {
		cfg.Mailer = DiscardMailer{}
	}
	// Signing in as nobody verifies against this hash, so that an unknown
	// email takes as long to refuse as a wrong password.
	dummy, err := HashPassword("not anybody's password", cfg.Hash)
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return &Service{st: st, cfg: cfg, dummyHash: dummy}
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }

// errUnauthenticated is the answer to any credential that does not work,
// whatever the reason, so that it tells an attacker nothing.
var errUnauthenticated = &model.Error{Code: model.CodeUnauthorized,
	Message: "the credentials are not valid: sign in again, or check the API key"}

// Authenticate returns the viewer of a request from its Authorization
// header (a bearer customer or staff token, or an API key) or its
// X-Langran-Api-Key header. No credentials is the anonymous viewer;
// credentials that do not work are an UNAUTHENTICATED error, never a
// silent downgrade to anonymous.
func (s *Service) Authenticate(ctx context.Context, authorization, apiKey string) (*model.Viewer, error) {
	token, ok := BearerToken(authorization)
	if !ok {
		return nil, errUnauthenticated
	}
	if apiKey = strings.TrimSpace(apiKey); apiKey != "" {
		// X-Langran-Api-Key carries partner keys only, never a sign-in token.
		if !WellFormedSecret(apiKey, PrefixAPIKey) || (token != "" && token != apiKey) {
			return nil, errUnauthenticated
		}
		token = apiKey
	}
	now := s.Now()
	switch {
	case token == "":
		return model.Anonymous, nil
	case WellFormedSecret(token, PrefixCustomerToken):
		t, err := s.st.FindLiveAccessToken(ctx, store.TokenCustomer, HashSecret(token), now)
		if err != nil {
			return nil, notFoundAs(err, errUnauthenticated)
		}
		return &model.Viewer{Kind: model.ViewerCustomer, ID: t.SubjectID, TokenID: t.ID}, nil
	case WellFormedSecret(token, PrefixStaffToken):
		t, err := s.st.FindLiveAccessToken(ctx, store.TokenStaff, HashSecret(token), now)
		if err != nil {
			return nil, notFoundAs(err, errUnauthenticated)
		}
		staff, err := s.st.FindStaffByIDs(ctx, []int64{t.SubjectID})
		if err != nil {
			return nil, err
		}
		if len(staff) == 0 || !staff[0].Active {
			return nil, errUnauthenticated
		}
		return &model.Viewer{Kind: model.ViewerStaff, ID: staff[0].ID, TokenID: t.ID,
			Permissions: model.NewPermissionSet(model.RolePermissions[staff[0].Role]...)}, nil
	case WellFormedSecret(token, PrefixAPIKey):
		k, err := s.st.FindLiveAPIKey(ctx, HashSecret(token))
		if err != nil {
			return nil, notFoundAs(err, errUnauthenticated)
		}
		if err := s.st.TouchAPIKey(ctx, k.ID, now); err != nil {
			return nil, err
		}
		return &model.Viewer{Kind: model.ViewerPartner, ID: k.ID, TokenID: k.ID,
			Permissions: model.NewPermissionSet(k.ScopeList()...)}, nil
	}
	return nil, errUnauthenticated
}

// notFoundAs replaces a NotFound error with instead, keeping other errors.
func notFoundAs(err error, instead error) error {
	if model.ErrorCodeOf(err) == model.CodeNotFound {
		return instead
	}
	return err
}

// CustomerInput is what customerCreate and customerUpdate take; nil fields
// are left alone by updates.
type CustomerInput struct {
	Email            *string
	Password         *string
	FirstName        *string
	LastName         *string
	Phone            *string
	AcceptsMarketing *bool
}

// maxNameLen bounds names and other short texts.
const maxNameLen = 255

// CheckName refuses text that is too long, not UTF-8, or holds control
// characters.
func CheckName(field []string, s string, max int) *model.Error {
	name := field[len(field)-1]
	switch {
	case !utf8.ValidString(s):
		return &model.Error{Code: model.CodeInvalid, Field: field, Message: name + " must be valid text"}
	case utf8.RuneCountInString(s) > max:
		return &model.Error{Code: model.CodeTooLong, Field: field, Message: fmt.Sprintf("%s must be at most %d characters", name, max)}
	}
	for _, r := range s {
		if r < ' ' || r == 0x7f {
			return &model.Error{Code: model.CodeInvalid, Field: field, Message: name + " must not contain control characters"}
		}
	}
	return nil
}

// CheckPhone accepts a phone number of 6 to 16 digits, with an optional
// leading + and spaces or dashes between digits.
func CheckPhone(field []string, s string) *model.Error {
	digits := 0
	for i, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0, r == ' ' || r == '-':
		default:
			return &model.Error{Code: model.CodeInvalid, Field: field, Message: "phone must be digits, with an optional leading +"}
		}
	}
	if s != "" && (digits < 6 || digits > 16) {
		return &model.Error{Code: model.CodeInvalid, Field: field, Message: "phone must have 6 to 16 digits"}
	}
	return nil
}

// CreateCustomer opens an account. Expected problems (a bad or taken email,
// a weak password) are *model.Error with Field set under "input".
func (s *Service) CreateCustomer(ctx context.Context, in CustomerInput) (*model.Customer, error) {
	field := func(n string) []string { return []string{"input", n} }
	if in.Email == nil {
		return nil, &model.Error{Code: model.CodeBlank, Field: field("email"), Message: "email is required"}
	}
	key, ok := model.NormalizeEmail(*in.Email)
	if !ok {
		return nil, &model.Error{Code: model.CodeInvalid, Field: field("email"), Message: "email is not a valid address"}
	}
	if in.Password == nil {
		return nil, &model.Error{Code: model.CodeBlank, Field: field("password"), Message: "password is required"}
	}
	if err := model.CheckPassword(field("password"), *in.Password); err != nil {
		return nil, err
	}
	c := &model.Customer{Email: strings.TrimSpace(*in.Email), EmailKey: key}
	if err := s.applyCustomerFields(c, in, field); err != nil {
		return nil, err
	}
	hash, err := HashPassword(*in.Password, s.cfg.Hash)
	if err != nil {
		return nil, err
	}
	c.PasswordHash = hash
	now := s.Now()
	c.CreatedAt, c.UpdatedAt = now, now
	if err := s.st.CreateCustomer(ctx, c); err != nil {
		if model.ErrorCodeOf(err) == model.CodeConflict {
			return nil, &model.Error{Code: model.CodeTaken, Field: field("email"), Message: "email has already been taken"}
		}
		return nil, err
	}
	return c, nil
}

func (s *Service) applyCustomerFields(c *model.Customer, in CustomerInput, field func(string) []string) error {
	for _, f := range []struct {
		name string
		v    *string
		dst  *string
	}{{"firstName", in.FirstName, &c.FirstName}, {"lastName", in.LastName, &c.LastName}} {
		if f.v == nil {
			continue
		}
		if err := CheckName(field(f.name), strings.TrimSpace(*f.v), maxNameLen); err != nil {
			return err
		}
		*f.dst = strings.TrimSpace(*f.v)
	}
	if in.Phone != nil {
		p := strings.TrimSpace(*in.Phone)
		if err := CheckPhone(field("phone"), p); err != nil {
			return err
		}
		c.Phone = p
	}
	if in.AcceptsMarketing != nil {
		c.AcceptsMarketing = *in.AcceptsMarketing
	}
	return nil
}

// UpdateCustomer changes the signed-in customer's profile. Changing the
// password needs the current one and signs every other session out.
func (s *Service) UpdateCustomer(ctx context.Context, id int64, in CustomerInput, currentPassword *string) (*model.Customer, error) {
	field := func(n string) []string { return []string{"input", n} }
	cs, err := s.st.FindCustomersByIDs(ctx, []int64{id})
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 || cs[0].ClosedAt != nil {
		return nil, model.Errorf(model.CodeNotFound, "no such customer")
	}
	c := cs[0]
	if err := s.applyCustomerFields(&c, in, field); err != nil {
		return nil, err
	}
	changes := map[string]any{"first_name": c.FirstName, "last_name": c.LastName, "phone": c.Phone,
		"accepts_marketing": c.AcceptsMarketing}
	if in.Email != nil {
		key, ok := model.NormalizeEmail(*in.Email)
		if !ok {
			return nil, &model.Error{Code: model.CodeInvalid, Field: field("email"), Message: "email is not a valid address"}
		}
		c.Email, c.EmailKey = strings.TrimSpace(*in.Email), key
		changes["email"], changes["email_key"] = c.Email, key
	}
	newPassword := in.Password != nil
	if newPassword {
		if currentPassword == nil {
			return nil, &model.Error{Code: model.CodeBlank, Field: field("currentPassword"), Message: "currentPassword is required to change the password"}
		}
		if ok, err := VerifyPassword(*currentPassword, c.PasswordHash); err != nil || !ok {
			return nil, &model.Error{Code: model.CodeInvalidLogin, Field: field("currentPassword"), Message: "currentPassword is incorrect"}
		}
		if err := model.CheckPassword(field("password"), *in.Password); err != nil {
			return nil, err
		}
		hash, err := HashPassword(*in.Password, s.cfg.Hash)
		if err != nil {
			return nil, err
		}
		changes["password_hash"] = hash
	}
	err = s.st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.UpdateCustomer(ctx, id, changes); err != nil {
			return err
		}
		if newPassword {
			// Every session but this request's ends with the old password.
			return tx.RevokeAllAccessTokens(ctx, store.TokenCustomer, id, s.Now())
		}
		return nil
	})
	if model.ErrorCodeOf(err) == model.CodeConflict {
		return nil, &model.Error{Code: model.CodeTaken, Field: field("email"), Message: "email has already been taken"}
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// Session is a new access token: the secret, shown once, and its expiry.
type Session struct {
	Token     string
	ExpiresAt time.Time
}

// invalidLogin is the answer to any failed sign-in: an unknown email, a
// wrong password, a closed account or a deactivated staff member all read
// the same.
var invalidLogin = &model.Error{Code: model.CodeInvalidLogin, Message: "email or password is incorrect"}

// signIn checks an email and password against the throttles and the
// account found by find, and opens a session of kind.
func (s *Service) signIn(ctx context.Context, kind, email, password, clientAddr string,
	find func(key string) (id int64, hash string, ok bool, err error)) (*Session, error) {
	key, valid := model.NormalizeEmail(email)
	if !valid {
		key = strings.ToLower(strings.TrimSpace(email))
		if len(key) > model.MaxEmailLen {
			key = key[:model.MaxEmailLen]
		}
	}
	account := accountSubject(kind, key)
	address := "addr:" + clientAddr
	subjects := []string{account}
	if clientAddr != "" {
		subjects = append(subjects, address)
	}
	now := s.Now()
	until, err := s.st.ThrottleBlockedUntil(ctx, subjects, now)
	if err != nil {
		return nil, err
	}
	if !until.IsZero() {
		minutes := int(math.Ceil(until.Sub(now).Minutes()))
		return nil, model.Errorf(model.CodeThrottled, "too many failed sign-in attempts; try again in %d minutes", max(minutes, 1))
	}
	id, hash, found := int64(0), s.dummyHash, false
	if valid {
		if id, hash, found, err = find(key); err != nil {
			return nil, err
		}
		if !found || hash == "" {
			hash = s.dummyHash
		}
	}
	ok, err := VerifyPassword(password, hash)
	if err != nil || !ok || !found {
		if err := s.st.ThrottleFailure(ctx, account, s.cfg.AccountThrottle, now); err != nil {
			return nil, err
		}
		if clientAddr != "" {
			if err := s.st.ThrottleFailure(ctx, address, s.cfg.AddressThrottle, now); err != nil {
				return nil, err
			}
		}
		return nil, invalidLogin
	}
	if err := s.st.ThrottleClear(ctx, account); err != nil {
		return nil, err
	}
	return s.openSession(ctx, s.st, kind, id)
}

// accountSubject is the throttle subject of an account (its kind and a hash
// of its email key, so the table holds no address).
func accountSubject(kind, emailKey string) string {
	return kind + ":" + HashSecret(emailKey)[:32]
}

// openSession creates an access token of kind for subject id within st.
func (s *Service) openSession(ctx context.Context, st *store.Store, kind string, id int64) (*Session, error) {
	ttl := s.cfg.CustomerTokenTTL
	prefix := PrefixCustomerToken
	if kind == store.TokenStaff {
		ttl, prefix = s.cfg.StaffTokenTTL, PrefixStaffToken
	}
	secret, secretHash, err := NewSecret(prefix)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	t := &store.AccessToken{TokenHash: secretHash, Kind: kind, SubjectID: id, ExpiresAt: now.Add(ttl), CreatedAt: now}
	if err := st.CreateAccessToken(ctx, t); err != nil {
		return nil, err
	}
	return &Session{Token: secret, ExpiresAt: t.ExpiresAt}, nil
}

// SignInCustomer opens a customer session. Failures are throttled per
// account and per client address and read the same whatever failed.
func (s *Service) SignInCustomer(ctx context.Context, email, password, clientAddr string) (*Session, error) {
	return s.signIn(ctx, store.TokenCustomer, email, password, clientAddr, func(key string) (int64, string, bool, error) {
		c, err := s.st.FindCustomerByEmailKey(ctx, key)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return 0, "", false, nil
		}
		if err != nil {
			return 0, "", false, err
		}
		return c.ID, c.PasswordHash, true, nil
	})
}

// SignInStaff opens a staff session; deactivated staff and staff who have
// not yet accepted their invitation cannot sign in.
func (s *Service) SignInStaff(ctx context.Context, email, password, clientAddr string) (*Session, error) {
	return s.signIn(ctx, store.TokenStaff, email, password, clientAddr, func(key string) (int64, string, bool, error) {
		m, err := s.st.FindStaffByEmailKey(ctx, key)
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return 0, "", false, nil
		}
		if err != nil {
			return 0, "", false, err
		}
		return m.ID, m.PasswordHash, m.Active && m.PasswordHash != "", nil
	})
}

// CustomerOfToken returns the ID of the customer a live access token
// belongs to, for the storefront calls that take the token as an argument
// (a cart's buyer) rather than in the Authorization header. A token that
// does not work is a TOKEN_INVALID error.
func (s *Service) CustomerOfToken(ctx context.Context, token string) (int64, error) {
	bad := &model.Error{Code: model.CodeTokenInvalid, Message: "the access token is not valid"}
	if !WellFormedSecret(token, PrefixCustomerToken) {
		return 0, bad
	}
	t, err := s.st.FindLiveAccessToken(ctx, store.TokenCustomer, HashSecret(token), s.Now())
	if err != nil {
		return 0, notFoundAs(err, bad)
	}
	return t.SubjectID, nil
}

// RenewCustomerToken extends a live customer token by the full TTL.
func (s *Service) RenewCustomerToken(ctx context.Context, token string) (*Session, error) {
	if !WellFormedSecret(token, PrefixCustomerToken) {
		return nil, &model.Error{Code: model.CodeTokenInvalid, Message: "the access token is not valid"}
	}
	now := s.Now()
	expires := now.Add(s.cfg.CustomerTokenTTL)
	err := s.st.RenewAccessToken(ctx, store.TokenCustomer, HashSecret(token), now, expires)
	if err != nil {
		return nil, notFoundAs(err, &model.Error{Code: model.CodeTokenInvalid, Message: "the access token is not valid"})
	}
	return &Session{Token: token, ExpiresAt: expires}, nil
}

// DeleteToken signs a customer or staff token out.
func (s *Service) DeleteToken(ctx context.Context, kind, token string) error {
	prefix := PrefixCustomerToken
	if kind == store.TokenStaff {
		prefix = PrefixStaffToken
	}
	if !WellFormedSecret(token, prefix) {
		return &model.Error{Code: model.CodeTokenInvalid, Message: "the access token is not valid"}
	}
	err := s.st.RevokeAccessToken(ctx, kind, HashSecret(token), s.Now())
	return notFoundAs(err, &model.Error{Code: model.CodeTokenInvalid, Message: "the access token is not valid"})
}
