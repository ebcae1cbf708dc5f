package promptpay

import (
	"bytes"
	"image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	zxingqr "github.com/makiuchi-d/gozxing/qrcode"

	"github.com/langran/langran/model"
)

// TestPNGReadsBack draws payloads and reads them back with an independent
// QR decoder (gozxing, a port of ZXing), as a banking app would.
func TestPNGReadsBack(t *testing.T) {
	payloads := []string{crossChecked[0].payload, crossChecked[3].payload, crossChecked[8].payload}
	for _, payload := range payloads {
		for _, size := range []int{MinPNGSize, 300, 512} {
			b, err := PNG(payload, size)
			if err != nil {
				t.Fatalf("PNG(%q, %d): %v", payload, size, err)
			}
			img, err := png.Decode(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("PNG(%q, %d) is no PNG: %v", payload, size, err)
			}
			if r := img.Bounds(); r.Dx() != size || r.Dy() != size {
				t.Errorf("PNG(%q, %d) is %dx%d", payload, size, r.Dx(), r.Dy())
			}
			bmp, err := gozxing.NewBinaryBitmapFromImage(img)
			if err != nil {
				t.Fatal(err)
			}
			res, err := zxingqr.NewQRCodeReader().Decode(bmp, nil)
			if err != nil {
				t.Fatalf("PNG(%q, %d) does not read as a QR code: %v", payload, size, err)
			}
			if res.GetText() != payload {
				t.Errorf("PNG(%q, %d) reads %q", payload, size, res.GetText())
			}
			if ec := res.GetResultMetadata()[gozxing.ResultMetadataType_ERROR_CORRECTION_LEVEL]; ec != "M" {
				t.Errorf("PNG(%q, %d) has error correction %v, want M", payload, size, ec)
			}
		}
	}
}

func TestPNGRefuses(t *testing.T) {
	good := crossChecked[1].payload
	for _, c := range []struct {
		payload string
		size    int
	}{
		{good, MinPNGSize - 1},
		{good, MaxPNGSize + 1},
		{good, 0},
		{good, -5},
		{good[:len(good)-1] + "0", 256}, // CRC wrong
		{"hello", 256},
	} {
		if b, err := PNG(c.payload, c.size); model.ErrorCodeOf(err) != model.CodeInvalid {
			t.Errorf("PNG(%q, %d) = %d bytes, %v; want INVALID", c.payload, c.size, len(b), err)
		}
	}
}
