package main

// The GraphQL code in graph/ and the resolver stubs in resolver/ are
// generated from graph/schema/*.graphqls by gqlgen, through a small wrapper
// that also makes the catalog types resolve their fields serially (see
// internal/gqlgen).
//go:generate go run ./internal/gqlgen
