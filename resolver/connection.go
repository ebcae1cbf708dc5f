package resolver

import (
	"context"

	"github.com/langran/langran/graph/gqlmodel"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// newConnection builds the connection of one page of items, read in pg's
// direction, that found `more` items beyond it. cursor gives each item's
// position; count, when the client asks for totalCount, counts the whole
// list. Every connection of the schema is built here.
func newConnection[N any](items []N, more bool, pg store.Page, cursor func(*N) model.Cursor,
	count func(context.Context) (int64, error)) *gqlmodel.Connection[N] {
	conn := &gqlmodel.Connection[N]{
		Edges: make([]gqlmodel.Edge[N], len(items)),
		Nodes: make([]*N, len(items)),
		Count: count,
	}
	for i := range items {
		n := &items[i]
		conn.Edges[i] = gqlmodel.Edge[N]{Cursor: model.EncodeCursor(cursor(n)), Node: n}
		conn.Nodes[i] = n
	}
	var start, end *string
	if n := len(items); n > 0 {
		start, end = &conn.Edges[0].Cursor, &conn.Edges[n-1].Cursor
	}
	conn.PageInfo = pageInfo(pg, more, start, end)
	return conn
}

// totalCount answers a connection's totalCount.
func totalCount[N any](ctx context.Context, conn *gqlmodel.Connection[N]) (int, error) {
	if conn.Count == nil {
		return len(conn.Nodes), nil
	}
	n, err := conn.Count(ctx)
	return int(n), err
}

// fixedCount is the count function of a list whose length is known.
func fixedCount(n int) func(context.Context) (int64, error) {
	return func(context.Context) (int64, error) { return int64(n), nil }
}
