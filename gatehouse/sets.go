//lint:file-ignore U1000 the sets are used by the injectors in wire.go (build tag wireinject)

package gatehouse

import (
	"github.com/google/wire"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/memstore"
	"github.com/gatehouse/gatehouse/adapters/mysqlstore"
	"github.com/gatehouse/gatehouse/adapters/passhash"
	"github.com/gatehouse/gatehouse/adapters/prommetrics"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/slogaudit"
	"github.com/gatehouse/gatehouse/adapters/system"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/ports"
)

// Provider sets. Each backend has its own set and its own injector (wire.go); OpenStores opens
// only the backends the configuration names and gives each port its store (backends.go).
// The injectors of the stores and of the application take their clock as an argument (the
// wall clock, or a test's: see WithClock); the operator's use cases run on the wall clock.

// memorySet keeps every store in process memory.
var memorySet = wire.NewSet(
	memstore.NewUserStore, memstore.NewSessionStore, memstore.NewTokenStore, memstore.NewCodeStore, memstore.NewFactorStore,
	memstore.NewRateLimiter,
	newMemoryJanitor, memoryBackend,
)

// mysqlSet keeps every store in MySQL or MariaDB.
var mysqlSet = wire.NewSet(
	wire.FieldsOf(new(Config), "MySQL"),
	mysqlstore.Open, mysqlstore.NewUserStore, mysqlstore.NewSessionStore, mysqlstore.NewTokenStore, mysqlstore.NewCodeStore,
	mysqlstore.NewFactorStore,
	newMySQLSweeper, mysqlBackend,
)

// redisSet keeps every store in Redis (one server, Sentinel or Cluster).
var redisSet = wire.NewSet(
	wire.FieldsOf(new(Config), "Redis"),
	redisstore.Open, redisstore.NewUserStore, redisstore.NewSessionStore, redisstore.NewTokenStore, redisstore.NewCodeStore,
	redisstore.NewFactorStore, redisstore.NewRateLimiter,
	redisBackend,
)

// hashingSet provides randomness, password hashing and the audit log's writer.
var hashingSet = wire.NewSet(
	wire.FieldsOf(new(Config), "Argon2", "Hashing"),
	wire.Value(system.Random{}), wire.Bind(new(ports.Random), new(system.Random)),
	passhash.New, newHasher, wire.Bind(new(ports.PasswordHasher), new(*passhash.Limiter)),
	wire.Bind(new(ports.HashCalibrator), new(*passhash.Limiter)),
	newAuditor,
)

// coreSet provides the use cases and the HTTP API over the chosen stores, measured.
var coreSet = wire.NewSet(
	hashingSet, metricsSet,
	wire.FieldsOf(new(Config), "Methods", "App", "Throttle", "LoginTiming"),
	app.NewEmailVerification, app.NewVerifier, app.NewBasicCache, app.NewChain, app.NewAccounts, app.NewReadiness,
	wire.Bind(new(ports.Accounts), new(*app.Accounts)),
	wire.Bind(new(ports.Readiness), new(*app.Readiness)),
	ginhttp.New, newMailer, newApplication,
)

// adminSet provides the operator's use cases over the chosen stores. A command exports no
// metrics; the registry only satisfies the hasher's queue hook.
var adminSet = wire.NewSet(
	wire.Value(system.Clock{}), wire.Bind(new(ports.Clock), new(system.Clock)), hashingSet, prommetrics.New,
	wire.FieldsOf(new(Config), "App"),
	wire.FieldsOf(new(Stores), "Users", "Sessions", "Tokens", "Codes"),
	wire.Bind(new(ports.Auditor), new(*slogaudit.Logger)),
	adminSecondFactors, app.NewAdmin,
)

// metricsSet measures from the outside: the use cases get the chosen stores, the chain and
// the auditor through their metrics decorators, and the HTTP API gets the middleware.
var metricsSet = wire.NewSet(
	prommetrics.New,
	measureStores,
	wire.FieldsOf(new(measuredStores), "Users", "Sessions", "Tokens", "Codes", "Factors", "Limiter", "Pingers"),
	secondFactors, passkeyCeremonies,
	measuredChain, wire.Bind(new(ports.Authenticator), new(*prommetrics.Authenticator)),
	countedAuditor, wire.Bind(new(ports.Auditor), new(*prommetrics.Auditor)),
	httpConfig,
)
