package graph

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
)

// marshalSliceSerially marshals a list's elements one after another. The
// generator (internal/gqlgen) makes the catalog's list marshallers call it
// instead of gqlgen's graphql.MarshalSliceConcurrently, which starts a
// goroutine per element: the prefetcher has already loaded what those
// elements need, so the goroutines only cost CPU. Like gqlgen's version it
// gives each element its index in the path and turns a panic in one element
// into an error and a null.
func marshalSliceSerially(ctx context.Context, n int, marshal func(ctx context.Context, i int) graphql.Marshaler) graphql.Array {
	ret := make(graphql.Array, n)
	for i := range n {
		fc := &graphql.FieldContext{Index: &i}
		childCtx := graphql.WithFieldContext(ctx, fc)
		func() {
			defer func() {
				if r := recover(); r != nil {
					graphql.AddError(childCtx, graphql.Recover(childCtx, r))
					ret[i] = graphql.Null
				}
			}()
			ret[i] = marshal(childCtx, i)
		}()
	}
	return ret
}
