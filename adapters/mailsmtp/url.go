package mailsmtp

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	gomail "github.com/wneessen/go-mail"
)

// Security is how the connection to the mail server is protected.
type Security int

const (
	// StartTLS: plain TCP upgraded with STARTTLS before anything else is said; a server
	// that does not offer it is refused (smtp:// to any host but a loopback address).
	StartTLS Security = iota
	// ImplicitTLS: TLS from the first byte (smtps://, RFC 8314 section 3.3).
	ImplicitTLS
	// LoopbackPlain: STARTTLS when offered, plain otherwise; only to a loopback address (a
	// local relay or a mail catcher), where no one sits between Gatehouse and the server.
	LoopbackPlain
)

// Server is a parsed GATEHOUSE_SMTP_URL.
type Server struct {
	Host     string
	Port     int
	Security Security
	Username string
	password string
}

// TLSPolicy returns go-mail's policy for s: TLSMandatory unless plain SMTP is allowed.
// With TLSOpportunistic a man in the middle could strip STARTTLS from the server's reply
// and read the password and the links (RFC 3207 section 6), so it is kept for loopback.
func (s Server) TLSPolicy() gomail.TLSPolicy {
	if s.Security == LoopbackPlain {
		return gomail.TLSOpportunistic
	}
	return gomail.TLSMandatory
}

// ParseURL parses an smtp:// or smtps:// URL. Its errors never quote the URL, which may
// hold a password. smtp:// defaults to port 587 (submission), smtps:// to 465.
func ParseURL(raw string) (Server, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Server{}, errors.New("not a URL such as smtp://user:password@mail.example.com:587")
	}
	var s Server
	switch strings.ToLower(u.Scheme) {
	case "smtp":
		s.Port, s.Security = 587, StartTLS
	case "smtps":
		s.Port, s.Security = 465, ImplicitTLS
	default:
		return Server{}, errors.New("want smtp:// (STARTTLS) or smtps:// (TLS)")
	}
	s.Host = u.Hostname()
	if s.Host == "" {
		return Server{}, errors.New("no host")
	}
	if (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return Server{}, errors.New("want no path, query or fragment: only user, password, host and port")
	}
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 65535 {
			return Server{}, errors.New("port must be 1 to 65535")
		}
		s.Port = n
	}
	if u.User != nil {
		s.Username = u.User.Username()
		s.password, _ = u.User.Password()
		if s.Username == "" {
			return Server{}, errors.New("a password needs a user name")
		}
	}
	if s.Security == StartTLS && Loopback(s.Host) {
		s.Security = LoopbackPlain
	}
	return s, nil
}

// Addr is host:port.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// String describes s without its password, for logs.
func (s Server) String() string {
	names := map[Security]string{StartTLS: "STARTTLS", ImplicitTLS: "TLS", LoopbackPlain: "plain or STARTTLS (loopback)"}
	return fmt.Sprintf("%s (%s)", s.Addr(), names[s.Security])
}

// Loopback reports whether host is a loopback address or "localhost". A name is not
// resolved: what DNS says at start-up may not be where the mail goes later.
func Loopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(host)
	return err == nil && a.Unmap().IsLoopback()
}
