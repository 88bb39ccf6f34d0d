package domain_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestNormalizeUsernameAcceptsValidNames(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"ascii letters", "alice"},
		{"case kept", "Alice"},
		{"latin letter with accent", "José"},
		{"cjk letters", "用户"},
		{"cyrillic letters", "пользователь"},
		{"digits only", "12345"},
		{"allowed punctuation", "a.b@c+d-e_f"},
		{"email-like", "alice@example.com"},
		{"single character", "a"},
		{"150 ascii characters", strings.Repeat("a", domain.MaxUsernameLength)},
		{"150 two-byte characters", strings.Repeat("é", domain.MaxUsernameLength)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeUsername(tt.in)
			if err != nil {
				t.Fatalf("NormalizeUsername(%q) error = %v", tt.in, err)
			}
			if got != tt.in {
				t.Errorf("NormalizeUsername(%q) = %q, want it unchanged", tt.in, got)
			}
		})
	}
}

func TestNormalizeUsernameAppliesNFKC(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"full-width letters", "ａｌｉｃｅ", "alice"},
		{"full-width capitals", "ＡＬＩＣＥ", "ALICE"},
		{"ligature", "ﬁle", "file"},
		{"decomposed accent composes", "Jose\u0301", "José"},
		{"superscript digit", "x²", "x2"},
		{"circled digit", "user①", "user1"},
		{"full-width commercial at", "a＠b", "a@b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeUsername(tt.in)
			if err != nil {
				t.Fatalf("NormalizeUsername(%q) error = %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("NormalizeUsername(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestNormalizeUsernameCountsCharactersAfterNFKC(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		wantOK bool
	}{
		{"150 characters of 300 bytes", strings.Repeat("é", 150), true},
		{"151 characters", strings.Repeat("é", 151), false},
		{"151 ascii characters", strings.Repeat("a", 151), false},
		{"75 ligatures expand to 150", strings.Repeat("ﬁ", 75), true},
		{"76 ligatures expand to 152", strings.Repeat("ﬁ", 76), false},
		{"300 decomposed runes compose to 150", strings.Repeat("e\u0301", 150), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := domain.NormalizeUsername(tt.in)
			if tt.wantOK {
				if err != nil {
					t.Errorf("error = %v, want nil", err)
				}
				return
			}
			fieldMessages(t, err, "username")
		})
	}
}

func TestNormalizeUsernameRejectsInvalidNames(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"space inside", "alice smith"},
		{"leading space", " alice"},
		{"trailing space", "alice "},
		{"ideographic space becomes a space", "a\u3000b"},
		{"slash", "a/b"},
		{"colon, which would break Basic auth", "a:b"},
		{"emoji", "alice😀"},
		{"NUL", "a\x00b"},
		{"tab", "a\tb"},
		{"newline", "alice\n"},
		{"DEL", "a\x7fb"},
		{"C1 control", "a\u0085b"},
		{"zero-width space", "a\u200bb"},
		{"lone combining mark", "\u0301"},
		{"invalid UTF-8", "al\xffice"},
		{"truncated multi-byte rune", "caf\xc3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := domain.NormalizeUsername(tt.in)
			if msgs := fieldMessages(t, err, "username"); len(msgs) != 1 {
				t.Errorf("messages = %q, want one", msgs)
			}
			if got != "" {
				t.Errorf("NormalizeUsername(%q) = %q alongside an error, want \"\"", tt.in, got)
			}
		})
	}
}

func TestUsernameKeyMatchesCaseAndWidthVariants(t *testing.T) {
	tests := []struct {
		name     string
		variants []string
	}{
		{"ascii case and full width", []string{"alice", "Alice", "ALICE", "ａｌｉｃｅ", "ＡＬＩＣＥ"}},
		{"sharp s folds to ss", []string{"straße", "STRASSE", "strasse", "Strasse"}},
		{"ligature", []string{"ﬁle", "file", "FILE"}},
		{"greek final sigma", []string{"ΟΔΟΣ", "οδος", "οδοσ"}},
		{"composed and decomposed accent", []string{"José", "JOSÉ", "Jose\u0301", "JOSE\u0301"}},
		{"cyrillic", []string{"Пользователь", "пользователь", "ПОЛЬЗОВАТЕЛЬ"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := domain.UsernameKey(tt.variants[0])
			for _, v := range tt.variants[1:] {
				if got := domain.UsernameKey(v); got != want {
					t.Errorf("UsernameKey(%q) = %q, want %q as for %q", v, got, want, tt.variants[0])
				}
			}
		})
	}
}

func TestUsernameKeyDistinguishesDifferentNames(t *testing.T) {
	tests := []struct{ a, b string }{
		{"alice", "alicia"},
		{"bob", "bób"},
		{"user1", "user2"},
		{"a.b", "a_b"},
		{"ss", "s"},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			if domain.UsernameKey(tt.a) == domain.UsernameKey(tt.b) {
				t.Errorf("UsernameKey(%q) == UsernameKey(%q) = %q, want different keys", tt.a, tt.b, domain.UsernameKey(tt.a))
			}
		})
	}
}

func TestUsernameKeyIsStable(t *testing.T) {
	for _, name := range []string{"Alice", "ＡＬＩＣＥ", "STRASSE", "straße", "ﬁle", "ΟΔΟΣ", "JOSE\u0301", "用户", "İstanbul"} {
		key := domain.UsernameKey(name)
		if again := domain.UsernameKey(key); again != key {
			t.Errorf("UsernameKey(UsernameKey(%q)) = %q, want %q", name, again, key)
		}
	}
}

// Cherokee letters fold to upper case (Unicode §3.13, CaseFolding.txt: AB70; C; 13A0), but
// golang.org/x/text/cases.Fold swaps the cases instead (golang/go#46101), so the upper- and
// lower-case spelling of one Cherokee name get different keys and can both be registered.
func TestUsernameKeyMatchesCherokeeCaseVariants(t *testing.T) {
	upper, lower := "ᏣᎳᎩ", "ꮳꮃꭹ"
	if domain.UsernameKey(upper) != domain.UsernameKey(lower) {
		t.Errorf("UsernameKey(%q) = %q, UsernameKey(%q) = %q, want equal",
			upper, domain.UsernameKey(upper), lower, domain.UsernameKey(lower))
	}
}
