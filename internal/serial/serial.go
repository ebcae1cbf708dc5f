// Package serial names the GraphQL object types whose fields resolve one
// after another instead of each in its own goroutine. The code generator
// (internal/gqlgen) makes them so; the resolver tests check that every list
// of them is looked ahead (prefetched), because a relation that is not
// would cost one query per item, in sequence.
package serial

// Objects are the serially resolved types: the catalog's.
var Objects = map[string]bool{
	"Product": true, "ProductVariant": true, "Category": true, "Image": true, "ProductOption": true,
	"SelectedOption": true, "Money": true, "ProductPriceRange": true,
	"ProductConnection": true, "ProductEdge": true, "ProductVariantConnection": true, "ProductVariantEdge": true,
	"CategoryConnection": true, "CategoryEdge": true, "PageInfo": true,
}
