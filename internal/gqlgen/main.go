// Command gqlgen generates graph/ and the resolver stubs from the schema, as
// `gqlgen generate` does, with one addition: the types listed in
// serialObjects resolve their fields one after another instead of each in
// its own goroutine.
//
// Why: gqlgen starts a goroutine for every resolver field of every object.
// For the catalog that concurrency buys nothing, because the list resolvers
// prefetch every relation before the items resolve (resolver/prefetch.go),
// so the item resolvers find their data in the dataloader caches and never
// wait. The goroutines were a third of the CPU of the storefront page (their
// creation, stack growth and scheduling). Objects reached without a prefetch
// (node(id), say) still resolve correctly: a field that must wait for its
// loader waits a little longer, and list items still run concurrently, so
// loaders still batch across them.
//
// For the same reason, lists of those types are marshalled in a loop rather
// than a goroutine per element: gqlgen has no switch for that, so the
// generated file is rewritten after generation (see serializeLists). Every
// resolver that returns such a list prefetches its items' relations first.
//
// Run it with `go generate ./...` from the repository root.
package main

import (
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"

	"github.com/langran/langran/internal/authrule"
	"github.com/langran/langran/internal/serial"
)

// serialObjects are the GraphQL types whose fields resolve serially.
var serialObjects = serial.Objects

type serialFields struct{}

func (serialFields) Name() string { return "langran-serial-fields" }

// GenerateCode runs before gqlgen renders its templates, so the flag it sets
// shapes the generated executor.
func (serialFields) GenerateCode(data *codegen.Data) error {
	// Authorization is declared in the schema and denies by default: refuse
	// to generate code for a root field that names no access rule.
	if problems := authrule.Check(data.Schema); len(problems) > 0 {
		return fmt.Errorf("access rules:\n  %s", strings.Join(problems, "\n  "))
	}
	seen := 0
	for _, o := range data.Objects {
		if serialObjects[o.Name] {
			o.DisableConcurrency = true
			seen++
		}
	}
	if seen != len(serialObjects) {
		return fmt.Errorf("serialObjects names %d types but the schema has %d of them", len(serialObjects), seen)
	}
	return nil
}

func main() {
	cfg, err := config.LoadConfigFromDefaultLocations()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen: load config:", err)
		os.Exit(2)
	}
	if err := api.Generate(cfg, api.AddPlugin(serialFields{})); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(3)
	}
	if err := serializeLists(cfg.Exec.Filename); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(4)
	}
	if err := skipDeferredPaths(cfg.Exec.Filename); err != nil {
		fmt.Fprintln(os.Stderr, "gqlgen:", err)
		os.Exit(5)
	}
}

// rewriteGenerated applies rewrite to each generated function whose header
// matches header and whose captured type name is in serialObjects: the text
// from one header to the next. rewrite returns the new text, or an error
// when the code does not have the shape it expects, so that a gqlgen
// upgrade fails generation loudly instead of producing wrong code. It
// returns how many functions it rewrote.
func rewriteGenerated(filename string, header *regexp.Regexp, rewrite func(name, body string) (string, error)) (int, error) {
	src, err := os.ReadFile(filename)
	if err != nil {
		return 0, err
	}
	text := string(src)
	locs := header.FindAllStringSubmatchIndex(text, -1)
	var out strings.Builder
	last, rewritten := 0, 0
	for i, loc := range locs {
		end := len(text)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		name := text[loc[2]:loc[3]]
		if !serialObjects[name] {
			continue
		}
		body, err := rewrite(name, text[loc[0]:end])
		if err != nil {
			return 0, err
		}
		out.WriteString(text[last:loc[0]])
		out.WriteString(body)
		last = end
		rewritten++
	}
	out.WriteString(text[last:])
	return rewritten, os.WriteFile(filename, []byte(out.String()), 0o644)
}

// objectMarshaller matches the generated marshaller of an object type, e.g.
// "func (ec *executionContext) _Product(ctx context.Context, sel", capturing its name.
// Introspection marshallers (___Type) match too, with names that start with
// "__", so that every marshaller ends where the next one begins.
var objectMarshaller = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) _([A-Za-z_]+)\(ctx context\.Context, sel ast\.SelectionSet`)

const (
	newDeferredGroup = "deferred := graphql.NewDeferredGroup(ctx)"
	noDeferredGroup  = "var deferred graphql.DeferredGroup // fields resolve inline: nothing is ever deferred here"
)

// skipDeferredPaths stops the marshallers of serialObjects from building a
// deferred group. gqlgen builds one per object, computing the object's full
// response path, in case a field of it is deferred with @defer; it was 18 %
// of the storefront page's CPU. Fields of these objects resolve inline and
// are never added to the group, so the path is never used; the rewrite
// checks that before it applies.
func skipDeferredPaths(filename string) error {
	n, err := rewriteGenerated(filename, objectMarshaller, func(name, body string) (string, error) {
		if strings.Count(body, newDeferredGroup) != 1 || strings.Contains(body, "&deferred") {
			return "", fmt.Errorf("marshaller of %s does not have the expected shape (gqlgen changed?)", name)
		}
		return strings.Replace(body, newDeferredGroup, noDeferredGroup, 1), nil
	})
	if err == nil && n != len(serialObjects) {
		err = fmt.Errorf("rewrote %d object marshallers, want %d (gqlgen changed?)", n, len(serialObjects))
	}
	return err
}

// listMarshaller matches the generated marshallers of non-null lists, e.g.
// "func (ec *executionContext) marshalNProductEdge2ᚕ...(", capturing the
// GraphQL type name.
var listMarshaller = regexp.MustCompile(`(?m)^func \(ec \*executionContext\) marshalN([A-Za-z_]+)2ᚕ`)

const (
	concurrentCall = "graphql.MarshalSliceConcurrently(ctx, len(v), 0, false, func("
	serialCall     = "marshalSliceSerially(ctx, len(v), func("
)

// serializeLists rewrites the marshallers of lists of serialObjects to call
// marshalSliceSerially (graph/serial.go) instead of gqlgen's concurrent one.
func serializeLists(filename string) error {
	n, err := rewriteGenerated(filename, listMarshaller, func(name, body string) (string, error) {
		if c := strings.Count(body, concurrentCall); c != 1 {
			return "", fmt.Errorf("marshaller of [%s]: found %d concurrent calls, want 1 (gqlgen changed?)", name, c)
		}
		return strings.Replace(body, concurrentCall, serialCall, 1), nil
	})
	if err == nil && n == 0 {
		err = fmt.Errorf("no list marshallers rewritten in %s (gqlgen changed?)", filename)
	}
	return err
}
