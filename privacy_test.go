package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/internal/mailtest"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store"
	"github.com/langran/langran/store/storetest"
)

const (
	recoverQuery = `mutation($e: String!) { customerRecover(email: $e) { userErrors { field code message } } }`
	resetByURL   = `mutation($u: URL!, $p: String!) { customerResetByUrl(resetUrl: $u, password: $p) {
		customer { email } customerAccessToken { accessToken } userErrors { field code message } } }`
	resetByID = `mutation($id: ID!, $i: CustomerResetInput!) { customerReset(id: $id, input: $i) {
		customer { email } customerAccessToken { accessToken } userErrors { field code message } } }`
)

// resetLinks waits until the development mail log holds n reset links and
// returns them in the order they were mailed.
func (s *testServer) resetLinks(t *testing.T, n int) []string {
	t.Helper()
	re := regexp.MustCompile(`https?://[^\s"\\]+/account/reset\?token=lgr_[A-Za-z0-9_-]{43}`)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		// Each mail holds its link twice (in Thai and in English).
		var links []string
		for _, l := range re.FindAllString(s.logs.String(), -1) {
			if !slices.Contains(links, l) {
				links = append(links, l)
			}
		}
		if len(links) >= n {
			return links
		}
	}
	t.Fatalf("fewer than %d reset links in the mail log:\n%s", n, s.logs.String())
	return nil
}

func recoverEmail(t *testing.T, srv *testServer, email string, headers ...string) []string {
	t.Helper()
	return userErrorCodes(at(srv.post(t, recoverQuery, map[string]any{"e": email}, headers...).mustData(t), "customerRecover"))
}

func tokenOf(link string) string { return link[strings.Index(link, "token=")+len("token="):] }

// Password reset: the same answer for any email, a link that works once for
// an hour, a new password that signs every session out, and bad links
// refused by code without changing anything.
func TestPasswordReset(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		id := signUp(t, srv, "reset@example.com", "correct horse battery")
		old := signIn(t, srv, "customerAccessTokenCreate", "reset@example.com", "correct horse battery")

		real := srv.post(t, recoverQuery, map[string]any{"e": " Reset@Example.com"})
		ghost := srv.post(t, recoverQuery, map[string]any{"e": "ghost@example.com"})
		if real.Raw != ghost.Raw || len(userErrorCodes(at(real.mustData(t), "customerRecover"))) != 0 {
			t.Fatalf("an account's answer %s differs from no account's %s", real.Raw, ghost.Raw)
		}
		if codes := recoverEmail(t, srv, "not an email"); slices.Compare(codes, []string{"INVALID"}) != 0 {
			t.Errorf("malformed email: %v", codes)
		}
		link := srv.resetLinks(t, 1)[0]
		if n := len(srv.resetLinks(t, 1)); n != 1 {
			t.Errorf("%d links mailed for one account", n)
		}

		reset := func(u, password string) map[string]any {
			t.Helper()
			return at(srv.post(t, resetByURL, map[string]any{"u": u, "p": password}).mustData(t), "customerResetByUrl").(map[string]any)
		}
		firstError := func(p map[string]any) string {
			errs := at(p, "userErrors").([]any)
			if len(errs) == 0 {
				return ""
			}
			return fmt.Sprintf("%v %v", at(errs[0], "code"), at(errs[0], "field"))
		}
		for _, bad := range []string{"https://shop.example.com/account/reset", "https://x/?token=garbage",
			"https://x/?token=lgr_" + strings.Repeat("A", 43), "::not a url::", link + "x"} {
			if got := firstError(reset(bad, "a brand new password")); got != "TOKEN_INVALID [resetUrl]" {
				t.Errorf("%q: %s", bad, got)
			}
		}
		// A weak password is refused before the link is spent.
		if got := firstError(reset(link, "password1")); got != "PASSWORD_TOO_WEAK [password]" {
			t.Errorf("weak password: %s", got)
		}
		// customerReset names the customer: another's ID does not spend the link.
		other := signUp(t, srv, "other@example.com", "another good password")
		wrongID := at(srv.post(t, resetByID, map[string]any{"id": other, "i": map[string]any{"resetToken": tokenOf(link),
			"password": "a brand new password"}}).mustData(t), "customerReset").(map[string]any)
		if got := firstError(wrongID); got != "TOKEN_INVALID [input resetToken]" {
			t.Errorf("another customer's ID: %s", got)
		}
		ok := at(srv.post(t, resetByID, map[string]any{"id": id, "i": map[string]any{"resetToken": tokenOf(link),
			"password": "a brand new password"}}).mustData(t), "customerReset").(map[string]any)
		fresh, _ := at(ok, "customerAccessToken", "accessToken").(string)
		if firstError(ok) != "" || fresh == "" || at(ok, "customer", "email") != "reset@example.com" {
			t.Fatalf("reset: %v", ok)
		}
		if r := srv.post(t, `{ customer { id } }`, nil, as(old)...); r.Status != http.StatusUnauthorized {
			t.Errorf("a session from before the reset: %d", r.Status)
		}
		srv.post(t, `{ customer { id } }`, nil, as(fresh)...).mustData(t)
		signIn(t, srv, "customerAccessTokenCreate", "reset@example.com", "a brand new password")
		if got := firstError(reset(link, "yet another password")); got != "TOKEN_INVALID [resetUrl]" {
			t.Errorf("the link used again: %s", got)
		}

		// A reset ends every other link of the customer; an expired link
		// does nothing.
		recoverEmail(t, srv, "reset@example.com")
		recoverEmail(t, srv, "reset@example.com")
		links := srv.resetLinks(t, 3)
		second, third := links[1], links[2]
		if err := srv.store.DB(t.Context()).Table("one_time_tokens").Where("token_hash = ?", auth.HashSecret(tokenOf(third))).
			Update("expires_at", time.Now().UTC().Add(-time.Minute).Truncate(time.Second)).Error; err != nil {
			t.Fatal(err)
		}
		if got := firstError(reset(third, "yet another password")); got != "TOKEN_INVALID [resetUrl]" {
			t.Errorf("an expired link: %s", got)
		}
		signIn(t, srv, "customerAccessTokenCreate", "reset@example.com", "a brand new password")
		if got := firstError(reset(second, "yet another password")); got != "" {
			t.Fatalf("the second link: %s", got)
		}
		recoverEmail(t, srv, "reset@example.com")
		fourth := srv.resetLinks(t, 4)[3]
		if err := srv.store.DB(t.Context()).Table("one_time_tokens").Where("token_hash = ?", auth.HashSecret(tokenOf(fourth))).
			Update("used_at", nil).Error; err != nil {
			t.Fatal(err)
		}
		if got := firstError(reset(fourth, "and one more password")); got != "" {
			t.Errorf("the fourth link: %s", got)
		}
	})
}

// Many uses of one link at once: exactly one sets its password and gets a
// session; the others are TOKEN_INVALID.
func TestPasswordResetLinkWorksOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		signUp(t, srv, "race@example.com", "correct horse battery")
		recoverEmail(t, srv, "race@example.com")
		link := srv.resetLinks(t, 1)[0]
		const n = 8
		var wg sync.WaitGroup
		results := make([]gqlResponse, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				results[i], errs[i] = srv.send(resetByURL, map[string]any{"u": link, "p": fmt.Sprintf("password number %d", i)})
			})
		}
		wg.Wait()
		won := -1
		for i, r := range results {
			if errs[i] != nil || len(r.Errors) > 0 {
				t.Fatalf("reset %d: %v %s", i, errs[i], r.Raw)
			}
			p := at(r.Data, "customerResetByUrl")
			switch codes := userErrorCodes(p); {
			case len(codes) == 0 && at(p, "customerAccessToken", "accessToken") != nil:
				if won >= 0 {
					t.Fatalf("resets %d and %d both won", won, i)
				}
				won = i
			case slices.Equal(codes, []string{"TOKEN_INVALID"}):
			default:
				t.Errorf("reset %d: %s", i, r.Raw)
			}
		}
		if won < 0 {
			t.Fatal("no reset won")
		}
		signIn(t, srv, "customerAccessTokenCreate", "race@example.com", fmt.Sprintf("password number %d", won))
	})
}

// Reset requests are throttled per email whether or not it has an account,
// and an email with an account costs the same statements as one without.
func TestRecoverIsThrottledAndEven(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		signUp(t, srv, "even@example.com", "correct horse battery")
		before := srv.statements()
		recoverEmail(t, srv, "even@example.com")
		withAccount := srv.statements() - before
		before = srv.statements()
		recoverEmail(t, srv, "nobody@example.com")
		without := srv.statements() - before
		if withAccount != without {
			t.Errorf("statements: %d for an account, %d for none", withAccount, without)
		}
		for range 4 {
			recoverEmail(t, srv, "even@example.com")
			recoverEmail(t, srv, "nobody@example.com")
		}
		for _, email := range []string{"even@example.com", "nobody@example.com"} {
			if codes := recoverEmail(t, srv, email); slices.Compare(codes, []string{"THROTTLED"}) != 0 {
				t.Errorf("%s after 5 requests: %v", email, codes)
			}
		}
		if n := len(srv.resetLinks(t, 5)); n != 5 {
			t.Errorf("%d links mailed, want 5", n)
		}
		if codes := recoverEmail(t, srv, "someone-else@example.com"); len(codes) != 0 {
			t.Errorf("another email from the same address: %v", codes)
		}
	})
}

// The reset mail through a real SMTP server (in this process): it reaches
// the customer with the subject in the request's language first, and its
// link resets the password.
func TestResetMailOverSMTP(t *testing.T) {
	mail := mailtest.Start(t, mailtest.Options{})
	env := map[string]string{"LANGRAN_PASSWORD_HASH_MEMORY": "64", "LANGRAN_PUBLIC_URL": "https://api.example.com",
		"LANGRAN_STOREFRONT_URL": "https://shop.example.com/",
		"LANGRAN_SMTP_URL":       "smtp://" + mail.Addr + "?from=" + "Langran%20Shop%20%3Cshop%40example.com%3E"}
	srv := newTestServer(t, storetest.SQLite, 10, env)
	signUp(t, srv, "somchai@example.com", "correct horse battery")
	recoverEmail(t, srv, "somchai@example.com", "Accept-Language", "th")
	m := mail.Next(t)
	if !slices.Equal(m.To, []string{"somchai@example.com"}) {
		t.Errorf("envelope recipients %v", m.To)
	}
	p := m.Parse(t)
	if p.Subject != "ตั้งรหัสผ่านใหม่ / Reset your password" || !strings.Contains(p.To, "somchai@example.com") ||
		!strings.Contains(p.From, "shop@example.com") {
		t.Errorf("subject %q, to %q, from %q", p.Subject, p.To, p.From)
	}
	if !strings.HasPrefix(p.Body, "สวัสดีคุณSomchai") || !strings.Contains(p.Body, "Hello Somchai") {
		t.Errorf("body:\n%s", p.Body)
	}
	link := regexp.MustCompile(`https://shop\.example\.com/account/reset\?token=\S+`).FindString(p.Body)
	d := at(srv.post(t, resetByURL, map[string]any{"u": link, "p": "a password from the mail"}).mustData(t), "customerResetByUrl")
	if at(d, "customerAccessToken", "accessToken") == nil {
		t.Fatalf("the mailed link %q: %v", link, d)
	}
	signIn(t, srv, "customerAccessTokenCreate", "somchai@example.com", "a password from the mail")
	// Nothing is mailed for an email without an account.
	recoverEmail(t, srv, "ghost@example.com")
	recoverEmail(t, srv, "somchai@example.com")
	if got := mail.Next(t); !slices.Equal(got.To, []string{"somchai@example.com"}) {
		t.Errorf("next mail went to %v", got.To)
	}
	if strings.Contains(srv.logs.String(), "lgr_") {
		t.Error("a reset token reached the log while mail goes over SMTP")
	}
}

// In production without SMTP, mail is logged without its body, so no reset
// token reaches the log.
func TestProductionLogsNoResetLink(t *testing.T) {
	srv := newTestServer(t, storetest.SQLite, 10, map[string]string{"LANGRAN_PASSWORD_HASH_MEMORY": "64", "LANGRAN_ENV": "production"})
	signUp(t, srv, "quiet@example.com", "correct horse battery")
	recoverEmail(t, srv, "quiet@example.com")
	srv.waitLog(t, `to=quiet@example.com`)
	if strings.Contains(srv.logs.String(), "lgr_") || strings.Contains(srv.logs.String(), "token=") {
		t.Errorf("log:\n%s", srv.logs.String())
	}
}

// The data export holds the profile, addresses, sessions and the kinds of
// data kept, and the same as one JSON document.
func TestCustomerDataExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		id := signUp(t, srv, "export@example.com", "correct horse battery")
		token := signIn(t, srv, "customerAccessTokenCreate", "export@example.com", "correct horse battery")
		signIn(t, srv, "customerAccessTokenCreate", "export@example.com", "correct horse battery")
		srv.post(t, `mutation($a: MailingAddressInput!) { customerAddressCreate(address: $a) { userErrors { code } } }`,
			map[string]any{"a": map[string]any{"address1": "99 ถนนสุขุมวิท", "country": "TH", "zip": "10110", "taxId": "0105558123451"}},
			as(token)...).mustData(t)
		q := `{ customerDataExport { generatedAt customer { id email firstName } addresses { address1 taxId }
			sessions { createdAt expiresAt revokedAt } dataKept { kind description retention } json } }`
		r := srv.post(t, q, nil, as(token)...)
		d := at(r.mustData(t), "customerDataExport")
		if at(d, "customer", "id") != id || at(d, "customer", "email") != "export@example.com" ||
			at(d, "addresses", 0, "taxId") != "0105558123451" || len(at(d, "sessions").([]any)) != 2 {
			t.Errorf("export: %v", d)
		}
		var kinds []string
		for _, k := range at(d, "dataKept").([]any) {
			kinds = append(kinds, at(k, "kind").(string))
		}
		for _, want := range []string{"profile", "addresses", "password", "sessions", "orders"} {
			if !slices.Contains(kinds, want) {
				t.Errorf("dataKept lacks %s: %v", want, kinds)
			}
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(at(d, "json").(string)), &doc); err != nil {
			t.Fatal(err)
		}
		if at(doc, "customer", "email") != "export@example.com" || at(doc, "addresses", 0, "address1") != "99 ถนนสุขุมวิท" ||
			at(doc, "addresses", 0, "default") != true || len(at(doc, "sessions").([]any)) != 2 {
			t.Errorf("json: %v", doc)
		}
		if strings.Contains(r.Raw, "$argon2id$") || strings.Contains(r.Raw, "lgc_") {
			t.Error("the export holds a password hash or a token")
		}
		if a := srv.post(t, q, nil); a.Status != http.StatusOK || a.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("anonymous export: %s", a.Raw)
		}
	})
}

// Closing: the password confirms; the row stays, anonymised; every session
// ends; the email is free for a new account; nobody can sign in as the
// closed account, not even with a reset link mailed before.
func TestCustomerClose(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		id := signUp(t, srv, "leaving@example.com", "correct horse battery")
		token := signIn(t, srv, "customerAccessTokenCreate", "leaving@example.com", "correct horse battery")
		other := signIn(t, srv, "customerAccessTokenCreate", "leaving@example.com", "correct horse battery")
		srv.post(t, `mutation($a: MailingAddressInput!) { customerAddressCreate(address: $a) { userErrors { code } } }`,
			map[string]any{"a": map[string]any{"address1": "1 Rue de Rivoli", "country": "FR"}}, as(token)...).mustData(t)
		recoverEmail(t, srv, "leaving@example.com")
		link := srv.resetLinks(t, 1)[0]

		closeQ := `mutation($i: CustomerCloseInput!) { customerClose(input: $i) { closedCustomerId userErrors { field code } } }`
		wrong := at(srv.post(t, closeQ, map[string]any{"i": map[string]any{"password": "not the password"}}, as(token)...).mustData(t), "customerClose")
		if fmt.Sprint(at(wrong, "userErrors", 0, "code"), at(wrong, "userErrors", 0, "field")) != "UNIDENTIFIED_CUSTOMER[input password]" ||
			at(wrong, "closedCustomerId") != nil {
			t.Fatalf("wrong password: %v", wrong)
		}
		ok := at(srv.post(t, closeQ, map[string]any{"i": map[string]any{"password": "correct horse battery"}}, as(token)...).mustData(t), "customerClose")
		if at(ok, "closedCustomerId") != id || len(userErrorCodes(ok)) != 0 {
			t.Fatalf("close: %v", ok)
		}
		for _, tok := range []string{token, other} {
			if r := srv.post(t, `{ customer { id } }`, nil, as(tok)...); r.Status != http.StatusUnauthorized {
				t.Errorf("a session of the closed account: %d", r.Status)
			}
		}
		q := `mutation($i: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $i) { userErrors { code } } }`
		d := srv.post(t, q, map[string]any{"i": map[string]any{"email": "leaving@example.com", "password": "correct horse battery"}}).mustData(t)
		if slices.Compare(userErrorCodes(at(d, "customerAccessTokenCreate")), []string{"UNIDENTIFIED_CUSTOMER"}) != 0 {
			t.Errorf("signing in to the closed account: %v", d)
		}
		r := at(srv.post(t, resetByURL, map[string]any{"u": link, "p": "a brand new password"}).mustData(t), "customerResetByUrl")
		if slices.Compare(userErrorCodes(r), []string{"TOKEN_INVALID"}) != 0 {
			t.Errorf("a reset link from before closing: %v", r)
		}
		numeric, _ := model.DecodeGlobalIDOf(id, model.TypeCustomer)
		rows, err := srv.store.FindCustomersByIDs(t.Context(), []int64{numeric})
		if err != nil || len(rows) != 1 {
			t.Fatal(rows, err)
		}
		if c := rows[0]; c.ClosedAt == nil || c.Email != store.ClosedEmail(numeric) || c.FirstName != "" || c.PasswordHash != "" {
			t.Errorf("the closed row: %+v", c)
		}
		// The closed account's own sign-in attempts fail even with the
		// placeholder as the email.
		d = srv.post(t, q, map[string]any{"i": map[string]any{"email": store.ClosedEmail(numeric), "password": ""}}).mustData(t)
		if len(userErrorCodes(at(d, "customerAccessTokenCreate"))) == 0 {
			t.Error("signed in with the placeholder email")
		}
		newID := signUp(t, srv, "leaving@example.com", "a fresh start password")
		if newID == id {
			t.Error("the new account reuses the closed one's ID")
		}
	})
}

// Staff who may manage orders close an account on the customer's request,
// with a reason, and the audit log says who, what and why (no personal
// fields).
func TestStaffClosesAccountOnRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, accounts := accountServer(t, b)
		for _, s := range []struct {
			email string
			role  model.Role
		}{{"orders@example.com", model.RoleOrderManager}, {"catalog@example.com", model.RoleCatalogManager}} {
			if _, err := accounts.CreateStaff(t.Context(), s.email, "Staff", s.role, "staff password 1"); err != nil {
				t.Fatal(err)
			}
		}
		orders := signIn(t, srv, "staffAccessTokenCreate", "orders@example.com", "staff password 1")
		catalog := signIn(t, srv, "staffAccessTokenCreate", "catalog@example.com", "staff password 1")
		id := signUp(t, srv, "asked@example.com", "correct horse battery")
		token := signIn(t, srv, "customerAccessTokenCreate", "asked@example.com", "correct horse battery")

		q := `mutation($i: CustomerCloseOnRequestInput!) { customerCloseOnRequest(input: $i) { closedCustomerId userErrors { field code } } }`
		if r := srv.post(t, q, map[string]any{"i": map[string]any{"customerId": id, "reason": "phone"}}, as(catalog)...); len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Errorf("without MANAGE_ORDERS: %s", r.Raw)
		}
		owner := &model.Viewer{Kind: model.ViewerStaff, ID: 1, Permissions: model.NewPermissionSet(model.AllPermissions...)}
		key, err := accounts.CreateAPIKey(t.Context(), owner, "partner", []model.Permission{model.PermManageOrders})
		if err != nil {
			t.Fatal(err)
		}
		if r := srv.post(t, q, map[string]any{"i": map[string]any{"customerId": id, "reason": "phone"}}, as(key.Secret)...); len(r.Errors) == 0 || r.Errors[0].Code() != "FORBIDDEN" {
			t.Errorf("a partner key with MANAGE_ORDERS: %s", r.Raw)
		}
		for _, c := range []struct {
			input map[string]any
			want  string
		}{
			{map[string]any{"customerId": id, "reason": "  "}, "BLANK [input reason]"},
			{map[string]any{"customerId": "nonsense", "reason": "phone"}, "INVALID [input customerId]"},
			{map[string]any{"customerId": model.EncodeGlobalID(model.TypeCustomer, 999999), "reason": "phone"}, "NOT_FOUND [input customerId]"},
		} {
			p := at(srv.post(t, q, map[string]any{"i": c.input}, as(orders)...).mustData(t), "customerCloseOnRequest")
			if got := fmt.Sprint(at(p, "userErrors", 0, "code"), " ", at(p, "userErrors", 0, "field")); got != c.want {
				t.Errorf("%v: %s, want %s", c.input, got, c.want)
			}
		}
		p := at(srv.post(t, q, map[string]any{"i": map[string]any{"customerId": id, "reason": "phone call, ticket 4411"}},
			as(orders)...).mustData(t), "customerCloseOnRequest")
		if at(p, "closedCustomerId") != id {
			t.Fatalf("close on request: %v", p)
		}
		if r := srv.post(t, `{ customer { id } }`, nil, as(token)...); r.Status != http.StatusUnauthorized {
			t.Errorf("the customer's session: %d", r.Status)
		}
		again := at(srv.post(t, q, map[string]any{"i": map[string]any{"customerId": id, "reason": "again"}}, as(orders)...).mustData(t), "customerCloseOnRequest")
		if slices.Compare(userErrorCodes(again), []string{"NOT_FOUND"}) != 0 {
			t.Errorf("closing twice: %v", again)
		}
		numeric, _ := model.DecodeGlobalIDOf(id, model.TypeCustomer)
		entries, _, err := srv.store.ListAudit(t.Context(), store.AuditFilter{ObjectType: "Customer", ObjectID: numeric}, store.Page{Limit: 10})
		if err != nil || len(entries) != 1 {
			t.Fatalf("audit: %v, %v", entries, err)
		}
		e := entries[0]
		if e.Action != "customer.close" || e.ActorKind != model.ViewerStaff || !strings.Contains(e.Summary, "ticket 4411") ||
			strings.Contains(e.Summary, "asked@example.com") {
			t.Errorf("audit entry: %+v", e)
		}
	})
}
