package app_test

import (
	"context"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// exampleApp is the use cases and the chain over the memory stores, wired as cmd/gatehouse
// wires them, but with a clock that moves only when told to, a deterministic random source
// and argon2id parameters small enough for a test (testParams, which production refuses).
type exampleApp struct {
	accounts *app.Accounts
	chain    *app.Chain
	clock    *fakeClock
}

func newExampleApp() exampleApp {
	clock, random := &fakeClock{now: t0}, &fakeRandom{}
	h, err := passhash.New(testParams)
	if err != nil {
		panic(err)
	}
	hasher := passhash.NewLimiter(h, passhash.Foreign{}, 4, time.Second)
	users, sessions, tokens := memstore.NewUserStore(), memstore.NewSessionStore(clock), memstore.NewTokenStore(clock)
	limiter, codes, audit := memstore.NewRateLimiter(clock), memstore.NewCodeStore(clock), &auditLog{}
	settings := app.DefaultSettings()
	cache, err := app.NewBasicCache(app.Settings{}, random, clock)
	if err != nil {
		panic(err)
	}
	email := app.NewEmailVerification(users, codes, app.MailOff{}, random, clock, settings, limiter, app.Throttle{}, audit)
	verifier := app.NewVerifier(users, hasher, limiter, app.Throttle{}, audit, app.LoginTiming{}, nil, email)
	mfa := app.SecondFactors{Factors: memstore.NewFactorStore(), Recovery: memstore.NewCodeStore(clock),
		Keys: domain.NewServerKeys([domain.ServerKeyBytes]byte{1, 2, 3})}
	methods := []domain.AuthMethod{domain.MethodSession, domain.MethodToken, domain.MethodBasic}
	return exampleApp{
		accounts: app.NewAccounts(users, sessions, tokens, hasher, verifier, clock, random, settings, limiter,
			app.Throttle{}, audit, cache, codes, app.MailOff{}, mfa),
		chain: app.NewChain(methods, users, sessions, tokens, verifier, cache, clock, settings, mfa),
		clock: clock,
	}
}

// authenticatorCode plays the authenticator app: the current code of an enrolment's secret.
func authenticatorCode(en ports.TOTPEnrolment, now time.Time) string {
	raw, err := base32.StdEncoding.WithPadding(base32.NoPadding).DecodeString(en.Secret)
	if err != nil {
		panic(err)
	}
	return domain.TOTPCode(domain.TOTPSecret(raw), domain.TOTPStep(now))
}

// A user signs up, obtains a token with the password, and authenticates requests with it.
func ExampleAccounts_ObtainToken() {
	ctx, a := context.Background(), newExampleApp()
	user, err := a.accounts.SignUp(ctx, ports.SignUp{Username: "Alice", Password: "plum-Orchard-7391"})
	if err != nil {
		fmt.Println(err)
		return
	}
	// The username is case-insensitive for logins.
	tok, err := a.accounts.ObtainToken(ctx, ports.Login{Username: "alice", Password: "plum-Orchard-7391", TokenName: "laptop"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(user.Username, tok.Name, domain.ValidTokenSecret(tok.Secret))

	// What the HTTP adapter extracts from "Authorization: Token <secret>".
	res, err := a.chain.Authenticate(ctx, domain.RequestCredentials{Method: "GET",
		Authorization: domain.ParseAuthorization("Token " + tok.Secret)})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Principal.User.Username, res.Method, res.Principal.Token.Name)
	// Output:
	// Alice laptop true
	// Alice token laptop
}

// The chain skips absent credentials; the first present ones decide, and invalid ones are refused.
func ExampleChain_Authenticate() {
	ctx, a := context.Background(), newExampleApp()
	if _, err := a.accounts.SignUp(ctx, ports.SignUp{Username: "alice", Password: "plum-Orchard-7391"}); err != nil {
		fmt.Println(err)
		return
	}
	tok, err := a.accounts.ObtainToken(ctx, ports.Login{Username: "alice", Password: "plum-Orchard-7391"})
	if err != nil {
		fmt.Println(err)
		return
	}
	var random [domain.SecretBytes]byte
	unknown := domain.EncodeSecret(domain.TokenPrefix, random) // well-formed, never issued
	for _, c := range []struct {
		name  string
		creds domain.RequestCredentials
	}{
		{"nothing", domain.RequestCredentials{}},
		{"valid token", domain.RequestCredentials{Authorization: domain.ParseAuthorization("Token " + tok.Secret)}},
		{"unknown token", domain.RequestCredentials{Authorization: domain.ParseAuthorization("Token " + unknown)}},
		{"malformed token", domain.RequestCredentials{Authorization: domain.ParseAuthorization("Token abc")}},
		// A stale session cookie counts as absent (and is to be cleared): the token decides.
		{"stale cookie, valid token", domain.RequestCredentials{SessionSecret: "gts_stale",
			Authorization: domain.ParseAuthorization("Token " + tok.Secret)}},
	} {
		c.creds.Method = "GET"
		res, err := a.chain.Authenticate(ctx, c.creds)
		switch {
		case err == nil:
			fmt.Printf("%s: %s, by %s", c.name, res.Principal.User.Username, res.Method)
		case res.Method == "":
			fmt.Printf("%s: %v", c.name, err)
		default:
			fmt.Printf("%s: refused by %s: %v", c.name, res.Method, err)
		}
		if res.ClearSessionCookie {
			fmt.Print(" (and clear the session cookie)")
		}
		fmt.Println()
	}
	// Output:
	// nothing: authentication credentials were not provided
	// valid token: alice, by token
	// unknown token: refused by token: invalid credentials: invalid token
	// malformed token: refused by token: malformed credentials: Invalid token.
	// stale cookie, valid token: alice, by token (and clear the session cookie)
}

// With TOTP on, a password login answers with a ticket, which a current code turns into a session.
func ExampleAccounts_Login_secondFactor() {
	ctx, a := context.Background(), newExampleApp()
	user, err := a.accounts.SignUp(ctx, ports.SignUp{Username: "alice", Password: "plum-Orchard-7391"})
	if err != nil {
		fmt.Println(err)
		return
	}
	me := domain.Principal{User: user, Method: domain.MethodToken} // alice, as the chain found her
	en, err := a.accounts.EnrolTOTP(ctx, me)
	if err != nil {
		fmt.Println(err)
		return
	}
	recovery, err := a.accounts.ConfirmTOTP(ctx, me, authenticatorCode(en, a.clock.Now()), ports.FactorProof{})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(recovery), "recovery codes to show once")
	a.clock.Advance(domain.TOTPPeriod) // the confirming code is used: wait for the next one

	_, _, err = a.accounts.Login(ctx, ports.Login{Username: "alice", Password: "plum-Orchard-7391"})
	need, ok := errors.AsType[*domain.SecondFactorRequiredError](err)
	if !ok {
		fmt.Println("no second factor asked:", err)
		return
	}
	fmt.Println(need.Factors, domain.ValidMFATicketSecret(need.Ticket))

	res, err := a.accounts.VerifySecondFactor(ctx, ports.SecondFactorLogin{Ticket: need.Ticket,
		Code: authenticatorCode(en, a.clock.Now())})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.User.Username, "has a session:", domain.ValidSessionSecret(res.Session.Secret))
	// Output:
	// 10 recovery codes to show once
	// [totp recovery_code] true
	// alice has a session: true
}
