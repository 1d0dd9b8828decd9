// Package cli is the `bgpvpn` command-line client: every `openstack bgpvpn`
// command (BGPVPNs and their network, router and port associations) plus the
// network, subnet, port and router commands a standalone user needs, with the
// openstack CLI's options, output columns and output formats.
//
// It speaks the Neutron-compatible REST API through gophercloud, like any
// other client; it must never import the server's packages.
package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/bgpvpn/bgpvpn/internal/cli/output"
	"github.com/gophercloud/gophercloud/v2"
	"github.com/spf13/cobra"
)

// app is what every command shares: where to print, how to connect.
type app struct {
	auth   Auth
	stdout io.Writer
	stderr io.Writer
	client *gophercloud.ServiceClient
	// newClient is replaced in tests.
	newClient func(ctx context.Context, a Auth) (*gophercloud.ServiceClient, error)
}

func (a *app) net(ctx context.Context) (*gophercloud.ServiceClient, error) {
	if a.client != nil {
		return a.client, nil
	}
	c, err := a.newClient(ctx, a.auth)
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}

// Main runs the command line and returns the process exit code: 0, 1 for a
// failed operation, 2 for a command line that cannot be parsed.
func Main(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := &app{stdout: stdout, stderr: stderr, newClient: func(ctx context.Context, au Auth) (*gophercloud.ServiceClient, error) {
		return au.NetworkClient(ctx)
	}}
	return a.run(ctx, args)
}

func (a *app) run(ctx context.Context, args []string) (code int) {
	// Nothing a server sends reaches the terminal raw: the formats escape
	// their cells, these writers whatever else is printed.
	stdout, stderr := output.PrintableWriter(a.stdout), output.PrintableWriter(a.stderr)
	a.stdout, a.stderr = stdout, stderr
	defer func() {
		stdout.Flush()
		stderr.Flush()
	}()
	defer func() {
		// A bug of ours must still end in one line and a failure status,
		// never a stack trace in the user's terminal.
		if r := recover(); r != nil {
			fmt.Fprintf(a.stderr, "internal error: %v\n", r)
			code = 1
		}
	}()
	root := a.rootCommand()
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ue *usageError
	var urlErr *url.Error
	var te *timeoutError
	var ir *invalidResponseError
	var ute *json.UnmarshalTypeError
	switch {
	case errors.As(err, &ute):
		// gophercloud's decoders: JSON of the wrong shape.
		field := ute.Field
		if ute.Struct != "" {
			field = ute.Struct + "." + field
		}
		err = fmt.Errorf("invalid response from the network API: %s is a %s where a %s is expected", field, ute.Value, ute.Type)
	case errors.As(err, &ue) || !errors.As(err, &urlErr):
	case errors.As(err, &te):
		err = fmt.Errorf("no answer from the network API at %s within %s", urlErr.URL, strings.TrimPrefix(te.Error(), "no answer within "))
	case errors.As(err, &ir):
		err = fmt.Errorf("%w (%s %s)", ir, urlErr.Op, urlErr.URL)
	default:
		// "Get \"http://…\": dial tcp …" says less than where we failed to go.
		err = fmt.Errorf("cannot reach the network API at %s: %w", urlErr.URL, urlErr.Err)
	}
	fmt.Fprintln(a.stderr, err.Error())
	if errors.As(err, &ue) || isCobraUsageError(err) {
		return 2
	}
	return 1
}

// isCobraUsageError recognises the command-line errors cobra reports as
// plain errors (flag groups, required flags, unknown commands).
func isCobraUsageError(err error) bool {
	msg := err.Error()
	for _, p := range []string{"if any flags in the group", "required flag(s)", "unknown command", "unknown shorthand flag", "unknown flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "bgpvpn",
		Short: "Manage BGP VPNs and their associations on a Neutron-compatible BGPVPN API",
		Long: `bgpvpn manages BGP VPN interconnections (the OpenStack networking-bgpvpn API)
and the networks, subnets, ports and routers they are associated with.

It accepts the commands, options and output formats of "openstack bgpvpn ..."
and authenticates the OpenStack way: --os-cloud/OS_CLOUD with clouds.yaml,
OS_* variables or --os-* flags. For a server without Keystone, use
--os-auth-type none --os-endpoint URL; --os-project-id, --os-user-id and
--os-roles are then sent as the X-Project-Id, X-User-Id and X-Roles headers.`,
		Example: `  # against a noauth server, as admin
  bgpvpn --os-auth-type none --os-endpoint http://127.0.0.1:9696 list

  # the same, as a member of project-a
  export OS_AUTH_TYPE=none OS_ENDPOINT=http://127.0.0.1:9696
  bgpvpn --os-project-id project-a --os-user-id user-a --os-roles member list

  # with a cloud from clouds.yaml
  OS_CLOUD=mycloud bgpvpn create --name blue --route-target 64512:1`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// The bgpvpn commands sit at the top level, like "openstack bgpvpn".
		CompletionOptions: cobra.CompletionOptions{HiddenDefaultCmd: false},
	}
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{msg: err.Error()} })
	a.auth.AddFlags(root.PersistentFlags())
	root.AddCommand(a.bgpvpnCommands()...)
	root.AddCommand(a.networkCommand(), a.subnetCommand(), a.portCommand(), a.routerCommand())
	return root
}

// outputFlags adds cliff's output options to a show (list=false) or list
// command.
func outputFlags(cmd *cobra.Command, list bool) *output.Options {
	o := &output.Options{}
	fs := cmd.Flags()
	formats := output.OneFormats
	if list {
		formats = output.ListFormats
	}
	fs.StringVarP(&o.Format, "format", "f", "table", "the output format: "+strings.Join(formats, ", "))
	fs.StringArrayVarP(&o.Columns, "column", "c", nil, "column to include (repeatable), by its displayed name, e.g. -c ID -c 'Route Targets'")
	fs.BoolVar(&o.NoIndent, "noindent", false, "json: do not indent")
	maxWidth, _ := strconv.Atoi(os.Getenv("CLIFF_MAX_TERM_WIDTH"))
	fs.IntVar(&o.MaxWidth, "max-width", maxWidth, "table: maximum display width, <1 to disable (env CLIFF_MAX_TERM_WIDTH)")
	fs.BoolVar(&o.FitWidth, "fit-width", os.Getenv("CLIFF_FIT_WIDTH") == "1", "table: fit the table to the terminal width ($COLUMNS) (env CLIFF_FIT_WIDTH=1)")
	fs.BoolVar(&o.PrintEmpty, "print-empty", false, "table: print an empty table if there is no data")
	if list {
		fs.StringVar(&o.Quote, "quote", "nonnumeric", "csv: when to quote: all, minimal, none, nonnumeric")
		fs.StringArrayVar(&o.SortColumns, "sort-column", nil, "column to sort on (repeatable, first has priority)")
		var asc, desc bool
		fs.BoolVar(&asc, "sort-ascending", false, "sort in ascending order")
		fs.BoolVar(&desc, "sort-descending", false, "sort in descending order")
		cmd.MarkFlagsMutuallyExclusive("sort-ascending", "sort-descending")
		prev := cmd.PreRunE
		cmd.PreRunE = func(c *cobra.Command, args []string) error {
			if desc {
				o.SortDirection = "desc"
			}
			if prev != nil {
				return prev(c, args)
			}
			return nil
		}
	} else {
		fs.StringVar(&o.Prefix, "prefix", "", "shell: prefix of every variable name")
	}
	_ = cmd.RegisterFlagCompletionFunc("format", cobra.FixedCompletions(formats, cobra.ShellCompDirectiveNoFileComp))
	cmd.PreRunE = chainPreRun(cmd.PreRunE, func(*cobra.Command, []string) error {
		if !slices.Contains(formats, o.Format) {
			quoted := make([]string, len(formats))
			for i, f := range formats {
				quoted[i] = "'" + f + "'"
			}
			return usagef("argument -f/--format: invalid choice: '%s' (choose from %s)", o.Format, strings.Join(quoted, ", "))
		}
		if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil {
			o.TermWidth = c
		}
		return nil
	})
	return o
}

func chainPreRun(first, second func(*cobra.Command, []string) error) func(*cobra.Command, []string) error {
	return func(c *cobra.Command, args []string) error {
		if first != nil {
			if err := first(c, args); err != nil {
				return err
			}
		}
		return second(c, args)
	}
}

// exactArgs is cobra.ExactArgs with a usage error (exit status 2).
func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("expected %s, got %d argument(s)", names, len(args))
		}
		return nil
	}
}

func minArgs(n int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("expected %s", names)
		}
		return nil
	}
}

// group is a command that only holds subcommands.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			return c.Help()
		},
	}
	c.AddCommand(subs...)
	return c
}

// outputOpts are the output options of one command.
type outputOpts = output.Options
