package main

// The GraphQL code in graph/ and the resolver stubs in resolver/ are
// generated from graph/schema/*.graphqls by gqlgen (a tool in go.mod).
//go:generate go tool gqlgen generate
