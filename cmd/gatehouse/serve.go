package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

// Server timeouts. ReadHeaderTimeout stops slow-header clients (Slowloris) from holding
// connections; the others bound a request whose client stalls mid-body or mid-response.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	writeTimeout      = 30 * time.Second
	idleTimeout       = 2 * time.Minute
	maxHeaderBytes    = 64 << 10
)

func newServeCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (the default command)",
		Long: `Serve the HTTP API on GATEHOUSE_ADDR until SIGINT or SIGTERM, then let in-flight
requests finish within GATEHOUSE_SHUTDOWN_TIMEOUT. Logs go to standard output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, con) },
	}
	con.bind(cmd, groupAll)
	return cmd
}

func runServe(cmd *cobra.Command, con *console) error {
	cfg, err := con.config(cmd)
	if err != nil {
		return err
	}
	// The access log writes its lines beside the logger's handler, to the same destination
	// behind one lock (see ginhttp.AccessLog), which gathers them: closed last, so that
	// every line is out before the process ends.
	out := ginhttp.NewSyncWriter(con.stdout)
	defer out.Close()
	log := newLogger(cfg, out)
	cfg.HTTP.AccessLog = ginhttp.NewAccessLog(out, cfg.LogFormat == "text")
	useLogger(log)
	return failed(serve(cmd.Context(), cfg, log))
}

// listener is one HTTP server on its own address.
type listener struct {
	name string // for log lines: "" for the API, "admin"
	srv  *http.Server
	ln   net.Listener
}

// listen opens addr and prepares a server of h on it with the API's timeouts.
func listen(name, addr string, h http.Handler, log *slog.Logger) (*listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return &listener{name: name, ln: ln, srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}, nil
}

// serve assembles Gatehouse and serves it until ctx ends, then lets in-flight requests
// finish within the shutdown timeout. With an admin address it serves the metrics and the
// profiler there too, and stops that listener last, so a scrape sees the drain.
func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	st, closeStores, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStores()
	if err := requireKeyForFactors(ctx, cfg.HTTP.SecretKeys, st.Factors); err != nil {
		return err
	}
	if cfg.HTTP.SecretKeys.Empty() {
		// The HTTP adapter draws a key of its own; say what that costs.
		log.Warn("GATEHOUSE_SECRET_KEY is not set: using a random key for this process, so login and signup " +
			"forms posted to another instance or after a restart are refused; set one made by 'gatehouse config gen-key'")
	}
	a, closeApp, err := newApp(cfg, log, st)
	if err != nil {
		return err
	}
	// Deferred after closeStores, so it runs before it: the queued mail goes out once the
	// servers have stopped taking requests, while the stores are still open.
	defer closeApp()
	logMail(cfg, a.mailer, log)
	// Measure the failed-login floor now, in the background, so the first failures need not
	// wait for it; say what it came to once it has.
	a.verifier.CalibrateFloor()
	go logFloor(ctx, a.verifier, log)

	var servers []*listener
	if a.admin != nil {
		admin, err := listen("admin", cfg.AdminAddr, a.admin, log)
		if err != nil {
			return fmt.Errorf("admin listener: %w", err)
		}
		// A CPU profile or trace runs for the seconds it is asked for; the listener is for
		// operators only, so no write deadline cuts it short.
		admin.srv.ReadTimeout, admin.srv.WriteTimeout = 0, 0
		defer admin.ln.Close()
		servers = append(servers, admin)
	}
	api, err := listen("", cfg.Addr, a.handler, log)
	if err != nil {
		return err
	}
	servers = append([]*listener{api}, servers...)

	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.srv.Serve(s.ln) }()
	}
	if a.admin != nil {
		// Logged before "listening", which tells scripts and tests that everything is up.
		log.Info("admin listening", slog.String("addr", servers[1].ln.Addr().String()))
	}
	log.Info("listening", slog.String("addr", api.ln.Addr().String()), slog.String("user_store", cfg.Stores.Users),
		slog.String("session_store", cfg.Stores.Sessions), slog.String("token_store", cfg.Stores.Tokens),
		slog.Any("authenticators", cfg.Methods))

	pending := len(servers)
	var failed error
	select {
	case failed = <-errc: // a server stopped by itself: stop the others too
		pending--
	case <-ctx.Done():
		log.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	}
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	for _, s := range servers {
		if err := s.srv.Shutdown(sctx); err != nil && failed == nil {
			failed = fmt.Errorf("shutdown: %w", err)
		}
	}
	// Each Serve has returned by now; collect their results.
	for range pending {
		if err := <-errc; !errors.Is(err, http.ErrServerClosed) && failed == nil {
			failed = err
		}
	}
	if failed != nil {
		return failed
	}
	log.Info("stopped")
	return nil
}

// errFactorsNeedKey stops serve without GATEHOUSE_SECRET_KEY while users have second factors.
var errFactorsNeedKey = errors.New("GATEHOUSE_SECRET_KEY is not set, but users have second factors whose secrets " +
	"are sealed under it: set the key (or list of keys) they were sealed with")

// requireKeyForFactors refuses to serve without server keys when any user has a second
// factor. Its secret is sealed under the keys, and a key drawn at random for the process
// (what serve does without one) opens none: every such user would be locked out, with a
// wrong-code answer that says nothing of why.
func requireKeyForFactors(ctx context.Context, keys domain.ServerKeys, factors ports.FactorStore) error {
	if !keys.Empty() {
		return nil
	}
	found, err := factors.AnyFactors(ctx)
	if err != nil {
		return fmt.Errorf("looking for second factors: %w", err)
	}
	if found {
		return errFactorsNeedKey
	}
	return nil
}

// logFloor logs the failed-login floor once it is settled, or gives up when ctx ends.
func logFloor(ctx context.Context, v *app.Verifier, log *slog.Logger) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		if d, settled := v.FailureFloor(); settled {
			log.Info("failed logins take at least", slog.Duration("floor", d))
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}
