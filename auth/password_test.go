package auth

import (
	"strings"
	"testing"
	"time"
)

var cheap = HashParams{MemoryKiB: 64, Time: 1, Threads: 1}

func TestPasswordHashing(t *testing.T) {
	h, err := HashPassword("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") || strings.Contains(h, "correct") {
		t.Fatalf("hash %q", h)
	}
	again, _ := HashPassword("correct horse battery", cheap)
	if again == h {
		t.Fatal("two hashes of one password are equal: no salt")
	}
	for pw, want := range map[string]bool{"correct horse battery": true, "correct horse batterY": false, "": false} {
		if ok, err := VerifyPassword(pw, h); err != nil || ok != want {
			t.Errorf("VerifyPassword(%q) = %v, %v", pw, ok, err)
		}
	}
	// A hash made with other costs still verifies: it records them.
	other, _ := HashPassword("x", HashParams{MemoryKiB: 128, Time: 2, Threads: 2})
	if ok, _ := VerifyPassword("x", other); !ok {
		t.Error("hash with other costs does not verify")
	}
}

// A corrupt or planted stored hash is an error, never a long computation.
func TestVerifyRefusesMalformedHashes(t *testing.T) {
	good, _ := HashPassword("pw", cheap)
	parts := strings.Split(good, "$")
	for _, bad := range []string{"", "plain", "$argon2i$v=19$m=64,t=1,p=1$AAAA$AAAA", "$argon2id$v=18$m=64,t=1,p=1$AAAA$AAAA",
		"$argon2id$v=19$m=4194304,t=1,p=1$" + parts[4] + "$" + parts[5], // 4 GiB
		"$argon2id$v=19$m=64,t=1000,p=1$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=0$" + parts[4] + "$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$!!!$" + parts[5],
		"$argon2id$v=19$m=64,t=1,p=1$" + parts[4] + "$",
	} {
		start := time.Now()
		if ok, err := VerifyPassword("pw", bad); ok || err == nil {
			t.Errorf("%q: %v, %v", bad, ok, err)
		}
		if time.Since(start) > time.Second {
			t.Errorf("%q took %v", bad, time.Since(start))
		}
	}
}

func TestSecrets(t *testing.T) {
	s, h, err := NewSecret(PrefixAPIKey)
	if err != nil {
		t.Fatal(err)
	}
	if !WellFormedSecret(s, PrefixAPIKey) || WellFormedSecret(s, PrefixStaffToken) || HashSecret(s) != h || len(h) != 64 {
		t.Fatalf("secret %q hash %q", s, h)
	}
	for _, bad := range []string{"", PrefixAPIKey, s + "x", s[:len(s)-1], strings.Replace(s, "_", "!", 2)} {
		if WellFormedSecret(bad, PrefixAPIKey) {
			t.Errorf("%q accepted", bad)
		}
	}
	for h, want := range map[string][2]any{
		"": {"", true}, "Bearer abc": {"abc", true}, "bearer  abc ": {"abc", true},
		"Basic abc": {"", false}, "Bearer": {"", false}, "abc": {"", false},
	} {
		tok, ok := BearerToken(h)
		if tok != want[0] || ok != want[1] {
			t.Errorf("BearerToken(%q) = %q, %v", h, tok, ok)
		}
	}
}
