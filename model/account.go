package model

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Permission is something staff (or a partner key) may do. Permissions are
// declared on schema fields with @hasPermission; MANAGE_X implies reading X.
type Permission string

// The permissions. Partner API keys carry a subset of them as scopes.
const (
	PermReadProducts    Permission = "READ_PRODUCTS"
	PermManageProducts  Permission = "MANAGE_PRODUCTS"
	PermManageInventory Permission = "MANAGE_INVENTORY"
	PermReadOrders      Permission = "READ_ORDERS"
	PermManageOrders    Permission = "MANAGE_ORDERS"
	PermManagePayments  Permission = "MANAGE_PAYMENTS"
	PermManageDiscounts Permission = "MANAGE_DISCOUNTS"
	PermManageStaff     Permission = "MANAGE_STAFF"
	PermViewReports     Permission = "VIEW_REPORTS"
)

// AllPermissions lists every permission, in a stable order.
var AllPermissions = []Permission{
	PermReadProducts, PermManageProducts, PermManageInventory, PermReadOrders, PermManageOrders,
	PermManagePayments, PermManageDiscounts, PermManageStaff, PermViewReports,
}

// implied lists what a permission grants besides itself.
var implied = map[Permission][]Permission{
	PermManageProducts:  {PermReadProducts},
	PermManageInventory: {PermReadProducts},
	PermManageOrders:    {PermReadOrders},
	PermManagePayments:  {PermReadOrders},
}

// Role is a named bundle of permissions given to staff.
type Role string

// The built-in roles. OWNER holds every permission and is the only role
// that may grant OWNER.
const (
	RoleOwner          Role = "OWNER"
	RoleAdmin          Role = "ADMIN"
	RoleCatalogManager Role = "CATALOG_MANAGER"
	RoleOrderManager   Role = "ORDER_MANAGER"
	RoleSupport        Role = "SUPPORT"
	RoleAnalyst        Role = "ANALYST"
)

// RolePermissions are the permissions of each role.
var RolePermissions = map[Role][]Permission{
	RoleOwner: AllPermissions,
	RoleAdmin: {PermManageProducts, PermManageInventory, PermManageOrders, PermManagePayments,
		PermManageDiscounts, PermViewReports},
	RoleCatalogManager: {PermManageProducts, PermManageInventory, PermManageDiscounts},
	RoleOrderManager:   {PermManageOrders, PermManagePayments, PermManageInventory},
	RoleSupport:        {PermReadOrders, PermReadProducts},
	RoleAnalyst:        {PermViewReports, PermReadOrders, PermReadProducts},
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { _, ok := RolePermissions[r]; return ok }

// PermissionSet is a set of permissions with their implications expanded.
type PermissionSet map[Permission]bool

// NewPermissionSet expands perms (and what they imply) into a set.
func NewPermissionSet(perms ...Permission) PermissionSet {
	s := PermissionSet{}
	for _, p := range perms {
		s[p] = true
		for _, q := range implied[p] {
			s[q] = true
		}
	}
	return s
}

// Has reports whether the set grants p.
func (s PermissionSet) Has(p Permission) bool { return s[p] }

// List returns the granted permissions in AllPermissions order.
func (s PermissionSet) List() []Permission {
	var out []Permission
	for _, p := range AllPermissions {
		if s[p] {
			out = append(out, p)
		}
	}
	return out
}

// ViewerKind is who is calling.
type ViewerKind string

// The kinds of caller.
const (
	ViewerAnonymous ViewerKind = "ANONYMOUS"
	ViewerCustomer  ViewerKind = "CUSTOMER"
	ViewerStaff     ViewerKind = "STAFF"
	ViewerPartner   ViewerKind = "PARTNER"
)

// Viewer is the authenticated caller of a request: anonymous, a customer, a
// staff member or a partner's API key. Authorization reads it; it is set once
// per request from the credentials the request carries.
type Viewer struct {
	Kind ViewerKind
	// ID is the customer's, staff member's or API key's ID; 0 for anonymous.
	ID int64
	// Permissions are the staff member's role's, or the partner key's scopes.
	Permissions PermissionSet
	// TokenID is the access token (or key) the request came with, for
	// signing out and audit.
	TokenID int64
}

// Anonymous is the viewer of a request without credentials.
var Anonymous = &Viewer{Kind: ViewerAnonymous}

// Can reports whether the viewer holds permission p.
func (v *Viewer) Can(p Permission) bool {
	return v != nil && (v.Kind == ViewerStaff || v.Kind == ViewerPartner) && v.Permissions.Has(p)
}

// IsCustomer reports whether the viewer is the customer with id.
func (v *Viewer) IsCustomer(id int64) bool {
	return v != nil && v.Kind == ViewerCustomer && v.ID == id && id != 0
}

type viewerKey struct{}

// WithViewer returns ctx carrying v.
func WithViewer(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// ViewerFrom returns the request's viewer, Anonymous when none was set.
func ViewerFrom(ctx context.Context) *Viewer {
	if v, ok := ctx.Value(viewerKey{}).(*Viewer); ok && v != nil {
		return v
	}
	return Anonymous
}

// Account errors, beyond the shared codes.
const (
	CodeThrottled       ErrorCode = "THROTTLED"             // too many failed attempts; wait
	CodeInvalidLogin    ErrorCode = "UNIDENTIFIED_CUSTOMER" // email or password wrong (Shopify's code)
	CodeTaken           ErrorCode = "TAKEN"                 // unique value already in use
	CodePasswordTooWeak ErrorCode = "PASSWORD_TOO_WEAK"
	CodeTooShort        ErrorCode = "TOO_SHORT"
	CodeTooLong         ErrorCode = "TOO_LONG"
	CodeBlank           ErrorCode = "BLANK"
	CodeTokenInvalid    ErrorCode = "TOKEN_INVALID" // unknown, expired or revoked token
)

// MaxEmailLen is the longest email address accepted (RFC 5321's path limit).
const MaxEmailLen = 254

// NormalizeEmail returns the form of an email address that identifies an
// account: trimmed and lower-cased. ok is false when s is not an address of
// the plain form local@domain.tld (no spaces, no control characters, one @,
// a dot in the domain).
func NormalizeEmail(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" || len(s) > MaxEmailLen || !utf8.ValidString(s) {
		return "", false
	}
	local, domain, found := strings.Cut(s, "@")
	if !found || local == "" || len(local) > 64 || strings.Contains(domain, "@") ||
		!strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") ||
		strings.Contains(domain, "..") {
		return "", false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(`"(),:;<>[\]`, r) {
			return "", false
		}
	}
	return s, true
}

// Password policy: long enough to resist guessing, short enough that hashing
// it is cheap, and not one of the passwords everyone tries first.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 128
)

var commonPasswords = []string{
	"password", "password1", "password123", "1234567890", "12345678910", "qwertyuiop", "iloveyou12",
	"0123456789", "1111111111", "aaaaaaaaaa", "abcdefghij", "abc1234567", "qwerty1234", "letmein123",
	"welcome123", "admin12345", "changeme12",
}

// CheckPassword returns a client-safe error when password breaks the policy.
// field names the input it came in.
func CheckPassword(field []string, password string) *Error {
	n := utf8.RuneCountInString(password)
	switch {
	case !utf8.ValidString(password):
		return &Error{Code: CodeInvalid, Field: field, Message: "password must be valid text"}
	case n < MinPasswordLen:
		return &Error{Code: CodePasswordTooWeak, Field: field, Message: "password must be at least 10 characters"}
	case n > MaxPasswordLen:
		return &Error{Code: CodeTooLong, Field: field, Message: "password must be at most 128 characters"}
	case slices.Contains(commonPasswords, strings.ToLower(password)):
		return &Error{Code: CodePasswordTooWeak, Field: field, Message: "password is too common; choose another"}
	}
	distinct := map[rune]bool{}
	for _, r := range password {
		distinct[r] = true
	}
	if len(distinct) < 4 {
		return &Error{Code: CodePasswordTooWeak, Field: field, Message: "password repeats too few characters"}
	}
	return nil
}

// Customer is a shopper with an account. A closed account keeps its row,
// with the personal fields anonymised, so that orders keep their buyer.
type Customer struct {
	ID               int64 `gorm:"primaryKey"`
	Email            string
	EmailKey         string
	PasswordHash     string
	FirstName        string
	LastName         string
	Phone            string
	AcceptsMarketing bool
	DefaultAddressID *int64
	ClosedAt         *time.Time
	CreatedAt        time.Time
	UpdatedAt        time.Time
}

// GID returns the customer's opaque global ID.
func (c *Customer) GID() string { return EncodeGlobalID(TypeCustomer, c.ID) }

// DisplayName is the customer's full name, or the email when there is none.
func (c *Customer) DisplayName() string {
	if n := strings.TrimSpace(c.FirstName + " " + c.LastName); n != "" {
		return n
	}
	return c.Email
}

// MailingAddress is a customer's saved address. Thai addresses use
// Subdistrict (ตำบล/แขวง), District (อำเภอ/เขต), Province and a 5-digit Zip;
// TaxID and Branch are for full tax invoices.
type MailingAddress struct {
	ID          int64 `gorm:"primaryKey"`
	CustomerID  int64
	FirstName   string
	LastName    string
	Company     string
	Address1    string
	Address2    string
	Subdistrict string
	District    string
	City        string
	Province    string
	Zip         string
	Country     string // ISO 3166-1 alpha-2
	Phone       string
	TaxID       string `gorm:"column:tax_id"`
	Branch      string
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// TableName names the addresses table.
func (MailingAddress) TableName() string { return "customer_addresses" }

// GID returns the address's opaque global ID.
func (a *MailingAddress) GID() string { return EncodeGlobalID(TypeMailingAddress, a.ID) }

// StaffMember is a person who runs the store, with a role.
type StaffMember struct {
	ID           int64 `gorm:"primaryKey"`
	Email        string
	EmailKey     string
	Name         string
	PasswordHash string
	Role         Role
	Active       bool
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// DisplayName is the staff member's name, or the email when there is none.
func (s *StaffMember) DisplayName() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Email
}

// TableName names the staff table.
func (StaffMember) TableName() string { return "staff" }

// GID returns the staff member's opaque global ID.
func (s *StaffMember) GID() string { return EncodeGlobalID(TypeStaffMember, s.ID) }

// APIKey is a partner's credential: a secret shown once, stored hashed, with
// scopes (permissions) and its last use.
type APIKey struct {
	ID         int64 `gorm:"primaryKey"`
	Name       string
	Prefix     string // the first characters of the key, to recognise it
	KeyHash    string
	Scopes     string // space-separated permissions
	CreatedBy  int64
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// TableName names the API keys table.
func (APIKey) TableName() string { return "api_keys" }

// GID returns the key's opaque global ID.
func (k *APIKey) GID() string { return EncodeGlobalID(TypeAPIKey, k.ID) }

// ScopeList returns the key's scopes.
func (k *APIKey) ScopeList() []Permission {
	var out []Permission
	for _, s := range strings.Fields(k.Scopes) {
		out = append(out, Permission(s))
	}
	return out
}

// AuditEntry records one write by staff or a partner.
type AuditEntry struct {
	ID         int64 `gorm:"primaryKey"`
	ActorKind  ViewerKind
	ActorID    int64
	Action     string // e.g. "product.update"
	ObjectType string
	ObjectID   int64
	Summary    string // what changed: before/after of the changed fields, as JSON
	CreatedAt  time.Time
}

// TableName names the audit log table.
func (AuditEntry) TableName() string { return "audit_log" }

// GID returns the entry's opaque global ID.
func (e *AuditEntry) GID() string { return EncodeGlobalID(TypeAuditEntry, e.ID) }

// ValidThaiTaxID reports whether id is a 13-digit Thai tax ID (a personal
// ID number or a juristic person's registration number) whose last digit
// is the check digit of the first twelve: 11 less the sum of each digit
// weighted 13 down to 2, modulo 11, taken modulo 10.
func ValidThaiTaxID(id string) bool {
	if len(id) != 13 {
		return false
	}
	sum := 0
	for i := range 13 {
		if id[i] < '0' || id[i] > '9' {
			return false
		}
		if i < 12 {
			sum += int(id[i]-'0') * (13 - i)
		}
	}
	return int(id[12]-'0') == (11-sum%11)%10
}

// FormatAddress lays an address out as printable lines: Thai order for
// Thailand (subdistrict, district, province and zip), the common
// international order otherwise. withName puts the person's name and
// company first; a document that names the buyer already leaves them out.
func FormatAddress(a *MailingAddress, withName bool) []string {
	var lines []string
	add := func(parts ...string) {
		var kept []string
		for _, p := range parts {
			if p = strings.TrimSpace(p); p != "" {
				kept = append(kept, p)
			}
		}
		if len(kept) > 0 {
			lines = append(lines, strings.Join(kept, " "))
		}
	}
	if withName {
		add(a.FirstName, a.LastName)
		add(a.Company)
	}
	add(a.Address1)
	add(a.Address2)
	if a.Country == "TH" {
		add(a.Subdistrict, a.District)
		add(a.Province, a.Zip)
	} else {
		add(a.City, a.Province, a.Zip)
	}
	add(a.Country)
	return lines
}
