package auth

import (
	"context"
	"encoding/json"
	"slices"
	"strings"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// CreateStaff adds a staff member with a password, for the command line's
// `langran staff create` (the first owner is never made by an open
// endpoint).
func (s *Service) CreateStaff(ctx context.Context, email, name string, role model.Role, password string) (*model.StaffMember, error) {
	key, ok := model.NormalizeEmail(email)
	if !ok {
		return nil, &model.Error{Code: model.CodeInvalid, Field: []string{"email"}, Message: "email is not a valid address"}
	}
	if !role.Valid() {
		return nil, &model.Error{Code: model.CodeInvalid, Field: []string{"role"}, Message: "unknown role " + string(role)}
	}
	if err := CheckName([]string{"name"}, name, maxNameLen); err != nil {
		return nil, err
	}
	if err := model.CheckPassword([]string{"password"}, password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m := &model.StaffMember{Email: strings.TrimSpace(email), EmailKey: key, Name: name, PasswordHash: hash,
		Role: role, Active: true, CreatedAt: now, UpdatedAt: now}
	if err := s.st.CreateStaff(ctx, m); err != nil {
		if model.ErrorCodeOf(err) == model.CodeConflict {
			return nil, &model.Error{Code: model.CodeTaken, Field: []string{"email"}, Message: "a staff member with this email exists"}
		}
		return nil, err
	}
	return m, nil
}

// Audit records a write by the viewer in the audit log, within tx (the
// write's own transaction, so that the write and its record stand or fall
// together). before and after are the changed object's fields; only the
// fields that differ are kept.
func Audit(ctx context.Context, tx *store.Store, v *model.Viewer, action, objectType string, objectID int64, before, after map[string]any) error {
	changes := map[string][2]any{}
	for k, a := range after {
		if b, ok := before[k]; !ok || !equalJSON(a, b) {
			changes[k] = [2]any{before[k], a}
		}
	}
	for k, b := range before {
		if _, ok := after[k]; !ok {
			changes[k] = [2]any{b, nil}
		}
	}
	summary, err := json.Marshal(changes)
	if err != nil {
		return err
	}
	return tx.AppendAudit(ctx, &model.AuditEntry{ActorKind: v.Kind, ActorID: v.ID, Action: action,
		ObjectType: objectType, ObjectID: objectID, Summary: string(summary)})
}

func equalJSON(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}

// staffFields is what the audit log keeps of a staff member (never the
// password hash).
func staffFields(m *model.StaffMember) map[string]any {
	return map[string]any{"email": m.Email, "name": m.Name, "role": m.Role, "active": m.Active}
}

// InviteStaff adds a staff member without a password and mails them a link
// to set one. Only an owner may invite an owner.
func (s *Service) InviteStaff(ctx context.Context, by *model.Viewer, email, name string, role model.Role) (*model.StaffMember, error) {
	field := func(n string) []string { return []string{"input", n} }
	key, ok := model.NormalizeEmail(email)
	if !ok {
		return nil, &model.Error{Code: model.CodeInvalid, Field: field("email"), Message: "email is not a valid address"}
	}
	if !role.Valid() {
		return nil, &model.Error{Code: model.CodeInvalid, Field: field("role"), Message: "unknown role"}
	}
	if err := s.mayGrant(by, role, field("role")); err != nil {
		return nil, err
	}
	if err := CheckName(field("name"), name, maxNameLen); err != nil {
		return nil, err
	}
	secret, hash, err := NewSecret(PrefixInvitation)
	if err != nil {
		return nil, err
	}
	now := s.Now()
	m := &model.StaffMember{Email: strings.TrimSpace(email), EmailKey: key, Name: name, Role: role, Active: true,
		CreatedAt: now, UpdatedAt: now}
	err = s.st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateStaff(ctx, m); err != nil {
			return err
		}
		if err := tx.CreateOneTimeToken(ctx, &store.OneTimeToken{Purpose: store.PurposeStaffInvitation,
			SubjectID: m.ID, TokenHash: hash, ExpiresAt: now.Add(s.cfg.InvitationTTL), CreatedAt: now}); err != nil {
			return err
		}
		return Audit(ctx, tx, by, "staff.invite", "StaffMember", m.ID, nil, staffFields(m))
	})
	if model.ErrorCodeOf(err) == model.CodeConflict {
		return nil, &model.Error{Code: model.CodeTaken, Field: field("email"), Message: "a staff member with this email exists"}
	}
	if err != nil {
		return nil, err
	}
	err = s.cfg.Mailer.Send(ctx, Message{To: m.Email, Subject: "You are invited to run the store",
		Body: "Hello " + m.DisplayName() + ",\n\nyou have been invited to the store's staff as " + string(role) +
			". Set your password within a week at:\n\n" + link(s.cfg.AdminURL, "/staff/accept", secret) + "\n"})
	return m, err
}

// AcceptInvitation sets an invited staff member's password.
func (s *Service) AcceptInvitation(ctx context.Context, token, password string) (*model.StaffMember, error) {
	bad := &model.Error{Code: model.CodeTokenInvalid, Field: []string{"input", "token"},
		Message: "the invitation is not valid: it may have expired or been used"}
	if !WellFormedSecret(token, PrefixInvitation) {
		return nil, bad
	}
	if err := model.CheckPassword([]string{"input", "password"}, password); err != nil {
		return nil, err
	}
	hash, err := HashPassword(password, s.cfg.Hash)
	if err != nil {
		return nil, err
	}
	var m *model.StaffMember
	err = s.st.InTx(ctx, func(tx *store.Store) error {
		t, err := tx.ConsumeOneTimeToken(ctx, store.PurposeStaffInvitation, HashSecret(token), s.Now())
		if err != nil {
			return notFoundAs(err, bad)
		}
		m, err = tx.UpdateStaff(ctx, t.SubjectID, nil, nil, &hash)
		return err
	})
	return m, err
}

// mayGrant refuses to let anyone but an owner hand out the owner role.
func (s *Service) mayGrant(by *model.Viewer, role model.Role, field []string) error {
	if role != model.RoleOwner {
		return nil
	}
	for _, p := range model.AllPermissions {
		if !by.Can(p) || by.Kind != model.ViewerStaff {
			return &model.Error{Code: model.CodeForbidden, Field: field, Message: "only an owner may make an owner"}
		}
	}
	return nil
}

// UpdateStaff changes a staff member's role or deactivates them (which
// signs them out everywhere). The store always keeps an active owner.
func (s *Service) UpdateStaff(ctx context.Context, by *model.Viewer, id int64, role *model.Role, active *bool) (*model.StaffMember, error) {
	if role != nil {
		if !role.Valid() {
			return nil, &model.Error{Code: model.CodeInvalid, Field: []string{"input", "role"}, Message: "unknown role"}
		}
		if err := s.mayGrant(by, *role, []string{"input", "role"}); err != nil {
			return nil, err
		}
	}
	var after *model.StaffMember
	err := s.st.InTx(ctx, func(tx *store.Store) error {
		before, err := tx.FindStaffByIDs(ctx, []int64{id})
		if err != nil {
			return err
		}
		if len(before) == 0 {
			return model.Errorf(model.CodeNotFound, "no such staff member")
		}
		// Changing an owner is an owner's business.
		if before[0].Role == model.RoleOwner {
			if err := s.mayGrant(by, model.RoleOwner, []string{"input", "id"}); err != nil {
				return err
			}
		}
		if after, err = tx.UpdateStaff(ctx, id, role, active, nil); err != nil {
			return err
		}
		if !after.Active {
			if err := tx.RevokeAllAccessTokens(ctx, store.TokenStaff, id, s.Now()); err != nil {
				return err
			}
		}
		return Audit(ctx, tx, by, "staff.update", "StaffMember", id, staffFields(&before[0]), staffFields(after))
	})
	return after, err
}

// NewAPIKey is a key just created: the secret, shown once, and its record.
type NewAPIKey struct {
	Secret string
	Key    *model.APIKey
}

// CreateAPIKey creates a partner key with scopes. A key can hold only
// permissions its creator holds, and never MANAGE_STAFF: partners do not
// manage people or keys.
func (s *Service) CreateAPIKey(ctx context.Context, by *model.Viewer, name string, scopes []model.Permission) (*NewAPIKey, error) {
	field := func(n string) []string { return []string{"input", n} }
	name = strings.TrimSpace(name)
	if name == "" {
		return nil, &model.Error{Code: model.CodeBlank, Field: field("name"), Message: "name is required"}
	}
	if err := CheckName(field("name"), name, maxNameLen); err != nil {
		return nil, err
	}
	if len(scopes) == 0 {
		return nil, &model.Error{Code: model.CodeBlank, Field: field("scopes"), Message: "give the key at least one scope"}
	}
	var list []string
	for _, sc := range scopes {
		switch {
		case !slices.Contains(model.AllPermissions, sc):
			return nil, &model.Error{Code: model.CodeInvalid, Field: field("scopes"), Message: "unknown scope " + string(sc)}
		case sc == model.PermManageStaff:
			return nil, &model.Error{Code: model.CodeInvalid, Field: field("scopes"), Message: "partner keys cannot manage staff"}
		case !by.Can(sc):
			return nil, &model.Error{Code: model.CodeForbidden, Field: field("scopes"), Message: "you cannot grant " + string(sc) + ", which you do not hold"}
		}
		if !slices.Contains(list, string(sc)) {
			list = append(list, string(sc))
		}
	}
	secret, hash, err := NewSecret(PrefixAPIKey)
	if err != nil {
		return nil, err
	}
	k := &model.APIKey{Name: name, Prefix: secret[:len(PrefixAPIKey)+6], KeyHash: hash, Scopes: strings.Join(list, " "),
		CreatedBy: by.ID, CreatedAt: s.Now()}
	err = s.st.InTx(ctx, func(tx *store.Store) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return Audit(ctx, tx, by, "apiKey.create", "ApiKey", k.ID, nil, map[string]any{"name": k.Name, "scopes": k.Scopes})
	})
	if err != nil {
		return nil, err
	}
	return &NewAPIKey{Secret: secret, Key: k}, nil
}

// RevokeAPIKey revokes a partner key at once.
func (s *Service) RevokeAPIKey(ctx context.Context, by *model.Viewer, id int64) (*model.APIKey, error) {
	var k *model.APIKey
	err := s.st.InTx(ctx, func(tx *store.Store) error {
		var err error
		if k, err = tx.RevokeAPIKey(ctx, id, s.Now()); err != nil {
			return err
		}
		return Audit(ctx, tx, by, "apiKey.revoke", "ApiKey", id, map[string]any{"revoked": false}, map[string]any{"revoked": true})
	})
	return k, err
}
