package web

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/langran/langran/model"
)

// ShapeLimits rejects operations that are too deep, use too many aliases, or
// expand to too many fields, before any resolver runs. Introspection fields
// are not counted toward depth: their shape is fixed and they are switched
// off in production.
type ShapeLimits struct {
	MaxDepth   int
	MaxAliases int
	// MaxFields caps the selections visited with fragments expanded, which
	// stops "fragment bombs" before complexity analysis walks them.
	MaxFields int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = ShapeLimits{}

// ExtensionName implements graphql.HandlerExtension.
func (ShapeLimits) ExtensionName() string { return "ShapeLimits" }

// Validate implements graphql.HandlerExtension.
func (ShapeLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (l ShapeLimits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	if opCtx.Operation == nil {
		return nil
	}
	w := shapeWalker{doc: opCtx.Doc, limits: l}
	w.walk(opCtx.Operation.SelectionSet, 1, false)
	switch {
	case w.fields > l.MaxFields:
		return limitError("the operation selects too many fields (fragments expanded); at most %d", l.MaxFields)
	case w.depth > l.MaxDepth:
		return limitError("the operation is %d levels deep; at most %d are allowed", w.depth, l.MaxDepth)
	case w.aliases > l.MaxAliases:
		return limitError("the operation uses %d aliases; at most %d are allowed", w.aliases, l.MaxAliases)
	}
	return nil
}

func limitError(format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	err.Extensions = map[string]any{"code": string(model.CodeLimitExceeded)}
	return err
}

type shapeWalker struct {
	doc                    *ast.QueryDocument
	limits                 ShapeLimits
	depth, aliases, fields int
}

func (w *shapeWalker) walk(set ast.SelectionSet, depth int, introspection bool) {
	for _, sel := range set {
		if w.fields > w.limits.MaxFields {
			return
		}
		switch s := sel.(type) {
		case *ast.Field:
			w.fields++
			if s.Alias != "" && s.Alias != s.Name {
				w.aliases++
			}
			in := introspection || s.Name == "__schema" || s.Name == "__type"
			if !in && depth > w.depth {
				w.depth = depth
			}
			w.walk(s.SelectionSet, depth+1, in)
		case *ast.InlineFragment:
			w.walk(s.SelectionSet, depth, introspection)
		case *ast.FragmentSpread:
			if f := w.doc.Fragments.ForName(s.Name); f != nil {
				w.walk(f.SelectionSet, depth, introspection)
			}
		}
	}
}

// RecordOperation stores the operation name in the request info, for logs
// and metrics.
func RecordOperation(ctx context.Context, next graphql.OperationHandler) graphql.ResponseHandler {
	if ri := RequestInfoFrom(ctx); ri != nil {
		op := graphql.GetOperationContext(ctx)
		name := op.OperationName
		if name == "" && op.Operation != nil {
			name = op.Operation.Name
		}
		if name == "" {
			name = AnonymousOperation
		}
		ri.SetOperation(name)
	}
	return next(ctx)
}

// APQCache is a bounded in-memory cache for automatic persisted queries that
// counts hits and misses.
type APQCache struct {
	inner graphql.Cache[string]
	m     *Metrics
}

// NewAPQCache wraps a cache (an LRU) with metrics.
func NewAPQCache(inner graphql.Cache[string], m *Metrics) *APQCache {
	return &APQCache{inner: inner, m: m}
}

// Get implements graphql.Cache.
func (c *APQCache) Get(ctx context.Context, key string) (string, bool) {
	v, ok := c.inner.Get(ctx, key)
	if c.m != nil {
		if ok {
			c.m.APQ.WithLabelValues("hit").Inc()
		} else {
			c.m.APQ.WithLabelValues("miss").Inc()
		}
	}
	return v, ok
}

// MaxCachedQueryBytes is the longest query text kept in the APQ and parsed
// query caches. Real queries are a few KiB; without a bound, a client could
// fill the caches' fixed number of entries with body-sized queries and
// exhaust memory. Longer queries still run, they are just not cached.
const MaxCachedQueryBytes = 16 << 10

// Add implements graphql.Cache.
func (c *APQCache) Add(ctx context.Context, key string, value string) {
	if len(value) > MaxCachedQueryBytes {
		return
	}
	if c.m != nil {
		c.m.APQ.WithLabelValues("register").Inc()
	}
	c.inner.Add(ctx, key, value)
}

// QueryDocumentCache caches parsed queries, keyed by their text, skipping
// texts longer than MaxCachedQueryBytes.
type QueryDocumentCache struct {
	Inner graphql.Cache[*ast.QueryDocument]
}

// Get implements graphql.Cache.
func (c QueryDocumentCache) Get(ctx context.Context, query string) (*ast.QueryDocument, bool) {
	if len(query) > MaxCachedQueryBytes {
		return nil, false
	}
	return c.Inner.Get(ctx, query)
}

// Add implements graphql.Cache.
func (c QueryDocumentCache) Add(ctx context.Context, query string, doc *ast.QueryDocument) {
	if len(query) <= MaxCachedQueryBytes {
		c.Inner.Add(ctx, query, doc)
	}
}

// CodeIntrospectionDisabled is the error code of an introspection query on a
// server with introspection switched off.
const CodeIntrospectionDisabled = "INTROSPECTION_DISABLED"

// IntrospectionGate refuses operations that select __schema or __type when
// introspection is off (in production, unless enabled). Refusing them here,
// before execution, makes them a request error with its own code rather than
// a failed field that reads as a server bug. __typename stays allowed: clients
// such as Apollo add it everywhere.
type IntrospectionGate struct {
	Allow bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = IntrospectionGate{}

// ExtensionName implements graphql.HandlerExtension.
func (IntrospectionGate) ExtensionName() string { return "IntrospectionGate" }

// Validate implements graphql.HandlerExtension.
func (IntrospectionGate) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext implements graphql.OperationContextMutator.
func (g IntrospectionGate) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	if g.Allow || op.Operation == nil || !selectsIntrospection(op.Doc, op.Operation.SelectionSet, map[string]bool{}) {
		return nil
	}
	err := gqlerror.Errorf("introspection is disabled on this server; the schema is published with the API documentation")
	err.Extensions = map[string]any{"code": CodeIntrospectionDisabled}
	return err
}

func selectsIntrospection(doc *ast.QueryDocument, set ast.SelectionSet, seen map[string]bool) bool {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Name == "__schema" || s.Name == "__type" || selectsIntrospection(doc, s.SelectionSet, seen) {
				return true
			}
		case *ast.InlineFragment:
			if selectsIntrospection(doc, s.SelectionSet, seen) {
				return true
			}
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			if f := doc.Fragments.ForName(s.Name); f != nil && selectsIntrospection(doc, f.SelectionSet, seen) {
				return true
			}
		}
	}
	return false
}

// Has reports whether query is in the cache, that is, was parsed and
// validated before.
func (c QueryDocumentCache) Has(ctx context.Context, query string) bool {
	_, ok := c.Get(ctx, query)
	return ok
}
