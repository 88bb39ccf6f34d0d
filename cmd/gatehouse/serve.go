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
	"github.com/gatehouse/gatehouse/gatehouse"
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
func serve(ctx context.Context, cfg gatehouse.Config, log *slog.Logger) error {
	g, err := gatehouse.New(ctx, cfg, gatehouse.WithLogger(log))
	if err != nil {
		return err
	}
	// Deferred first, so it runs last: the queued mail goes out once the servers have
	// stopped taking requests, while the stores are still open.
	defer g.Close()
	admin := g.AdminHandler()

	var servers []*listener
	if admin != nil {
		adm, err := listen("admin", cfg.AdminAddr, admin, log)
		if err != nil {
			return fmt.Errorf("admin listener: %w", err)
		}
		// A CPU profile or trace runs for the seconds it is asked for; the listener is for
		// operators only, so no write deadline cuts it short.
		adm.srv.ReadTimeout, adm.srv.WriteTimeout = 0, 0
		defer adm.ln.Close()
		servers = append(servers, adm)
	}
	api, err := listen("", cfg.Addr, g.Handler(), log)
	if err != nil {
		return err
	}
	servers = append([]*listener{api}, servers...)

	errc := make(chan error, len(servers))
	for _, s := range servers {
		go func() { errc <- s.srv.Serve(s.ln) }()
	}
	if admin != nil {
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
