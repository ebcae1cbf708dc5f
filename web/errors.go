package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/langran/langran/model"
)

// errPanic marks an internal error that came from a recovered panic, already
// logged with its stack by RecoverFunc.
type errPanic struct{ value any }

func (e errPanic) Error() string { return fmt.Sprintf("panic: %v", e.value) }

// RecoverFunc turns a panic in a resolver into an internal error, logging the
// panic value and stack with the request ID. The client sees "internal error".
func RecoverFunc(log *slog.Logger) graphql.RecoverFunc {
	return func(ctx context.Context, v any) error {
		log.ErrorContext(ctx, "panic in resolver",
			"request_id", RequestIDFrom(ctx), "panic", fmt.Sprint(v), "stack", string(debug.Stack()))
		return errPanic{value: v}
	}
}

// ErrorPresenter decides what a client sees of an error. Errors that gqlgen
// and the GraphQL parser raise about the request itself (syntax, validation,
// variables, limits) and model.Errors are shown with their code. Everything
// else is a bug or an outage: it is logged in full with the request ID and
// shown only as "internal error", so no SQL, stack or path leaks.
func ErrorPresenter(log *slog.Logger, m *Metrics) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		cause := gqlErr.Err
		if cause == nil && !errors.As(err, new(*gqlerror.Error)) {
			cause = err
		}
		code := ""
		switch modelErr, isModel := model.AsError(cause); {
		case cause == nil:
			// Raised by gqlgen or the parser about the request: safe as is.
			if c, ok := gqlErr.Extensions["code"].(string); ok {
				code = c
			} else {
				code = "BAD_REQUEST"
			}
		case isModel:
			code = string(modelErr.Code)
			gqlErr = &gqlerror.Error{Message: modelErr.Message, Path: gqlErr.Path, Locations: gqlErr.Locations}
			if len(modelErr.Field) > 0 {
				gqlErr.Extensions = map[string]any{"field": modelErr.Field}
			}
		case errors.Is(cause, context.DeadlineExceeded):
			code = "TIMEOUT"
			gqlErr = &gqlerror.Error{Message: "the request took too long and was stopped", Path: gqlErr.Path, Locations: gqlErr.Locations}
		case errors.Is(cause, context.Canceled):
			code = "CANCELED"
			gqlErr = &gqlerror.Error{Message: "the request was canceled", Path: gqlErr.Path, Locations: gqlErr.Locations}
		default:
			code = string(model.CodeInternal)
			if !errors.As(cause, new(errPanic)) {
				log.ErrorContext(ctx, "internal error",
					"request_id", RequestIDFrom(ctx), "path", gqlErr.Path.String(), "error", cause.Error())
			}
			gqlErr = &gqlerror.Error{Message: "internal error", Path: gqlErr.Path, Locations: gqlErr.Locations}
		}
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = code
		if id := RequestIDFrom(ctx); id != "" && code == string(model.CodeInternal) {
			// Lets support find the log lines for this error.
			gqlErr.Extensions["requestId"] = id
		}
		if m != nil {
			m.Errors.WithLabelValues(code).Inc()
		}
		return gqlErr
	}
}
