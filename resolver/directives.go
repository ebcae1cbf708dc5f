package resolver

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/langran/langran/graph"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
)

// Directives returns the implementations of the schema's run-time
// directives: the language of an operation, and who may call each field of
// Query and Mutation. Every such field carries one of @public, @customer,
// @staff and @hasPermission (internal/gqlgen refuses to generate code
// otherwise), so authorization is declared in the schema and denies by
// default.
func Directives() graph.DirectiveRoot {
	return graph.DirectiveRoot{
		InContext:     inContext,
		Public:        func(ctx context.Context, _ any, next graphql.Resolver) (any, error) { return next(ctx) },
		Customer:      requireCustomer,
		Staff:         requireStaff,
		HasPermission: requirePermission,
	}
}

// inContext runs the operation in the language it names, overriding the
// Accept-Language header.
func inContext(ctx context.Context, _ any, next graphql.Resolver, language *gqlmodel.LanguageCode) (any, error) {
	if language != nil {
		switch *language {
		case gqlmodel.LanguageCodeTh:
			ctx = model.WithLanguage(ctx, model.LanguageTH)
		case gqlmodel.LanguageCodeEn:
			ctx = model.WithLanguage(ctx, model.LanguageEN)
		}
	}
	return next(ctx)
}

// Denials: who is not signed in is UNAUTHENTICATED, who is signed in as the
// wrong kind of caller or without the permission FORBIDDEN. The field's
// resolver never runs, so no partial data comes back.
var (
	errSignIn       = &model.Error{Code: model.CodeUnauthorized, Message: "sign in first: this needs an access token"}
	errCustomerOnly = &model.Error{Code: model.CodeForbidden, Message: "only a signed-in customer may do this"}
	errStaffOnly    = &model.Error{Code: model.CodeForbidden, Message: "only staff may do this"}
)

func denied(v *model.Viewer, forbidden error) error {
	if v.Kind == model.ViewerAnonymous {
		return errSignIn
	}
	return forbidden
}

func requireCustomer(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if v := model.ViewerFrom(ctx); v.Kind != model.ViewerCustomer {
		return nil, denied(v, errCustomerOnly)
	}
	return next(ctx)
}

func requireStaff(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if v := model.ViewerFrom(ctx); v.Kind != model.ViewerStaff {
		return nil, denied(v, errStaffOnly)
	}
	return next(ctx)
}

func requirePermission(ctx context.Context, _ any, next graphql.Resolver, p model.Permission) (any, error) {
	if v := model.ViewerFrom(ctx); !v.Can(p) {
		return nil, denied(v, &model.Error{Code: model.CodeForbidden, Message: "this needs the " + string(p) + " permission"})
	}
	return next(ctx)
}
