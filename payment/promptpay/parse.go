package promptpay

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/langran/langran/model"
)

// Fields is what a PromptPay payload says.
type Fields struct {
	// Dynamic is a QR for one payment (point of initiation "12"); a
	// static one ("11") may be paid again and again.
	Dynamic bool
	Kind    IDKind
	// ID is the PromptPay ID as the payload carries it: a mobile number
	// as 0066 and 9 digits, other IDs as their digits.
	ID string
	// Amount is in satang, 0 when the payload has none and the buyer
	// types it.
	Amount int64
}

// Parse reads and checks a PromptPay payload: its data objects, its CRC,
// the PromptPay application ID and ID, THB, Thailand, and the amount.
// Data objects that PromptPay payloads may carry besides (a merchant
// name, a bill reference) are allowed and ignored. Payloads come from
// outside, so anything else is an error, never a panic: Parse accepts
// printable ASCII only, at most 512 characters, each tag at most once.
func Parse(payload string) (*Fields, error) {
	bad := func(format string, args ...any) (*Fields, error) {
		return nil, model.Errorf(model.CodeInvalid, "PromptPay payload: "+format, args...)
	}
	if len(payload) > maxPayloadLen {
		return bad("%d characters, more than the %d EMVCo allows", len(payload), maxPayloadLen)
	}
	for i := 0; i < len(payload); i++ {
		if c := payload[i]; c < 0x20 || c > 0x7E {
			return bad("byte %d is %#02x; only printable ASCII is accepted", i, c)
		}
	}
	objs, err := readTLVs(payload)
	if err != nil {
		return bad("%v", err)
	}
	if len(objs) == 0 || objs[0].tag != tagFormat {
		return bad("does not start with the payload format indicator (tag 00)")
	}
	last := objs[len(objs)-1]
	if last.tag != tagCRC {
		return bad("does not end with a CRC (tag 63)")
	}
	if len(last.value) != 4 {
		return bad("the CRC has %d characters, not 4", len(last.value))
	}
	want := fmt.Sprintf("%04X", crc16(payload[:len(payload)-4]))
	if !strings.EqualFold(last.value, want) {
		return bad("CRC %s does not match its content (%s)", last.value, want)
	}
	byTag := make(map[string]string, len(objs))
	for _, o := range objs {
		if _, dup := byTag[o.tag]; dup {
			return bad("tag %s appears twice", o.tag)
		}
		byTag[o.tag] = o.value
	}
	if v := byTag[tagFormat]; v != formatVersion {
		return bad("payload format %q, want %q", v, formatVersion)
	}
	f := &Fields{}
	switch v, ok := byTag[tagInitiation]; {
	case !ok:
		return bad("no point of initiation (tag 01)")
	case v == dynamicQR:
		f.Dynamic = true
	case v != staticQR:
		return bad("point of initiation %q, want %q (static) or %q (dynamic)", v, staticQR, dynamicQR)
	}
	account, ok := byTag[tagPromptPay]
	if !ok {
		return bad("no PromptPay merchant account (tag 29)")
	}
	if f.Kind, f.ID, err = readAccount(account); err != nil {
		return bad("merchant account: %v", err)
	}
	if v, ok := byTag[tagCurrency]; !ok || v != currencyTHB {
		return bad("currency %q, want %q (THB)", v, currencyTHB)
	}
	if v, ok := byTag[tagCountry]; !ok || v != countryTH {
		return bad("country %q, want %q", v, countryTH)
	}
	if v, ok := byTag[tagAmount]; ok {
		if f.Amount, err = parseAmount(v); err != nil {
			return bad("amount %q: %v", v, err)
		}
	}
	return f, nil
}

type dataObject struct{ tag, value string }

// readTLVs splits s into data objects: two digits of tag, two digits of
// length, and that many characters of value.
func readTLVs(s string) ([]dataObject, error) {
	var objs []dataObject
	for i := 0; i < len(s); {
		if len(s)-i < 4 {
			return nil, fmt.Errorf("%d stray characters at %d", len(s)-i, i)
		}
		tag, length := s[i:i+2], s[i+2:i+4]
		if !allDigits(tag) {
			return nil, fmt.Errorf("tag %q at %d is not two digits", tag, i)
		}
		if !allDigits(length) {
			return nil, fmt.Errorf("length %q of tag %s is not two digits", length, tag)
		}
		n, _ := strconv.Atoi(length)
		i += 4
		if n == 0 {
			return nil, fmt.Errorf("tag %s is empty", tag)
		}
		if n > len(s)-i {
			return nil, fmt.Errorf("tag %s says %d characters but %d are left", tag, n, len(s)-i)
		}
		objs = append(objs, dataObject{tag, s[i : i+n]})
		i += n
	}
	return objs, nil
}

// readAccount reads the PromptPay merchant account template: the
// application ID and exactly one ID.
func readAccount(s string) (IDKind, string, error) {
	objs, err := readTLVs(s)
	if err != nil {
		return "", "", err
	}
	var aid, id string
	var kind IDKind
	seen := map[string]bool{}
	for _, o := range objs {
		if seen[o.tag] {
			return "", "", fmt.Errorf("sub-tag %s appears twice", o.tag)
		}
		seen[o.tag] = true
		var k IDKind
		switch o.tag {
		case subTagAID:
			aid = o.value
			continue
		case Mobile.subTag():
			k = Mobile
		case TaxID.subTag():
			k = TaxID
		case EWallet.subTag():
			k = EWallet
		default:
			continue // other sub-tags are not ours to judge
		}
		if kind != "" {
			return "", "", fmt.Errorf("both a %s and a %s", kind, k)
		}
		kind, id = k, o.value
	}
	if aid != promptPayAID {
		return "", "", fmt.Errorf("application ID %q, want %q (PromptPay)", aid, promptPayAID)
	}
	if kind == "" {
		return "", "", fmt.Errorf("no PromptPay ID")
	}
	if err := checkID(kind, id); err != nil {
		return "", "", err
	}
	return kind, id, nil
}

// parseAmount reads tag 54: baht with at most two decimals, above zero,
// at most 13 characters, and no more than Payload writes.
func parseAmount(s string) (int64, error) {
	if len(s) > maxAmountLen {
		return 0, fmt.Errorf("longer than %d characters", maxAmountLen)
	}
	if s[0] == '-' {
		return 0, fmt.Errorf("negative")
	}
	v, err := model.ParseMinor(s, 2)
	if err != nil {
		return 0, err
	}
	if v == 0 {
		return 0, fmt.Errorf("zero; a payload without an amount leaves it out")
	}
	if v > maxAmount {
		return 0, fmt.Errorf("more than %s baht", model.FormatMinor(maxAmount, 2))
	}
	return v, nil
}
