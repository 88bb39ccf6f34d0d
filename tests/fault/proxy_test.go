package fault_test

import (
	"bufio"
	"errors"
	"io"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/tests/fault"
)

// echoServer answers every line with the same line, on loopback, until t ends.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	t.Cleanup(func() {
		ln.Close()
		wg.Wait()
	})
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer c.Close()
				_, _ = io.Copy(c, c)
			})
		}
	})
	return ln.Addr().String()
}

// conn is a client of the proxy that sends lines and reads the echo.
type conn struct {
	c net.Conn
	r *bufio.Reader
}

func dial(t *testing.T, p *fault.Proxy) *conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", p.Addr(), time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return &conn{c: c, r: bufio.NewReader(c)}
}

// echo sends a line and returns the answer, or the error that came instead within wait.
func (c *conn) echo(line string, wait time.Duration) (string, error) {
	_ = c.c.SetDeadline(time.Now().Add(wait))
	if _, err := c.c.Write([]byte(line + "\n")); err != nil {
		return "", err
	}
	s, err := c.r.ReadString('\n')
	if err != nil {
		return "", err
	}
	return s[:len(s)-1], nil
}

func mustEcho(t *testing.T, c *conn, line string) {
	t.Helper()
	if got, err := c.echo(line, 2*time.Second); err != nil || got != line {
		t.Fatalf("echo %q: got %q, %v", line, got, err)
	}
}

func TestProxy(t *testing.T) {
	t.Parallel()
	p, err := fault.Listen(echoServer(t))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	held := dial(t, p)
	mustEcho(t, held, "before")

	p.Cut(fault.Refuse)
	if _, err := held.echo("refused", 2*time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a held connection after Cut(Refuse): %v, want it closed at once", err)
	}
	// A refused connection may be reset while it is still being set up, or just after.
	if c, err := net.DialTimeout("tcp", p.Addr(), time.Second); err == nil {
		defer c.Close()
		fresh := &conn{c: c, r: bufio.NewReader(c)}
		if _, err := fresh.echo("refused", 2*time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("a new connection after Cut(Refuse): %v, want it closed at once", err)
		}
	}

	p.Restore()
	held = dial(t, p)
	mustEcho(t, held, "restored")

	p.Cut(fault.Blackhole)
	if got, err := held.echo("into the hole", 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a held connection after Cut(Blackhole): %q, %v, want no answer", got, err)
	}
	late := dial(t, p)
	if got, err := late.echo("into the hole", 200*time.Millisecond); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a new connection after Cut(Blackhole): %q, %v, want no answer", got, err)
	}

	p.Restore()
	if _, err := held.echo("dead", 2*time.Second); err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
		t.Errorf("a connection held through a blackhole after Restore: %v, want it closed", err)
	}
	mustEcho(t, dial(t, p), "again")
}
