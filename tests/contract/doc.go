// Package contract is the shared contract suite of Gatehouse's store ports: one set of cases
// per port (ports.UserStore, ports.SessionStore, ports.TokenStore, ports.CodeStore,
// ports.FactorStore, ports.RateLimiter) that every adapter runs unchanged, so "swappable
// stores" is a tested claim rather than a hope. An adapter's test builds a Factory and calls Run; see
// memstore_test.go for the smallest example.
//
// The suite depends only on ports and domain. It drives time through Clock, a fake
// ports.Clock, so expiry is checked at the exact deadline without sleeping, and it keeps every
// time at whole microseconds in UTC because MySQL's DATETIME(6) keeps no finer.
//
// Users and credentials are independent ports (users may live in MySQL and sessions in
// Redis), so sessions and tokens name users by arbitrary domain.UserID values that no
// UserStore holds: a session or token store must not require its user to exist (no foreign
// key to a users table). Every case uses user ids, public ids, secrets and usernames of its
// own, so cases do not see each other's items even when a Factory hands out stores over one
// backend shared by the whole run.
//
// Cases run one after the other, never in parallel, so a Factory may reset a shared backend
// when it is called.
package contract
