package main

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/app"
)

// newUserMFACommand shows and resets users' second factors.
func newUserMFACommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "mfa",
		Short: "Show or reset a user's second factors",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(&cobra.Command{
		Use:     "list USERNAME",
		Short:   "Show which second factors a user logs in with",
		Example: `  gatehouse user mfa list alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return con.withAdmin(cmd, []string{"users"}, func(a *app.Admin) error {
				kinds, pending, err := a.Factors(cmd.Context(), args[0])
				if err != nil {
					return err
				}
				names := make([]string, 0, len(kinds))
				for _, k := range kinds {
					names = append(names, string(k))
				}
				switch {
				case len(names) > 0:
					fmt.Fprintln(con.stdout, strings.Join(names, " "))
				case pending:
					fmt.Fprintln(con.stdout, "none (a TOTP enrolment is pending confirmation)")
				default:
					fmt.Fprintln(con.stdout, "none")
				}
				return nil
			})
		},
	}, &cobra.Command{
		Use:   "reset USERNAME",
		Short: "Remove a user's second factors and recovery codes",
		Long: `Remove a user's TOTP authenticator and recovery codes, for a user who lost both: the
next login needs the password only. Check who is asking first: this undoes the protection
the factor gave. Sessions and tokens are kept. The reset is audited.`,
		Example: `  gatehouse user mfa reset alice`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return con.withAdmin(cmd, []string{"users"}, func(a *app.Admin) error {
				if err := a.ResetFactors(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "second factors of %q removed\n", args[0])
				return nil
			})
		},
	})
	return cmd
}
