package model

import (
	"encoding/base64"
	"strconv"
	"strings"
)

// NodeType names an entity type that has a global ID.
type NodeType string

// Entity types with global IDs.
const (
	TypeProduct            NodeType = "Product"
	TypeProductVariant     NodeType = "ProductVariant"
	TypeCategory           NodeType = "Category"
	TypeProductImage       NodeType = "ProductImage"
	TypeProductOption      NodeType = "ProductOption"
	TypeCustomer           NodeType = "Customer"
	TypeMailingAddress     NodeType = "MailingAddress"
	TypeStaffMember        NodeType = "StaffMember"
	TypeAPIKey             NodeType = "ApiKey"
	TypeAuditEntry         NodeType = "AuditLogEntry"
	TypeCartLine           NodeType = "CartLine"
	TypeDiscountCode       NodeType = "DiscountCode"
	TypeOrder              NodeType = "Order"
	TypeOrderLine          NodeType = "OrderLine"
	TypeShippingZone       NodeType = "ShippingZone"
	TypeShippingRate       NodeType = "ShippingRate"
	TypeInventoryMovement  NodeType = "InventoryMovement"
	TypePayment            NodeType = "Payment"
	TypePaymentTransaction NodeType = "PaymentTransaction"
)

var nodeTypes = map[NodeType]bool{
	TypeProduct: true, TypeProductVariant: true, TypeCategory: true,
	TypeProductImage: true, TypeProductOption: true, TypeCustomer: true, TypeMailingAddress: true,
	TypeStaffMember: true, TypeAPIKey: true, TypeAuditEntry: true, TypeCartLine: true, TypeDiscountCode: true, TypeOrder: true, TypeOrderLine: true,
	TypeShippingZone: true, TypeShippingRate: true,
	TypeInventoryMovement: true,
	TypePayment:           true, TypePaymentTransaction: true,
}

const gidPrefix = "gid://langran/"

// maxGlobalIDLen bounds the encoded IDs DecodeGlobalID accepts.
const maxGlobalIDLen = 128

// GlobalID is the decoded form of an opaque ID: a type and a database key.
type GlobalID struct {
	Type NodeType
	ID   int64
}

// EncodeGlobalID returns the opaque ID of the entity: base64url of
// "gid://langran/<Type>/<id>". Clients must treat it as opaque; the form lets
// us change keys later without breaking them.
func EncodeGlobalID(t NodeType, id int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte(gidPrefix + string(t) + "/" + strconv.FormatInt(id, 10)))
}

// DecodeGlobalID parses an opaque ID. Any malformed input yields a CodeInvalid
// error that is safe to show; it never panics.
func DecodeGlobalID(s string) (GlobalID, error) {
	bad := &Error{Code: CodeInvalid, Message: "invalid ID"}
	if s == "" || len(s) > maxGlobalIDLen || !isBase64URL(s) {
		return GlobalID{}, bad
	}
	raw, err := base64.RawURLEncoding.Strict().DecodeString(s)
	if err != nil {
		return GlobalID{}, bad
	}
	rest, ok := strings.CutPrefix(string(raw), gidPrefix)
	if !ok {
		return GlobalID{}, bad
	}
	typ, num, ok := strings.Cut(rest, "/")
	if !ok || !nodeTypes[NodeType(typ)] {
		return GlobalID{}, bad
	}
	// Only canonical positive decimals: "+1", "01" or "-1" would make two IDs
	// for one entity.
	if num == "" || num[0] < '1' || num[0] > '9' {
		return GlobalID{}, bad
	}
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return GlobalID{}, bad
	}
	return GlobalID{Type: NodeType(typ), ID: id}, nil
}

// DecodeGlobalIDOf decodes s and checks it names an entity of type want.
func DecodeGlobalIDOf(s string, want NodeType) (int64, error) {
	g, err := DecodeGlobalID(s)
	if err != nil {
		return 0, err
	}
	if g.Type != want {
		return 0, Errorf(CodeInvalid, "invalid ID: expected a %s ID", want)
	}
	return g.ID, nil
}

// isBase64URL reports whether s uses only the unpadded base64url alphabet.
// The decoder skips CR and LF, which would let two strings name one ID.
func isBase64URL(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
