// Package authrule checks that authorization is declared in the schema and
// denies by default: every field of Query and Mutation names who may call it
// with exactly one of the access directives. The code generator refuses to
// generate code for a schema that breaks the rule, and a test runs the same
// check, so a new field cannot be open by accident.
package authrule

import (
	"fmt"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
)

// Directives are the access directives; each root field carries one.
var Directives = []string{"public", "customer", "staff", "hasPermission"}

// Check returns one problem per root field that declares no access rule,
// or more than one.
func Check(schema *ast.Schema) []string {
	var problems []string
	for _, root := range []*ast.Definition{schema.Query, schema.Mutation, schema.Subscription} {
		if root == nil {
			continue
		}
		for _, f := range root.Fields {
			if strings.HasPrefix(f.Name, "__") {
				continue
			}
			var found []string
			for _, d := range Directives {
				if f.Directives.ForName(d) != nil {
					found = append(found, "@"+d)
				}
			}
			switch len(found) {
			case 1:
			case 0:
				problems = append(problems, fmt.Sprintf("%s.%s declares no access rule: add one of @public, @customer, @staff or @hasPermission(permission: …)", root.Name, f.Name))
			default:
				problems = append(problems, fmt.Sprintf("%s.%s declares %s: give it exactly one access rule", root.Name, f.Name, strings.Join(found, " and ")))
			}
		}
	}
	return problems
}
