package ginhttp

import (
	"context"

	"github.com/gatehouse/gatehouse/domain"
)

// The fakes of the use cases answer /me's question about second factors: none.

func (fakeAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return []domain.FactorKind{}, nil
}

func (fuzzAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return []domain.FactorKind{}, nil
}

func (pageAccounts) Factors(context.Context, domain.Principal) ([]domain.FactorKind, error) {
	return []domain.FactorKind{}, nil
}
