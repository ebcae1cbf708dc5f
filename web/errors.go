package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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

// PresenterOptions configure ErrorPresenter.
type PresenterOptions struct {
	// HideSuggestions removes "Did you mean …?" from every message, so that
	// a production schema cannot be guessed from its error messages.
	HideSuggestions bool
}

// ErrorPresenter decides what a client sees of an error. Errors that gqlgen
// and the GraphQL parser raise about the request itself (syntax, validation,
// variables, limits) and model.Errors are shown with their code. Everything
// else is a bug: it is logged in full with the request ID and shown only as
// "internal error", so no SQL, stack or path leaks. A database outage is a
// model.Error with code SERVICE_UNAVAILABLE, logged as a warning.
//
// One rule places errors about arguments: `path` is the response path of the
// field, and extensions.field the path of the argument or input field, as a
// list of names, e.g. ["filter", "price", "min"]. Every INVALID error about
// an input carries it, whether a resolver raised it or a scalar refused to
// decode.
func ErrorPresenter(log *slog.Logger, m *Metrics, o PresenterOptions) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		gqlErr := graphql.DefaultErrorPresenter(ctx, err)
		cause := gqlErr.Err
		if cause == nil && !errors.As(err, new(*gqlerror.Error)) {
			cause = err
		}
		path, argPath := splitArgumentPath(ctx, gqlErr.Path)
		code := ""
		switch modelErr, isModel := model.AsError(cause); {
		case cause == nil:
			// Raised by gqlgen or the parser about the request: safe as is.
			if c, ok := gqlErr.Extensions["code"].(string); ok {
				code = c
			} else {
				code = codeBadRequest
			}
		case isModel:
			code = string(modelErr.Code)
			if modelErr.Code == model.CodeUnavailable {
				log.WarnContext(ctx, "dependency unavailable",
					"request_id", RequestIDFrom(ctx), "path", gqlErr.Path.String(), "error", cause.Error())
			}
			gqlErr = &gqlerror.Error{Message: modelErr.Message, Path: path, Locations: gqlErr.Locations}
			field := modelErr.Field
			if len(field) == 0 {
				field = argPath
			}
			if len(field) > 0 {
				gqlErr.Extensions = map[string]any{"field": field}
			}
		case errors.Is(cause, context.DeadlineExceeded):
			code = "TIMEOUT"
			gqlErr = &gqlerror.Error{Message: "the request took too long and was stopped", Path: path, Locations: gqlErr.Locations}
		case errors.Is(cause, context.Canceled):
			code = "CANCELED"
			gqlErr = &gqlerror.Error{Message: "the request was canceled", Path: path, Locations: gqlErr.Locations}
		default:
			code = string(model.CodeInternal)
			if !errors.As(cause, new(errPanic)) {
				log.ErrorContext(ctx, "internal error",
					"request_id", RequestIDFrom(ctx), "path", gqlErr.Path.String(), "error", cause.Error())
			}
			gqlErr = &gqlerror.Error{Message: "internal error", Path: path, Locations: gqlErr.Locations}
		}
		if gqlErr.Extensions == nil {
			gqlErr.Extensions = map[string]any{}
		}
		gqlErr.Extensions["code"] = code
		if id := RequestIDFrom(ctx); id != "" && code == string(model.CodeInternal) {
			// Lets support find the log lines for this error.
			gqlErr.Extensions["requestId"] = id
		}
		if o.HideSuggestions {
			gqlErr.Message = withoutSuggestion(gqlErr.Message)
		}
		if m != nil {
			m.Errors.WithLabelValues(code).Inc()
		}
		return gqlErr
	}
}

// splitArgumentPath separates, in the path gqlgen gives an error raised while
// decoding a field's arguments, the field's response path from the argument
// path beneath it: gqlgen appends the argument and input field names to the
// field's path. Other paths come back whole, with no argument path.
func splitArgumentPath(ctx context.Context, p ast.Path) (ast.Path, []string) {
	fc := graphql.GetFieldContext(ctx)
	if fc == nil || len(p) == 0 {
		return p, nil
	}
	field := fc.Path()
	if len(p) <= len(field) || p[:len(field)].String() != field.String() {
		return p, nil
	}
	// An argument path starts with the argument's name; an index right
	// below the field is a list item of its result (nodes[3]), not an input.
	if _, isName := p[len(field)].(ast.PathName); !isName {
		return p, nil
	}
	var args []string
	for _, el := range p[len(field):] {
		switch el := el.(type) {
		case ast.PathName:
			args = append(args, string(el))
		case ast.PathIndex:
			args = append(args, fmt.Sprint(int(el)))
		}
	}
	return field, args
}

// withoutSuggestion removes the "Did you mean …?" the validator appends to
// messages about unknown fields, arguments, enum values, input fields and
// types.
func withoutSuggestion(msg string) string {
	i := strings.Index(msg, " Did you mean ")
	if i < 0 {
		return msg
	}
	return strings.TrimSpace(msg[:i])
}
