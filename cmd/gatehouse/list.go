package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/domain"
)

// listOutput prints what a list command lists: a table under a header line, or with --json
// a JSON array of objects in the API's field names. Rows go out as they come, so a list of
// many pages is never held whole.
type listOutput struct {
	w      io.Writer
	asJSON bool
	tw     *tabwriter.Writer
	n      int
}

// newListOutput starts a list on w; header names the table's columns.
func newListOutput(w io.Writer, asJSON bool, header ...string) *listOutput {
	o := &listOutput{w: w, asJSON: asJSON}
	if !asJSON {
		o.tw = tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
		fmt.Fprintln(o.tw, strings.Join(header, "\t"))
	}
	return o
}

// row adds one item: v in JSON, cells in the table.
func (o *listOutput) row(v any, cells ...string) error {
	if !o.asJSON {
		_, err := fmt.Fprintln(o.tw, strings.Join(cells, "\t"))
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	sep := ",\n"
	if o.n == 0 {
		sep = "[\n"
	}
	o.n++
	_, err = fmt.Fprintf(o.w, "%s%s", sep, b)
	return err
}

// close ends the list; a JSON list of nothing is [].
func (o *listOutput) close() error {
	switch {
	case !o.asJSON:
		return o.tw.Flush()
	case o.n == 0:
		_, err := io.WriteString(o.w, "[]\n")
		return err
	}
	_, err := io.WriteString(o.w, "\n]\n")
	return err
}

// userJSON is a user as user list --json prints it: never the password hash.
type userJSON struct {
	ID         domain.UserID `json:"id"`
	Username   string        `json:"username"`
	Email      string        `json:"email"`
	IsActive   bool          `json:"is_active"`
	DateJoined time.Time     `json:"date_joined"`
}

func viewUser(u domain.User) userJSON {
	return userJSON{u.ID, u.Username, u.Email, u.IsActive, u.DateJoined.UTC()}
}

// sessionJSON is a session as sessions list --json prints it, as GET /v1/auth/sessions
// does, with the browser named as the account page names it: never the secret or its hash.
type sessionJSON struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	AuthLevel  uint8     `json:"auth_level"`
	Browser    string    `json:"browser"`
}

func viewSession(s domain.Session) sessionJSON {
	return sessionJSON{ID: s.ID, CreatedAt: s.CreatedAt.UTC(), LastSeenAt: s.LastSeenAt.UTC(),
		ExpiresAt: s.ExpiresAt.UTC(), IP: s.IP, UserAgent: s.UserAgent, AuthLevel: uint8(s.Level.Effective()),
		Browser: ginhttp.BrowserName(s.UserAgent)}
}
