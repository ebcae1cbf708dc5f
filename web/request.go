package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
)

// RequestInfo is what the middleware learns about a request while it runs:
// its ID, and once gqlgen has parsed it, the GraphQL operation name.
type RequestInfo struct {
	ID string

	mu        sync.Mutex
	operation string
}

// SetOperation records the GraphQL operation name.
func (ri *RequestInfo) SetOperation(name string) {
	ri.mu.Lock()
	ri.operation = name
	ri.mu.Unlock()
}

// Operation returns the GraphQL operation name, "anonymous" for unnamed
// operations and "" before parsing.
func (ri *RequestInfo) Operation() string {
	ri.mu.Lock()
	defer ri.mu.Unlock()
	return ri.operation
}

type requestInfoKey struct{}

// RequestInfoFrom returns the request's info, or nil outside a request.
func RequestInfoFrom(ctx context.Context) *RequestInfo {
	ri, _ := ctx.Value(requestInfoKey{}).(*RequestInfo)
	return ri
}

// RequestIDFrom returns the request's ID, "" outside a request.
func RequestIDFrom(ctx context.Context) string {
	if ri := RequestInfoFrom(ctx); ri != nil {
		return ri.ID
	}
	return ""
}

func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts a caller-supplied X-Request-ID only when it is short
// and plain, so that it cannot forge log lines.
func validRequestID(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
