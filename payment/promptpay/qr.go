package promptpay

import (
	qrcode "github.com/skip2/go-qrcode"

	"github.com/langran/langran/model"
)

// The sizes PNG draws, in pixels. A PromptPay payload needs about 45
// modules with its quiet zone, so 128 pixels give each module nearly
// three, which phone cameras read easily; 2048 bounds the work a request
// can ask for.
const (
	MinPNGSize = 128
	MaxPNGSize = 2048
)

// PNG draws payload as a QR code: a size by size PNG image with medium
// error correction (15% of the code may be lost) and the standard quiet
// zone. payload must be one Parse accepts, so a code that no banking app
// would take is never shown.
func PNG(payload string, size int) ([]byte, error) {
	if size < MinPNGSize || size > MaxPNGSize {
		return nil, model.InvalidField([]string{"size"}, "a QR code is drawn %d to %d pixels wide, not %d", MinPNGSize, MaxPNGSize, size)
	}
	if _, err := Parse(payload); err != nil {
		return nil, err
	}
	return qrcode.Encode(payload, qrcode.Medium, size)
}
