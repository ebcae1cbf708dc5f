package model

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestNormalizeEmail(t *testing.T) {
	for in, want := range map[string]string{
		" Somchai@Example.COM ":     "somchai@example.com",
		"a.b+tag@sub.example.co.th": "a.b+tag@sub.example.co.th",
		"สมชาย@ตัวอย่าง.ไทย":        "สมชาย@ตัวอย่าง.ไทย",
	} {
		if got, ok := NormalizeEmail(in); !ok || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "a", "a@b", "@b.co", "a@@b.co", "a@b.co@c.co", "a b@c.co", "a@.b.co", "a@b.co.",
		"a@b..co", "a\x00@b.co", "<a@b.co>", "closed:42", strings.Repeat("a", 65) + "@b.co", "a@" + strings.Repeat("b", 250) + ".co"} {
		if got, ok := NormalizeEmail(bad); ok {
			t.Errorf("%q accepted as %q", bad, got)
		}
	}
}

// Whatever arrives as an email, normalising never panics; what it accepts
// is already normal (normalising again changes nothing), lower-case,
// trimmed, valid UTF-8, at most MaxEmailLen bytes, with one @ and a dot in
// the domain; and changing the case or the surrounding spaces of the input
// never changes the answer.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"a@b.co", " A@B.CO ", "สมชาย@ตัวอย่าง.ไทย", "a@b", "İ@x.io", "\u212a@x.io", "a@b..co", "\xff@b.co"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		key, ok := NormalizeEmail(s)
		if !ok {
			if key != "" {
				t.Fatalf("refused %q but returned %q", s, key)
			}
			return
		}
		again, ok2 := NormalizeEmail(key)
		if !ok2 || again != key {
			t.Fatalf("%q -> %q -> %q %v: not idempotent", s, key, again, ok2)
		}
		if key != strings.ToLower(key) || key != strings.TrimSpace(key) || !utf8.ValidString(key) || len(key) > MaxEmailLen ||
			strings.Count(key, "@") != 1 || !strings.Contains(key[strings.Index(key, "@"):], ".") {
			t.Fatalf("%q -> %q is not a normal key", s, key)
		}
		if up, ok := NormalizeEmail("  " + strings.ToUpper(key) + "\t"); ok && up != key && strings.ToLower(strings.ToUpper(key)) == key {
			t.Fatalf("%q and its upper case normalise apart: %q, %q", key, key, up)
		}
	})
}

// The password policy never panics, always names the field it was given,
// and accepts only passwords of 10 to 128 characters of valid text.
func FuzzCheckPassword(f *testing.F) {
	for _, s := range []string{"", "short", "password123", "correct horse battery", "aaaaaaaaaaaaaa", "รหัสผ่านยาวพอสมควร", "\xff\xfe" + strings.Repeat("x", 20)} {
		f.Add(s)
	}
	field := []string{"input", "password"}
	f.Fuzz(func(t *testing.T, s string) {
		err := CheckPassword(field, s)
		if err == nil {
			if n := utf8.RuneCountInString(s); !utf8.ValidString(s) || n < MinPasswordLen || n > MaxPasswordLen {
				t.Fatalf("accepted %q (%d characters)", s, n)
			}
			return
		}
		if !slices.Equal(err.Field, field) || err.Message == "" || err.Code == "" {
			t.Fatalf("%q: %+v", s, err)
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
