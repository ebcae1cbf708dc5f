package resolver

import (
	"slices"
	"strings"
	"testing"

	"github.com/langran/langran/graph"
	"github.com/langran/langran/internal/authrule"
	"github.com/langran/langran/internal/serial"
)

// Every field of a serially resolved type must say what it needs: a
// relation the look-ahead loads for a whole list, or nothing beyond the
// object's own row. A new field in no table fails here, before it can cost
// one query per item.
func TestRelationTablesCoverTheSchema(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	tables := map[string]relationTable{}
	for _, tb := range relationTables {
		if _, dup := tables[tb.graphQLType()]; dup {
			t.Errorf("two relation tables for %s", tb.graphQLType())
		}
		tables[tb.graphQLType()] = tb
	}
	for name := range serial.Objects {
		def := schema.Types[name]
		if def == nil {
			t.Errorf("serial type %s is not in the schema", name)
			continue
		}
		tb, ok := tables[name]
		if !ok {
			t.Errorf("%s resolves serially but has no relation table in resolver/prefetch.go", name)
			continue
		}
		needing, fromRow := tb.fieldNames()
		declared := map[string]bool{}
		for _, f := range append(slices.Clone(needing), fromRow...) {
			if declared[f] {
				t.Errorf("%s.%s is declared twice", name, f)
			}
			declared[f] = true
			if def.Fields.ForName(f) == nil {
				t.Errorf("the table of %s names %s, which the schema does not have", name, f)
			}
		}
		for _, f := range def.Fields {
			if !strings.HasPrefix(f.Name, "__") && !declared[f.Name] {
				t.Errorf("%s.%s is in no relation table: declare the relation it needs, or list it as read from the row", name, f.Name)
			}
		}
	}
	for name := range tables {
		if !serial.Objects[name] {
			t.Errorf("relation table for %s, which does not resolve serially", name)
		}
	}
}

// Every field of Query and Mutation declares who may call it (the code
// generator checks the same; this says so in the tests too).
func TestEveryRootFieldDeclaresAccess(t *testing.T) {
	schema := graph.NewExecutableSchema(graph.Config{}).Schema()
	for _, p := range authrule.Check(schema) {
		t.Error(p)
	}
}
