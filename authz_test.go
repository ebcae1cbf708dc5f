package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/graph"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// caller is someone the authorization matrix calls as.
type caller struct {
	name    string
	headers []string
	kind    model.ViewerKind
	perms   model.PermissionSet
}

// The authorization matrix, driven by the schema: every field of Query and
// Mutation that is not @public is called as every kind of caller it must
// refuse (nobody, a customer, partner keys and staff roles lacking its
// permission), and each call must be denied with UNAUTHENTICATED or
// FORBIDDEN and no data for the field. New fields are covered as soon as
// they are in the schema.
func TestAuthorizationMatrix(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, accounts := accountServer(t, b)
		ctx := t.Context()
		callers := []caller{{name: "anonymous", kind: model.ViewerAnonymous}}

		signUp(t, srv, "shopper@example.com", "correct horse battery")
		callers = append(callers, caller{name: "customer", kind: model.ViewerCustomer,
			headers: as(signIn(t, srv, "customerAccessTokenCreate", "shopper@example.com", "correct horse battery"))})

		owner, err := accounts.CreateStaff(ctx, "owner@example.com", "Owner", model.RoleOwner, "owner password 1")
		if err != nil {
			t.Fatal(err)
		}
		ownerViewer := &model.Viewer{Kind: model.ViewerStaff, ID: owner.ID, Permissions: model.NewPermissionSet(model.AllPermissions...)}
		for role, perms := range model.RolePermissions {
			email := "role-" + strings.ToLower(string(role)) + "@example.com"
			if _, err := accounts.CreateStaff(ctx, email, string(role), role, "staff password 1"); err != nil {
				t.Fatal(err)
			}
			callers = append(callers, caller{name: "staff " + string(role), kind: model.ViewerStaff,
				perms: model.NewPermissionSet(perms...), headers: as(signIn(t, srv, "staffAccessTokenCreate", email, "staff password 1"))})
		}
		// A partner key for each scope alone, and one with every scope a
		// key may hold.
		keyScopes := [][]model.Permission{}
		var all []model.Permission
		for _, p := range model.AllPermissions {
			if p != model.PermManageStaff {
				keyScopes = append(keyScopes, []model.Permission{p})
				all = append(all, p)
			}
		}
		keyScopes = append(keyScopes, all)
		for _, scopes := range keyScopes {
			k, err := accounts.CreateAPIKey(ctx, ownerViewer, "partner", scopes)
			if err != nil {
				t.Fatal(err)
			}
			callers = append(callers, caller{name: fmt.Sprintf("partner %v", scopes), kind: model.ViewerPartner,
				perms: model.NewPermissionSet(scopes...), headers: []string{"X-Langran-Api-Key", k.Secret}})
		}

		checked := 0
		for _, root := range []*ast.Definition{schema.Query, schema.Mutation} {
			for _, f := range root.Fields {
				if strings.HasPrefix(f.Name, "__") || f.Directives.ForName("public") != nil {
					continue
				}
				q, vars := operationFor(schema, root, f)
				for _, c := range callers {
					if allowed(f, c) {
						continue
					}
					r := srv.post(t, q, vars, c.headers...)
					if len(r.Errors) == 0 {
						t.Errorf("%s.%s as %s: no error: %.300s", root.Name, f.Name, c.name, r.Raw)
						continue
					}
					code := r.Errors[0].Code()
					want := "FORBIDDEN"
					if c.kind == model.ViewerAnonymous {
						want = "UNAUTHENTICATED"
					}
					if code != want || fmt.Sprint(r.Errors[0].Path) != "["+f.Name+"]" {
						t.Errorf("%s.%s as %s: %s at %v, want %s: %.300s", root.Name, f.Name, c.name, code, r.Errors[0].Path, want, r.Raw)
					}
					if r.Data != nil && r.Data[f.Name] != nil {
						t.Errorf("%s.%s as %s: data leaked: %v", root.Name, f.Name, c.name, r.Data[f.Name])
					}
					checked++
				}
			}
		}
		if checked < 100 {
			t.Errorf("only %d denials checked", checked)
		}
	})
}

// allowed reports whether field f's access rule admits caller c.
func allowed(f *ast.FieldDefinition, c caller) bool {
	switch {
	case f.Directives.ForName("customer") != nil:
		return c.kind == model.ViewerCustomer
	case f.Directives.ForName("staff") != nil:
		return c.kind == model.ViewerStaff
	case f.Directives.ForName("hasPermission") != nil:
		p := model.Permission(f.Directives.ForName("hasPermission").Arguments.ForName("permission").Value.Raw)
		return (c.kind == model.ViewerStaff || c.kind == model.ViewerPartner) && c.perms.Has(p)
	}
	return true
}

// operationFor builds an operation calling f with every required argument
// given a well-typed placeholder, selecting only __typename: enough to pass
// validation, so that only the access rule can refuse it.
func operationFor(schema *ast.Schema, root *ast.Definition, f *ast.FieldDefinition) (string, map[string]any) {
	vars := map[string]any{}
	var decls, args []string
	for i, a := range f.Arguments {
		if !a.Type.NonNull || a.DefaultValue != nil {
			continue
		}
		name := fmt.Sprintf("a%d", i)
		decls = append(decls, "$"+name+": "+a.Type.String())
		args = append(args, a.Name+": $"+name)
		vars[name] = placeholder(schema, a.Type)
	}
	op := "query"
	if root == schema.Mutation {
		op = "mutation"
	}
	call := f.Name
	if len(args) > 0 {
		call += "(" + strings.Join(args, ", ") + ")"
	}
	if t := schema.Types[f.Type.Name()]; t.Kind != ast.Scalar && t.Kind != ast.Enum {
		call += " { __typename }"
	}
	decl := ""
	if len(decls) > 0 {
		decl = "(" + strings.Join(decls, ", ") + ")"
	}
	return op + " Probe" + decl + " { " + call + " }", vars
}

// placeholder is a value of type t that passes validation.
func placeholder(schema *ast.Schema, t *ast.Type) any {
	if t.Elem != nil {
		return []any{placeholder(schema, t.Elem)}
	}
	def := schema.Types[t.Name()]
	switch def.Kind {
	case ast.Enum:
		return def.EnumValues[0].Name
	case ast.InputObject:
		obj := map[string]any{}
		for _, fld := range def.Fields {
			if fld.Type.NonNull && fld.DefaultValue == nil {
				obj[fld.Name] = placeholder(schema, fld.Type)
			}
		}
		return obj
	}
	switch t.Name() {
	case "ID":
		return model.EncodeGlobalID(model.TypeProduct, 1)
	case "Int":
		return 1
	case "Float":
		return 1.5
	case "Boolean":
		return true
	case "Decimal":
		return "1.00"
	case "DateTime":
		return "2026-01-01T00:00:00Z"
	case "URL":
		return "https://example.com/a.jpg"
	}
	return "placeholder"
}

// Objects reached by ID follow the rules of their typed fields: a customer
// sees only their own account and addresses, staff see staff and keys only
// with MANAGE_STAFF, the audit log only with VIEW_REPORTS, discount codes
// only with MANAGE_DISCOUNTS. What a caller may not see is null, as if it
// did not exist.
func TestNodesFollowTheTypedFieldsRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, accounts := accountServer(t, b)
		ctx := t.Context()
		aID := signUp(t, srv, "a@example.com", "correct horse battery")
		bID := signUp(t, srv, "b@example.com", "correct horse battery")
		aTok := signIn(t, srv, "customerAccessTokenCreate", "a@example.com", "correct horse battery")
		bTok := signIn(t, srv, "customerAccessTokenCreate", "b@example.com", "correct horse battery")
		addr := srv.post(t, `mutation($a: MailingAddressInput!) { customerAddressCreate(address: $a) { customerAddress { id } } }`,
			map[string]any{"a": map[string]any{"address1": "1 Main St", "country": "US", "zip": "10001"}}, as(bTok)...).mustData(t)
		bAddr := at(addr, "customerAddressCreate", "customerAddress", "id").(string)

		owner, err := accounts.CreateStaff(ctx, "owner@example.com", "Owner", model.RoleOwner, "owner password 1")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := accounts.CreateStaff(ctx, "cat@example.com", "Cat", model.RoleCatalogManager, "staff password 1"); err != nil {
			t.Fatal(err)
		}
		ownerTok := signIn(t, srv, "staffAccessTokenCreate", "owner@example.com", "owner password 1")
		catTok := signIn(t, srv, "staffAccessTokenCreate", "cat@example.com", "staff password 1")
		supportTok := func() string {
			if _, err := accounts.CreateStaff(ctx, "help@example.com", "Help", model.RoleSupport, "staff password 1"); err != nil {
				t.Fatal(err)
			}
			return signIn(t, srv, "staffAccessTokenCreate", "help@example.com", "staff password 1")
		}()
		ownerGID := model.EncodeGlobalID(model.TypeStaffMember, owner.ID)
		key, err := accounts.CreateAPIKey(ctx, &model.Viewer{Kind: model.ViewerStaff, ID: owner.ID,
			Permissions: model.NewPermissionSet(model.AllPermissions...)}, "erp", []model.Permission{model.PermReadProducts})
		if err != nil {
			t.Fatal(err)
		}
		keyGID := key.Key.GID()
		var entry int64
		if err := srv.store.DB(ctx).Table("audit_log").Select("id").Limit(1).Scan(&entry).Error; err != nil || entry == 0 {
			t.Fatalf("no audit entry: %v", err)
		}
		entryGID := model.EncodeGlobalID(model.TypeAuditEntry, entry)
		var code int64
		if err := srv.store.DB(ctx).Table("discounts").Select("id").Limit(1).Scan(&code).Error; err != nil || code == 0 {
			t.Fatalf("no discount code: %v", err)
		}
		codeGID := model.EncodeGlobalID(model.TypeDiscountCode, code)

		cases := []struct {
			who     string
			headers []string
			id      string
			visible bool
		}{
			{"customer A, own account", as(aTok), aID, true},
			{"customer A, B's account", as(aTok), bID, false},
			{"customer A, B's address", as(aTok), bAddr, false},
			{"customer B, own address", as(bTok), bAddr, true},
			{"anonymous, an account", nil, aID, false},
			{"support (READ_ORDERS), an account", as(supportTok), aID, true},
			{"catalog manager, an account", as(catTok), aID, false},
			{"catalog manager, the owner", as(catTok), ownerGID, false},
			{"owner, the owner", as(ownerTok), ownerGID, true},
			{"customer, the owner", as(aTok), ownerGID, false},
			{"catalog manager, a key", as(catTok), keyGID, false},
			{"owner, a key", as(ownerTok), keyGID, true},
			{"the key itself, a key", []string{"X-Langran-Api-Key", key.Secret}, keyGID, false},
			{"catalog manager, the audit log", as(catTok), entryGID, false},
			{"owner, the audit log", as(ownerTok), entryGID, true},
			{"catalog manager (MANAGE_DISCOUNTS), a discount code", as(catTok), codeGID, true},
			{"support, a discount code", as(supportTok), codeGID, false},
			{"customer, a discount code", as(aTok), codeGID, false},
			{"anonymous, a discount code", nil, codeGID, false},
		}
		for _, c := range cases {
			d := srv.post(t, `query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }`, map[string]any{"id": c.id}, c.headers...).mustData(t)
			got := d["node"] != nil
			if got != c.visible || (at(d, "nodes", 0) != nil) != c.visible {
				t.Errorf("%s: node visible %v, want %v (%v)", c.who, got, c.visible, d)
			}
		}
		// Sign-in tokens cannot be used as keys or the other way round.
		if r := srv.post(t, `{ currentStaffMember { id } }`, nil, "X-Langran-Api-Key", aTok); r.Status != 401 {
			t.Errorf("a customer token as an API key: %d", r.Status)
		}
		if !slices.Contains([]string{auth.PrefixCustomerToken, auth.PrefixStaffToken, auth.PrefixAPIKey}, key.Secret[:4]) {
			t.Errorf("key prefix %q", key.Secret[:4])
		}
	})
}
