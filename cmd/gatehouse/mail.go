package main

import (
	"net/url"

	"github.com/gatehouse/gatehouse/adapters/mailsmtp"
	"github.com/gatehouse/gatehouse/adapters/mailtmpl"
	"github.com/gatehouse/gatehouse/gatehouse"
)

// checkMail checks the mail settings: the SMTP URL (never echoed: it holds a password), and,
// once it is set, the sender and the public URL, which are then required.
func checkMail(k *checker, m gatehouse.Mail) {
	if m.PublicURL != "" && !publicOrigin(m.PublicURL) {
		k.fail("public-url", "want the origin mails link to, such as https://auth.example.com (http:// only for a loopback address)")
	}
	if !m.Enabled() {
		return
	}
	if _, err := mailsmtp.ParseURL(m.SMTP.URL); err != nil {
		k.fail("smtp-url", "%v", err)
	}
	if m.SMTP.From == "" {
		k.fail("mail-from", "required when %s is set, e.g. \"Gatehouse <no-reply@example.com>\"", envName("smtp-url"))
	}
	if m.PublicURL == "" {
		k.fail("public-url", "required when %s is set: the origin links in mails point to", envName("smtp-url"))
	}
	if k.err != nil {
		return
	}
	if _, err := mailsmtp.New(m.SMTP); err != nil {
		k.fail("mail-from", "%v", err)
	}
	// Parsed and rendered now, so config check and start-up refuse a broken override.
	if _, err := mailtmpl.New(m.Templates, m.PublicURL); err != nil {
		k.fail("mail-templates", "%v", err)
	}
}

// publicOrigin reports whether s is an origin: https://host[:port], or http:// to a
// loopback address for development.
func publicOrigin(s string) bool {
	u, err := url.Parse(s)
	if err != nil || u.Host == "" || u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" {
		return false
	}
	return u.Scheme == "https" || u.Scheme == "http" && mailsmtp.Loopback(u.Hostname())
}
