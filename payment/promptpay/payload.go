// Package promptpay takes payments by PromptPay, Thailand's instant
// transfer: the buyer scans a QR code with any Thai banking app and sends
// the exact amount to the shop's PromptPay ID. The QR code carries an
// EMVCo merchant-presented payload (Payload builds it, Parse checks one);
// the money is confirmed by staff with paymentMarkReceived, or by the
// shop's bank through a signed notification (Notifications).
package promptpay

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
)

// IDKind is the kind of a PromptPay ID. Each is carried in its own
// sub-tag of the payload's merchant account information.
type IDKind string

// The kinds of PromptPay ID.
const (
	Mobile  IDKind = "mobile"   // a Thai mobile number, in the payload as 0066 and 9 digits
	TaxID   IDKind = "tax ID"   // a 13-digit national ID or juristic tax ID
	EWallet IDKind = "e-wallet" // a 15-digit e-wallet ID
)

// subTag is where the payload carries an ID of kind k.
func (k IDKind) subTag() string {
	switch k {
	case Mobile:
		return "01"
	case TaxID:
		return "02"
	}
	return "03"
}

// EMVCo merchant-presented mode tags and the values PromptPay uses.
const (
	tagFormat      = "00" // payload format indicator, "01"
	tagInitiation  = "01" // point of initiation: "11" static, "12" dynamic (one payment)
	tagPromptPay   = "29" // merchant account information: PromptPay credit transfer
	tagCurrency    = "53" // ISO 4217 numeric
	tagAmount      = "54"
	tagCountry     = "58"
	tagCRC         = "63"
	subTagAID      = "00"
	formatVersion  = "01"
	staticQR       = "11"
	dynamicQR      = "12"
	promptPayAID   = "A000000677010111"
	currencyTHB    = "764"
	countryTH      = "TH"
	maxPayloadLen  = 512 // EMVCo's limit for a whole payload
	maxAmountLen   = 13  // EMVCo's limit for tag 54
	maxAmount      = 999_999_999_999
	thaiMobilePfx  = "0066"
	thaiMobileLen  = 10 // 0812345678
	taxIDLen       = 13
	eWalletIDLen   = 15
	crcPlaceholder = tagCRC + "04"
)

// Payload returns the EMVCo payload that a Thai banking app scans to pay
// amount satang to the PromptPay ID id. An amount above zero makes a
// dynamic QR for that one payment (the app fills the amount in); zero
// makes a static QR with no amount, where the buyer types it.
//
// id is a Thai mobile number (0812345678, 081-234-5678, +66 81 234 5678),
// a 13-digit national or tax ID (its check digit must be right), or a
// 15-digit e-wallet ID; spaces and dashes between digits are ignored.
// Tags are written in the order the reference generator promptpay-qr
// uses, so the same ID and amount give the same bytes.
func Payload(id string, amount int64) (string, error) {
	kind, value, err := normalizeID(id)
	if err != nil {
		return "", err
	}
	if amount < 0 || amount > maxAmount {
		return "", model.InvalidField([]string{"amount"},
			"a PromptPay amount must be between 0 and %s baht, not %s",
			model.FormatMinor(maxAmount, 2), model.FormatMinor(amount, 2))
	}
	return encode(kind, value, amount), nil
}

// encode writes the payload for an ID already normalised and checked.
func encode(kind IDKind, value string, amount int64) string {
	var b strings.Builder
	initiation := staticQR
	if amount > 0 {
		initiation = dynamicQR
	}
	writeTLV(&b, tagFormat, formatVersion)
	writeTLV(&b, tagInitiation, initiation)
	writeTLV(&b, tagPromptPay, tlv(subTagAID, promptPayAID)+tlv(kind.subTag(), value))
	writeTLV(&b, tagCountry, countryTH)
	writeTLV(&b, tagCurrency, currencyTHB)
	if amount > 0 {
		writeTLV(&b, tagAmount, model.FormatMinor(amount, 2))
	}
	b.WriteString(crcPlaceholder)
	fmt.Fprintf(&b, "%04X", crc16(b.String()))
	return b.String()
}

func tlv(tag, value string) string {
	var b strings.Builder
	writeTLV(&b, tag, value)
	return b.String()
}

// writeTLV writes one data object. Every value written here is far
// shorter than the 99 characters a two-digit length allows.
func writeTLV(b *strings.Builder, tag, value string) {
	b.WriteString(tag)
	if len(value) < 10 {
		b.WriteByte('0')
	}
	b.WriteString(strconv.Itoa(len(value)))
	b.WriteString(value)
}

// crc16 is CRC-16/CCITT-FALSE (polynomial 0x1021, initial 0xFFFF, no
// reflection, no final XOR), which EMVCo payloads end with.
func crc16(s string) uint16 {
	crc := uint16(0xFFFF)
	for i := 0; i < len(s); i++ {
		crc ^= uint16(s[i]) << 8
		for range 8 {
			if crc&0x8000 != 0 {
				crc = crc<<1 ^ 0x1021
			} else {
				crc <<= 1
			}
		}
	}
	return crc
}

// normalizeID reads a PromptPay ID as people write it and returns its
// kind and the value the payload carries.
func normalizeID(id string) (IDKind, string, error) {
	bad := func(format string, args ...any) (IDKind, string, error) {
		return "", "", model.InvalidField([]string{"promptPayId"}, format, args...)
	}
	s := id
	international := strings.HasPrefix(s, "+66")
	if international {
		s = s[3:]
	}
	digits := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c >= '0' && c <= '9':
			digits = append(digits, c)
		case c == ' ' || c == '-':
		default:
			return bad("a PromptPay ID may hold only digits, spaces and dashes (and a leading +66), not %q", firstRune(s[i:]))
		}
	}
	var kind IDKind
	var value string
	switch {
	case international:
		kind, value = Mobile, thaiMobilePfx+string(digits)
	case len(digits) == thaiMobileLen && digits[0] == '0':
		kind, value = Mobile, thaiMobilePfx+string(digits[1:])
	case len(digits) == taxIDLen:
		kind, value = TaxID, string(digits)
	case len(digits) == eWalletIDLen:
		kind, value = EWallet, string(digits)
	default:
		return bad("a PromptPay ID is a 10-digit mobile number starting with 0 (or +66 and 9 digits), "+
			"a 13-digit national or tax ID, or a 15-digit e-wallet ID; this one has %d digits", len(digits))
	}
	if err := checkID(kind, value); err != nil {
		return bad("%s", err)
	}
	return kind, value, nil
}

// checkID checks an ID as the payload carries it. Payload and Parse share
// it, so whatever one accepts the other does too.
func checkID(kind IDKind, value string) error {
	if !allDigits(value) {
		return fmt.Errorf("a PromptPay %s holds only digits", kind)
	}
	switch kind {
	case Mobile:
		// Thai mobile numbers start 06, 08 or 09; the rest are landlines,
		// which PromptPay does not register.
		if len(value) != len(thaiMobilePfx)+thaiMobileLen-1 || !strings.HasPrefix(value, thaiMobilePfx) {
			return fmt.Errorf("a PromptPay mobile number has 9 digits after its leading 0 or +66")
		}
		if c := value[len(thaiMobilePfx)]; c != '6' && c != '8' && c != '9' {
			return fmt.Errorf("0%s is not a Thai mobile number (those start 06, 08 or 09)", value[len(thaiMobilePfx):])
		}
	case TaxID:
		if !model.ValidThaiTaxID(value) {
			return fmt.Errorf("%s is not a national or tax ID: 13 digits whose last is the check digit", value)
		}
	case EWallet:
		if len(value) != eWalletIDLen {
			return fmt.Errorf("a PromptPay e-wallet ID has 15 digits")
		}
	default:
		return fmt.Errorf("unknown PromptPay ID kind %q", kind)
	}
	return nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func firstRune(s string) rune {
	for _, r := range s {
		return r
	}
	return 0
}
