package web

import (
	"context"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// CodeCostExceeded is the error code of an operation over the cost limit.
const CodeCostExceeded = "COMPLEXITY_LIMIT_EXCEEDED"

// DefaultListSize is the size assumed for a list field that declares none.
const DefaultListSize = 10

// CostLimit computes each operation's cost from the schema and refuses
// operations that cost more than Max, before any resolver runs. The cost
// approximates the rows an operation can make the server load, in the
// spirit of Shopify's calculated query cost and the GraphQL cost directives
// (@cost and @listSize), which the schema declares:
//
//   - a scalar or enum field costs 0;
//   - an object, interface or union field costs its type's weight (1 unless
//     the type says @cost(weight: "0"), as value objects such as Money and
//     edges do) plus the cost of what it selects;
//   - a list multiplies the cost of one item by its size: the value of its
//     slicing argument (first or last; the number of ids for nodes), or
//     @listSize(assumedSize), or DefaultListSize. On a connection the
//     multiplier applies to the fields named in sizedFields (edges, nodes).
//
// Fragments count fully wherever they are spread, so the cost of a query on
// an interface is the sum over its type conditions: an upper bound.
type CostLimit struct {
	Max    int
	Schema *ast.Schema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = CostLimit{}

// ExtensionName implements graphql.HandlerExtension.
func (CostLimit) ExtensionName() string { return "CostLimit" }

// Validate implements graphql.HandlerExtension.
func (CostLimit) Validate(graphql.ExecutableSchema) error { return nil }

// costStatsKey is where the computed cost is kept in the operation's stats.
const costStatsKey = "langran.cost"

// CostStats is an operation's computed cost and the limit it was held to.
type CostStats struct {
	Requested int64
	Max       int
}

// MutateOperationContext implements graphql.OperationContextMutator.
func (l CostLimit) MutateOperationContext(ctx context.Context, op *graphql.OperationContext) *gqlerror.Error {
	cost := OperationCost(l.Schema, op.Doc, op.Operation, op.Variables)
	op.Stats.SetExtension(costStatsKey, &CostStats{Requested: cost, Max: l.Max})
	if cost > int64(l.Max) {
		err := gqlerror.Errorf("the operation costs %d, more than the limit of %d; ask for fewer items (first/last) or fewer nested lists", cost, l.Max)
		err.Extensions = map[string]any{"code": CodeCostExceeded}
		return err
	}
	return nil
}

// costCap keeps sums and products from overflowing: no limit is near it.
const costCap = int64(1) << 40

// OperationCost computes the cost of op, whose document has been validated
// (so every field knows its definition).
func OperationCost(schema *ast.Schema, doc *ast.QueryDocument, op *ast.OperationDefinition, vars map[string]any) int64 {
	if op == nil {
		return 0
	}
	c := costWalker{schema: schema, doc: doc, vars: vars, spreading: map[string]bool{}}
	return c.set(op.SelectionSet, nil, 0)
}

type costWalker struct {
	schema    *ast.Schema
	doc       *ast.QueryDocument
	vars      map[string]any
	spreading map[string]bool
}

// set is the cost of a selection set. sized names the fields that carry
// multiplier n (the edges and nodes of a connection); other fields count once.
func (c *costWalker) set(sel ast.SelectionSet, sized []string, n int64) int64 {
	var total int64
	for _, s := range sel {
		switch s := s.(type) {
		case *ast.Field:
			size := int64(0)
			for _, name := range sized {
				if s.Name == name {
					size = n
				}
			}
			total = add(total, c.field(s, size))
		case *ast.InlineFragment:
			total = add(total, c.set(s.SelectionSet, sized, n))
		case *ast.FragmentSpread:
			f := c.doc.Fragments.ForName(s.Name)
			if f == nil || c.spreading[s.Name] {
				continue
			}
			c.spreading[s.Name] = true
			total = add(total, c.set(f.SelectionSet, sized, n))
			delete(c.spreading, s.Name)
		}
	}
	return total
}

// field is the cost of f. size, when positive, is the list size its
// connection gives it.
func (c *costWalker) field(f *ast.Field, size int64) int64 {
	def := f.Definition
	if def == nil || def.Type == nil {
		return 0 // __typename
	}
	if len(f.SelectionSet) == 0 {
		return weightOf(def.Directives, 0) // scalars and enums: free unless marked
	}
	if strings.HasPrefix(def.Type.Name(), "__") {
		// Introspection reads the schema in memory, no rows; it is switched
		// off in production, and its size is the schema's.
		return 0
	}
	weight := int64(1)
	if t := c.schema.Types[def.Type.Name()]; t != nil {
		weight = weightOf(t.Directives, 1)
	}
	weight = weightOf(def.Directives, weight)
	listSize := int64(1)
	switch {
	case size > 0:
		listSize = size
	case def.Type.Elem != nil:
		listSize = DefaultListSize
	}
	var sized []string
	if ls := def.Directives.ForName("listSize"); ls != nil {
		listSize = c.listSize(f, ls, listSize)
		if sf := ls.Arguments.ForName("sizedFields"); sf != nil && sf.Value != nil {
			for _, v := range sf.Value.Children {
				sized = append(sized, v.Value.Raw)
			}
		}
	}
	if len(sized) > 0 {
		// A connection: the object itself counts once, its sized fields n times.
		return add(weight, c.set(f.SelectionSet, sized, listSize))
	}
	return mul(listSize, add(weight, c.set(f.SelectionSet, nil, 0)))
}

// listSize reads the size of a list from its slicing arguments, falling back
// to assumedSize and then def.
func (c *costWalker) listSize(f *ast.Field, ls *ast.Directive, def int64) int64 {
	if a := ls.Arguments.ForName("assumedSize"); a != nil && a.Value != nil {
		if n, err := strconv.ParseInt(a.Value.Raw, 10, 64); err == nil {
			def = n
		}
	}
	sa := ls.Arguments.ForName("slicingArguments")
	if sa == nil || sa.Value == nil {
		return def
	}
	args := f.ArgumentMap(c.vars)
	size, found := int64(0), false
	for _, name := range sa.Value.Children {
		switch v := args[name.Value.Raw].(type) {
		case int64:
			size, found = max(size, v), true
		case int:
			size, found = max(size, int64(v)), true
		case []any:
			size, found = max(size, int64(len(v))), true
		}
	}
	if !found {
		return def
	}
	return max(size, 0)
}

// weightOf returns the weight a @cost directive in dirs gives, or def.
func weightOf(dirs ast.DirectiveList, def int64) int64 {
	d := dirs.ForName("cost")
	if d == nil {
		return def
	}
	if a := d.Arguments.ForName("weight"); a != nil && a.Value != nil {
		if n, err := strconv.ParseInt(a.Value.Raw, 10, 64); err == nil && n >= 0 {
			return n
		}
	}
	return def
}

func add(a, b int64) int64 { return min(a+b, costCap) }

func mul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > costCap/b {
		return costCap
	}
	return a * b
}

// ReportCost adds the operation's cost to the response's extensions, as
// Shopify does, so clients see how close they are to the limit and, when
// RateLimit is on, how much of their budget is left:
// {"cost": {"requestedQueryCost": 152, "maxQueryCost": 5000, "throttleStatus":
// {"maximumAvailable": 10000, "currentlyAvailable": 9848, "restoreRate": 500}}}.
func ReportCost(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil || !graphql.HasOperationContext(ctx) {
		return resp
	}
	stats, _ := graphql.GetOperationContext(ctx).Stats.GetExtension(costStatsKey).(*CostStats)
	if stats == nil {
		return resp
	}
	if resp.Extensions == nil {
		resp.Extensions = map[string]any{}
	}
	cost := map[string]any{
		"requestedQueryCost": stats.Requested,
		"maxQueryCost":       stats.Max,
	}
	if t := throttleOf(graphql.GetOperationContext(ctx)); t != nil {
		cost["throttleStatus"] = map[string]any{
			"maximumAvailable":   t.MaximumAvailable,
			"currentlyAvailable": t.CurrentlyAvailable,
			"restoreRate":        t.RestoreRate,
		}
	}
	resp.Extensions["cost"] = cost
	return resp
}
