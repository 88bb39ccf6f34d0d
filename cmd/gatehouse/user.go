package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/gatehouse/gatehouse/app"
	"github.com/gatehouse/gatehouse/domain"
	"github.com/gatehouse/gatehouse/ports"
)

func newUserCommand(con *console) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Create, list and manage users",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newUserCreateCommand(con), newUserListCommand(con), newUserSetPasswordCommand(con),
		newUserActiveCommand(con, "deactivate", false), newUserActiveCommand(con, "activate", true),
		newUserVerifyEmailCommand(con), newUserDeleteCommand(con), newUserSetEmailCommand(con), newUserMFACommand(con))
	con.bindTree(cmd, groupAdmin)
	return cmd
}

// newUserVerifyEmailCommand marks a user's address verified, for an operator who knows it
// is theirs: an account made by "user create", say, or one whose mail does not arrive.
func newUserVerifyEmailCommand(con *console) *cobra.Command {
	return &cobra.Command{
		Use:   "verify-email USERNAME",
		Short: "Mark the user's email address verified, as following a verification link would",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return con.withAdmin(cmd, []string{"users"}, func(a *app.Admin) error {
				if err := a.VerifyEmail(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "marked the email address of %q verified\n", args[0])
				return nil
			})
		},
	}
}

func newUserCreateCommand(con *console) *cobra.Command {
	var email string
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "create USERNAME",
		Short: "Create an active user, like Django's createsuperuser",
		Long: `Create an active user. The password is asked twice without echo, or read from the
first line of standard input with --password-stdin. The signup rules apply.`,
		Example: `  gatehouse user create alice --email alice@example.com
  printf '%s\n' "$PASSWORD" | gatehouse user create alice --password-stdin`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := con.newPassword(fromStdin)
			if err != nil {
				return err
			}
			return con.withAdmin(cmd, []string{"users"}, func(a *app.Admin) error {
				u, err := a.CreateUser(cmd.Context(), ports.NewUser{Username: args[0], Email: email, Password: pw})
				if err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "created user %q (id %d)\n", u.Username, u.ID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&email, "email", "", "the user's email address")
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func newUserListCommand(con *console) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List every user in ID order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return con.withAdmin(cmd, []string{"users"}, func(a *app.Admin) error {
				out := newListOutput(con.stdout, asJSON, "ID", "USERNAME", "EMAIL", "ACTIVE", "JOINED")
				const pageSize = 500
				var after domain.UserID
				for {
					page, err := a.ListUsers(cmd.Context(), after, pageSize)
					if err != nil {
						return err
					}
					for _, u := range page {
						err := out.row(viewUser(u), strconv.FormatInt(int64(u.ID), 10), u.Username, u.Email,
							strconv.FormatBool(u.IsActive), u.DateJoined.Format(time.RFC3339))
						if err != nil {
							return err
						}
					}
					if len(page) < pageSize {
						return out.close()
					}
					after = page[len(page)-1].ID
				}
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array of users")
	return cmd
}

func newUserSetPasswordCommand(con *console) *cobra.Command {
	var fromStdin bool
	cmd := &cobra.Command{
		Use:   "set-password USERNAME",
		Short: "Set a user's password and revoke their sessions and tokens, like Django's changepassword",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, err := con.newPassword(fromStdin)
			if err != nil {
				return err
			}
			return con.withAdmin(cmd, []string{"users", "sessions", "tokens"}, func(a *app.Admin) error {
				if err := a.SetPassword(cmd.Context(), args[0], pw); err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "password of %q changed; every session and token revoked\n", args[0])
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&fromStdin, "password-stdin", false, "read the password from standard input")
	return cmd
}

func newUserActiveCommand(con *console, verb string, active bool) *cobra.Command {
	short := "Let a deactivated user log in again"
	if !active {
		short = "Stop a user from logging in, and revoke their sessions and tokens"
	}
	return &cobra.Command{
		Use:   verb + " USERNAME",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return con.withAdmin(cmd, []string{"users", "sessions", "tokens"}, func(a *app.Admin) error {
				if err := a.SetActive(cmd.Context(), args[0], active); err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "%sd %q\n", verb, args[0])
				return nil
			})
		},
	}
}

// newUserDeleteCommand deletes a user. It asks for no confirmation on the terminal, since
// operators script it, but it does nothing without --yes: a deletion cannot be undone, and
// a mistyped "deactivate" or a stray history line should not delete anyone.
func newUserDeleteCommand(con *console) *cobra.Command {
	var yes bool
	cmd := &cobra.Command{
		Use:   "delete USERNAME",
		Short: "Delete a user with every session and token; the username becomes free",
		Long: `Delete a user, revoking every session and token at once on every instance. It cannot
be undone, so it needs --yes. The username can then be signed up again, by anyone; to stop
someone from logging in but keep the account, use deactivate.`,
		Example: `  gatehouse user delete alice --yes`,
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !yes {
				return usageError(fmt.Errorf("deleting user %q cannot be undone: run again with --yes", args[0]))
			}
			return con.withAdmin(cmd, []string{"users", "sessions", "tokens"}, func(a *app.Admin) error {
				if err := a.DeleteUser(cmd.Context(), args[0]); err != nil {
					return err
				}
				fmt.Fprintf(con.stdout, "deleted %q; every session and token revoked\n", args[0])
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&yes, "yes", false, "confirm the deletion")
	return cmd
}
