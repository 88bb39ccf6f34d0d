// Command notes is a small Gin API that keeps each user's notes, with Gatehouse inside it:
// the API's sign-up, login and tokens under /auth, and the notes under /notes, protected
// in-process by Gatehouse's authenticator chain. It is an example of package gatehouse.
//
//	go run ./examples/notes                        memory stores, on 127.0.0.1:8081
//	go run ./examples/notes -store redis -redis-url redis://127.0.0.1:6379/0
//	go run ./examples/notes -store mysql -mysql-dsn 'root@tcp(127.0.0.1:3306)/notes'
//
// Then:
//
//	curl -H 'Content-Type: application/json' -d '{"username":"ada","password":"correct horse battery staple"}' localhost:8081/auth/v1/auth/signup
//	curl -H 'Content-Type: application/json' -d '{"username":"ada","password":"correct horse battery staple"}' localhost:8081/auth/v1/auth/token
//	curl -H 'Authorization: Token TOKEN' -H 'Content-Type: application/json' -d '{"text":"hello"}' localhost:8081/notes
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/gatehouse/gatehouse/gatehouse"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "notes:", err)
		os.Exit(1)
	}
}

// config reads the command line into Gatehouse's configuration.
func config(args []string) (addr string, cfg gatehouse.Config, err error) {
	fs := flag.NewFlagSet("notes", flag.ContinueOnError)
	fs.StringVar(&addr, "addr", "127.0.0.1:8081", "address to listen on")
	store := fs.String("store", "memory", "where users, sessions and tokens live: memory, mysql or redis")
	dsn := fs.String("mysql-dsn", "", "MySQL DSN, with -store mysql")
	url := fs.String("redis-url", "", "Redis URL, with -store redis")
	if err := fs.Parse(args); err != nil {
		return "", cfg, err
	}
	cfg = gatehouse.DefaultConfig()
	cfg.Addr = addr
	cfg.Stores = gatehouse.StoreChoice{Users: *store, Sessions: *store, Tokens: *store, Throttle: "memory"}
	switch *store {
	case "memory":
	case "mysql":
		cfg.MySQL.DSN = *dsn
	case "redis":
		cfg.Redis.URL = *url
		cfg.Stores.Throttle = "redis" // shared by every instance, as the rest is
	default:
		return "", cfg, fmt.Errorf("-store %q: want memory, mysql or redis", *store)
	}
	// Plain HTTP on a developer's machine: browsers drop Secure cookies elsewhere than on
	// localhost. Behind TLS, leave it on.
	cfg.HTTP.CookieSecure = os.Getenv("NOTES_INSECURE_COOKIES") == ""
	return addr, cfg, nil
}

func run() error {
	addr, cfg, err := config(os.Args[1:])
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	g, err := gatehouse.New(ctx, cfg, gatehouse.WithLogger(log))
	if err != nil {
		return err
	}
	defer g.Close()

	srv := &http.Server{Addr: addr, Handler: newRouter(g), ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout: 15 * time.Second, WriteTimeout: 30 * time.Second, IdleTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Info("notes listening", slog.String("addr", addr), slog.String("store", cfg.Stores.Users))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return err
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
