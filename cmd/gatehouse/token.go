package main

import (
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/adapters/ginhttp"
	"github.com/gatehouse/gatehouse/app"
)

func newTokenCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke a user's API tokens",
		Args:  cobra.NoArgs,
	}
	var user, name string
	create := &cobra.Command{
		Use:   "create --user USERNAME --name NAME",
		Short: "Create a token and print its secret, once, like DRF's drf_create_token",
		Long: `Create a token for a user and print its secret on standard output. The secret is
shown this once: only its hash is stored. The token lives GATEHOUSE_TOKEN_TTL.`,
		Example: `  TOKEN=$(gatehouse token create --user alice --name ci)`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return con.withAdmin(cmd, []string{"users", "tokens"}, func(a *app.Admin) error {
				it, err := a.CreateToken(cmd.Context(), user, name)
				if err != nil {
					return err
				}
				fmt.Fprintln(con.stdout, it.Secret)
				fmt.Fprintf(con.stderr, "created token %s for %q, expires %s; the secret above is not shown again\n",
					it.Token.ID, user, expiry(it.Token.ExpiresAt))
				return nil
			})
		},
	}
	create.Flags().StringVar(&user, "user", "", "the token's owner (required)")
	create.Flags().StringVar(&name, "name", "", "a label such as the device's name")
	_ = create.MarkFlagRequired("user")

	var asJSON bool
	list := &cobra.Command{
		Use:   "list --user USERNAME",
		Short: "List a user's live tokens, newest first (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return con.withAdmin(cmd, []string{"users", "tokens"}, func(a *app.Admin) error {
				tokens, err := a.ListTokens(cmd.Context(), user)
				if err != nil {
					return err
				}
				out := newListOutput(con.stdout, asJSON, "ID", "NAME", "CREATED", "LAST USED", "EXPIRES")
				for _, t := range tokens {
					if err := out.row(ginhttp.ViewToken(t), t.ID, t.Name, t.CreatedAt.Format(time.RFC3339),
						stamp(t.LastUsedAt), expiry(t.ExpiresAt)); err != nil {
						return err
					}
				}
				return out.close()
			})
		},
	}
	list.Flags().StringVar(&user, "user", "", "the tokens' owner (required)")
	list.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of tokens")
	_ = list.MarkFlagRequired("user")

	revoke := &cobra.Command{
		Use:   "revoke --user USERNAME TOKEN_ID",
		Short: "Revoke one of a user's tokens by its id (see token list)",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return con.withAdmin(cmd, []string{"users", "tokens"}, func(a *app.Admin) error {
				if err := a.RevokeToken(cmd.Context(), user, args[0]); err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "revoked token %s\n", args[0])
				return nil
			})
		},
	}
	revoke.Flags().StringVar(&user, "user", "", "the token's owner (required)")
	_ = revoke.MarkFlagRequired("user")
	cmd.AddCommand(create, list, revoke)
	con.bindTree(cmd, groupAdmin)
	return cmd
}

func newSessionsCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "Manage a user's browser sessions",
		Args:  cobra.NoArgs,
	}
	var user string
	revoke := &cobra.Command{
		Use:   "revoke --user USERNAME",
		Short: "End every session of a user (log out everywhere); tokens stay",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return con.withAdmin(cmd, []string{"users", "sessions"}, func(a *app.Admin) error {
				n, err := a.RevokeSessions(cmd.Context(), user)
				if err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "revoked %d sessions of %q\n", n, user)
				return nil
			})
		},
	}
	revoke.Flags().StringVar(&user, "user", "", "the sessions' owner (required)")
	_ = revoke.MarkFlagRequired("user")

	var asJSON bool
	list := &cobra.Command{
		Use:   "list --user USERNAME",
		Short: "List a user's live sessions, newest first: id, times, IP and browser (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return con.withAdmin(cmd, []string{"users", "sessions"}, func(a *app.Admin) error {
				sessions, err := a.ListSessions(cmd.Context(), user)
				if err != nil {
					return err
				}
				out := newListOutput(con.stdout, asJSON, "ID", "CREATED", "LAST SEEN", "IP", "BROWSER")
				for _, s := range sessions {
					v := viewSession(s)
					if err := out.row(v, s.ID, s.CreatedAt.Format(time.RFC3339), stamp(s.LastSeenAt),
						cell(s.IP), v.Browser); err != nil {
						return err
					}
				}
				return out.close()
			})
		},
	}
	list.Flags().StringVar(&user, "user", "", "the sessions' owner (required)")
	list.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of sessions")
	_ = list.MarkFlagRequired("user")
	cmd.AddCommand(list, revoke)
	con.bindTree(cmd, groupAdmin)
	return cmd
}

// cell shows an empty value as "-", so the table keeps its columns.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format(time.RFC3339)
}

func expiry(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.Format(time.RFC3339)
}
