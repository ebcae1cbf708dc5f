// Package catalog is the workflow of staff writing the catalog: products
// with their variants, options, images and tags, the category tree, and
// the CSV import and export of products. Every write runs in one
// transaction that also refreshes the search index and records the write
// in the audit log, so that the next read shows it and the log never
// misses one.
//
// A write reads the product as it is (store.LockProductRows), computes the
// product as it should be, checks the rules on that whole new state (the
// mutations and the import share them), and saves the difference
// (store.SaveProducts).
package catalog

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
)

// AuditFunc records a write in the audit log within tx, the write's own
// transaction: auth.Audit, which server.go wires in.
type AuditFunc func(ctx context.Context, tx *store.Store, v *model.Viewer, action, objectType string, objectID int64,
	before, after map[string]any) error

// Service runs staff writes to the catalog.
type Service struct {
	st    *store.Store
	audit AuditFunc
}

// New returns the catalog workflow over st, recording writes with audit.
func New(st *store.Store, audit AuditFunc) *Service {
	return &Service{st: st, audit: audit}
}

// storeCurrency is the currency catalog prices are kept in.
const storeCurrency = model.CurrencyTHB

// Currency is the currency prices are given and kept in.
func Currency() model.CurrencyCode { return storeCurrency }

// Opt is an input value that may be left out (Set false), given (Value
// non-nil) or given as null to clear it (Set true, Value nil).
type Opt[T any] struct {
	Set   bool
	Value *T
}

// attempts is how often a write runs before its failure is returned: a
// MySQL deadlock, a SQLite busy database, or a handle or SKU that another
// transaction took between the checks and the insert (run again, the
// checks see it and name the field). Of writes racing for one handle made
// from one title, one wins each round, so this many can race.
const attempts = 10

// write runs fn in a transaction, again from the start, after a short
// random pause, when it failed in a way a new attempt may cure.
func (s *Service) write(ctx context.Context, fn func(tx *store.Store) error) error {
	var err error
	for n := range attempts {
		err = s.st.InTx(ctx, fn)
		if err == nil || !(store.Retryable(err) || model.ErrorCodeOf(err) == model.CodeConflict) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(time.Duration(rand.Int64N(int64(n+1) * int64(5*time.Millisecond)))):
		}
	}
	if model.ErrorCodeOf(err) == model.CodeConflict {
		return &model.Error{Code: model.CodeTaken, Message: "a handle or SKU was taken by another change; try again", Cause: err}
	}
	return err
}

// notFoundAt is the error for an ID that names nothing at field.
func notFoundAt(field []string, what string) *model.Error {
	return &model.Error{Code: model.CodeNotFound, Field: field, Message: "no such " + what}
}

// path appends names to base without sharing base's array.
func path(base []string, names ...string) []string {
	out := make([]string, 0, len(base)+len(names))
	return append(append(out, base...), names...)
}

// asModelError returns err as a client-safe error when it is one.
func asModelError(err error) (*model.Error, bool) {
	var me *model.Error
	if errors.As(err, &me) {
		return me, true
	}
	return nil, false
}
