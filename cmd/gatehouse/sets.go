//lint:file-ignore U1000 the sets are used by the injectors in wire.go (build tag wireinject)

package main

import (
	"github.com/google/wire"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/ports"
)

// Provider sets. Each backend has its own set, and each combination of backends its own
// injector (wire.go), so a process opens only the backends it is configured for.

// configSet hands each package its part of the configuration.
var configSet = wire.NewSet(wire.FieldsOf(new(Config), "Methods", "App", "HTTP", "Argon2"))

// systemSet provides the real clock, randomness and password hashing.
var systemSet = wire.NewSet(
	wire.Value(system.Clock{}), wire.Bind(new(ports.Clock), new(system.Clock)),
	wire.Value(system.Random{}), wire.Bind(new(ports.Random), new(system.Random)),
	passhash.New, wire.Bind(new(ports.PasswordHasher), new(*passhash.Argon2id)),
)

// memorySet keeps every store in process memory.
var memorySet = wire.NewSet(
	memstore.NewUserStore, wire.Bind(new(ports.UserStore), new(*memstore.UserStore)),
	memstore.NewSessionStore, wire.Bind(new(ports.SessionStore), new(*memstore.SessionStore)),
	memstore.NewTokenStore, wire.Bind(new(ports.TokenStore), new(*memstore.TokenStore)),
	newMemoryJanitor, memoryPingers,
)

// coreSet provides the use cases and binds them to the driving ports.
var coreSet = wire.NewSet(
	app.NewVerifier, app.NewChain, app.NewAccounts, app.NewReadiness,
	wire.Bind(new(ports.Authenticator), new(*app.Chain)),
	wire.Bind(new(ports.Accounts), new(*app.Accounts)),
	wire.Bind(new(ports.Readiness), new(*app.Readiness)),
)

// httpSet provides the HTTP API.
var httpSet = wire.NewSet(ginhttp.New, newApplication)
