package promptpay

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/langran/langran/model"
)

// QRPath is where the service answers QR code images.
const QRPath = "/promptpay/qr.png"

// QRImageSize is the side of the images QRHandler draws, in pixels.
const QRImageSize = 512

// QRLinks makes and answers signed links to QR code images of payloads,
// so an <img> tag can show a payment's code without a token, and the
// server draws only codes it issued (it is no open QR service). A payload
// is no secret and its code never changes, so links do not expire and
// answers are cached.
type QRLinks struct {
	Base   string // the service's public address, e.g. https://shop.example
	Signer *model.LinkSigner
}

// URL returns the link to payload's QR code.
func (q QRLinks) URL(payload string) string {
	v := url.Values{"payload": {payload}, "sig": {q.Signer.Sign(time.Time{}, "promptpay-qr", payload)}}
	return q.Base + QRPath + "?" + v.Encode()
}

// Handler answers GET QRPath: the PNG for a signed payload, 404 for a
// link that was not signed here.
func (q QRLinks) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		payload, sig := r.URL.Query().Get("payload"), r.URL.Query().Get("sig")
		if len(payload) > maxPayloadLen || !q.Signer.Verify(sig, time.Time{}, time.Now(), "promptpay-qr", payload) {
			http.Error(w, "no such QR code", http.StatusNotFound)
			return
		}
		png, err := PNG(payload, QRImageSize)
		if err != nil {
			http.Error(w, "no such QR code", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		w.Header().Set("Content-Length", strconv.Itoa(len(png)))
		w.Header().Set("Cache-Control", "public, max-age=86400, immutable")
		_, _ = w.Write(png)
	})
}
