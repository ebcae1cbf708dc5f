package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"

	"github.com/langran/langran/model"
)

func TestErrorPresenterShowsOnlySafeErrors(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	present := ErrorPresenter(log, NewMetrics(), PresenterOptions{})
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
	got := ErrorPresenter(log, nil, PresenterOptions{})(context.Background(), err)
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
	h := Observe(log, NewMetrics(), ObserveOptions{GraphQLPath: "/graphql"})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
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

// Only configured operation names become metric labels, however many names
// clients send, and in whatever order.
func TestOperationLabelsOnlyKnownNames(t *testing.T) {
	o := NewOperationLabels([]string{"ProductGrid", " ProductPage "})
	for i := range 1000 {
		if got := o.Label(fmt.Sprintf("Junk%d", i)); got != "other" {
			t.Fatalf("unknown name labelled %q", got)
		}
	}
	for name, want := range map[string]string{
		"ProductGrid": "ProductGrid", "ProductPage": "ProductPage", AnonymousOperation: "anonymous",
		"": "none", "productgrid": "other", `bad"name{}`: "other",
	} {
		if got := o.Label(name); got != want {
			t.Errorf("Label(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestCheckRequestShape(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"query":"{ a }"}`: true, `{"query":"{ a }","variables":null,"operationName":null}`: true,
		`{"extensions":{"persistedQuery":{}}}`: true, `{}`: true,
		`[]`: false, `"q"`: false, `{"query":1}`: false, `{"variables":[1]}`: false,
		`{"operationName":{}}`: false, `{"extensions":"x"}`: false, `{"query":"a"`: false, ``: false,
	} {
		if got := checkRequestShape([]byte(body)) == ""; got != ok {
			t.Errorf("checkRequestShape(%s) ok=%v, want %v", body, got, ok)
		}
	}
}

// FuzzCheckRequestShape: whatever the body, the check neither panics nor
// lets through a body the JSON decoder cannot read as an object.
func FuzzCheckRequestShape(f *testing.F) {
	for _, s := range []string{`{"query":"{ a }"}`, `[]`, `{"variables":{"a":[1,{}]}}`, `{"query":"\u0000"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if checkRequestShape(body) != "" {
			return
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			t.Fatalf("accepted %q, which is not a JSON object: %v", body, err)
		}
		if q, ok := v["query"]; ok && q != nil {
			if _, isString := q.(string); !isString {
				t.Fatalf("accepted a non-string query: %q", body)
			}
		}
	})
}

// FuzzValidationWork: for any document the parser accepts, counting with a
// limit never panics and refuses exactly the documents whose full count is
// over the limit (stopping early never changes the verdict).
func FuzzValidationWork(f *testing.F) {
	for _, s := range []string{"{ a b a { x } }", "{ ...F } fragment F on Q { ...F a a }", "{ a @x(y: 1) { ... on T { b } } }",
		"query A { x } query B { x x x }", "{ " + strings.Repeat("a ", 300) + "}"} {
		f.Add(s, 50)
	}
	f.Fuzz(func(t *testing.T, q string, limit int) {
		if limit < 0 || limit > 100_000 {
			return
		}
		doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: q}, 5000)
		if err != nil {
			return
		}
		full := ValidationWork(doc, 1<<40)
		if got := ValidationWork(doc, limit); (got > limit) != (full > limit) {
			t.Fatalf("limit %d: counted %d, full count %d", limit, got, full)
		}
	})
}

// paramsFromJSON decodes a body once when it is a GraphQL request object,
// and refuses, with the shape check's words, what the shape check refuses.
func TestParamsFromJSON(t *testing.T) {
	for body, ok := range map[string]bool{
		`{"query":"{ a }"}`: true, `{"query":"{ a }","variables":null,"operationName":null}`: true,
		` {"query":"{ a }","variables":{"n":1.5}} ` + "\n": true, `{}`: true,
		`[]`: false, `"q"`: false, `null`: false, `{"query":1}`: false, `{"variables":[1]}`: false,
		`{"operationName":{}}`: false, `{"extensions":"x"}`: false, `{"query":"a"`: false, ``: false,
		`{"query":"a"} {"query":"b"}`: false, `{"query":"a"} x`: false,
	} {
		p, msg := paramsFromJSON([]byte(body))
		if got := p != nil; got != ok || (p == nil) == (msg == "") {
			t.Errorf("paramsFromJSON(%s) = %v, %q; want ok=%v", body, p, msg, ok)
		}
	}
	p, _ := paramsFromJSON([]byte(`{"query":"q","operationName":"Op","variables":{"n":12345678901234567890}}`))
	if p == nil || p.Query != "q" || p.OperationName != "Op" || p.Variables["n"] != json.Number("12345678901234567890") {
		t.Errorf("decoded %+v", p)
	}
}

// FuzzParamsFromJSON: whatever the body, what paramsFromJSON accepts the
// shape check accepts too.
func FuzzParamsFromJSON(f *testing.F) {
	for _, s := range []string{`{"query":"{ a }"}`, `[]`, `{"variables":{"a":[1,{}]}}`, `{"query":"a"} x`, `null`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		if p, _ := paramsFromJSON(body); p != nil && checkRequestShape(body) != "" {
			t.Fatalf("accepted %q, which the shape check refuses: %s", body, checkRequestShape(body))
		}
	})
}
