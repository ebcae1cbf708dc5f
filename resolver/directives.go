package resolver

import (
	"context"

	"github.com/99designs/gqlgen/graphql"

	"github.com/langran/langran/graph"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
)

// Directives returns the implementations of the schema's run-time directives.
func Directives() graph.DirectiveRoot {
	return graph.DirectiveRoot{InContext: inContext}
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
