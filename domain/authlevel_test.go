package domain_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/domain"
)

func TestPrincipalLevelComesFromItsCredential(t *testing.T) {
	tests := []struct {
		name string
		p    domain.Principal
		want domain.AuthLevel
	}{
		{"basic", domain.Principal{Method: domain.MethodBasic}, domain.LevelPassword},
		{"password session", domain.Principal{Method: domain.MethodSession,
			Session: &domain.Session{Level: domain.LevelPassword}}, domain.LevelPassword},
		{"two-step session", domain.Principal{Method: domain.MethodSession,
			Session: &domain.Session{Level: domain.LevelSecondFactor}}, domain.LevelSecondFactor},
		{"session stored before levels", domain.Principal{Method: domain.MethodSession,
			Session: &domain.Session{}}, domain.LevelPassword},
		{"password token", domain.Principal{Method: domain.MethodToken,
			Token: &domain.Token{Level: domain.LevelPassword}}, domain.LevelPassword},
		{"two-step token", domain.Principal{Method: domain.MethodToken,
			Token: &domain.Token{Level: domain.LevelSecondFactor}}, domain.LevelSecondFactor},
		{"token stored before levels", domain.Principal{Method: domain.MethodToken,
			Token: &domain.Token{}}, domain.LevelPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.p.Level(); got != tt.want {
				t.Errorf("Level() = %d, want %d", got, tt.want)
			}
		})
	}
}
