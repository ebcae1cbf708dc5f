package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/langran/langran/model"
)

func TestErrorPresenterShowsOnlySafeErrors(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	present := ErrorPresenter(log, NewMetrics())
	ctx := context.WithValue(context.Background(), requestInfoKey{}, &RequestInfo{ID: "req-1"})
	cases := []struct {
		name     string
		err      error
		code     string
		message  string
		loggedAs string
	}{
		{"model error", &model.Error{Code: model.CodeInvalid, Message: "first must be between 0 and 100", Field: []string{"first"}},
			"INVALID", "first must be between 0 and 100", ""},
		{"wrapped model error", fmt.Errorf("resolve: %w", model.Errorf(model.CodeNotFound, "no such product")),
			"NOT_FOUND", "no such product", ""},
		{"database error", errors.New("Error 1146 (42S02): Table 'langran.products' doesn't exist"),
			"INTERNAL", "internal error", "doesn't exist"},
		{"parser error", &gqlerror.Error{Message: "Unexpected Name", Extensions: map[string]any{"code": "GRAPHQL_PARSE_FAILED"}},
			"GRAPHQL_PARSE_FAILED", "Unexpected Name", ""},
		{"wrapped internal", gqlerror.WrapPath(nil, errors.New("SELECT * FROM secrets")), "INTERNAL", "internal error", "secrets"},
		{"timeout", fmt.Errorf("query: %w", context.DeadlineExceeded), "TIMEOUT", "the request took too long and was stopped", ""},
	}
	for _, c := range cases {
		logs.Reset()
		got := present(ctx, c.err)
		if got.Extensions["code"] != c.code || got.Message != c.message {
			t.Errorf("%s: presented %q code %v; want %q code %s", c.name, got.Message, got.Extensions["code"], c.message, c.code)
		}
		if c.loggedAs != "" && (!strings.Contains(logs.String(), c.loggedAs) || !strings.Contains(logs.String(), "req-1")) {
			t.Errorf("%s: not logged in full with the request id: %s", c.name, logs.String())
		}
		if c.code == "INTERNAL" && got.Extensions["requestId"] != "req-1" {
			t.Errorf("%s: internal error without request id", c.name)
		}
	}
}

func TestRecoverFuncHidesPanics(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	err := RecoverFunc(log)(context.Background(), "boom: runtime detail")
	got := ErrorPresenter(log, nil)(context.Background(), err)
	if got.Message != "internal error" || got.Extensions["code"] != "INTERNAL" {
		t.Fatalf("panic presented as %q", got.Message)
	}
	if !strings.Contains(logs.String(), "boom: runtime detail") || !strings.Contains(logs.String(), "stack") {
		t.Fatalf("panic not logged with stack: %s", logs.String())
	}
	var _ graphql.RecoverFunc = RecoverFunc(log)
}

func TestObserveRecoversHandlerPanics(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	h := Observe(log, NewMetrics(), "/graphql")(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		panic("secret detail")
	}))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("POST", "/graphql", nil))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "secret") || !strings.Contains(rec.Body.String(), "internal error") {
		t.Fatalf("status %d body %s", rec.Code, rec.Body.String())
	}
	if !strings.Contains(logs.String(), "secret detail") || !strings.Contains(logs.String(), `"status":500`) {
		t.Fatalf("logs: %s", logs.String())
	}
}

func TestOperationLabelsAreBounded(t *testing.T) {
	o := &operationLabels{seen: map[string]bool{}, max: 3}
	for i := range 10 {
		o.label(fmt.Sprintf("Op%d", i))
	}
	if got := o.label("Op1"); got != "Op1" {
		t.Errorf("known name relabelled %q", got)
	}
	if got := o.label("Op9"); got != "other" {
		t.Errorf("name past the bound kept: %q", got)
	}
	if got := o.label(`bad"name{}`); got != "other" {
		t.Errorf("unsafe name kept: %q", got)
	}
}
