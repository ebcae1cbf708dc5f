package graph

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

func TestMarshalSliceSeriallyKeepsOrderIndexesAndRecovers(t *testing.T) {
	ctx := graphql.WithResponseContext(context.Background(),
		func(ctx context.Context, err error) *gqlerror.Error {
			return gqlerror.WrapPath(graphql.GetPath(ctx), err)
		},
		func(ctx context.Context, v any) error { return errors.New("recovered") })
	var seen []int
	ret := marshalSliceSerially(ctx, 3, func(ctx context.Context, i int) graphql.Marshaler {
		if idx := graphql.GetFieldContext(ctx).Index; idx == nil || *idx != i {
			t.Errorf("element %d has index %v in its path", i, idx)
		}
		seen = append(seen, i)
		if i == 1 {
			panic("boom")
		}
		return graphql.MarshalInt(i)
	})
	if len(seen) != 3 || seen[0] != 0 || seen[2] != 2 {
		t.Fatalf("order %v", seen)
	}
	if ret[1] != graphql.Null || ret[0] == graphql.Null || ret[2] == graphql.Null {
		t.Fatalf("results %v", ret)
	}
	if errs := graphql.GetErrors(ctx); len(errs) != 1 || !strings.HasSuffix(errs[0].Message, "recovered") ||
		len(errs[0].Path) != 1 || errs[0].Path[0] != ast.PathIndex(1) {
		t.Fatalf("errors %v", errs)
	}
}
