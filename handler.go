package main

import (
	"context"
	"log/slog"
	"net/http"

	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/graph"
	"github.com/langran/langran/graphiql"
	"github.com/langran/langran/resolver"
	"github.com/langran/langran/store"
	"github.com/langran/langran/web"
)

// maxValidationWork bounds the work validating one document may cost (see
// web.ValidationBudget): the storefront page costs 17 units, a full product
// grid about 120, GraphiQL's introspection query about 400 (edge_test.go keeps
// these true); docs/BENCHMARKS.md measures the worst shapes that fit.
const maxValidationWork = 2500

// maxErrorsPerResponse caps the errors one response lists.
const maxErrorsPerResponse = 20

// Paths the service answers on.
const (
	graphqlPath = "/graphql"
	schemaPath  = "/schema.graphql"
)

// newHandler wires the whole HTTP surface: GraphQL with its limits, the
// schema, health, readiness, metrics (unless served on their own listener)
// and, in development, GraphiQL.
func newHandler(cfg Config, st *store.Store, m *web.Metrics, log *slog.Logger) http.Handler {
	schema := graph.NewExecutableSchema(graph.Config{
		Resolvers:  &resolver.Resolver{Store: st},
		Directives: resolver.Directives(),
	})
	queryCache := web.QueryDocumentCache{Inner: lru.New[*ast.QueryDocument](1000)}
	srv := handler.New(schema)
	srv.AddTransport(web.Transport{
		MaxBodyBytes: cfg.MaxBodyBytes,
		MaxErrors:    maxErrorsPerResponse,
		PublicMaxAge: cfg.PublicMaxAge,
	})
	srv.SetQueryCache(queryCache)
	srv.SetParserTokenLimit(cfg.MaxTokens)
	srv.SetErrorPresenter(web.ErrorPresenter(log, m, web.PresenterOptions{HideSuggestions: cfg.Production()}))
	srv.SetRecoverFunc(web.RecoverFunc(log))
	srv.SetDisableSuggestion(cfg.Production())
	if cfg.Introspection {
		srv.Use(extension.Introspection{})
	}
	srv.Use(extension.AutomaticPersistedQuery{Cache: web.NewAPQCache(lru.New[string](cfg.APQCacheSize), m)})
	// After APQ has filled in the query text, before gqlgen validates it.
	srv.Use(web.ValidationBudget{MaxTokens: cfg.MaxTokens, MaxWork: maxValidationWork, Validated: queryCache.Has})
	// After validation: refuse what may not run before anything runs.
	srv.Use(web.IntrospectionGate{Allow: cfg.Introspection})
	srv.Use(web.ShapeLimits{MaxDepth: cfg.MaxDepth, MaxAliases: cfg.MaxAliases, MaxFields: 5000})
	srv.Use(web.CostLimit{Max: cfg.MaxComplexity, Schema: schema.Schema()})
	srv.AroundOperations(web.RecordOperation)
	srv.AroundResponses(web.ReportCost)

	gql := web.RequestScope(web.ScopeOptions{
		Timeout: cfg.RequestTimeout,
		Prepare: func(ctx context.Context) context.Context {
			return store.WithLoaders(ctx, store.NewLoaders(st, cfg.LoaderOptions()))
		},
	})(srv)

	mux := http.NewServeMux()
	mux.Handle(graphqlPath, web.CORS(web.CORSOptions{Origins: cfg.CORSOrigins, Headers: cfg.CORSHeaders})(gql))
	if cfg.Introspection {
		// The SDL says what introspection says; it follows the same switch.
		mux.Handle("GET "+schemaPath, schemaHandler(schema))
	}
	mux.Handle("GET /healthz", web.Health())
	mux.Handle("GET /readyz", web.Ready(st.Ping, log))
	if cfg.MetricsAddr == "" {
		mux.Handle("GET /metrics", m.Handler())
	}
	if cfg.GraphiQL {
		mux.Handle("/", graphiql.Handler(graphqlPath))
	}
	return web.Observe(log, m, web.ObserveOptions{
		GraphQLPath: graphqlPath,
		Operations:  cfg.MetricsOperations,
		CountStatements: func(ctx context.Context) (context.Context, func() int64) {
			ctx, c := store.WithStatementCounter(ctx)
			return ctx, c.Count
		},
	})(mux)
}
