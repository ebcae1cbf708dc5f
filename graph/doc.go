// Package graph holds the GraphQL schema (schema/*.graphqls) and the code
// gqlgen generates from it. Nothing here is edited by hand: change the schema
// and run `go generate ./...` from the repository root.
package graph
