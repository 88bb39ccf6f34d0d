package domain_test

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

// Distinctive parts of the password policy messages, one per rule.
const (
	ruleInvalid      = "invalid characters"
	ruleTooLong      = "too long"
	ruleTooShort     = "too short"
	ruleSimilarUser  = "similar to the username"
	ruleSimilarEmail = "similar to the email address"
	ruleCommon       = "too common"
	ruleNumeric      = "entirely numeric"
)

func TestValidatePasswordAcceptsGoodPasswords(t *testing.T) {
	tests := []struct {
		name, password, username, email string
	}{
		{"passphrase", "correct horse battery staple", "johnsmith", "john.smith@example.com"},
		{"8 two-byte characters", "éééééééé", "", ""},
		{"1024 bytes", strings.Repeat("x", domain.MaxPasswordBytes), "", ""},
		{"1024 bytes of two-byte characters", strings.Repeat("é", domain.MaxPasswordBytes/2), "", ""},
		{"digits with one letter", "83920174651a", "", ""},
		{"unrelated to username and email", "v7#Qm2!pLx", "johnsmith", "john@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := domain.ValidatePassword(tt.password, tt.username, tt.email); err != nil {
				t.Errorf("ValidatePassword(%.40q, %q, %q) = %v, want nil", tt.password, tt.username, tt.email, err)
			}
		})
	}
}

func TestValidatePasswordReportsEachFailedRule(t *testing.T) {
	tests := []struct {
		name, password, username, email string
		want                            []string
	}{
		{"7 characters", "xK9#vQ2", "", "", []string{ruleTooShort}},
		{"7 two-byte characters", "ééééééé", "", "", []string{ruleTooShort}},
		{"empty", "", "", "", []string{ruleTooShort}},
		{"1025 bytes", strings.Repeat("x", domain.MaxPasswordBytes+1), "", "", []string{ruleTooLong}},
		{"1026 bytes of 513 characters", strings.Repeat("é", domain.MaxPasswordBytes/2+1), "", "", []string{ruleTooLong}},
		{"entirely numeric", "83920174651", "", "", []string{ruleNumeric}},
		{"entirely non-ascii digits", "١٢٣٤٥٦٧٨٩٠", "", "", []string{ruleNumeric}},
		{"common", "password", "", "", []string{ruleCommon}},
		{"common with digits", "qwerty123", "", "", []string{ruleCommon}},
		{"common in upper case", "PASSWORD", "", "", []string{ruleCommon}},
		{"common with surrounding space", " iloveyou ", "", "", []string{ruleCommon}},
		{"similar to username", "johnsmith1", "johnsmith", "", []string{ruleSimilarUser}},
		{"similar to username ignoring case", "JohnSmith1", "johnsmith", "", []string{ruleSimilarUser}},
		{"similar to a word of the username", "smithjohn", "john.smith", "", []string{ruleSimilarUser}},
		{"similar to email", "jsmith1984", "other", "jsmith1984@example.com", []string{ruleSimilarEmail}},
		{"short, common and numeric at once", "1234567", "", "", []string{ruleTooShort, ruleCommon, ruleNumeric}},
		{"invalid UTF-8", "pass\xffword99", "", "", []string{ruleInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			msgs := fieldMessages(t, domain.ValidatePassword(tt.password, tt.username, tt.email), "password")
			if len(msgs) != len(tt.want) {
				t.Fatalf("messages = %q, want one for each of %q", msgs, tt.want)
			}
			for _, rule := range tt.want {
				if !containsMessage(msgs, rule) {
					t.Errorf("messages = %q, want one saying %q", msgs, rule)
				}
			}
		})
	}
}

func TestCommonPasswordListIsLoaded(t *testing.T) {
	if n := domain.CommonPasswordCount(); n < 10000 {
		t.Errorf("CommonPasswordCount() = %d, want at least 10000", n)
	}
}

func containsMessage(msgs []string, part string) bool {
	for _, m := range msgs {
		if strings.Contains(m, part) {
			return true
		}
	}
	return false
}
