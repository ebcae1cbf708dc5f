package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"github.com/langran/langran/model"
)

// The media types a GraphQL response can be written in.
const (
	MediaJSON            = "application/json"
	MediaGraphQLResponse = "application/graphql-response+json"
)

// Codes of errors the transport raises itself.
const (
	codeBadRequest    = "BAD_REQUEST"
	codeTooManyErrors = "TOO_MANY_ERRORS"
)

// Transport serves GraphQL over HTTP as the GraphQL-over-HTTP specification
// describes it, for GET (queries only) and POST with a JSON body. It replaces
// gqlgen's GET and POST transports so that one place decides, after the
// operation has run, everything that depends on how it went:
//
//   - the status: under application/json every well-formed request gets 200,
//     errors included, because clients such as Apollo Client 3 (which sends
//     Accept: */*) only read the errors of a 2xx; under
//     application/graphql-response+json a request that fails before
//     execution (bad JSON, parse, validation, variables, limits) gets 400 and
//     no data entry, and one the database could not serve gets 503; under
//     both, an operation refused by the rate limit (THROTTLED) gets 429
//     with Retry-After;
//   - the error list, capped at MaxErrors plus one "too many errors" entry,
//     so a small document cannot amplify into a huge response;
//   - Cache-Control: only a successful, error-free anonymous GET query may be
//     public, so a CDN never keeps a "not found", a timeout or an outage.
type Transport struct {
	MaxBodyBytes int64
	// MaxUploadBytes bounds a multipart request (the GraphQL multipart
	// request specification: an operation and its files) from staff or a
	// partner key. Anyone else's multipart request is held to MaxBodyBytes,
	// so that the larger limit is only for callers who may upload.
	MaxUploadBytes int64
	MaxErrors      int
	// PublicMaxAge, when positive, lets shared caches keep successful
	// anonymous GET answers that long.
	PublicMaxAge time.Duration
}

var _ graphql.Transport = Transport{}

// Supports implements graphql.Transport: this transport answers every
// request to the endpoint, wrong methods included (with 405).
func (Transport) Supports(*http.Request) bool { return true }

// Do implements graphql.Transport.
func (t Transport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	media, ok := NegotiateMedia(r.Header.Get("Accept"))
	if !ok {
		WriteError(w, http.StatusNotAcceptable, model.CodeInvalid,
			"responses are application/graphql-response+json or application/json; the Accept header allows neither")
		return
	}
	var params *graphql.RawParams
	var problem string
	switch r.Method {
	case http.MethodGet:
		if len(r.URL.RawQuery) > int(t.MaxBodyBytes) {
			WriteError(w, http.StatusRequestURITooLong, model.CodeLimitExceeded, "the query string is too long; use POST")
			return
		}
		params, problem = paramsFromURL(r.URL.RawQuery)
	case http.MethodPost:
		mt, mtParams, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err == nil && mt == mediaMultipart {
			var status int
			var msg string
			params, status, msg = t.paramsFromMultipart(r, mtParams["boundary"])
			if status != 0 {
				code := model.ErrorCode(codeBadRequest)
				if status == http.StatusRequestEntityTooLarge {
					code = model.CodeLimitExceeded
				}
				WriteError(w, status, code, msg)
				return
			}
			break
		}
		if err != nil || mt != MediaJSON {
			WriteError(w, http.StatusUnsupportedMediaType, model.CodeInvalid,
				"POST requests must have Content-Type: application/json (or multipart/form-data for uploads)")
			return
		}
		body, status := readBody(r, t.MaxBodyBytes)
		if status != 0 {
			if status == http.StatusRequestEntityTooLarge {
				WriteError(w, status, model.CodeLimitExceeded, fmt.Sprintf("the request body is larger than %d bytes", t.MaxBodyBytes))
			} else {
				WriteError(w, status, model.CodeInvalid, "could not read the request body")
			}
			return
		}
		params, problem = paramsFromJSON(body)
	default:
		w.Header().Set("Allow", "GET, POST")
		WriteError(w, http.StatusMethodNotAllowed, model.CodeInvalid, "use GET for queries or POST")
		return
	}
	if problem == "" && params.Query == "" && params.Extensions["persistedQuery"] == nil {
		problem = "the request has no query: send {\"query\": \"{ ... }\"}, or a persisted query's hash in extensions"
	}
	if problem != "" {
		err := gqlerror.Errorf("%s", problem)
		err.Extensions = map[string]any{"code": codeBadRequest}
		t.write(w, r, media, exec.DispatchError(ctx, gqlerror.List{err}), malformed)
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: graphql.Now(), End: graphql.Now()}

	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if r.Method == http.MethodGet {
		if kind := requestedOperation(opCtx); kind != "" && kind != ast.Query {
			// A link or a prefetching browser must never change state.
			w.Header().Set("Allow", "POST")
			WriteError(w, http.StatusMethodNotAllowed, model.CodeInvalid, "mutations must be sent with POST, never GET")
			return
		}
	}
	if errs != nil {
		if st := throttleOf(opCtx); st != nil && st.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(st.RetryAfter)))
		}
		t.write(w, r, media, exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs), refused)
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	resp := responses(ctx)
	if resp == nil {
		resp = &graphql.Response{Data: json.RawMessage("null")}
	}
	t.write(w, r, media, resp, executed)
}

// outcome is how far a request got.
type outcome int

const (
	// malformed: not a GraphQL request at all (the body is not JSON, a
	// parameter has the wrong type). 400 whatever the media type.
	malformed outcome = iota
	// refused: a GraphQL request that failed before execution (parse,
	// validation, variables, limits, cost, an unknown persisted query).
	// 400 under application/graphql-response+json, 200 under
	// application/json, where clients only read the errors of a 2xx.
	refused
	// executed: the operation ran; its errors are field errors.
	executed
)

// write sends resp. A request that did not execute has no data entry.
func (t Transport) write(w http.ResponseWriter, r *http.Request, media string, resp *graphql.Response, how outcome) {
	status := http.StatusOK
	unavailable := hasErrorCode(resp.Errors, string(model.CodeUnavailable))
	if unavailable {
		w.Header().Set("Retry-After", "2")
	}
	switch {
	case how == malformed:
		status = http.StatusBadRequest
	case how == refused && hasErrorCode(resp.Errors, CodeThrottled):
		// Under both media types: rate limits are HTTP's business, and
		// proxies, SDKs and retry middleware back off on 429 and
		// Retry-After without reading the body.
		status = http.StatusTooManyRequests
	case media != MediaGraphQLResponse:
	case how == refused:
		status = http.StatusBadRequest
	case unavailable:
		// The data a database outage leaves is nulls; with no data entry
		// the status can say what happened.
		status = http.StatusServiceUnavailable
		how = refused
	}
	resp.Errors = capErrors(resp.Errors, t.MaxErrors)

	h := w.Header()
	if how == executed && r.Method == http.MethodGet && len(resp.Errors) == 0 && t.PublicMaxAge > 0 && anonymous(r) {
		h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(t.PublicMaxAge.Seconds())))
	} else {
		h.Set("Cache-Control", "no-store")
	}
	h.Set("Content-Type", media+"; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	out := response{Errors: resp.Errors, Extensions: resp.Extensions}
	if how == executed {
		out.Data = resp.Data
		if out.Data == nil {
			out.Data = json.RawMessage("null")
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		// Only a resolver's marshaller can produce invalid JSON: a bug.
		WriteError(w, http.StatusInternalServerError, model.CodeInternal, "internal error")
		return
	}
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// response is a GraphQL response as written: without a data entry when the
// operation did not run.
type response struct {
	Errors     gqlerror.List   `json:"errors,omitempty"`
	Data       json.RawMessage `json:"data,omitempty"`
	Extensions map[string]any  `json:"extensions,omitempty"`
}

func hasErrorCode(errs gqlerror.List, code string) bool {
	for _, e := range errs {
		if c, _ := e.Extensions["code"].(string); c == code {
			return true
		}
	}
	return false
}

// capErrors keeps the first max errors and says how many were left out.
func capErrors(errs gqlerror.List, max int) gqlerror.List {
	if max <= 0 || len(errs) <= max {
		return errs
	}
	more := &gqlerror.Error{
		Message:    fmt.Sprintf("too many errors: %d more were left out", len(errs)-max),
		Extensions: map[string]any{"code": codeTooManyErrors},
	}
	return append(errs[:max:max], more)
}

// NegotiateMedia picks the response media type from an Accept header,
// honouring q-values: application/graphql-response+json when the client
// prefers it, application/json otherwise (also for */*, application/* and a
// missing header, as the specification recommends for older clients). ok is
// false when the header admits neither.
func NegotiateMedia(accept string) (media string, ok bool) {
	if strings.TrimSpace(accept) == "" {
		return MediaJSON, true
	}
	bestQ := 0.0
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(v, 64); err != nil || q < 0 || q > 1 {
				continue
			}
		}
		var candidate string
		switch mt {
		case MediaGraphQLResponse:
			candidate = MediaGraphQLResponse
		case MediaJSON, "application/*", "*/*":
			candidate = MediaJSON
		default:
			continue
		}
		// An exact type beats a wildcard at the same quality.
		if q > bestQ || (q == bestQ && q > 0 && candidate == MediaGraphQLResponse && mt == MediaGraphQLResponse) {
			media, bestQ = candidate, q
		}
	}
	return media, bestQ > 0
}

// readBody reads a POST body of at most limit bytes. It returns a non-zero
// status when the body is too large (413) or cannot be read (400).
func readBody(r *http.Request, limit int64) ([]byte, int) {
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, http.StatusBadRequest
	}
	if int64(len(body)) > limit {
		return nil, http.StatusRequestEntityTooLarge
	}
	return body, 0
}

// paramsFromJSON decodes a POST body. It returns a plain message, instead
// of the JSON decoder's (which names Go types and echoes the body), when the
// body is not a GraphQL request object with members of the right types.
func paramsFromJSON(body []byte) (*graphql.RawParams, string) {
	// A body that decodes as one JSON object needs no other check: the
	// members' types are the decoder's to refuse. Only a body it refuses
	// is parsed again, to say what is wrong with it in plain words.
	var p graphql.RawParams
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if trimmed := bytes.TrimSpace(body); len(trimmed) > 0 && trimmed[0] == '{' && dec.Decode(&p) == nil {
		if _, err := dec.Token(); err == io.EOF {
			return &p, ""
		}
	}
	if msg := checkRequestShape(body); msg != "" {
		return nil, msg
	}
	return nil, "the request body must be a JSON object such as {\"query\": \"{ ... }\", \"variables\": {}}"
}

// paramsFromURL decodes the parameters of a GET request.
func paramsFromURL(rawQuery string) (*graphql.RawParams, string) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, "the query string is not valid URL encoding"
	}
	p := &graphql.RawParams{Query: q.Get("query"), OperationName: q.Get("operationName")}
	for _, m := range []struct {
		name string
		dst  *map[string]any
	}{{"variables", &p.Variables}, {"extensions", &p.Extensions}} {
		raw := q.Get(m.name)
		if raw == "" {
			continue
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(m.dst); err != nil {
			return nil, m.name + " must be a JSON object"
		}
	}
	return p, ""
}

// checkRequestShape checks that a POST body is a GraphQL request object with
// members of the right JSON types. It returns "" when the shape is right.
func checkRequestShape(body []byte) string {
	var members map[string]json.RawMessage
	if err := json.Unmarshal(body, &members); err != nil || members == nil {
		return "the request body must be a JSON object such as {\"query\": \"{ ... }\", \"variables\": {}}"
	}
	kinds := map[string]byte{"query": '"', "operationName": '"', "variables": '{', "extensions": '{'}
	for name, want := range kinds {
		raw := bytes.TrimSpace(members[name])
		if len(raw) == 0 || string(raw) == "null" {
			continue
		}
		if raw[0] != want {
			if want == '"' {
				return name + " must be a string"
			}
			return name + " must be a JSON object"
		}
	}
	return ""
}

// anonymous reports whether the request carries no credentials, so its
// answer is the same for everyone and may be cached publicly.
func anonymous(r *http.Request) bool {
	return r.Header.Get("Authorization") == "" && r.Header.Get("X-Langran-Api-Key") == "" && r.Header.Get("Cookie") == ""
}

// WriteError writes a GraphQL-shaped error response with an HTTP status, for
// failures the HTTP layer answers itself (wrong method, media type, size).
func WriteError(w http.ResponseWriter, status int, code model.ErrorCode, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{
		"errors": []any{map[string]any{"message": msg, "extensions": map[string]any{"code": code}}},
	})
}
