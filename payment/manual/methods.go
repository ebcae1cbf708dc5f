package manual

import (
	"context"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/langran/langran/model"
	"github.com/langran/langran/payment"
)

// Account is the shop's bank account that buyers transfer to.
type Account struct {
	Bank   string // "Kasikornbank"
	Name   string // the account holder, "Langran Co., Ltd."
	Number string // as the bank prints it, "123-4-56789-0"
}

// maxAccountPart bounds each part of an account; real ones are far shorter.
const maxAccountPart = 100

// ParseAccount parses an account written "Bank|Account name|Account
// number", the form of LANGRAN_BANK_TRANSFER_ACCOUNT. Spaces around each
// part are dropped. The number keeps the dashes and spaces it is written
// with, so buyers see it as their bank prints it, and must hold 6 to 20
// digits and nothing else.
func ParseAccount(s string) (Account, error) {
	parts := strings.Split(s, "|")
	if len(parts) != 3 {
		return Account{}, model.Errorf(model.CodeInvalid,
			`bank transfer account must be written "Bank|Account name|Account number", with exactly two "|"`)
	}
	for i, label := range []string{"bank", "account name", "account number"} {
		p := strings.TrimSpace(parts[i])
		switch {
		case p == "":
			return Account{}, model.Errorf(model.CodeInvalid, "bank transfer account: the %s is empty", label)
		case !utf8.ValidString(p):
			return Account{}, model.Errorf(model.CodeInvalid, "bank transfer account: the %s is not valid UTF-8", label)
		case utf8.RuneCountInString(p) > maxAccountPart:
			return Account{}, model.Errorf(model.CodeInvalid, "bank transfer account: the %s is longer than %d characters", label, maxAccountPart)
		case strings.IndexFunc(p, unicode.IsControl) >= 0:
			return Account{}, model.Errorf(model.CodeInvalid, "bank transfer account: the %s contains control characters", label)
		}
		parts[i] = p
	}
	digits := 0
	for _, r := range parts[2] {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '-' || r == ' ':
		default:
			return Account{}, model.Errorf(model.CodeInvalid,
				"bank transfer account: the account number may hold only digits, dashes and spaces, not %q", r)
		}
	}
	if digits < 6 || digits > 20 {
		return Account{}, model.Errorf(model.CodeInvalid,
			"bank transfer account: the account number has %d digits; a bank account number has 6 to 20", digits)
	}
	return Account{Bank: parts[0], Name: parts[1], Number: parts[2]}, nil
}

// BankTransfer takes payments by transfer to the shop's account; staff
// confirm each transfer when it shows on the statement.
type BankTransfer struct {
	StaffConfirmed
	account Account
}

// NewBankTransfer returns the provider for transfers to account (see
// ParseAccount).
func NewBankTransfer(account Account) *BankTransfer {
	return &BankTransfer{
		StaffConfirmed: NewStaffConfirmed(model.MethodBankTransfer, "a bank transfer"),
		account:        account,
	}
}

// Start tells the buyer where to transfer the amount and which reference
// to quote.
func (b *BankTransfer) Start(_ context.Context, r payment.StartRequest) (*payment.Started, error) {
	s, err := b.Pending(r)
	if err != nil {
		return nil, err
	}
	s.Instructions = fmt.Sprintf(
		"Transfer %s %s to %s, account %s (%s), and quote reference %s. We confirm your order when the money arrives.",
		model.Money{Minor: r.Amount, Currency: r.Currency}.Amount(), r.Currency,
		b.account.Bank, b.account.Number, b.account.Name, s.Reference)
	return s, nil
}

// CashOnDelivery takes payments in cash to the courier; staff confirm
// each when the courier hands the money over.
type CashOnDelivery struct {
	StaffConfirmed
}

// NewCashOnDelivery returns the provider for cash on delivery.
func NewCashOnDelivery() *CashOnDelivery {
	return &CashOnDelivery{StaffConfirmed: NewStaffConfirmed(model.MethodCashOnDelivery, "cash on delivery")}
}

// Start tells the buyer to have the amount ready for the courier.
func (c *CashOnDelivery) Start(_ context.Context, r payment.StartRequest) (*payment.Started, error) {
	s, err := c.Pending(r)
	if err != nil {
		return nil, err
	}
	s.Instructions = fmt.Sprintf("Pay %s %s in cash to the courier on delivery (reference %s).",
		model.Money{Minor: r.Amount, Currency: r.Currency}.Amount(), r.Currency, s.Reference)
	return s, nil
}

var (
	_ payment.Provider = (*BankTransfer)(nil)
	_ payment.Provider = (*CashOnDelivery)(nil)
)
