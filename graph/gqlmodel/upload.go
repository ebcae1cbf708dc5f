package gqlmodel

import (
	"github.com/99designs/gqlgen/graphql"
)

// MarshalUpload writes an Upload, which no field returns.
func MarshalUpload(u graphql.Upload) graphql.Marshaler { return graphql.MarshalUpload(u) }

// UnmarshalUpload accepts a file the multipart transport placed in the
// variables. Anything else (a string sent in a JSON request, say) becomes
// an Upload without a file rather than an error here: argument errors come
// before a field's access rule, and a caller who may not import must be
// told that first. The field refuses an Upload without a file itself, as an
// INVALID error on its argument.
func UnmarshalUpload(v any) (graphql.Upload, error) {
	switch u := v.(type) {
	case graphql.Upload:
		return u, nil
	case *graphql.Upload:
		if u != nil {
			return *u, nil
		}
	}
	return graphql.Upload{}, nil
}
