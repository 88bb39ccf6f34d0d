package main

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/adapters/redisstore"
	"github.com/gatehouse/gatehouse/adapters/webauthn"
	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
)

// typed is a setting's value as pflag sees it: Set parses text into a field of a gatehouse.Config,
// String formats the field back. One parser serves the flag and the variable alike.
type typed struct {
	kind string // the value's type, as --help shows it
	// bare is what a flag given without a value means ("--cookie-secure"); "" when the flag
	// needs a value.
	bare string
	// choices are the values it takes, for shell completion; nil when they are open.
	choices []string
	set     func(string) error
	get     func() string
}

func (t *typed) String() string     { return t.get() }
func (t *typed) Set(s string) error { return t.set(s) }
func (t *typed) Type() string       { return t.kind }

// newTyped binds p: parse turns text into a T, or says what it wants instead.
func newTyped[T any](p *T, kind string, parse func(string) (T, error), format func(T) string) *typed {
	return &typed{
		kind: kind,
		set: func(s string) error {
			v, err := parse(s)
			if err != nil {
				return err
			}
			*p = v
			return nil
		},
		get: func() string { return format(*p) },
	}
}

func stringValue(p *string) *typed {
	return newTyped(p, "string", func(s string) (string, error) { return s, nil }, identity)
}

func identity(s string) string { return s }

func boolValue(p *bool) *typed {
	t := newTyped(p, "bool", func(s string) (bool, error) {
		b, err := strconv.ParseBool(strings.TrimSpace(s))
		if err != nil {
			return false, errors.New("want true or false")
		}
		return b, nil
	}, strconv.FormatBool)
	t.bare, t.choices = "true", []string{"true", "false"}
	return t
}

// switchValue is a bool spelled on or off.
func switchValue(p *bool) *typed {
	t := newTyped(p, "on|off", func(s string) (bool, error) {
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "on":
			return true, nil
		case "off":
			return false, nil
		}
		return false, errors.New("want on or off")
	}, func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	})
	t.bare, t.choices = "on", []string{"on", "off"}
	return t
}

func intValue(p *int) *typed {
	return newTyped(p, "int", func(s string) (int, error) {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 0 {
			return 0, errors.New("want a non-negative whole number")
		}
		return n, nil
	}, strconv.Itoa)
}

// replicasValue takes auto (redisstore.AutoReplicas) or a number of replicas.
func replicasValue(p *int) *typed {
	return newTyped(p, "auto|int", func(s string) (int, error) {
		s = strings.TrimSpace(s)
		if strings.EqualFold(s, "auto") {
			return redisstore.AutoReplicas, nil
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			return 0, errors.New("want auto or a number of replicas (0: do not wait)")
		}
		return n, nil
	}, func(n int) string {
		if n == redisstore.AutoReplicas {
			return "auto"
		}
		return strconv.Itoa(n)
	})
}

func uintValue[T uint8 | uint32](p *T) *typed {
	bits := 32
	if uint64(^T(0)) == 0xff {
		bits = 8
	}
	return newTyped(p, "uint", func(s string) (T, error) {
		n, err := strconv.ParseUint(strings.TrimSpace(s), 10, bits)
		if err != nil {
			return 0, fmt.Errorf("want a whole number below 2^%d", bits)
		}
		return T(n), nil
	}, func(n T) string { return strconv.FormatUint(uint64(n), 10) })
}

func durationValue(p *time.Duration) *typed {
	return newTyped(p, "duration", func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(strings.TrimSpace(s))
		if err != nil || d < 0 {
			return 0, errors.New("want a non-negative duration such as 30s, 15m or 24h")
		}
		return d, nil
	}, formatDuration)
}

// formatDuration writes d as people write it: 720h, 30m, 1h30m rather than 720h0m0s.
func formatDuration(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

func sizeValue(p *int64) *typed { return newTyped(p, "size", parseSize, formatSize) }

func rateValue(p *domain.Rate) *typed {
	return newTyped(p, "rate", domain.ParseRate, domain.Rate.String)
}

// enumValue takes one of choices, in any case.
func enumValue(p *string, choices ...string) *typed {
	t := newTyped(p, strings.Join(choices, "|"), func(s string) (string, error) {
		v := strings.ToLower(strings.TrimSpace(s))
		for _, c := range choices {
			if v == c {
				return v, nil
			}
		}
		return "", fmt.Errorf("want one of %s", strings.Join(choices, ", "))
	}, identity)
	t.choices = choices
	return t
}

// listValue takes a comma-separated list; blanks around entries and empty entries go.
func listValue(p *[]string) *typed {
	return newTyped(p, "list", func(s string) ([]string, error) { return splitList(s), nil },
		func(l []string) string { return strings.Join(l, ",") })
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func methodsValue(p *[]domain.AuthMethod) *typed {
	return newTyped(p, "list", domain.ParseAuthMethods, func(ms []domain.AuthMethod) string {
		names := make([]string, len(ms))
		for i, m := range ms {
			names[i] = string(m)
		}
		return strings.Join(names, ",")
	})
}

func bindingValue(p *domain.SessionBinding) *typed {
	return newTyped(p, "list", func(s string) (domain.SessionBinding, error) {
		var b domain.SessionBinding
		for _, part := range splitList(s) {
			switch strings.ToLower(part) {
			case "ip":
				b.IP = true
			case "ua":
				b.UserAgent = true
			default:
				return b, errors.New("want ip, ua or ip,ua")
			}
		}
		return b, nil
	}, func(b domain.SessionBinding) string {
		var parts []string
		if b.IP {
			parts = append(parts, "ip")
		}
		if b.UserAgent {
			parts = append(parts, "ua")
		}
		return strings.Join(parts, ",")
	})
}

// keysValue reads server keys. It formats back the text it was given: the keys are secret,
// and config check masks them anyway.
func keysValue(p *domain.ServerKeys) *typed {
	text := ""
	return newTyped(p, "keys", func(s string) (domain.ServerKeys, error) {
		text = s
		if strings.TrimSpace(s) == "" {
			return domain.ServerKeys{}, nil
		}
		keys, err := domain.ParseServerKeys(s)
		if err != nil {
			return keys, fmt.Errorf("%v (gatehouse config gen-key makes one)", err)
		}
		return keys, nil
	}, func(domain.ServerKeys) string { return text })
}

// rpIDValue reads the relying party's domain; off, stored as "", turns passkeys off.
func rpIDValue(p *string) *typed {
	return newTyped(p, "domain|off", func(s string) (string, error) {
		id := strings.ToLower(strings.TrimSpace(s))
		if id == "off" {
			return "", nil
		}
		if !webauthn.ValidRPID(id) {
			return "", errors.New("want a domain name such as example.com (no scheme, port or path), or off")
		}
		return id, nil
	}, func(id string) string {
		if id == "" {
			return "off"
		}
		return id
	})
}

func headerValue(p *string) *typed {
	return newTyped(p, "header", func(s string) (string, error) {
		h, ok := ginhttp.ClientIPHeader(strings.TrimSpace(s))
		if !ok {
			return "", errors.New("want X-Forwarded-For, X-Real-IP or Forwarded: the one header the trusted proxies set")
		}
		return h, nil
	}, identity)
}

func levelValue(p *slog.Level) *typed {
	t := newTyped(p, "debug|info|warn|error", func(s string) (slog.Level, error) {
		var l slog.Level
		if err := l.UnmarshalText([]byte(strings.TrimSpace(s))); err != nil {
			return l, errors.New("want debug, info, warn or error")
		}
		return l, nil
	}, func(l slog.Level) string { return strings.ToLower(l.String()) })
	t.choices = []string{"debug", "info", "warn", "error"}
	return t
}

// maxLoginFloor bounds the failed-login floor: a minute is far beyond any hash's time.
const maxLoginFloor = time.Minute

func floorValue(p *app.LoginTiming) *typed {
	return newTyped(p, "auto|duration", func(s string) (app.LoginTiming, error) {
		s = strings.TrimSpace(s)
		if strings.EqualFold(s, "auto") {
			return app.LoginTiming{Calibrate: true}, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil || d < 0 || d > maxLoginFloor {
			return app.LoginTiming{}, errors.New("want auto or a duration up to 1m such as 300ms (0: no padding)")
		}
		return app.LoginTiming{Floor: d}, nil
	}, func(t app.LoginTiming) string {
		if t.Calibrate {
			return "auto"
		}
		return formatDuration(t.Floor)
	})
}

// listenAddrValue takes what net.Listen takes (see validListenAddr); optional allows "",
// no listener.
func listenAddrValue(p *string, optional bool) *typed {
	return newTyped(p, "host:port", func(s string) (string, error) {
		if (s != "" || !optional) && !validListenAddr(s) {
			return "", errors.New("want host:port, such as 127.0.0.1:8080 or :8080 (every interface)")
		}
		return s, nil
	}, identity)
}
