package graphiql

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/binary"
	"encoding/hex"
	"io"
	"io/fs"
	"net/http"
	"path"
	"strconv"
	"strings"
)

// assets/ holds third-party files exactly as update-assets.sh vendors them;
// static/ holds the few files we wrote ourselves. Both are served under
// /graphiql/ by base name, so names must not repeat across the two.
//
//go:embed assets static
var embedded embed.FS

// asset is one file served under /graphiql/.
type asset struct {
	contentType string
	// body is the file as embedded: gzip-compressed when gzipped is set.
	body    []byte
	gzipped bool
	// size is the length of the decoded content, which a client that does
	// not accept gzip receives.
	size int64
	// version identifies the content. It is the ETag and the ?v= value of
	// the URLs the page uses, which is what makes long-lived caching safe.
	version string
}

// assets maps the name under /graphiql/ to the file. Everything is embedded,
// so a failure here is a build mistake and panicking at start-up surfaces it
// before any request (and in every test).
var assets = mustLoadAssets()

func mustLoadAssets() map[string]*asset {
	loaded := make(map[string]*asset)
	err := fs.WalkDir(embedded, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := embedded.ReadFile(p)
		if err != nil {
			return err
		}
		name := path.Base(p)
		a := &asset{body: body, size: int64(len(body))}
		if base, ok := strings.CutSuffix(name, ".gz"); ok {
			name = base
			a.gzipped = true
			// The gzip trailer's last four bytes hold the decoded length
			// (mod 2^32, far above anything we vendor), which spares
			// inflating megabytes at start-up just to count them.
			if len(body) < 18 {
				return &fs.PathError{Op: "load", Path: p, Err: fs.ErrInvalid}
			}
			a.size = int64(binary.LittleEndian.Uint32(body[len(body)-4:]))
		}
		if _, dup := loaded[name]; dup {
			return &fs.PathError{Op: "load", Path: p, Err: fs.ErrExist}
		}
		sum := sha256.Sum256(body)
		a.version = hex.EncodeToString(sum[:8])
		a.contentType = contentType(name)
		loaded[name] = a
		return nil
	})
	if err != nil {
		panic("graphiql: embedded assets: " + err.Error())
	}
	return loaded
}

// contentType is spelled out rather than taken from mime.TypeByExtension,
// whose answers depend on the host's /etc/mime.types.
func contentType(name string) string {
	switch path.Ext(name) {
	case ".js":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	default: // LICENSE.*, VERSIONS
		return "text/plain; charset=utf-8"
	}
}

// assetURL is the page-relative URL of a served asset. Relative, so the
// playground keeps working when mounted below a prefix with http.StripPrefix;
// versioned, so browsers may cache it for good.
func assetURL(name string) (string, error) {
	a, ok := assets[name]
	if !ok {
		return "", &fs.PathError{Op: "link", Path: name, Err: fs.ErrNotExist}
	}
	return "graphiql/" + name + "?v=" + a.version, nil
}

func serveAsset(w http.ResponseWriter, r *http.Request) {
	a, ok := assets[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	// A URL carrying the current version can never change meaning. Any other
	// URL (unversioned, or a stale ?v= from a page rendered before an
	// upgrade) is revalidated each time through the ETag instead.
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}

	sendGzip := false
	etag := `"` + a.version + `"`
	if a.gzipped {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r.Header.Get("Accept-Encoding")) {
			sendGzip = true
			// The two encodings are different bytes, so each gets its own
			// strong validator.
			etag = `"` + a.version + `-gzip"`
		}
	}
	h.Set("ETag", etag)
	if etagMatches(r.Header.Get("If-None-Match"), etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}

	if sendGzip {
		h.Set("Content-Encoding", "gzip")
		h.Set("Content-Length", strconv.Itoa(len(a.body)))
	} else {
		h.Set("Content-Length", strconv.FormatInt(a.size, 10))
	}
	if r.Method == http.MethodHead {
		return
	}
	if sendGzip || !a.gzipped {
		w.Write(a.body)
		return
	}
	// Nearly every browser takes gzip, so inflating per request for the rare
	// client that does not is cheaper than holding a second, decoded copy of
	// every bundle in memory for the life of the process.
	zr, err := gzip.NewReader(bytes.NewReader(a.body))
	if err != nil {
		// Headers are out; all we can do is cut the response short.
		panic(http.ErrAbortHandler)
	}
	if _, err := io.Copy(w, zr); err != nil {
		panic(http.ErrAbortHandler)
	}
}

// acceptsGzip reports whether an Accept-Encoding header admits gzip, honouring
// q=0 ("anything but gzip") and the * wildcard.
func acceptsGzip(header string) bool {
	gzipQ, starQ := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		coding, params, _ := strings.Cut(part, ";")
		q := 1.0
		for param := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				parsed, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
				if err != nil {
					parsed = 0
				}
				q = parsed
			}
		}
		switch strings.ToLower(strings.TrimSpace(coding)) {
		case "gzip", "x-gzip":
			gzipQ = q
		case "*":
			starQ = q
		}
	}
	if gzipQ >= 0 {
		return gzipQ > 0
	}
	return starQ > 0
}

// etagMatches applies If-None-Match's weak comparison (RFC 9110 13.1.2).
func etagMatches(ifNoneMatch, etag string) bool {
	for candidate := range strings.SplitSeq(ifNoneMatch, ",") {
		candidate = strings.TrimSpace(candidate)
		if candidate == "*" || strings.TrimPrefix(candidate, "W/") == etag {
			return true
		}
	}
	return false
}
