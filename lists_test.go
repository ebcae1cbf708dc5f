package main

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"

	"github.com/langran/langran/graph"
	"github.com/langran/langran/internal/serial"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// listReach says how a query gets many objects of a type to select a list
// field on: %s is where the field's selection goes, $n how many parents.
// A type that gains a list field must be reachable here, or the test fails.
var listReach = map[string]string{
	"Query":                    "%s",
	"Product":                  "products(first: $n) { nodes { %s } }",
	"ProductVariant":           "products(first: $n) { nodes { variants(first: 3) { nodes { %s } } } }",
	"Category":                 "categories(first: $n) { nodes { %s } }",
	"ProductConnection":        "products(first: $n) { %s }",
	"CategoryConnection":       "categories(first: $n) { %s }",
	"ProductVariantConnection": "products(first: $n) { nodes { variants(first: 3) { %s } } }",
	"DiscountCode":             "discountCodes(first: $n) { nodes { %s } }",
}

// Every list field of the schema whose items resolve serially costs the same
// number of SQL statements for 30 parents (or items) as for 3: every field of
// the items, their relations included, and what those relations are, is
// loaded for the whole list at once. The fields are found in the schema, not listed by hand, so a list
// added without its look-ahead fails here.
func TestListsCostTheSameStatementsForAnyLength(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv := newTestServer(t, b, 120, map[string]string{
			"LANGRAN_MAX_COMPLEXITY": "1000000000", "LANGRAN_MAX_DEPTH": "30", "LANGRAN_MAX_ALIASES": "1000",
			"LANGRAN_PASSWORD_HASH_MEMORY": "64"})
		addCategories(t, srv, 15) // the demo tree has 20; lists need 30
		addDiscounts(t, srv, 30)
		// Staff may read every field (Product.status) and list (adminProducts).
		staff := staffToken(t, srv, model.RoleOwner)
		var ids []any
		for i := int64(1); i <= 30; i++ {
			ids = append(ids, model.EncodeGlobalID(model.TypeProduct, i))
		}
		checked := 0
		for _, parent := range sortedTypes(schema) {
			for _, f := range parent.Fields {
				item := schema.Types[f.Type.Name()]
				if strings.HasPrefix(f.Name, "__") || f.Type.Elem == nil && f.Directives.ForName("listSize") == nil ||
					!servesSerialItems(schema, item) {
					continue
				}
				reach, ok := listReach[parent.Name]
				if !ok {
					t.Errorf("%s.%s: no way to reach many %s; add one to listReach", parent.Name, f.Name, parent.Name)
					continue
				}
				args := ""
				switch {
				case f.Arguments.ForName("ids") != nil:
					args = "(ids: $ids)"
				case f.Arguments.ForName("first") != nil && parent.Name == "Query":
					args = "(first: $n)"
				case f.Arguments.ForName("first") != nil:
					args = "(first: 5)"
				}
				q := fmt.Sprintf("query($n: Int!, $ids: [ID!]!) { "+reach+" }",
					f.Name+args+" "+selectAll(schema, item, 1))
				q = strings.Replace(q, "($n: Int!, $ids: [ID!]!)", variablesUsed(q), 1)
				counts := map[int]int{}
				for _, n := range []int{3, 30} {
					before := srv.statements()
					r := srv.post(t, q, map[string]any{"n": n, "ids": ids[:n]}, as(staff)...)
					if len(r.Errors) > 0 {
						t.Fatalf("%s.%s with %d: %.500s\n%s", parent.Name, f.Name, n, r.Raw, q)
					}
					counts[n] = srv.statements() - before
				}
				if counts[30] != counts[3] {
					t.Errorf("%s.%s: %d statements for 3, %d for 30\n%s", parent.Name, f.Name, counts[3], counts[30], q)
				}
				t.Logf("%s.%s: %d statements for 3, %d for 30", parent.Name, f.Name, counts[3], counts[30])
				checked++
			}
		}
		if checked < 12 {
			t.Errorf("only %d list fields checked", checked)
		}
	})
}

// servesSerialItems reports whether a list of def holds serially resolved
// objects: a serial type, or an interface all of whose types are serial.
func servesSerialItems(schema *ast.Schema, def *ast.Definition) bool {
	if def == nil {
		return false
	}
	if def.Kind == ast.Interface {
		types := schema.GetPossibleTypes(def)
		return len(types) > 0 && !slices.ContainsFunc(types, func(d *ast.Definition) bool { return !serial.Objects[d.Name] })
	}
	return serial.Objects[def.Name]
}

func sortedTypes(schema *ast.Schema) []*ast.Definition {
	var out []*ast.Definition
	for _, d := range schema.Types {
		if d.Kind == ast.Object && !strings.HasPrefix(d.Name, "__") {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, func(a, b *ast.Definition) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// selectAll selects every field of def, object fields `depth` levels down
// (below that, just __typename, which still resolves the object; paged
// connections are left out there), lists with first: 2, and the fields of
// each possible type of an interface.
func selectAll(schema *ast.Schema, def *ast.Definition, depth int) string {
	var parts []string
	if def.Kind == ast.Interface {
		parts = append(parts, "__typename")
		for _, pt := range schema.GetPossibleTypes(def) {
			parts = append(parts, "... on "+pt.Name+" "+selectAll(schema, pt, depth))
		}
		return "{ " + strings.Join(parts, " ") + " }"
	}
	for _, f := range def.Fields {
		if strings.HasPrefix(f.Name, "__") {
			continue
		}
		args := ""
		if f.Arguments.ForName("first") != nil {
			args = "(first: 2)"
		}
		required := false
		for _, a := range f.Arguments {
			required = required || a.Type.NonNull && a.DefaultValue == nil && a.Name != "first"
		}
		if required {
			continue
		}
		ft := schema.Types[f.Type.Name()]
		switch {
		case ft.Kind == ast.Scalar || ft.Kind == ast.Enum:
			parts = append(parts, f.Name+args)
		case depth == 0 && args != "":
			// Below the items' own relations, connections are left out:
			// the pages of the relations' relations are checked as lists
			// of their own.
		case depth == 0:
			parts = append(parts, f.Name+args+" { __typename }")
		default:
			parts = append(parts, f.Name+args+" "+selectAll(schema, ft, depth-1))
		}
	}
	return "{ " + strings.Join(parts, " ") + " }"
}

// variablesUsed declares only the variables q uses.
func variablesUsed(q string) string {
	var vars []string
	if strings.Contains(q, "$n)") || strings.Contains(q, "$n }") || strings.Contains(q, ": $n") {
		vars = append(vars, "$n: Int!")
	}
	if strings.Contains(q, ": $ids") {
		vars = append(vars, "$ids: [ID!]!")
	}
	if len(vars) == 0 {
		return ""
	}
	return "(" + strings.Join(vars, ", ") + ")"
}

// addCategories adds n root categories, so that lists of categories can be long.
func addCategories(t *testing.T, srv *testServer, n int) {
	t.Helper()
	db := srv.store.DB(t.Context())
	for i := range n {
		c := model.Category{Handle: fmt.Sprintf("extra-%d", i), Name: fmt.Sprintf("Extra %d", i), Position: 100 + i}
		if err := db.Table("categories").Create(&c).Error; err != nil {
			t.Fatal(err)
		}
		if err := db.Exec("INSERT INTO category_closure (ancestor_id, descendant_id, depth) VALUES (?, ?, 0)", c.ID, c.ID).Error; err != nil {
			t.Fatal(err)
		}
	}
}
