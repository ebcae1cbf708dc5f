package web

import (
	"context"
	"sync"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

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

// ReportCost adds the operation's computed cost to the response's
// extensions, as Shopify does, so clients can see how close they are to the
// limit: {"cost": {"requestedQueryCost": 152, "maxQueryCost": 5000}}.
func ReportCost(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	if stats := extension.GetComplexityStats(ctx); stats != nil {
		if resp.Extensions == nil {
			resp.Extensions = map[string]any{}
		}
		resp.Extensions["cost"] = map[string]any{
			"requestedQueryCost": stats.Complexity,
			"maxQueryCost":       stats.ComplexityLimit,
		}
	}
	return resp
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
			name = "anonymous"
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

// SelectionBounds refuses, before validation, documents with selection sets
// wider than MaxPerSet. GraphQL validation compares the fields of a
// selection set pairwise (overlapping fields), so one set of thousands of
// fields would cost seconds of CPU before any other limit looked at it.
// Short documents cannot be wide enough to matter and are not parsed twice.
type SelectionBounds struct {
	MaxPerSet int
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = SelectionBounds{}

// ExtensionName implements graphql.HandlerExtension.
func (SelectionBounds) ExtensionName() string { return "SelectionBounds" }

// Validate implements graphql.HandlerExtension.
func (SelectionBounds) Validate(graphql.ExecutableSchema) error { return nil }

// shortQueryBytes is the length under which a document cannot hold a
// selection set wide enough to be costly.
const shortQueryBytes = 2048

// MutateOperationParameters implements graphql.OperationParameterMutator.
func (b SelectionBounds) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if len(p.Query) < shortQueryBytes {
		return nil
	}
	doc, err := parser.ParseQuery(&ast.Source{Input: p.Query})
	if err != nil {
		return nil // gqlgen reports syntax errors itself
	}
	widest := 0
	var walk func(ast.SelectionSet)
	walk = func(set ast.SelectionSet) {
		widest = max(widest, len(set))
		for _, sel := range set {
			switch s := sel.(type) {
			case *ast.Field:
				walk(s.SelectionSet)
			case *ast.InlineFragment:
				walk(s.SelectionSet)
			}
		}
	}
	for _, op := range doc.Operations {
		walk(op.SelectionSet)
	}
	for _, f := range doc.Fragments {
		walk(f.SelectionSet)
	}
	if widest > b.MaxPerSet {
		return limitError("a selection set has %d selections; at most %d are allowed", widest, b.MaxPerSet)
	}
	return nil
}

// operationLabels bounds the distinct operation names used as metric labels:
// names come from clients, and unbounded labels would exhaust memory.
type operationLabels struct {
	mu   sync.Mutex
	seen map[string]bool
	max  int
}

func (o *operationLabels) label(name string) string {
	if name == "" {
		return "unknown"
	}
	if len(name) > 64 {
		return "other"
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return "other"
		}
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.seen[name] {
		return name
	}
	if len(o.seen) >= o.max {
		return "other"
	}
	o.seen[name] = true
	return name
}
