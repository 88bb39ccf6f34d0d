package main

import (
	"crypto/rand"
	"fmt"
	"net/url"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/domain"
)

func newConfigCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect the configuration",
		Args:  cobra.NoArgs,
	}
	check := &cobra.Command{
		Use:   "check",
		Short: "Print the effective configuration, secrets masked; exit 2 when it is invalid",
		Long: `Print every setting's effective value and where it came from (flag, env or default),
with passwords and DSNs masked, then check the whole configuration as serve would. The
exit code is 2 when the configuration is invalid. No store is contacted.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := con.config(cmd)
			tw := tabwriter.NewWriter(con.stdout, 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "SETTING\tVALUE\tFROM")
			for _, s := range con.bound[cmd].settings {
				fmt.Fprintf(tw, "%s\t%s\t%s\n", s.env(), shown(s), s.source)
			}
			if err := tw.Flush(); err != nil {
				return failed(err)
			}
			if err != nil {
				return err
			}
			fmt.Fprintln(con.stdout, "configuration is valid")
			return nil
		},
	}
	con.bind(check, groupAll)
	cmd.AddCommand(check)
	cmd.AddCommand(&cobra.Command{
		Use:   "gen-key",
		Short: "Print a new random GATEHOUSE_SECRET_KEY",
		Long: `Print 32 random bytes in standard base64: a key for GATEHOUSE_SECRET_KEY. To rotate,
put the new key first and keep the old one after it (comma-separated) until every form
it signed has expired; then drop it.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			var k [domain.ServerKeyBytes]byte
			if _, err := rand.Read(k[:]); err != nil {
				return failed(err)
			}
			_, err := fmt.Fprintln(con.stdout, domain.EncodeServerKey(k))
			return failed(err)
		},
	})
	return cmd
}

// shown is a setting's value as config check prints it: the text it was given, or its
// default; a secret masked, the password of the SMTP URL masked, and entries of the Redis
// address list that could hide one.
func shown(s *setting) string {
	v := s.raw
	if s.source == "default" {
		v = s.String()
	}
	switch {
	case v == "":
		return v
	case s.name == "smtp-url":
		return maskURL(v)
	case s.secret:
		return "********"
	case s.name == "redis-addrs":
		return maskAddrs(v)
	}
	return v
}

// maskAddrs masks the entries of an address list that are not host:port, where a password
// could hide (a URL given in place of an address), and shows the others.
func maskAddrs(list string) string {
	entries := splitList(list)
	for i, e := range entries {
		if !validHostPort(e) {
			entries[i] = "********"
		}
	}
	return strings.Join(entries, ",")
}

// maskURL shows a URL with its password as xxxxx (url.URL.Redacted), so an operator sees
// the server and the user, or masks it whole when it does not parse.
func maskURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Opaque != "" {
		return "********"
	}
	return u.Redacted()
}
