package stripetest

import (
	"net/http"
	"strings"
	"testing"
)

func TestStartRunsSideBySide(t *testing.T) {
	// Two mocks at once (as parallel test packages run them) get their own
	// loopback ports, and each answers the API.
	urls := []string{Start(t), Start(t)}
	if urls[0] == urls[1] {
		t.Fatalf("both mocks at %s", urls[0])
	}
	for _, u := range urls {
		if !strings.HasPrefix(u, "http://127.0.0.1:") {
			t.Errorf("%s is not on loopback", u)
		}
		req, _ := http.NewRequest(http.MethodGet, u+"/v1/payment_intents/pi_123", nil)
		req.Header.Set("Authorization", "Bearer sk_test_123")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Errorf("%s answered %d", u, resp.StatusCode)
		}
	}
}
