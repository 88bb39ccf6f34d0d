package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"
)

// Defaults of the mail catcher (Mailpit) the tests send through and read from.
const (
	DefaultSMTPAddr   = "127.0.0.1:1025"
	DefaultMailpitURL = "http://127.0.0.1:8025"
)

// Mailpit is a running Mailpit: an SMTP server that keeps every mail, and its HTTP API
// (https://mailpit.axllent.org/docs/api-v1/) to read them back.
type Mailpit struct {
	// SMTPAddr is host:port of its SMTP server (GATEHOUSE_TEST_SMTP_ADDR).
	SMTPAddr string
	api      string // base URL of the HTTP API (GATEHOUSE_TEST_MAILPIT_URL)
	client   *http.Client
}

// MailpitAddress is a sender or recipient as Mailpit reports it.
type MailpitAddress struct{ Name, Address string }

// MailpitMessage is one mail as it arrived.
type MailpitMessage struct {
	ID      string
	From    MailpitAddress
	To      []MailpitAddress
	Subject string
	Text    string
	HTML    string
}

// MailpitServer returns the test Mailpit after checking that its SMTP port and its API
// answer; without it the test is skipped, or fails under GATEHOUSE_REQUIRE_SERVICES=1.
func MailpitServer(t testing.TB) *Mailpit {
	t.Helper()
	m := &Mailpit{SMTPAddr: os.Getenv("GATEHOUSE_TEST_SMTP_ADDR"), api: os.Getenv("GATEHOUSE_TEST_MAILPIT_URL"),
		client: &http.Client{Timeout: 10 * time.Second}}
	if m.SMTPAddr == "" {
		m.SMTPAddr = DefaultSMTPAddr
	}
	if m.api == "" {
		m.api = DefaultMailpitURL
	}
	m.api = strings.TrimSuffix(m.api, "/")
	conn, err := net.DialTimeout("tcp", m.SMTPAddr, 3*time.Second)
	if err != nil {
		unavailable(t, "GATEHOUSE_TEST_SMTP_ADDR", err)
	}
	conn.Close()
	var list struct{ Total int }
	if err := m.get("/api/v1/messages?limit=1", &list); err != nil {
		unavailable(t, "GATEHOUSE_TEST_MAILPIT_URL", err)
	}
	return m
}

// Mailbox returns a new random recipient address and deletes the mails it got when t ends.
// Tests of many packages share one Mailpit at once, so each reads and deletes only its own
// mailboxes, never the whole store.
func (m *Mailpit) Mailbox(t testing.TB) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	addr := "gatehouse-test-" + hex.EncodeToString(b[:]) + "@example.com"
	t.Cleanup(func() {
		ids, err := m.search(addr)
		if err == nil && len(ids) > 0 {
			err = m.delete(ids)
		}
		if err != nil {
			t.Errorf("removing the test mails of %s: %v", addr, err)
		}
	})
	return addr
}

// Messages returns the mails that arrived for the address to, newest first.
func (m *Mailpit) Messages(t testing.TB, to string) []MailpitMessage {
	t.Helper()
	ids, err := m.search(to)
	if err != nil {
		t.Fatalf("Mailpit search: %v", err)
	}
	out := make([]MailpitMessage, 0, len(ids))
	for _, id := range ids {
		var msg MailpitMessage
		if err := m.get("/api/v1/message/"+url.PathEscape(id), &msg); err != nil {
			t.Fatalf("Mailpit message %s: %v", id, err)
		}
		out = append(out, msg)
	}
	return out
}

// WaitMessage waits up to timeout for a mail to the address to and returns the newest.
func (m *Mailpit) WaitMessage(t testing.TB, to string, timeout time.Duration) MailpitMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		if msgs := m.Messages(t, to); len(msgs) > 0 {
			return msgs[0]
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s arrived within %v", to, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitSubject waits up to timeout for a mail to the address to whose subject contains
// about, and returns the newest such mail: an address may get mails of several kinds (a
// signup's verification link, then a reset link), in an order the mail queue does not fix.
func (m *Mailpit) WaitSubject(t testing.TB, to, about string, timeout time.Duration) MailpitMessage {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		for _, msg := range m.Messages(t, to) {
			if strings.Contains(msg.Subject, about) {
				return msg
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s about %q arrived within %v", to, about, timeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// search returns the ids of the mails to addr.
func (m *Mailpit) search(addr string) ([]string, error) {
	var res struct{ Messages []struct{ ID string } }
	if err := m.get("/api/v1/search?limit=100&query="+url.QueryEscape("to:"+addr), &res); err != nil {
		return nil, err
	}
	ids := make([]string, len(res.Messages))
	for i, msg := range res.Messages {
		ids[i] = msg.ID
	}
	return ids, nil
}

func (m *Mailpit) delete(ids []string) error {
	body, _ := json.Marshal(map[string][]string{"IDs": ids})
	req, err := http.NewRequestWithContext(context.Background(), http.MethodDelete, m.api+"/api/v1/messages", bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("DELETE /api/v1/messages: %s", resp.Status)
	}
	return nil
}

func (m *Mailpit) get(path string, v any) error {
	resp, err := m.client.Get(m.api + path)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
