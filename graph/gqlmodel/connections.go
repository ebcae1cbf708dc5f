// Package gqlmodel holds the GraphQL-only types: connections, edges, payloads
// and the enums gqlgen generates. Domain types live in model.
package gqlmodel

import (
	"context"

	"github.com/langran/langran/model"
)

// Connection is one page of a Relay connection of N: every connection type
// of the schema is an instance, so one builder (resolver.newConnection)
// makes them all. TotalCount is computed only when a client asks for it, by
// Count.
type Connection[N any] struct {
	Edges    []Edge[N]
	Nodes    []*N
	PageInfo *PageInfo
	Count    func(ctx context.Context) (int64, error)
}

// Edge is an item of a connection and its cursor.
type Edge[N any] struct {
	Cursor string
	Node   *N
}

// The schema's connections and edges.
type (
	ProductConnection        = Connection[model.Product]
	ProductEdge              = Edge[model.Product]
	ProductVariantConnection = Connection[model.ProductVariant]
	ProductVariantEdge       = Edge[model.ProductVariant]
	CategoryConnection       = Connection[model.Category]
	CategoryEdge             = Edge[model.Category]
	MailingAddressConnection = Connection[model.MailingAddress]
	MailingAddressEdge       = Edge[model.MailingAddress]
	StaffMemberConnection    = Connection[model.StaffMember]
	StaffMemberEdge          = Edge[model.StaffMember]
	ApiKeyConnection         = Connection[model.APIKey]
	ApiKeyEdge               = Edge[model.APIKey]
	AuditLogEntryConnection  = Connection[model.AuditEntry]
	AuditLogEntryEdge        = Edge[model.AuditEntry]
	CartLineConnection       = Connection[model.CartLine]
	CartLineEdge             = Edge[model.CartLine]
	OrderConnection          = Connection[model.Order]
	OrderEdge                = Edge[model.Order]
	ReceiptConnection        = Connection[model.Receipt]
	ReceiptEdge              = Edge[model.Receipt]
	OrderLineConnection      = Connection[model.OrderLine]
	OrderLineEdge            = Edge[model.OrderLine]
	// InventoryMovementConnection is a page of the inventory ledger.
	InventoryMovementConnection = Connection[model.InventoryMovement]
	InventoryMovementEdge       = Edge[model.InventoryMovement]
	// DiscountCodeConnection is a page of discount codes.
	DiscountCodeConnection = Connection[model.Discount]
	DiscountCodeEdge       = Edge[model.Discount]
)

// Node is any object with a global ID. It is an empty interface so that the
// domain types in model need no GraphQL methods; gqlgen picks the concrete
// GraphQL type from the Go type.
type Node interface{}
