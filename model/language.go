package model

import (
	"context"
	"strconv"
	"strings"
)

// Language is a language the catalog has text in.
type Language string

// Languages with catalog text. English is the default and always present.
const (
	LanguageEN Language = "EN"
	LanguageTH Language = "TH"
)

type languageKey struct{}

// WithLanguage returns ctx carrying the language the caller prefers.
func WithLanguage(ctx context.Context, l Language) context.Context {
	return context.WithValue(ctx, languageKey{}, l)
}

// LanguageFrom returns the caller's language, English if none was set.
func LanguageFrom(ctx context.Context) Language {
	if l, ok := ctx.Value(languageKey{}).(Language); ok {
		return l
	}
	return LanguageEN
}

// Localized returns the text for lang: the Thai form when Thai is wanted and
// present, otherwise the English form.
func Localized(lang Language, en, th string) string {
	if lang == LanguageTH && th != "" {
		return th
	}
	return en
}

// ParseAcceptLanguage picks a catalog language from an HTTP Accept-Language
// header: the supported language with the highest quality value (q), the
// first listed winning ties, as RFC 9110 says. "en;q=0.1, th;q=0.9" is Thai;
// a language with q=0 is refused; "*" stands for English. English is the
// default.
func ParseAcceptLanguage(h string) Language {
	best, bestQ := LanguageEN, -1.0
	for _, part := range strings.Split(h, ",") {
		tag, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(strings.TrimSpace(tag)), "-")
		var lang Language
		switch primary {
		case "th":
			lang = LanguageTH
		case "en", "*":
			lang = LanguageEN
		default:
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			name, value, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(name), "q") {
				continue
			}
			v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
			if err != nil || v < 0 || v > 1 {
				v = 0 // a malformed weight counts for nothing
			}
			q = v
		}
		if q > bestQ && q > 0 {
			best, bestQ = lang, q
		}
	}
	return best
}

type clientAddrKey struct{}

// WithClientAddr returns ctx carrying the address the request came from
// (after trusted proxies), which sign-in throttling counts failures by.
func WithClientAddr(ctx context.Context, addr string) context.Context {
	return context.WithValue(ctx, clientAddrKey{}, addr)
}

// ClientAddrFrom returns the request's client address, "" outside a request.
func ClientAddrFrom(ctx context.Context) string {
	s, _ := ctx.Value(clientAddrKey{}).(string)
	return s
}
