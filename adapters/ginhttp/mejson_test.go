package ginhttp

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/domain"
)

// TestAppendMeMatchesEncodingJSON holds the hand-written /me JSON to what encoding/json
// writes for the same view, hostile strings included.
func TestAppendMeMatchesEncodingJSON(t *testing.T) {
	joined := time.Date(2025, 3, 14, 15, 9, 26, 535897000, time.UTC)
	for _, tc := range []struct {
		name string
		v    meView
	}{
		{"token", meView{userView{1, "alice", "alice@example.com", true, joined}, authView{Method: domain.MethodToken, TokenID: "0123456789abcdef0123456789abcdef"}, domain.LevelSecondFactor, []domain.FactorKind{"totp", "recovery_code"}}},
		{"session", meView{userView{42, "bob", "", false, joined.Truncate(time.Second)}, authView{Method: domain.MethodSession, SessionID: "fedcba9876543210fedcba9876543210"}, domain.LevelPassword, []domain.FactorKind{}}},
		{"basic", meView{userView{1 << 50, "Ａｌｉｃｅ", "ü@example.com", true, time.Date(1999, 12, 31, 23, 59, 59, 1, time.UTC)}, authView{Method: domain.MethodBasic}, domain.LevelPassword, nil}},
		{"hostile", meView{userView{7, "a\"b\\c<d>e&f\x00\x1f\x7f\n\r\t\b\f", "\u2028\u2029\xff\xfe\xc3", false, joined}, authView{Method: "x\"y"}, 255, []domain.FactorKind{"<&>"}}},
		{"empty", meView{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if got := appendMe(nil, tc.v); string(got) != string(want) {
				t.Errorf("appendMe:\n got %s\nwant %s", got, want)
			}
		})
	}
}
