package web

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

// ValidationBudget refuses, before gqlgen validates a document, documents
// whose validation would cost more than a small multiple of a storefront
// page's.
//
// GraphQL validation is not linear in the size of a document. Its costliest
// rule, "overlapping fields can be merged", gathers each selection set's
// fields through inline fragments and fragment spreads, compares every pair
// of fields that share a response name, and does the same again for the
// merged selections of each such pair. A 50 KB document of inline fragments
// that each repeat one field a few hundred times passes every other limit
// and keeps a core busy for seconds. So the budget counts the work the way
// validation will do it: it collects fields through fragments as validation
// does, charges every pair of fields sharing a response name, then recurses
// into each group's merged selections, summing over every operation and
// fragment definition (validation walks them all, not only the operation
// that will run). Counting stops as soon as the budget is spent, so the
// count itself is cheap whatever the document.
type ValidationBudget struct {
	// MaxTokens is the parser's token limit; the pre-parse uses the same
	// one gqlgen does, so a huge document costs no more here than there.
	MaxTokens int
	// MaxWork is the most work units a document may cost: one per field,
	// directive and argument collected, one per pair of fields compared.
	MaxWork int
	// Validated reports whether a query text was validated before (it is
	// in the parsed-query cache); such documents are not counted again.
	Validated func(ctx context.Context, query string) bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = ValidationBudget{}

// ExtensionName implements graphql.HandlerExtension.
func (ValidationBudget) ExtensionName() string { return "ValidationBudget" }

// Validate implements graphql.HandlerExtension.
func (ValidationBudget) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters implements graphql.OperationParameterMutator.
// It runs after the persisted-query extension has filled in the query.
func (b ValidationBudget) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" || (b.Validated != nil && b.Validated(ctx, p.Query)) {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, b.MaxTokens)
	if err != nil {
		return nil // gqlgen parses again with the same limit and reports it
	}
	// Remember what kind of operation was asked for, so that a GET whose
	// mutation fails validation still gets the 405 a GET mutation gets.
	if op := doc.Operations.ForName(p.OperationName); op != nil && graphql.HasOperationContext(ctx) {
		graphql.GetOperationContext(ctx).Stats.SetExtension(operationKindKey, op.Operation)
	}
	if ValidationWork(doc, b.MaxWork) > b.MaxWork {
		return limitError("the document would take too much work to validate (fields repeated under one name across fragments); " +
			"select each field once per selection set, or use aliases")
	}
	return nil
}

// operationKindKey keeps the kind (query, mutation) of the operation a
// request asked for, in the operation's stats.
const operationKindKey = "langran.operationKind"

// requestedOperation returns the kind of operation op asked for, as far as
// known: from the parsed operation, or from the pre-parse when validation
// failed.
func requestedOperation(op *graphql.OperationContext) ast.Operation {
	if op == nil {
		return ""
	}
	if op.Operation != nil {
		return op.Operation.Operation
	}
	kind, _ := op.Stats.GetExtension(operationKindKey).(ast.Operation)
	return kind
}

// ValidationWork estimates the work validating doc costs, counting up to
// just past limit and stopping there. See ValidationBudget.
func ValidationWork(doc *ast.QueryDocument, limit int) int {
	c := workCounter{limit: limit, fragments: make(map[string]*ast.FragmentDefinition, len(doc.Fragments))}
	for _, f := range doc.Fragments {
		if _, dup := c.fragments[f.Name]; !dup {
			c.fragments[f.Name] = f
		}
	}
	for _, op := range doc.Operations {
		c.charge(len(op.VariableDefinitions) + len(op.Directives))
		c.within(c.collect(op.SelectionSet, nil, map[string]bool{}))
	}
	for _, f := range doc.Fragments {
		c.within(c.collect(f.SelectionSet, nil, map[string]bool{}))
	}
	return c.work
}

type workCounter struct {
	fragments   map[string]*ast.FragmentDefinition
	work, limit int
}

func (c *workCounter) charge(n int) { c.work += n }

func (c *workCounter) spent() bool { return c.work > c.limit }

// collect appends the fields of set as validation gathers them: through
// inline fragments and fragment spreads. A spread of an unknown fragment, or
// one that spreads itself, is skipped: validation reports those.
func (c *workCounter) collect(set ast.SelectionSet, out []*ast.Field, spreading map[string]bool) []*ast.Field {
	for _, sel := range set {
		if c.spent() {
			return out
		}
		switch s := sel.(type) {
		case *ast.Field:
			c.charge(1 + len(s.Arguments) + len(s.Directives))
			out = append(out, s)
		case *ast.InlineFragment:
			c.charge(len(s.Directives))
			out = c.collect(s.SelectionSet, out, spreading)
		case *ast.FragmentSpread:
			c.charge(1 + len(s.Directives))
			f := c.fragments[s.Name]
			if f == nil || spreading[s.Name] {
				continue
			}
			spreading[s.Name] = true
			out = c.collect(f.SelectionSet, out, spreading)
			delete(spreading, s.Name)
		}
	}
	return out
}

// within charges the comparisons among fields gathered into one selection
// set: each pair sharing a response name, then the merged selections of
// each group, recursively.
func (c *workCounter) within(fields []*ast.Field) {
	if len(fields) == 0 || c.spent() {
		return
	}
	groups := make(map[string][]*ast.Field, len(fields))
	var order []string
	for _, f := range fields {
		name := f.Alias
		if name == "" {
			name = f.Name
		}
		if _, seen := groups[name]; !seen {
			order = append(order, name)
		}
		groups[name] = append(groups[name], f)
	}
	for _, name := range order {
		group := groups[name]
		n := len(group)
		c.charge(n * (n - 1) / 2)
		var merged []*ast.Field
		for _, f := range group {
			if c.spent() {
				return
			}
			merged = c.collect(f.SelectionSet, merged, map[string]bool{})
		}
		c.within(merged)
	}
}
