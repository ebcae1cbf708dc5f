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
// Run it with `go generate ./...` from the repository root.
package main

import (
	"fmt"
	"os"

	"github.com/99designs/gqlgen/api"
	"github.com/99designs/gqlgen/codegen"
	"github.com/99designs/gqlgen/codegen/config"
)

// serialObjects are the GraphQL types whose fields resolve serially.
var serialObjects = map[string]bool{
	"Product": true, "ProductVariant": true, "Category": true, "Image": true, "ProductOption": true,
	"SelectedOption": true, "Money": true, "ProductPriceRange": true,
	"ProductConnection": true, "ProductEdge": true, "ProductVariantConnection": true, "ProductVariantEdge": true,
	"CategoryConnection": true, "CategoryEdge": true, "PageInfo": true,
}

type serialFields struct{}

func (serialFields) Name() string { return "langran-serial-fields" }

// GenerateCode runs before gqlgen renders its templates, so the flag it sets
// shapes the generated executor.
func (serialFields) GenerateCode(data *codegen.Data) error {
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
}
