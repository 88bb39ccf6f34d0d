package failover_test

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

const (
	// loadPause is the pause between two requests of one worker, so that fast 503s do not
	// turn the load into a flood on a small machine.
	loadPause = 15 * time.Millisecond
	// retryEvery is the least time between two tries of an unacknowledged revocation: a
	// retry waits out the revocation timeout while no replica confirms, and tighter retries
	// would leave the load little else to send.
	retryEvery = time.Second
	// maxSteps bounds the requests of one worker, should a test forget to stop it.
	maxSteps = 100000
	// maxLive bounds the sessions or tokens one account holds at once.
	maxLive = 3
)

// account is a user of the load, owned by one worker: only that worker touches it, so its
// password and credentials are exactly what the server should know.
type account struct {
	name, password string
	live           []*credential
	revoked        []*credential // acknowledged revocations, probed now and then
	pending        []*pending    // revocations answered 503 or not at all, to be retried
	lastRetry      time.Time
	changes        int
}

// pending is a revocation that was not acknowledged: a client would retry it.
type pending struct {
	how     string      // "logout", "revoke", "password" or "logout-all"
	target  *credential // logout and revoke
	targets []*credential
	newPass string // password
}

// load is the workers sending the mixed traffic round-robin over the instances.
type load struct {
	rec       *recorder
	c         *client
	instances []*instance
	rr        atomic.Uint64
	signups   atomic.Int64

	workers []*worker

	stop chan struct{}
	once sync.Once
	wg   sync.WaitGroup
}

// worker is one goroutine of the load and the accounts it owns.
type worker struct {
	*load
	id       int
	accounts []*account
	rng      *mrand.Rand
}

// next returns the instance the next request goes to.
func (l *load) next() int { return int(l.rr.Add(1) % uint64(len(l.instances))) }

// startLoad starts one worker per slice of accounts.
func startLoad(rec *recorder, c *client, instances []*instance, owned [][]*account) *load {
	l := &load{rec: rec, c: c, instances: instances, stop: make(chan struct{})}
	for id, accounts := range owned {
		w := &worker{load: l, id: id, accounts: accounts, rng: mrand.New(mrand.NewPCG(uint64(id), 18))}
		l.workers = append(l.workers, w)
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for i := range maxSteps {
				w.step(w.accounts[i%len(w.accounts)])
				select {
				case <-l.stop:
					return
				case <-time.After(loadPause):
				}
			}
		}()
	}
	return l
}

// halt stops the workers and waits for the requests in flight. It may be called more than once.
func (l *load) halt() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

// action is one kind of step of the load, with its weight in the mix.
type action struct {
	weight int
	do     func(w *worker, a *account)
}

// mix is the traffic: mostly authenticated reads, then what creates and revokes
// credentials, and requests that must never get 200. Logins and password changes cost a
// password hash each (two for a change), so they are few.
var mix = []action{
	{20, (*worker).tokenMe},
	{14, (*worker).sessionMe},
	{3, (*worker).loginToken},
	{3, (*worker).loginSession},
	{8, (*worker).probeRevoked},
	{5, (*worker).garbage},
	{1, (*worker).wrongPassword},
	{4, (*worker).logoutSession},
	{3, (*worker).revokeToken},
	{2, (*worker).logoutToken},
	{1, (*worker).changePassword},
	{1, (*worker).signup},
}

var mixTotal = func() int {
	n := 0
	for _, a := range mix {
		n += a.weight
	}
	return n
}()

// step sends one request for a: the retry of a pending revocation when one is due, or a
// request of the mix.
func (w *worker) step(a *account) {
	if len(a.pending) > 0 {
		if time.Since(a.lastRetry) >= retryEvery {
			a.lastRetry = time.Now()
			w.retry(a, a.pending[0])
			return
		}
		for _, p := range a.pending {
			if p.how == "password" || p.how == "logout-all" {
				// The password may have changed: only requests that need none of the account's.
				w.garbage(a)
				return
			}
		}
	}
	n := w.rng.IntN(mixTotal)
	for _, act := range mix {
		if n < act.weight {
			act.do(w, a)
			return
		}
		n -= act.weight
	}
}

// pick returns a random live credential of kind ("" for any), or nil.
func (w *worker) pick(a *account, kind string) *credential {
	var c []*credential
	for _, x := range a.live {
		if kind == "" || x.kind == kind {
			c = append(c, x)
		}
	}
	if len(c) == 0 {
		return nil
	}
	return c[w.rng.IntN(len(c))]
}

func (a *account) count(kind string) int {
	n := 0
	for _, x := range a.live {
		if x.kind == kind {
			n++
		}
	}
	return n
}

func (a *account) drop(c *credential) {
	a.live = slices.DeleteFunc(a.live, func(x *credential) bool { return x == c })
}

// me sends GET /v1/auth/me with c and judges the answer: 200 is recorded (the checker
// decides whether it came after a revocation), 401 of a credential never revoked is a loss.
func (w *worker) me(a *account, c *credential, kind string) {
	i := w.next()
	r, start := w.rec.send(w.c, w.instances, i, kind, request{method: "GET", path: "/v1/auth/me", cred: c.auth(w.rng.IntN(2) == 0), owner: c})
	switch {
	case r.failed():
	case r.status == http.StatusOK:
		if got, _ := r.object()["username"].(string); got != a.name {
			w.rec.problem("%s answered 200 for %s with username %q", kind, a.name, got)
		}
		w.rec.accept(c, start, i, kind)
	case r.status == http.StatusUnauthorized:
		w.rec.refused(c, start, i, kind)
		a.drop(c)
	default:
		w.rec.problem("%s on instance %s: %v", kind, w.instances[i].name, r)
	}
}

func (w *worker) tokenMe(a *account) {
	if c := w.pick(a, "token"); c != nil {
		w.me(a, c, "token /me")
		return
	}
	w.loginToken(a)
}

func (w *worker) sessionMe(a *account) {
	if c := w.pick(a, "session"); c != nil {
		w.me(a, c, "session /me")
		return
	}
	w.loginSession(a)
}

// probeRevoked sends /me with a credential whose revocation was acknowledged: only 401 (or
// a failure) may come back, and the checker catches a 200.
func (w *worker) probeRevoked(a *account) {
	if len(a.revoked) == 0 {
		w.tokenMe(a)
		return
	}
	c := a.revoked[w.rng.IntN(len(a.revoked))]
	i := w.next()
	r, start := w.rec.send(w.c, w.instances, i, "revoked /me", request{method: "GET", path: "/v1/auth/me", cred: c.auth(w.rng.IntN(2) == 0), owner: c})
	switch {
	case r.failed(), r.status == http.StatusUnauthorized:
	case r.status == http.StatusOK:
		w.rec.accept(c, start, i, "revoked /me")
	default:
		w.rec.problem("revoked /me on instance %s: %v", w.instances[i].name, r)
	}
}

func (w *worker) loginToken(a *account) {
	if a.count("token") >= maxLive {
		w.revokeToken(a)
		return
	}
	i := w.next()
	r, _ := w.rec.send(w.c, w.instances, i, "POST /token", request{method: "POST", path: "/v1/auth/token",
		body: map[string]string{"username": a.name, "password": a.password}})
	switch {
	case r.failed():
	case r.status == http.StatusOK:
		m := r.object()
		secret, _ := m["token"].(string)
		id, _ := m["id"].(string)
		if secret == "" || id == "" {
			w.rec.problem("POST /token answered 200 without token or id: %v", r)
			return
		}
		a.live = append(a.live, &credential{user: a, kind: "token", secret: secret, tokenID: id, issued: w.rec.now()})
	default:
		w.rec.problem("POST /token for %s on instance %s: %v", a.name, w.instances[i].name, r)
	}
}

func (w *worker) loginSession(a *account) {
	if a.count("session") >= maxLive {
		w.logoutSession(a)
		return
	}
	i := w.next()
	r, _ := w.rec.send(w.c, w.instances, i, "POST /login", request{method: "POST", path: "/v1/auth/login",
		body: map[string]string{"username": a.name, "password": a.password}})
	switch {
	case r.failed():
	case r.status == http.StatusOK:
		c := sessionFrom(r, a, w.rec.now())
		if c == nil {
			// Cookie names only: the values are credentials.
			var names []string
			for _, c := range (&http.Response{Header: r.header}).Cookies() {
				names = append(names, c.Name)
			}
			w.rec.problem("POST /login answered 200 without sessionid or csrftoken: cookies %v", names)
			return
		}
		a.live = append(a.live, c)
	default:
		w.rec.problem("POST /login for %s on instance %s: %v", a.name, w.instances[i].name, r)
	}
}

// garbage sends a token no server ever issued, in one of the two header schemes.
func (w *worker) garbage(*account) {
	var b [20]byte
	_, _ = rand.Read(b[:])
	secret := hex.EncodeToString(b[:])
	if w.rng.IntN(3) == 0 {
		secret = "not-a-token-" + secret[:8]
	}
	i := w.next()
	r, _ := w.rec.send(w.c, w.instances, i, "garbage /me", request{method: "GET", path: "/v1/auth/me", cred: withToken(secret, w.rng.IntN(2) == 0)})
	if !r.failed() && r.status != http.StatusUnauthorized {
		w.rec.problem("garbage token on instance %s: %v", w.instances[i].name, r)
	}
}

func (w *worker) wrongPassword(a *account) {
	i := w.next()
	r, _ := w.rec.send(w.c, w.instances, i, "wrong password", request{method: "POST", path: "/v1/auth/token",
		body: map[string]string{"username": a.name, "password": a.password + " not"}})
	if !r.failed() && r.status != http.StatusUnauthorized {
		w.rec.problem("wrong password for %s on instance %s: %v", a.name, w.instances[i].name, r)
	}
}

// revoked moves creds from live to revoked after an acknowledgement.
func (w *worker) revoked(a *account, how string, creds ...*credential) {
	w.rec.revoke(how, creds...)
	for _, c := range creds {
		a.drop(c)
		a.revoked = append(a.revoked, c)
	}
}

// unacknowledged parks a revocation answered 503 or not at all: its credentials leave the
// live set (the server may or may not have revoked them) until a retry is acknowledged.
func (w *worker) unacknowledged(a *account, p *pending) {
	creds := p.targets
	if p.target != nil {
		creds = append(slices.Clone(creds), p.target)
	}
	w.rec.attempt(creds...)
	for _, c := range creds {
		a.drop(c)
	}
	a.pending = append(a.pending, p)
	a.lastRetry = time.Now()
}

func (w *worker) logoutSession(a *account) {
	c := w.pick(a, "session")
	if c == nil {
		w.loginSession(a)
		return
	}
	w.logout(a, c, "session logout")
}

func (w *worker) logoutToken(a *account) {
	c := w.pick(a, "token")
	if c == nil {
		w.loginToken(a)
		return
	}
	w.logout(a, c, "token logout")
}

// logout sends POST /v1/auth/logout with c, which revokes c.
func (w *worker) logout(a *account, c *credential, kind string) {
	i := w.next()
	r, start := w.rec.send(w.c, w.instances, i, kind, request{method: "POST", path: "/v1/auth/logout", cred: c.auth(false), owner: c})
	switch {
	case r.failed():
		w.unacknowledged(a, &pending{how: "logout", target: c})
	case r.status == http.StatusNoContent:
		w.revoked(a, kind, c)
	case r.status == http.StatusUnauthorized:
		w.rec.refused(c, start, i, kind)
		a.drop(c)
	default:
		w.rec.problem("%s on instance %s: %v", kind, w.instances[i].name, r)
	}
}

// revokeToken sends DELETE /v1/auth/tokens/{id} authenticated by another credential of the
// account when it has one, else by the token itself.
func (w *worker) revokeToken(a *account) {
	target := w.pick(a, "token")
	if target == nil {
		w.loginToken(a)
		return
	}
	via := target
	for _, c := range a.live {
		if c != target {
			via = c
			break
		}
	}
	w.deleteToken(a, target, via, false)
}

func (w *worker) deleteToken(a *account, target, via *credential, retry bool) {
	i := w.next()
	r, start := w.rec.send(w.c, w.instances, i, "token revocation", request{method: "DELETE", path: "/v1/auth/tokens/" + target.tokenID, cred: via.auth(true), owner: via})
	switch {
	case r.failed():
		if !retry {
			w.unacknowledged(a, &pending{how: "revoke", target: target})
		}
	case r.status == http.StatusNoContent:
		w.revoked(a, "token revocation", target)
		if retry {
			w.resolved(a)
		}
	case retry:
		// Gone already: the first try was applied, or the token was lost; either way
		// nothing is acknowledged.
		w.resolved(a)
	case r.status == http.StatusNotFound:
		w.rec.refused(target, start, i, "token revocation")
		a.drop(target)
	case r.status == http.StatusUnauthorized:
		w.rec.refused(via, start, i, "token revocation")
		a.drop(via)
	default:
		w.rec.problem("token revocation on instance %s: %v", w.instances[i].name, r)
	}
}

// changePassword changes the account's password with one of its credentials: every other
// credential the load knows for it is revoked when the change is acknowledged.
func (w *worker) changePassword(a *account) {
	via := w.pick(a, "")
	if via == nil {
		w.loginToken(a)
		return
	}
	a.changes++
	newPass := fmt.Sprintf("harbour lantern changed %d", a.changes)
	others := slices.DeleteFunc(slices.Clone(a.live), func(c *credential) bool { return c == via })
	i := w.next()
	r, start := w.rec.send(w.c, w.instances, i, "password change", request{method: "POST", path: "/v1/auth/password",
		body: map[string]string{"old_password": a.password, "new_password": newPass}, cred: via.auth(false), owner: via})
	switch {
	case r.failed():
		w.unacknowledged(a, &pending{how: "password", targets: append(others, via), newPass: newPass})
	case r.status == http.StatusNoContent:
		a.password = newPass
		w.revoked(a, "password change", others...)
		if via.kind == "session" {
			// The session that changed the password gets a new id (OWASP: renew the
			// session on a privilege change); the old one is revoked.
			w.revoked(a, "password change (rotated)", via)
			if c := sessionFrom(r, a, w.rec.now()); c != nil {
				a.live = append(a.live, c)
			} else {
				w.rec.problem("password change by session answered 204 without new session cookies: %v", r.header.Values("Set-Cookie"))
			}
		}
	case r.status == http.StatusUnauthorized:
		w.rec.refused(via, start, i, "password change")
		a.drop(via)
	default:
		w.rec.problem("password change on instance %s: %v", w.instances[i].name, r)
	}
}

// retry tries a pending revocation again. A password change is retried with Basic
// credentials, which revokes every session and token of the account; if the old password
// no longer works the first try changed it, and a logout-all with the new one stands in.
func (w *worker) retry(a *account, p *pending) {
	switch p.how {
	case "logout":
		i := w.next()
		r, _ := w.rec.send(w.c, w.instances, i, "logout retry", request{method: "POST", path: "/v1/auth/logout", cred: p.target.auth(false), owner: p.target})
		switch {
		case r.failed():
		case r.status == http.StatusNoContent:
			w.revoked(a, "logout (retried)", p.target)
			w.resolved(a)
		case r.status == http.StatusUnauthorized:
			w.resolved(a)
		default:
			w.rec.problem("logout retry on instance %s: %v", w.instances[i].name, r)
			w.resolved(a)
		}
	case "revoke":
		w.deleteToken(a, p.target, p.target, true)
	case "password", "logout-all":
		req := request{method: "POST", path: "/v1/auth/password", cred: withBasic(a.name, a.password),
			body: map[string]string{"old_password": a.password, "new_password": p.newPass}}
		if p.how == "logout-all" {
			req = request{method: "POST", path: "/v1/auth/logout/all", cred: withBasic(a.name, p.newPass)}
		}
		i := w.next()
		r, _ := w.rec.send(w.c, w.instances, i, p.how+" retry", req)
		switch {
		case r.failed():
		case r.status == http.StatusNoContent:
			a.password = p.newPass
			w.revoked(a, p.how+" (retried)", append(p.targets, a.live...)...)
			w.resolved(a)
		case r.status == http.StatusUnauthorized && p.how == "password":
			p.how = "logout-all"
		default:
			w.rec.problem("%s retry on instance %s: %v", p.how, w.instances[i].name, r)
			w.resolved(a)
		}
	}
}

// resolved drops the first pending revocation.
func (w *worker) resolved(a *account) { a.pending = a.pending[1:] }

func (w *worker) signup(*account) {
	name := fmt.Sprintf("newcomer%d_%d", w.id, w.signups.Add(1))
	i := w.next()
	r, _ := w.rec.send(w.c, w.instances, i, "signup", request{method: "POST", path: "/v1/auth/signup",
		body: map[string]string{"username": name, "password": password}})
	if !r.failed() && r.status != http.StatusCreated {
		w.rec.problem("signup on instance %s: %v", w.instances[i].name, r)
	}
}

// sessionFrom returns the session whose cookies r sets, or nil.
func sessionFrom(r reply, a *account, now time.Duration) *credential {
	c := &credential{user: a, kind: "session", secret: r.cookie("sessionid"), csrf: r.cookie("csrftoken"), issued: now}
	if c.secret == "" || c.csrf == "" {
		return nil
	}
	return c
}
