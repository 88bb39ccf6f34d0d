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
	return &cobra.Command{
		Use:   "serve",
		Short: "Serve the HTTP API (the default command)",
		Long: `Serve the HTTP API on GATEHOUSE_ADDR until SIGINT or SIGTERM, then let in-flight
requests finish within GATEHOUSE_SHUTDOWN_TIMEOUT. Logs go to standard output.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runServe(cmd, con) },
	}
}

func runServe(cmd *cobra.Command, con *console) error {
	cfg, err := con.config(cmd)
	if err != nil {
		return err
	}
	return failed(serve(cmd.Context(), cfg, newLogger(cfg, con.stdout)))
}

// serve assembles Gatehouse and serves it until ctx ends, then lets in-flight requests
// finish within the shutdown timeout.
func serve(ctx context.Context, cfg Config, log *slog.Logger) error {
	st, closeStores, err := openStores(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer closeStores()
	a, err := newApp(cfg, log, st)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           a.handler,
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	log.Info("listening", slog.String("addr", ln.Addr().String()), slog.String("user_store", cfg.Stores.Users),
		slog.String("session_store", cfg.Stores.Sessions), slog.String("token_store", cfg.Stores.Tokens),
		slog.Any("authenticators", cfg.Methods))

	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", slog.Duration("timeout", cfg.ShutdownTimeout))
	sctx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}
