// Package gqlmodel holds the GraphQL-only types: connections, edges, payloads
// and the enums gqlgen generates. Domain types live in model.
package gqlmodel

import (
	"context"

	"github.com/langran/langran/model"
)

// ProductConnection is a page of products. TotalCount is computed only when
// a client asks for it, by Count.
type ProductConnection struct {
	Edges    []ProductEdge
	Nodes    []*model.Product
	PageInfo *PageInfo
	Count    func(ctx context.Context) (int64, error)
}

// CategoryConnection is a page of categories; TotalCount is computed by Count on demand.
type CategoryConnection struct {
	Edges    []CategoryEdge
	Nodes    []*model.Category
	PageInfo *PageInfo
	Count    func(ctx context.Context) (int64, error)
}

// Node is any object with a global ID. It is an empty interface so that the
// domain types in model need no GraphQL methods; gqlgen picks the concrete
// GraphQL type from the Go type.
type Node interface{}
