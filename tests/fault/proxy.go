package fault

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"time"
)

// Mode is what a Proxy does with the connections it holds.
type Mode int

const (
	// Forward relays bytes both ways: the store is reachable.
	Forward Mode = iota
	// Refuse resets every connection, held and new, at once: the store's process is gone
	// or a firewall rejects. Clients see ECONNRESET or EOF straight away.
	Refuse
	// Blackhole accepts and reads every connection, held and new, and never answers: the
	// store hangs or the network drops packets. Clients see nothing until their deadline.
	Blackhole
)

func (m Mode) String() string {
	switch m {
	case Forward:
		return "forward"
	case Refuse:
		return "refuse"
	case Blackhole:
		return "blackhole"
	}
	return fmt.Sprintf("Mode(%d)", int(m))
}

const (
	// maxLinks bounds the connections a Proxy serves at once; more are reset.
	maxLinks = 256
	// dialTimeout bounds the connection to the target.
	dialTimeout = 2 * time.Second
	// relayTimeout bounds one write to a client, so a client that stops reading cannot
	// block Cut for long.
	relayTimeout = 2 * time.Second
)

// Proxy is a TCP proxy on loopback that stands between Gatehouse and one store, so a test
// can cut the store off (Cut) and bring it back (Restore) without touching the store.
// Once Cut has returned, nothing a client sends reaches the target and nothing more from the
// target reaches a client, so a request that starts after Cut cannot be answered by the store.
type Proxy struct {
	target string
	ln     net.Listener
	wg     sync.WaitGroup

	mu     sync.Mutex
	mode   Mode
	closed bool
	active int // connections being served, at most maxLinks
	links  map[*link]struct{}
}

// link is one client connection and, while forwarding, its connection to the target.
type link struct {
	client   net.Conn
	upstream net.Conn // nil once cut, or when accepted during a blackhole

	mu   sync.Mutex
	held bool // blackholed: read and discard what the client sends
}

// Listen starts a proxy to target (host:port) that listens on a free port of 127.0.0.1, so
// only this machine can reach it.
func Listen(target string) (*Proxy, error) {
	if _, _, err := net.SplitHostPort(target); err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{target: target, ln: ln, links: map[*link]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Addr returns the host:port clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Cut stops forwarding in the given mode, Refuse or Blackhole, for the connections held now
// and for every new one, until Restore.
func (p *Proxy) Cut(mode Mode) {
	if mode != Refuse && mode != Blackhole {
		panic("fault: Cut needs Refuse or Blackhole, not " + mode.String())
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = mode
	for l := range p.links {
		l.cut(mode)
		if mode == Refuse {
			delete(p.links, l)
		}
	}
}

// Restore forwards new connections again. Connections held in a blackhole are closed, as a
// healed network finds them dead; their clients reconnect.
func (p *Proxy) Restore() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.mode = Forward
	for l := range p.links {
		if l.isHeld() {
			l.cut(Refuse)
			delete(p.links, l)
		}
	}
}

// Close stops the proxy, closes every connection and waits for its goroutines.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for l := range p.links {
		l.cut(Refuse)
		delete(p.links, l)
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *Proxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				time.Sleep(10 * time.Millisecond) // a transient error such as EMFILE
				continue
			}
			return
		}
		p.mu.Lock()
		full := p.active >= maxLinks
		if !full {
			p.active++
		}
		p.mu.Unlock()
		if full {
			reset(c)
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			p.serve(c)
			p.mu.Lock()
			p.active--
			p.mu.Unlock()
		}()
	}
}

// serve connects c to the target, or holds or resets it as the mode says.
func (p *Proxy) serve(c net.Conn) {
	p.mu.Lock()
	mode, closed := p.mode, p.closed
	p.mu.Unlock()
	if closed || mode == Refuse {
		reset(c)
		return
	}
	var up net.Conn
	if mode == Forward {
		var err error
		if up, err = net.DialTimeout("tcp", p.target, dialTimeout); err != nil {
			reset(c)
			return
		}
	}
	l := &link{client: c, upstream: up, held: up == nil}
	// The mode may have changed while dialling: register under the lock and apply it.
	p.mu.Lock()
	switch {
	case p.closed || p.mode == Refuse:
		p.mu.Unlock()
		l.cut(Refuse)
		return
	case p.mode == Blackhole:
		l.cut(Blackhole)
	case up == nil: // accepted during a blackhole that has since been restored
		p.mu.Unlock()
		l.cut(Refuse)
		return
	}
	p.links[l] = struct{}{}
	p.mu.Unlock()

	if up := l.target(); up != nil {
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			l.fromTarget(up)
		}()
	}
	l.fromClient()
	p.mu.Lock()
	delete(p.links, l)
	p.mu.Unlock()
}

// target returns the connection to the target, or nil once cut.
func (l *link) target() net.Conn {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.upstream
}

func (l *link) isHeld() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held
}

// cut closes the connection to the target and then resets the client (Refuse) or keeps
// reading from it without answering (Blackhole).
func (l *link) cut(mode Mode) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.cutLocked(mode)
}

func (l *link) cutLocked(mode Mode) {
	if l.upstream != nil {
		_ = l.upstream.Close()
		l.upstream = nil
	}
	if mode == Refuse {
		l.held = false
		reset(l.client)
		return
	}
	l.held = true
}

// fromClient copies what the client sends to the target, or discards it while held, until
// the client's connection ends; then it closes both. The target is looked up after each
// read, so bytes sent after Cut returned never reach it.
func (l *link) fromClient() {
	buf := make([]byte, 32<<10)
	for {
		n, err := l.client.Read(buf)
		if n > 0 {
			if up := l.target(); up != nil {
				if _, werr := up.Write(buf[:n]); werr != nil && !l.isHeld() {
					break
				}
			} else if !l.isHeld() {
				break
			}
		}
		if err != nil {
			break
		}
	}
	l.cut(Refuse)
}

// fromTarget copies what the target answers to the client. When the target's connection
// ends it ends the client's too, unless the link is held, so a held client hears nothing.
func (l *link) fromTarget(up net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := up.Read(buf)
		if n > 0 && !l.relay(buf[:n]) {
			break
		}
		if err != nil {
			break
		}
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.held {
		l.cutLocked(Refuse)
	}
}

// relay writes b to the client unless the link has been cut. It holds the link's lock, so
// Cut waits for a write in progress: once Cut has returned nothing reaches the client.
func (l *link) relay(b []byte) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.upstream == nil {
		return false
	}
	_ = l.client.SetWriteDeadline(time.Now().Add(relayTimeout))
	_, err := l.client.Write(b)
	return err == nil
}

// reset closes c with a TCP RST (SO_LINGER 0), as a refusing or crashed peer does.
func reset(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = c.Close()
}
