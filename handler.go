package main

import (
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/graph"
	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/graphiql"
	"github.com/langran/langran/resolver"
	"github.com/langran/langran/store"
	"github.com/langran/langran/web"
)

// maxSelectionsPerSet bounds the fields (and fragments) in one selection
// set; no real query comes close, and validation cost grows with its square.
const maxSelectionsPerSet = 200

// Paths the service answers on.
const (
	graphqlPath = "/graphql"
	schemaPath  = "/schema.graphql"
)

// newHandler wires the whole HTTP surface: GraphQL with its limits, the
// schema, health, readiness, metrics and (in development) GraphiQL.
func newHandler(cfg Config, st *store.Store, m *web.Metrics, log *slog.Logger) http.Handler {
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers:  &resolver.Resolver{Store: st},
		Complexity: complexity(),
	})
	srv := handler.New(schema)
	srv.AddTransport(transport.Options{})
	srv.AddTransport(transport.GET{})
	srv.AddTransport(transport.POST{})
	srv.SetQueryCache(web.QueryDocumentCache{Inner: lru.New[*ast.QueryDocument](1000)})
	srv.SetParserTokenLimit(cfg.MaxTokens)
	srv.SetErrorPresenter(web.ErrorPresenter(log, m))
	srv.SetRecoverFunc(web.RecoverFunc(log))
	srv.SetDisableSuggestion(cfg.Production())
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: web.NewAPQCache(lru.New[string](cfg.APQCacheSize), m)})
	// After APQ has filled in the query text, before gqlgen validates it.
	srv.Use(web.SelectionBounds{MaxPerSet: maxSelectionsPerSet})
	// Shape limits run before complexity so a fragment bomb is refused before
	// the complexity walk expands it.
	srv.Use(web.ShapeLimits{MaxDepth: cfg.MaxDepth, MaxAliases: cfg.MaxAliases, MaxFields: 5000})
	srv.Use(extension.FixedComplexityLimit(cfg.MaxComplexity))
	srv.AroundOperations(web.RecordOperation)
	srv.AroundResponses(web.ReportCost)

	gql := web.GraphQLGuard(st, web.GraphQLOptions{
		MaxBodyBytes: cfg.MaxBodyBytes,
		Timeout:      cfg.RequestTimeout,
		Loaders:      cfg.LoaderOptions(),
		PublicMaxAge: cfg.PublicMaxAge,
	})(srv)

	mux := http.NewServeMux()
	mux.Handle(graphqlPath, web.CORS(cfg.CORSOrigins)(gql))
	if cfg.Introspection {
		// The SDL says what introspection says; it follows the same switch.
		mux.Handle("GET "+schemaPath, schemaHandler(schema))
	}
	mux.Handle("GET /healthz", web.Health())
	mux.Handle("GET /readyz", web.Ready(st, log))
	mux.Handle("GET /metrics", m.Handler())
	if cfg.GraphiQL {
		mux.Handle("/", graphiql.Handler(graphqlPath))
	}
	return web.Observe(log, m, graphqlPath)(mux)
}

// complexity prices list fields by how many items they may return, so a
// request's cost grows with first x child cost, as the design asks.
func complexity() graph.ComplexityRoot {
	var c graph.ComplexityRoot
	page := func(child int, first, last *int) int {
		n := 1
		if first != nil {
			n = *first
		} else if last != nil {
			n = *last
		}
		return 1 + max(n, 1)*child
	}
	// Lists without arguments are short by construction; price them as ten.
	const shortList = 10
	c.Query.Products = func(child int, first *int, _ *string, last *int, _ *string, _ *gqlmodel.ProductFilter, _ *gqlmodel.ProductSortKeys, _ *bool) int {
		return page(child, first, last)
	}
	c.Query.Categories = func(child int, first *int, _ *string) int { return page(child, first, nil) }
	c.Query.Nodes = func(child int, ids []string) int { return 1 + max(len(ids), 1)*child }
	c.Category.Products = func(child int, first *int, _ *string, last *int, _ *string, _ *gqlmodel.ProductSortKeys, _ *bool) int {
		return page(child, first, last)
	}
	c.Product.Variants = func(child int, first *int, _ *string, last *int, _ *string) int {
		return page(child, first, last)
	}
	for _, f := range []*func(int) int{&c.Product.Images, &c.Product.Options, &c.Product.Tags,
		&c.Category.Children, &c.Category.Ancestors} {
		*f = func(child int) int { return 1 + shortList*child }
	}
	return c
}
