package model

import (
	"strings"
	"testing"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		"Somchai@Example.COM": "somchai@example.com", "  a.b+c@shop.co.th ": "a.b+c@shop.co.th",
		"ใจดี@ตัวอย่าง.ไทย": "ใจดี@ตัวอย่าง.ไทย",
		"": "", "no-at.example.com": "", "a@b": "", "a@@b.co": "", "a b@c.co": "", "a@b..co": "",
		"a@.b.co": "", "a@b.co.": "", "<a@b.co>": "", "a@b.co\x00": "", strings.Repeat("a", 65) + "@b.co": "",
	} {
		got, ok := NormalizeEmail(in)
		if got != want || ok != (want != "") {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

// FuzzNormalizeEmail: any input is refused or normalised to a fixed point
// without spaces or control characters.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"a@b.co", " A@B.CO ", "x", "@", "a@b..c", "ใจดี@ตัวอย่าง.ไทย"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, ok := NormalizeEmail(s)
		if !ok {
			return
		}
		if again, ok2 := NormalizeEmail(n); !ok2 || again != n {
			t.Fatalf("%q normalises to %q, then %q", s, n, again)
		}
		if strings.ContainsAny(n, " \t\r\n\x00") || strings.Count(n, "@") != 1 || len(n) > MaxEmailLen {
			t.Fatalf("%q normalised to %q", s, n)
		}
	})
}

func TestCheckPassword(t *testing.T) {
	for pw, code := range map[string]ErrorCode{
		"correct horse battery": "", "รหัสผ่านภาษาไทยยาวพอ": "", "short": CodePasswordTooWeak,
		"Password123": CodePasswordTooWeak, "ababababababab": CodePasswordTooWeak,
		strings.Repeat("abcd", 33): CodeTooLong, "bad\xffutf8 password": CodeInvalid,
	} {
		err := CheckPassword([]string{"password"}, pw)
		if (err == nil) != (code == "") || (err != nil && err.Code != code) {
			t.Errorf("CheckPassword(%q) = %v, want %s", pw, err, code)
		}
	}
}

func TestPermissions(t *testing.T) {
	s := NewPermissionSet(PermManageProducts)
	if !s.Has(PermReadProducts) || s.Has(PermManageStaff) {
		t.Errorf("MANAGE_PRODUCTS gives %v", s.List())
	}
	owner := &Viewer{Kind: ViewerStaff, Permissions: NewPermissionSet(RolePermissions[RoleOwner]...)}
	customer := &Viewer{Kind: ViewerCustomer, ID: 7, Permissions: NewPermissionSet(AllPermissions...)}
	for _, p := range AllPermissions {
		if !owner.Can(p) || customer.Can(p) || Anonymous.Can(p) {
			t.Errorf("%s: owner %v customer %v", p, owner.Can(p), customer.Can(p))
		}
	}
	if !customer.IsCustomer(7) || customer.IsCustomer(8) || owner.IsCustomer(0) || Anonymous.IsCustomer(0) {
		t.Error("IsCustomer")
	}
	for r := range RolePermissions {
		if !r.Valid() {
			t.Errorf("%s invalid", r)
		}
	}
	if Role("KING").Valid() {
		t.Error("KING is a role")
	}
}
