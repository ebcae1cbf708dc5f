package main

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/langran/langran/auth"
	"github.com/langran/langran/model"
	"github.com/langran/langran/store/storetest"
)

// accountEnv makes password hashing cheap for tests; production hashes with
// 19 MiB (LANGRAN_PASSWORD_HASH_MEMORY's default).
var accountEnv = map[string]string{"LANGRAN_PASSWORD_HASH_MEMORY": "64"}

// accountServer is a test server with the accounts service at hand.
func accountServer(t *testing.T, b storetest.Backend) (*testServer, *auth.Service) {
	t.Helper()
	srv := newTestServer(t, b, 10, accountEnv)
	return srv, auth.New(srv.store, auth.Config{Hash: auth.HashParams{MemoryKiB: 64, Time: 1, Threads: 1}})
}

// as returns the header arguments of a request made with token.
func as(token string) []string {
	if token == "" {
		return nil
	}
	return []string{"Authorization", "Bearer " + token}
}

// userErrorCodes returns the codes of a payload's userErrors.
func userErrorCodes(payload any) []string {
	var out []string
	for _, e := range at(payload, "userErrors").([]any) {
		out = append(out, at(e, "code").(string))
	}
	return out
}

// waitLog waits for the server's log to match pattern (mail is logged in
// development, from the outbox, after the request that wrote it) and
// returns the match and its groups.
func (s *testServer) waitLog(t *testing.T, pattern string) []string {
	t.Helper()
	re := regexp.MustCompile(pattern)
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if m := re.FindStringSubmatch(s.logs.String()); m != nil {
			return m
		}
	}
	t.Fatalf("nothing matching %s in the log:\n%s", pattern, s.logs.String())
	return nil
}

func signUp(t *testing.T, srv *testServer, email, password string) string {
	t.Helper()
	d := srv.post(t, `mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id } userErrors { code } } }`,
		map[string]any{"i": map[string]any{"email": email, "password": password, "firstName": "Somchai"}}).mustData(t)
	if codes := userErrorCodes(at(d, "customerCreate")); len(codes) > 0 {
		t.Fatalf("customerCreate %s: %v", email, codes)
	}
	return at(d, "customerCreate", "customer", "id").(string)
}

func signIn(t *testing.T, srv *testServer, mutation, email, password string) string {
	t.Helper()
	kind := "customerAccessToken"
	if mutation == "staffAccessTokenCreate" {
		kind = "staffAccessToken"
	}
	input := "CustomerAccessTokenCreateInput"
	if kind == "staffAccessToken" {
		input = "StaffAccessTokenCreateInput"
	}
	d := srv.post(t, fmt.Sprintf(`mutation($i: %s!) { %s(input: $i) { %s { accessToken expiresAt } userErrors { code message } } }`,
		input, mutation, kind), map[string]any{"i": map[string]any{"email": email, "password": password}}).mustData(t)
	tok, _ := at(d, mutation, kind, "accessToken").(string)
	if tok == "" {
		t.Fatalf("%s %s: %v", mutation, email, at(d, mutation, "userErrors"))
	}
	return tok
}

// A customer's whole life: sign up, sign in, read and change their profile
// and addresses, renew and sign out, with bad input refused by code and field.
func TestCustomerAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		create := `mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { customer { id email } userErrors { field code message } } }`
		for _, c := range []struct {
			input map[string]any
			field string
			code  string
		}{
			{map[string]any{"email": "not-an-email", "password": "correct horse battery"}, "input.email", "INVALID"},
			{map[string]any{"email": "a@b.co", "password": "short"}, "input.password", "PASSWORD_TOO_WEAK"},
			{map[string]any{"email": "a@b.co", "password": "password123"}, "input.password", "PASSWORD_TOO_WEAK"},
			{map[string]any{"email": "a@b.co", "password": "aaaaaaaaaaaaaa"}, "input.password", "PASSWORD_TOO_WEAK"},
			{map[string]any{"email": "a@b.co", "password": "correct horse battery", "phone": "call me"}, "input.phone", "INVALID"},
			{map[string]any{"email": "a@b.co", "password": "correct horse battery", "firstName": strings.Repeat("x", 300)}, "input.firstName", "TOO_LONG"},
		} {
			p := at(srv.post(t, create, map[string]any{"i": c.input}).mustData(t), "customerCreate")
			errs := at(p, "userErrors").([]any)
			if len(errs) != 1 || at(errs[0], "code") != c.code || fmt.Sprint(at(errs[0], "field")) != "["+strings.ReplaceAll(c.field, ".", " ")+"]" || at(p, "customer") != nil {
				t.Errorf("%v: %v", c.input, p)
			}
		}
		signUp(t, srv, "Somchai@Example.com ", "correct horse battery")
		dup := at(srv.post(t, create, map[string]any{"i": map[string]any{"email": "somchai@example.COM", "password": "another good one"}}).mustData(t), "customerCreate")
		if slices.Compare(userErrorCodes(dup), []string{"TAKEN"}) != 0 {
			t.Errorf("same email, other case: %v", dup)
		}

		token := signIn(t, srv, "customerAccessTokenCreate", "SOMCHAI@example.com", "correct horse battery")
		me := srv.post(t, `{ customer { email firstName displayName addresses(first: 5) { totalCount } } }`, nil, as(token)...).mustData(t)
		if at(me, "customer", "email") != "Somchai@Example.com" || at(me, "customer", "displayName") != "Somchai" {
			t.Errorf("customer: %v", me)
		}

		// Addresses: a Thai one needs a 5-digit zip; the first becomes the default.
		addr := `mutation($a: MailingAddressInput!) { customerAddressCreate(address: $a) { customerAddress { id formatted } userErrors { field code } } }`
		bad := at(srv.post(t, addr, map[string]any{"a": map[string]any{"address1": "99 ถนนสุขุมวิท", "country": "TH", "zip": "1011"}}, as(token)...).mustData(t), "customerAddressCreate")
		if fmt.Sprint(at(bad, "userErrors", 0, "field")) != "[address zip]" {
			t.Errorf("Thai zip of 4 digits: %v", bad)
		}
		thai := map[string]any{"firstName": "สมชาย", "address1": "99 ถนนสุขุมวิท", "subdistrict": "คลองเตยเหนือ", "district": "วัฒนา",
			"province": "กรุงเทพมหานคร", "zip": "10110", "country": "th", "taxId": "0105558123451", "branch": "00000"}
		d := at(srv.post(t, addr, map[string]any{"a": thai}, as(token)...).mustData(t), "customerAddressCreate")
		addrID, _ := at(d, "customerAddress", "id").(string)
		if addrID == "" || !slices.Contains(toStrings(at(d, "customerAddress", "formatted")), "กรุงเทพมหานคร 10110") {
			t.Fatalf("address: %v", d)
		}
		abroad := map[string]any{"address1": "1 Rue de Rivoli", "city": "Paris", "zip": "75001", "country": "FR"}
		srv.post(t, addr, map[string]any{"a": abroad}, as(token)...).mustData(t)
		me = srv.post(t, `{ customer { defaultAddress { id } addresses(first: 5) { totalCount nodes { country } } } }`, nil, as(token)...).mustData(t)
		if at(me, "customer", "defaultAddress", "id") != addrID || at(me, "customer", "addresses", "totalCount") != float64(2) {
			t.Errorf("addresses: %v", me)
		}

		// Another customer cannot touch the first one's address, and is
		// told it does not exist.
		other := signUp(t, srv, "malee@example.com", "another good password")
		_ = other
		otherToken := signIn(t, srv, "customerAccessTokenCreate", "malee@example.com", "another good password")
		steal := at(srv.post(t, `mutation($id: ID!) { customerAddressDelete(id: $id) { deletedCustomerAddressId userErrors { field code } } }`,
			map[string]any{"id": addrID}, as(otherToken)...).mustData(t), "customerAddressDelete")
		if slices.Compare(userErrorCodes(steal), []string{"NOT_FOUND"}) != 0 || at(steal, "deletedCustomerAddressId") != nil {
			t.Errorf("deleting another customer's address: %v", steal)
		}
		if n := srv.post(t, `query($id: ID!) { node(id: $id) { id } }`, map[string]any{"id": addrID}, as(otherToken)...).mustData(t); n["node"] != nil {
			t.Errorf("node(another customer's address): %v", n)
		}

		// Changing the password needs the current one and signs other sessions out.
		upd := `mutation($i: CustomerUpdateInput!) { customerUpdate(input: $i) { customer { firstName } userErrors { field code } } }`
		wrong := at(srv.post(t, upd, map[string]any{"i": map[string]any{"password": "a new good password", "currentPassword": "nope"}}, as(token)...).mustData(t), "customerUpdate")
		if slices.Compare(userErrorCodes(wrong), []string{"UNIDENTIFIED_CUSTOMER"}) != 0 {
			t.Errorf("password change with a wrong current one: %v", wrong)
		}
		second := signIn(t, srv, "customerAccessTokenCreate", "somchai@example.com", "correct horse battery")
		ok := at(srv.post(t, upd, map[string]any{"i": map[string]any{"firstName": "สมชาย", "password": "a new good password",
			"currentPassword": "correct horse battery"}}, as(token)...).mustData(t), "customerUpdate")
		if at(ok, "customer", "firstName") != "สมชาย" || len(userErrorCodes(ok)) > 0 {
			t.Errorf("update: %v", ok)
		}
		if r := srv.post(t, `{ customer { id } }`, nil, as(second)...); r.Status != http.StatusUnauthorized || r.Errors[0].Code() != "UNAUTHENTICATED" {
			t.Errorf("a session after the password change: %d %s", r.Status, r.Raw)
		}
		token = signIn(t, srv, "customerAccessTokenCreate", "somchai@example.com", "a new good password")

		// Renew, then sign out: the token stops working at once.
		renew := at(srv.post(t, `mutation($t: String!) { customerAccessTokenRenew(customerAccessToken: $t) { customerAccessToken { expiresAt } userErrors { code } } }`,
			map[string]any{"t": token}).mustData(t), "customerAccessTokenRenew")
		if at(renew, "customerAccessToken", "expiresAt") == nil {
			t.Errorf("renew: %v", renew)
		}
		del := `mutation($t: String!) { customerAccessTokenDelete(customerAccessToken: $t) { deletedAccessToken userErrors { field code } } }`
		srv.post(t, del, map[string]any{"t": token}).mustData(t)
		if r := srv.post(t, `{ customer { id } }`, nil, as(token)...); r.Status != http.StatusUnauthorized || r.Header.Get("WWW-Authenticate") == "" {
			t.Errorf("signed-out token: %d %s", r.Status, r.Raw)
		}
		again := at(srv.post(t, del, map[string]any{"t": token}).mustData(t), "customerAccessTokenDelete")
		if slices.Compare(userErrorCodes(again), []string{"TOKEN_INVALID"}) != 0 {
			t.Errorf("deleting a dead token: %v", again)
		}
	})
}

func toStrings(v any) []string {
	var out []string
	for _, s := range v.([]any) {
		out = append(out, s.(string))
	}
	return out
}

// Tokens expire: a token past its expiry is refused like any bad credential.
func TestTokensExpire(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		signUp(t, srv, "expiry@example.com", "correct horse battery")
		token := signIn(t, srv, "customerAccessTokenCreate", "expiry@example.com", "correct horse battery")
		srv.post(t, `{ customer { id } }`, nil, as(token)...).mustData(t)
		past := time.Now().UTC().Add(-time.Minute).Truncate(time.Second)
		if err := srv.store.DB(t.Context()).Table("access_tokens").Where("token_hash = ?", auth.HashSecret(token)).
			Update("expires_at", past).Error; err != nil {
			t.Fatal(err)
		}
		if r := srv.post(t, `{ customer { id } }`, nil, as(token)...); r.Status != http.StatusUnauthorized {
			t.Errorf("expired token: %d %s", r.Status, r.Raw)
		}
		renew := srv.post(t, `mutation($t: String!) { customerAccessTokenRenew(customerAccessToken: $t) { userErrors { code } } }`,
			map[string]any{"t": token}).mustData(t)
		if slices.Compare(userErrorCodes(at(renew, "customerAccessTokenRenew")), []string{"TOKEN_INVALID"}) != 0 {
			t.Errorf("renewing an expired token: %v", renew)
		}
		// Garbage and tokens of the wrong kind are refused the same way.
		for _, bad := range []string{"Bearer nonsense", "Basic dXNlcjpwYXNz", "Bearer " + auth.PrefixStaffToken + strings.Repeat("A", 43),
			"Bearer " + strings.Replace(token, auth.PrefixCustomerToken, auth.PrefixStaffToken, 1)} {
			if r := srv.post(t, `{ products(first: 1) { totalCount } }`, nil, "Authorization", bad); r.Status != http.StatusUnauthorized || r.Errors[0].Code() != "UNAUTHENTICATED" {
				t.Errorf("%q: %d %s", bad, r.Status, r.Raw)
			}
		}
	})
}

// Failed sign-ins are throttled per account (existing or not) and per
// client address, and every failure reads the same, so that neither the
// messages nor the throttle tell which emails have accounts.
func TestSignInThrottlingAndNoEnumeration(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		signUp(t, srv, "real@example.com", "correct horse battery")
		q := `mutation($i: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $i) { customerAccessToken { accessToken } userErrors { code message } } }`
		attempt := func(email, password string) (code, message string) {
			d := srv.post(t, q, map[string]any{"i": map[string]any{"email": email, "password": password}}).mustData(t)
			p := at(d, "customerAccessTokenCreate")
			if len(at(p, "userErrors").([]any)) == 0 {
				return "", ""
			}
			return at(p, "userErrors", 0, "code").(string), at(p, "userErrors", 0, "message").(string)
		}
		realCode, realMsg := attempt("real@example.com", "wrong password!")
		ghostCode, ghostMsg := attempt("ghost@example.com", "wrong password!")
		if realCode != "UNIDENTIFIED_CUSTOMER" || realCode != ghostCode || realMsg != ghostMsg {
			t.Fatalf("wrong password %q/%q, unknown email %q/%q", realCode, realMsg, ghostCode, ghostMsg)
		}
		for range 9 {
			attempt("real@example.com", "wrong password!")
			attempt("ghost@example.com", "wrong password!")
		}
		for _, email := range []string{"real@example.com", "ghost@example.com"} {
			if code, _ := attempt(email, "wrong password!"); code != "THROTTLED" {
				t.Errorf("%s after 10 failures: %s", email, code)
			}
		}
		// Even the right password waits out the block.
		if code, _ := attempt("real@example.com", "correct horse battery"); code != "THROTTLED" {
			t.Errorf("right password while blocked: %q", code)
		}
		// Another account from the same address is not blocked yet.
		signUp(t, srv, "other@example.com", "correct horse battery")
		if code, _ := attempt("other@example.com", "correct horse battery"); code != "" {
			t.Errorf("another account: %q", code)
		}
	})
}

// Failures that arrive together all count: the throttle's row is locked.
func TestThrottleCountsConcurrentFailures(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, _ := accountServer(t, b)
		signUp(t, srv, "busy@example.com", "correct horse battery")
		q := `mutation($i: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $i) { userErrors { code } } }`
		var wg sync.WaitGroup
		errs := make(chan error, 10)
		for range 10 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r, err := srv.send(q, map[string]any{"i": map[string]any{"email": "busy@example.com", "password": "wrong password!"}})
				if err == nil && len(r.Errors) > 0 {
					err = fmt.Errorf("%s", r.Raw)
				}
				if err != nil {
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
		d := srv.post(t, q, map[string]any{"i": map[string]any{"email": "busy@example.com", "password": "correct horse battery"}}).mustData(t)
		if slices.Compare(userErrorCodes(at(d, "customerAccessTokenCreate")), []string{"THROTTLED"}) != 0 {
			t.Errorf("after 10 concurrent failures: %v", d)
		}
	})
}

// Staff: the first owner comes from the command line; owners invite staff
// by mail, change roles, deactivate; partner keys carry scopes; every write
// is in the audit log.
func TestStaffAndPartnerKeys(t *testing.T) {
	storetest.Each(t, func(t *testing.T, b storetest.Backend) {
		srv, accounts := accountServer(t, b)
		if _, err := accounts.CreateStaff(t.Context(), "owner@example.com", "Owner", model.RoleOwner, "owner password 1"); err != nil {
			t.Fatal(err)
		}
		owner := signIn(t, srv, "staffAccessTokenCreate", "owner@example.com", "owner password 1")
		me := srv.post(t, `{ currentStaffMember { email role permissions } }`, nil, as(owner)...).mustData(t)
		if at(me, "currentStaffMember", "role") != "OWNER" || len(at(me, "currentStaffMember", "permissions").([]any)) != len(model.AllPermissions) {
			t.Errorf("owner: %v", me)
		}

		invite := `mutation($i: StaffMemberInviteInput!) { staffMemberInvite(input: $i) { staffMember { id hasPassword } userErrors { field code } } }`
		d := at(srv.post(t, invite, map[string]any{"i": map[string]any{"email": "cat@example.com", "name": "Cat", "role": "CATALOG_MANAGER"}},
			as(owner)...).mustData(t), "staffMemberInvite")
		catID, _ := at(d, "staffMember", "id").(string)
		if catID == "" || at(d, "staffMember", "hasPassword") != false {
			t.Fatalf("invite: %v", d)
		}
		invitation := srv.waitLog(t, `token=(lgi_[A-Za-z0-9_-]{43})`)
		accept := `mutation($i: StaffInvitationAcceptInput!) { staffInvitationAccept(input: $i) { staffMember { hasPassword } userErrors { code } } }`
		a := at(srv.post(t, accept, map[string]any{"i": map[string]any{"token": invitation[1], "password": "catalog password"}}).mustData(t), "staffInvitationAccept")
		if at(a, "staffMember", "hasPassword") != true {
			t.Fatalf("accept: %v", a)
		}
		again := at(srv.post(t, accept, map[string]any{"i": map[string]any{"token": invitation[1], "password": "another password"}}).mustData(t), "staffInvitationAccept")
		if slices.Compare(userErrorCodes(again), []string{"TOKEN_INVALID"}) != 0 {
			t.Errorf("an invitation used twice: %v", again)
		}
		cat := signIn(t, srv, "staffAccessTokenCreate", "cat@example.com", "catalog password")

		// Only an owner makes an owner, and the last owner stays one.
		upd := `mutation($i: StaffMemberUpdateInput!) { staffMemberUpdate(input: $i) { staffMember { role active } userErrors { field code } } }`
		ownerID := at(me, "currentStaffMember", "email")
		_ = ownerID
		meID := at(srv.post(t, `{ currentStaffMember { id } }`, nil, as(owner)...).mustData(t), "currentStaffMember", "id")
		demote := at(srv.post(t, upd, map[string]any{"i": map[string]any{"id": meID, "role": "ADMIN"}}, as(owner)...).mustData(t), "staffMemberUpdate")
		if slices.Compare(userErrorCodes(demote), []string{"CONFLICT"}) != 0 {
			t.Errorf("demoting the last owner: %v", demote)
		}

		// Partner keys: scopes at most the creator's, never MANAGE_STAFF.
		create := `mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { apiKey { id prefix scopes } secret userErrors { field code } } }`
		refused := at(srv.post(t, create, map[string]any{"i": map[string]any{"name": "ERP", "scopes": []string{"MANAGE_STAFF"}}}, as(owner)...).mustData(t), "apiKeyCreate")
		if slices.Compare(userErrorCodes(refused), []string{"INVALID"}) != 0 || at(refused, "secret") != nil {
			t.Errorf("a key that manages staff: %v", refused)
		}
		k := at(srv.post(t, create, map[string]any{"i": map[string]any{"name": "ERP", "scopes": []string{"READ_PRODUCTS", "MANAGE_INVENTORY"}}}, as(owner)...).mustData(t), "apiKeyCreate")
		secret, _ := at(k, "secret").(string)
		if !strings.HasPrefix(secret, auth.PrefixAPIKey) || !strings.HasPrefix(secret, at(k, "apiKey", "prefix").(string)) {
			t.Fatalf("key: %v", k)
		}
		// The key works in either header; its last use is recorded.
		for _, h := range [][]string{{"X-Langran-Api-Key", secret}, {"Authorization", "Bearer " + secret}} {
			if r := srv.post(t, `{ products(first: 1) { totalCount } }`, nil, h...); r.Status != 200 {
				t.Errorf("key in %s: %d %s", h[0], r.Status, r.Raw)
			}
		}
		keys := srv.post(t, `{ apiKeys(first: 10) { nodes { name lastUsedAt createdBy { email } } } }`, nil, as(owner)...).mustData(t)
		if at(keys, "apiKeys", "nodes", 0, "lastUsedAt") == nil || at(keys, "apiKeys", "nodes", 0, "createdBy", "email") != "owner@example.com" {
			t.Errorf("keys: %v", keys)
		}
		// The key is stored only as a hash.
		var stored string
		if err := srv.store.DB(t.Context()).Table("api_keys").Select("key_hash").Take(&stored).Error; err != nil {
			t.Fatal(err)
		}
		if strings.Contains(stored, secret[len(auth.PrefixAPIKey):]) || stored != auth.HashSecret(secret) {
			t.Errorf("stored key %q", stored)
		}
		srv.post(t, `mutation($id: ID!) { apiKeyRevoke(id: $id) { apiKey { revokedAt } userErrors { code } } }`,
			map[string]any{"id": at(k, "apiKey", "id")}, as(owner)...).mustData(t)
		if r := srv.post(t, `{ products(first: 1) { totalCount } }`, nil, "X-Langran-Api-Key", secret); r.Status != http.StatusUnauthorized {
			t.Errorf("a revoked key: %d", r.Status)
		}

		// Deactivating signs a staff member out everywhere.
		srv.post(t, upd, map[string]any{"i": map[string]any{"id": catID, "active": false}}, as(owner)...).mustData(t)
		if r := srv.post(t, `{ currentStaffMember { id } }`, nil, as(cat)...); r.Status != http.StatusUnauthorized {
			t.Errorf("a deactivated staff member's session: %d", r.Status)
		}

		// The audit log has every write, by whom, with what changed.
		log := srv.post(t, `{ auditLog(last: 20) { nodes { action actorKind actorId objectType changes } } }`, nil, as(owner)...).mustData(t)
		var actions []string
		for _, e := range at(log, "auditLog", "nodes").([]any) {
			actions = append(actions, at(e, "action").(string))
			if at(e, "actorKind") != "STAFF" || at(e, "actorId") != meID {
				t.Errorf("entry by %v %v", at(e, "actorKind"), at(e, "actorId"))
			}
		}
		for _, want := range []string{"staff.invite", "apiKey.create", "apiKey.revoke", "staff.update"} {
			if !slices.Contains(actions, want) {
				t.Errorf("audit log lacks %s: %v", want, actions)
			}
		}
		if !strings.Contains(fmt.Sprint(log), `"active":[true,false]`) {
			t.Errorf("the deactivation's change is not recorded: %v", log)
		}
	})
}

// The first owner is made on the command line, with the password from the
// environment or standard input, never a flag.
func TestStaffCreateCommand(t *testing.T) {
	db := storetest.SQLiteURL(t)
	env := map[string]string{"LANGRAN_DATABASE_URL": db, "LANGRAN_PASSWORD_HASH_MEMORY": "64"}
	getenv := func(k string) string { return env[k] }
	ctx := context.Background()
	var out strings.Builder
	if err := run(ctx, []string{"staff", "create", "--email", "boss@example.com", "--role", "owner"}, getenv,
		strings.NewReader("a good long password\n"), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "a good long password") || !strings.Contains(out.String(), "boss@example.com") {
		t.Errorf("log: %s", out.String())
	}
	env["LANGRAN_STAFF_PASSWORD"] = "another long password"
	if err := run(ctx, []string{"staff", "create", "--email", "two@example.com", "--role", "ADMIN"}, getenv, strings.NewReader(""), &out); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]string{{"staff", "create", "--email", "boss@example.com"}, {"staff", "create", "--email", "x@example.com", "--role", "KING"},
		{"staff", "delete"}} {
		if err := run(ctx, bad, getenv, strings.NewReader(""), &out); err == nil {
			t.Errorf("%v succeeded", bad)
		}
	}
	delete(env, "LANGRAN_STAFF_PASSWORD")
	if err := run(ctx, []string{"staff", "create", "--email", "weak@example.com"}, getenv, strings.NewReader("short\n"), &out); err == nil ||
		!strings.Contains(err.Error(), "at least 10") {
		t.Errorf("weak password: %v", err)
	}
}
