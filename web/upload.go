package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"github.com/langran/langran/model"
)

// Uploads follow the GraphQL multipart request specification: a
// multipart/form-data POST whose first part, "operations", is the JSON
// request with null where each file goes; whose second, "map", says which
// variables each file part fills ({"0": ["variables.file"]}); and whose
// other parts are the files, named by the map's keys.

const mediaMultipart = "multipart/form-data"

// preflightHeaders are the request headers of which a multipart request
// must carry one. A form on another site can POST multipart/form-data
// without asking (it is a "simple" request for browsers, and cookies would
// go with it); with any of these headers the browser must ask first, and
// CORS decides. Apollo Client's upload link sends apollo-require-preflight.
var preflightHeaders = []string{"GraphQL-Require-Preflight", "Apollo-Require-Preflight", "X-Apollo-Operation-Name"}

// paramsFromMultipart reads an upload request. On failure it returns the
// HTTP status and a message: 400 for a request that is not a well-formed
// multipart GraphQL request (or lacks a preflight header), 413 for one over
// the limit.
func (t Transport) paramsFromMultipart(r *http.Request, boundary string) (*graphql.RawParams, int, string) {
	preflight := false
	for _, h := range preflightHeaders {
		preflight = preflight || strings.TrimSpace(r.Header.Get(h)) != ""
	}
	if !preflight {
		return nil, http.StatusBadRequest, "multipart requests must carry a GraphQL-Require-Preflight header " +
			"(any value): it makes browsers ask before sending, so that another site cannot send uploads in your name"
	}
	limit := t.MaxBodyBytes
	if v := model.ViewerFrom(r.Context()); (v.Kind == model.ViewerStaff || v.Kind == model.ViewerPartner) && t.MaxUploadBytes > limit {
		limit = t.MaxUploadBytes
	}
	tooLarge := fmt.Sprintf("the request is larger than %d bytes", limit)
	if r.ContentLength > limit {
		return nil, http.StatusRequestEntityTooLarge, tooLarge
	}
	if boundary == "" {
		return nil, http.StatusBadRequest, "a multipart/form-data request needs a boundary"
	}
	body := &countingReader{r: io.LimitReader(r.Body, limit+1)}
	mr := multipart.NewReader(body, boundary)
	over := func() bool { return body.n > limit }
	fail := func(msg string) (*graphql.RawParams, int, string) {
		if over() {
			return nil, http.StatusRequestEntityTooLarge, tooLarge
		}
		return nil, http.StatusBadRequest, msg
	}

	ops, err := readPart(mr, "operations", t.MaxBodyBytes)
	if err != nil {
		return fail("the first part must be operations, the JSON request, of at most " + strconv.FormatInt(t.MaxBodyBytes, 10) + " bytes")
	}
	if bytes.HasPrefix(bytes.TrimSpace(ops), []byte("[")) {
		return fail("operations must be one request: batches are not supported")
	}
	params, problem := paramsFromJSON(ops)
	if problem != "" {
		return fail("operations: " + problem)
	}
	rawMap, err := readPart(mr, "map", t.MaxBodyBytes)
	if err != nil {
		return fail("the second part must be map, the JSON object saying which variables each file fills")
	}
	var fileMap map[string][]string
	if err := json.Unmarshal(rawMap, &fileMap); err != nil || fileMap == nil {
		return fail(`map must be a JSON object of lists of paths, such as {"0": ["variables.file"]}`)
	}
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail("the request is not well-formed multipart/form-data")
		}
		key := part.FormName()
		paths, ok := fileMap[key]
		if !ok || len(paths) == 0 {
			return fail(fmt.Sprintf("the file part %q is not in map", key))
		}
		delete(fileMap, key)
		data, err := io.ReadAll(part)
		if err != nil || over() {
			return fail("the file part " + strconv.Quote(key) + " could not be read")
		}
		for _, p := range paths {
			up := graphql.Upload{File: bytes.NewReader(data), Filename: part.FileName(), Size: int64(len(data)),
				ContentType: part.Header.Get("Content-Type")}
			if msg := placeUpload(params, p, up); msg != "" {
				return fail(fmt.Sprintf("map: %s: %s", key, msg))
			}
		}
	}
	for key := range fileMap {
		return fail(fmt.Sprintf("map names the file part %q, which the request lacks", key))
	}
	return params, 0, ""
}

// readPart reads the next part, which must be the form field name, of at
// most limit bytes.
func readPart(mr *multipart.Reader, name string, limit int64) ([]byte, error) {
	part, err := mr.NextPart()
	if err != nil {
		return nil, err
	}
	if part.FormName() != name {
		return nil, fmt.Errorf("part %q, want %q", part.FormName(), name)
	}
	b, err := io.ReadAll(io.LimitReader(part, limit+1))
	if err == nil && int64(len(b)) > limit {
		err = errors.New("part too large")
	}
	return b, err
}

// placeUpload puts up where path ("variables.file", "variables.files.0",
// "variables.input.attachment") says, where the operation has null. It
// returns a message when the path leads nowhere.
func placeUpload(params *graphql.RawParams, path string, up graphql.Upload) string {
	rest, ok := strings.CutPrefix(path, "variables.")
	if !ok || params.Variables == nil {
		return "paths start with variables. and name a variable the operation has"
	}
	steps := strings.Split(rest, ".")
	var at any = params.Variables
	for i, step := range steps {
		last := i == len(steps)-1
		switch node := at.(type) {
		case map[string]any:
			v, ok := node[step]
			if !ok {
				return "no variable at " + path
			}
			if last {
				if v != nil {
					return path + " must be null in operations"
				}
				node[step] = up
				return ""
			}
			at = v
		case []any:
			n, err := strconv.Atoi(step)
			if err != nil || n < 0 || n >= len(node) {
				return "no list item at " + path
			}
			if last {
				if node[n] != nil {
					return path + " must be null in operations"
				}
				node[n] = up
				return ""
			}
			at = node[n]
		default:
			return "no variable at " + path
		}
	}
	return "no variable at " + path
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
