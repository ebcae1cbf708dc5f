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
	CodeInvalid       ErrorCode = "INVALID"             // the input is malformed or out of range
	CodeNotFound      ErrorCode = "NOT_FOUND"           // the thing asked for does not exist (or is hidden)
	CodeConflict      ErrorCode = "CONFLICT"            // the change clashes with current state
	CodeUnauthorized  ErrorCode = "UNAUTHENTICATED"     // no or bad credentials
	CodeForbidden     ErrorCode = "FORBIDDEN"           // credentials lack the permission
	CodeLimitExceeded ErrorCode = "LIMIT_EXCEEDED"      // a request limit (size, depth, cost...) was passed
	CodeUnavailable   ErrorCode = "SERVICE_UNAVAILABLE" // a dependency (the database) is down; retry shortly
	CodeInternal      ErrorCode = "INTERNAL"            // a bug or unexpected failure; details are only logged
)

// Error is an error whose Code and Message are safe to show to a client.
// Anything that is not an *Error is treated as internal and never shown.
type Error struct {
	Code    ErrorCode
	Message string
	// Field is the path of the argument or input field the error is about,
	// as names from the argument down, e.g. ["filter", "price", "min"].
	// Every CodeInvalid error about an input has one.
	Field []string
	// Cause is the underlying failure, for logs only; it is never shown.
	Cause error
}

func (e *Error) Error() string {
	if e.Cause != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Cause)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause, so errors.Is sees through a client-safe error.
func (e *Error) Unwrap() error { return e.Cause }

// InvalidField builds a CodeInvalid error about the input at path.
func InvalidField(path []string, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Message: fmt.Sprintf(format, args...), Field: path}
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

// WithField names the argument (or input field, given as a path) that a
// client-safe error without a field is about; other errors pass unchanged.
func WithField(err error, path ...string) error {
	if e, ok := AsError(err); ok && len(e.Field) == 0 {
		c := *e
		c.Field = path
		return &c
	}
	return err
}
