// Package model holds Langran's domain types and pure rules: money, identifiers,
// cursors, errors and the catalog entities. It calls no database and knows no HTTP.
package model

import (
	"errors"
	"fmt"
)

// ErrorCode is a stable, machine-readable error code. Clients switch on codes,
// never on messages, so codes never change meaning once published.
type ErrorCode string

// Error codes shared across the service.
const (
	CodeInvalid       ErrorCode = "INVALID"         // the input is malformed or out of range
	CodeNotFound      ErrorCode = "NOT_FOUND"       // the thing asked for does not exist (or is hidden)
	CodeConflict      ErrorCode = "CONFLICT"        // the change clashes with current state
	CodeUnauthorized  ErrorCode = "UNAUTHENTICATED" // no or bad credentials
	CodeForbidden     ErrorCode = "FORBIDDEN"       // credentials lack the permission
	CodeLimitExceeded ErrorCode = "LIMIT_EXCEEDED"  // a request limit (size, depth, cost...) was passed
	CodeUnavailable   ErrorCode = "UNAVAILABLE"     // a dependency is down; retrying may help
	CodeInternal      ErrorCode = "INTERNAL"        // a bug or unexpected failure; details are only logged
)

// Error is an error whose Code and Message are safe to show to a client.
// Anything that is not an *Error is treated as internal and never shown.
type Error struct {
	Code    ErrorCode
	Message string
	// Field names the input path the error is about, when there is one.
	Field []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf builds a client-safe error with a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// AsError returns the client-safe error inside err, if there is one.
func AsError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// ErrorCodeOf returns the code of err: its own code when it is an *Error,
// CodeInternal otherwise, and "" for nil.
func ErrorCodeOf(err error) ErrorCode {
	if err == nil {
		return ""
	}
	if e, ok := AsError(err); ok {
		return e.Code
	}
	return CodeInternal
}
