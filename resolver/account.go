package resolver

import (
	"context"
	"errors"
	"strings"
	"unicode"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// userErrors splits a workflow's error into the payload's userErrors (an
// expected problem with the input or the state: nothing changed) and the
// resolver's error (an outage or a bug, which the presenter hides).
func userErrors(err error) ([]gqlmodel.UserError, error) {
	if err == nil {
		return []gqlmodel.UserError{}, nil
	}
	var me *model.Error
	if !errors.As(err, &me) || me.Code == model.CodeInternal || me.Code == model.CodeUnavailable {
		return nil, err
	}
	return []gqlmodel.UserError{{Field: me.Field, Code: string(me.Code), Message: me.Message}}, nil
}

// decodeID decodes a global ID of type want given in the argument at path.
func decodeID(path []string, id string, want model.NodeType) (int64, error) {
	n, err := model.DecodeGlobalIDOf(id, want)
	if err != nil {
		return 0, model.InvalidField(path, "%s is not a valid %s ID", path[len(path)-1], want)
	}
	return n, nil
}

// customerInput converts customerCreate's and customerUpdate's inputs.
func customerCreateInput(in gqlmodel.CustomerCreateInput) auth.CustomerInput {
	return auth.CustomerInput{Email: &in.Email, Password: &in.Password, FirstName: in.FirstName,
		LastName: in.LastName, Phone: in.Phone, AcceptsMarketing: in.AcceptsMarketing}
}

// Address limits.
const (
	maxAddressField = 255
	thaiZipLen      = 5
	taxIDLen        = 13
	branchLen       = 5
)

// decodeAddress validates an address input. Every country needs a country
// code; a Thai address needs a 5-digit zip, and a tax ID of 13 digits and
// a branch of 5 when given.
func decodeAddress(arg string, in gqlmodel.MailingAddressInput) (model.MailingAddress, error) {
	field := func(n string) []string { return []string{arg, n} }
	var a model.MailingAddress
	texts := []struct {
		name string
		v    *string
		dst  *string
	}{
		{"firstName", in.FirstName, &a.FirstName}, {"lastName", in.LastName, &a.LastName},
		{"company", in.Company, &a.Company}, {"address1", in.Address1, &a.Address1}, {"address2", in.Address2, &a.Address2},
		{"subdistrict", in.Subdistrict, &a.Subdistrict}, {"district", in.District, &a.District}, {"city", in.City, &a.City},
		{"province", in.Province, &a.Province}, {"zip", in.Zip, &a.Zip}, {"phone", in.Phone, &a.Phone},
		{"taxId", in.TaxID, &a.TaxID}, {"branch", in.Branch, &a.Branch},
	}
	for _, t := range texts {
		if t.v == nil {
			continue
		}
		v := strings.TrimSpace(*t.v)
		if err := auth.CheckName(field(t.name), v, maxAddressField); err != nil {
			return a, err
		}
		*t.dst = v
	}
	if in.Country == nil || !isCountryCode(strings.ToUpper(strings.TrimSpace(*in.Country))) {
		return a, &model.Error{Code: model.CodeInvalid, Field: field("country"), Message: "country must be an ISO 3166-1 alpha-2 code such as TH"}
	}
	a.Country = strings.ToUpper(strings.TrimSpace(*in.Country))
	if err := auth.CheckPhone(field("phone"), a.Phone); err != nil {
		return a, err
	}
	if a.Address1 == "" {
		return a, &model.Error{Code: model.CodeBlank, Field: field("address1"), Message: "address1 is required"}
	}
	if a.Country == "TH" && !allDigits(a.Zip, thaiZipLen) {
		return a, &model.Error{Code: model.CodeInvalid, Field: field("zip"), Message: "a Thai zip is 5 digits"}
	}
	if len(a.Zip) > 16 {
		return a, &model.Error{Code: model.CodeTooLong, Field: field("zip"), Message: "zip must be at most 16 characters"}
	}
	if a.TaxID != "" && !allDigits(a.TaxID, taxIDLen) {
		return a, &model.Error{Code: model.CodeInvalid, Field: field("taxId"), Message: "taxId must be 13 digits"}
	}
	if a.TaxID != "" && a.Country == "TH" && !model.ValidThaiTaxID(a.TaxID) {
		return a, &model.Error{Code: model.CodeInvalid, Field: field("taxId"), Message: "taxId is not a Thai tax ID: its check digit is wrong"}
	}
	if a.Branch != "" && !allDigits(a.Branch, branchLen) {
		return a, &model.Error{Code: model.CodeInvalid, Field: field("branch"), Message: "branch must be 5 digits (00000 for the head office)"}
	}
	return a, nil
}

func allDigits(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// isCountryCode reports whether s has the form of an ISO 3166-1 alpha-2 code.
func isCountryCode(s string) bool {
	return len(s) == 2 && unicode.IsUpper(rune(s[0])) && unicode.IsUpper(rune(s[1])) && s[0] <= 'Z' && s[1] <= 'Z'
}

// reset runs customerReset and customerResetByUrl.
func (r *mutationResolver) reset(ctx context.Context, in auth.ResetInput) (*gqlmodel.CustomerResetPayload, error) {
	c, sess, err := r.Auth.ResetCustomerPassword(ctx, in)
	ue, err := userErrors(err)
	out := &gqlmodel.CustomerResetPayload{UserErrors: ue, Customer: c}
	if sess != nil {
		out.CustomerAccessToken = &gqlmodel.CustomerAccessToken{AccessToken: sess.Token, ExpiresAt: sess.ExpiresAt}
	}
	return out, err
}

// closePayload answers customerClose and customerCloseOnRequest.
func closePayload(id int64, err error) (*gqlmodel.CustomerClosePayload, error) {
	ue, err := userErrors(err)
	out := &gqlmodel.CustomerClosePayload{UserErrors: ue}
	if len(ue) == 0 && err == nil {
		gid := model.EncodeGlobalID(model.TypeCustomer, id)
		out.ClosedCustomerID = &gid
	}
	return out, err
}

// loadCustomer returns the open account with id, nil when there is none.
func loadCustomer(ctx context.Context, id int64) (*model.Customer, error) {
	c, err := store.LoadersFrom(ctx).CustomerByID.Load(ctx, id)()
	if model.ErrorCodeOf(err) == model.CodeNotFound || (err == nil && c.ClosedAt != nil) {
		return nil, nil
	}
	return c, err
}

// loadAccountNode resolves the global ID of an account object, under the
// same rules as its typed field: a customer and their addresses are the
// customer's own (or readable by staff who may read orders); a staff member
// is their own or MANAGE_STAFF's; keys are MANAGE_STAFF's; the audit log is
// VIEW_REPORTS'. Anything else is null, as if it did not exist.
func loadAccountNode(ctx context.Context, g model.GlobalID) (gqlmodel.Node, error) {
	v := model.ViewerFrom(ctx)
	l := store.LoadersFrom(ctx)
	orNil := func(err error) error {
		if model.ErrorCodeOf(err) == model.CodeNotFound {
			return nil
		}
		return err
	}
	switch g.Type {
	case model.TypeCustomer:
		if !v.IsCustomer(g.ID) && !v.Can(model.PermReadOrders) {
			return nil, nil
		}
		if c, err := loadCustomer(ctx, g.ID); c != nil || err != nil {
			return c, err
		}
	case model.TypeMailingAddress:
		a, err := l.AddressByID.Load(ctx, g.ID)()
		if err != nil || (!v.IsCustomer(a.CustomerID) && !v.Can(model.PermReadOrders)) {
			return nil, orNil(err)
		}
		return a, nil
	case model.TypeStaffMember:
		if !(v.Kind == model.ViewerStaff && v.ID == g.ID) && !v.Can(model.PermManageStaff) {
			return nil, nil
		}
		m, err := l.StaffByID.Load(ctx, g.ID)()
		if err != nil {
			return nil, orNil(err)
		}
		return m, nil
	case model.TypeInventoryMovement:
		// As inventoryMovements: for whoever may read products.
		if !v.Can(model.PermReadProducts) {
			return nil, nil
		}
		m, err := l.MovementByID.Load(ctx, g.ID)()
		if err != nil {
			return nil, orNil(err)
		}
		return m, nil
	case model.TypeAPIKey:
		if !v.Can(model.PermManageStaff) {
			return nil, nil
		}
		k, err := l.APIKeyByID.Load(ctx, g.ID)()
		if err != nil {
			return nil, orNil(err)
		}
		return k, nil
	case model.TypeAuditEntry:
		if !v.Can(model.PermViewReports) {
			return nil, nil
		}
		e, err := l.AuditEntryByID.Load(ctx, g.ID)()
		if err != nil {
			return nil, orNil(err)
		}
		return e, nil
	}
	return nil, nil
}
