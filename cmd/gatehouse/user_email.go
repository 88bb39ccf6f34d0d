package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/app"
)

// newUserSetEmailCommand changes a user's address at once, as an operator vouching for it:
// no link is mailed, and the address counts as verified.
func newUserSetEmailCommand(con *console) *cobra.Command {
	return &cobra.Command{
		Use:   "set-email USERNAME ADDRESS",
		Short: "Give a user a new email address at once, marked verified",
		Long: `Give a user a new email address at once, without the confirmation link a user's own
change needs: the operator vouches for the address, so it counts as verified. The address
rule of signups applies (GATEHOUSE_UNIQUE_EMAIL). An empty ADDRESS removes the address. The
change is audited.`,
		Example: `  gatehouse user set-email alice alice@example.net`,
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return con.withAdmin(cmd, []string{"users"}, func(a *app.Admin) error {
				if err := a.SetEmail(cmd.Context(), args[0], args[1]); err != nil {
					return err
				}
				if args[1] == "" {
					fmt.Fprintf(con.stdout, "email address of %q removed\n", args[0])
					return nil
				}
				fmt.Fprintf(con.stdout, "email address of %q set, verified\n", args[0])
				return nil
			})
		},
	}
}
