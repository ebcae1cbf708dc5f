package model

import (
	"encoding/json"
	"time"
)

// DataKind is a kind of personal data the store keeps about a customer, and
// how long it keeps it: what a data export lists so the customer knows
// what exists beyond the rows it can show (Thailand's PDPA and the GDPR both
// give a right to know).
type DataKind struct {
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Retention   string `json:"retention"`
}

// CustomerDataKinds are the kinds of personal data kept about a customer.
// Keep it in step with the tables: a new table holding a customer's data
// adds a line here and, when it can be shown, a part of the export.
var CustomerDataKinds = []DataKind{
	{"profile", "Email address, first and last name, phone number, and whether you accept marketing.",
		"While the account is open; anonymised when it closes."},
	{"addresses", "Saved postal addresses, with tax ID and branch for full tax invoices.",
		"Until you delete them or close the account."},
	{"password", "An argon2id hash of your password, never the password itself.",
		"Until you change it; cleared when the account closes."},
	{"sessions", "When each sign-in session began, until when it works and when it ended; the tokens themselves only as SHA-256 hashes.",
		"Signed out when the account closes; the times remain, tied to the anonymised account."},
	{"passwordResets", "When a password reset was asked for and used; the links only as SHA-256 hashes.",
		"Each link works for an hour, and all end when the password is reset or the account closes; deleted a day after they expire."},
	{"signInThrottling", "After failed sign-ins or reset requests: a hash of the email address, and the network address the requests came from, with a count.",
		"Deleted a day after the counting began, unless it still blocks sign-ins."},
	{"auditLog", "A record that the account was closed, by you or by staff on your request, with the account's ID and no personal fields.",
		"Kept, as evidence of the request."},
	{"orders", "Orders and tax invoices refer to the account by its ID.",
		"Kept for accounting and tax law; after closing they refer to the anonymised account."},
}

// SessionRecord is a session as an export shows it: times only.
type SessionRecord struct {
	CreatedAt time.Time  `json:"createdAt"`
	ExpiresAt time.Time  `json:"expiresAt"`
	RevokedAt *time.Time `json:"revokedAt,omitempty"`
}

// CustomerData is everything kept about one customer, for the customer.
type CustomerData struct {
	GeneratedAt time.Time
	Customer    *Customer
	Addresses   []MailingAddress
	Sessions    []SessionRecord
	Kinds       []DataKind
}

// JSON is the export as one portable document (camelCase, RFC 3339 UTC
// times), the same fields the GraphQL type shows. Never the password hash.
func (d *CustomerData) JSON() ([]byte, error) {
	type address struct {
		ID          string `json:"id"`
		FirstName   string `json:"firstName"`
		LastName    string `json:"lastName"`
		Company     string `json:"company"`
		Address1    string `json:"address1"`
		Address2    string `json:"address2"`
		Subdistrict string `json:"subdistrict"`
		District    string `json:"district"`
		City        string `json:"city"`
		Province    string `json:"province"`
		Zip         string `json:"zip"`
		Country     string `json:"country"`
		Phone       string `json:"phone"`
		TaxID       string `json:"taxId"`
		Branch      string `json:"branch"`
		Default     bool   `json:"default"`
	}
	c := d.Customer
	doc := struct {
		GeneratedAt time.Time `json:"generatedAt"`
		Customer    struct {
			ID               string    `json:"id"`
			Email            string    `json:"email"`
			FirstName        string    `json:"firstName"`
			LastName         string    `json:"lastName"`
			Phone            string    `json:"phone"`
			AcceptsMarketing bool      `json:"acceptsMarketing"`
			CreatedAt        time.Time `json:"createdAt"`
			UpdatedAt        time.Time `json:"updatedAt"`
		} `json:"customer"`
		Addresses []address       `json:"addresses"`
		Sessions  []SessionRecord `json:"sessions"`
		DataKept  []DataKind      `json:"dataKept"`
	}{GeneratedAt: d.GeneratedAt, Addresses: []address{}, Sessions: d.Sessions, DataKept: d.Kinds}
	doc.Customer.ID, doc.Customer.Email, doc.Customer.FirstName, doc.Customer.LastName = c.GID(), c.Email, c.FirstName, c.LastName
	doc.Customer.Phone, doc.Customer.AcceptsMarketing = c.Phone, c.AcceptsMarketing
	doc.Customer.CreatedAt, doc.Customer.UpdatedAt = c.CreatedAt, c.UpdatedAt
	for _, a := range d.Addresses {
		doc.Addresses = append(doc.Addresses, address{a.GID(), a.FirstName, a.LastName, a.Company, a.Address1, a.Address2,
			a.Subdistrict, a.District, a.City, a.Province, a.Zip, a.Country, a.Phone, a.TaxID, a.Branch,
			c.DefaultAddressID != nil && *c.DefaultAddressID == a.ID})
	}
	return json.MarshalIndent(doc, "", "  ")
}
