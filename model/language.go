package model

import (
	"context"
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
// header: the first supported tag in the client's order of preference.
// Quality values are honoured only by order, which is how browsers send them.
func ParseAcceptLanguage(h string) Language {
	for _, part := range strings.Split(h, ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		primary, _, _ := strings.Cut(strings.ToLower(tag), "-")
		switch primary {
		case "th":
			return LanguageTH
		case "en":
			return LanguageEN
		}
	}
	return LanguageEN
}
