// Command bgpvpn-server serves the Neutron-compatible BGPVPN API.
//
//	bgpvpn-server [--config-file FILE]... [--bind ADDR:PORT] [--data-dir DIR]
//	bgpvpn-server db upgrade | policy-sample | config-sample
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bgpvpn/bgpvpn/internal/config"
	_ "github.com/bgpvpn/bgpvpn/internal/driver/bagpipe"
	_ "github.com/bgpvpn/bgpvpn/internal/driver/dummy"
	"github.com/bgpvpn/bgpvpn/internal/policy"
	"github.com/bgpvpn/bgpvpn/internal/server"
)

func main() {
	if err := root().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "bgpvpn-server:", err)
		os.Exit(1)
	}
}

type flags struct {
	configFiles []string
	bind        string
	dataDir     string
}

// configFilesEnv names the configuration files (colon-separated) to read
// when no --config-file is given: how a wrapper that only passes --bind and
// --data-dir (e.g. the OpenStack lab's smoke test) runs a configured server.
const configFilesEnv = "BGPVPN_CONFIG_FILES"

func (f *flags) load() (*config.Values, error) {
	files := f.configFiles
	if env := os.Getenv(configFilesEnv); len(files) == 0 && env != "" {
		files = strings.Split(env, ":")
	}
	v, err := server.Schema().Load(files...)
	if err != nil {
		return nil, err
	}
	if f.bind != "" {
		host, port, err := net.SplitHostPort(f.bind)
		if err != nil {
			return nil, fmt.Errorf("--bind %q: %w", f.bind, err)
		}
		if err := v.Set("DEFAULT", "bind_host", host); err != nil {
			return nil, err
		}
		if err := v.Set("DEFAULT", "bind_port", port); err != nil {
			return nil, fmt.Errorf("--bind %q: %w", f.bind, err)
		}
	}
	if f.dataDir != "" {
		if err := v.Set("DEFAULT", "data_dir", f.dataDir); err != nil {
			return nil, err
		}
	}
	return v, nil
}

func root() *cobra.Command {
	var f flags
	cmd := &cobra.Command{
		Use:   "bgpvpn-server",
		Short: "Serve the Neutron-compatible BGPVPN API",
		Long: "bgpvpn-server serves the OpenStack networking-bgpvpn API (bgpvpns and their network, router and port\n" +
			"associations) and the core network model they point at, on 127.0.0.1:9696 by default, with a SQLite\n" +
			"database in ./data, noauth identity and the dummy driver.",
		Example:       "  bgpvpn-server\n  bgpvpn-server --bind 0.0.0.0:9696 --data-dir /var/lib/bgpvpn\n  bgpvpn-server --config-file /etc/bgpvpn/server.conf",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := f.load()
			if err != nil {
				return err
			}
			level := slog.LevelInfo
			if v.Bool("DEFAULT", "debug") {
				level = slog.LevelDebug
			}
			log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
			for _, u := range v.Unknown() {
				log.Warn("unknown configuration option", "option", u)
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			s, err := server.New(ctx, v, log)
			if err != nil {
				return err
			}
			ln, err := net.Listen("tcp", s.Addr)
			if err != nil {
				return err
			}
			return s.Run(ctx, ln)
		},
	}
	pf := cmd.PersistentFlags()
	pf.StringArrayVar(&f.configFiles, "config-file", nil, "oslo.config INI file (repeatable; later files override earlier ones; default: the files in $"+configFilesEnv+", colon-separated)")
	pf.StringVar(&f.bind, "bind", "", "listen address ADDR:PORT (overrides bind_host/bind_port)")
	pf.StringVar(&f.dataDir, "data-dir", "", "directory of the SQLite database (overrides data_dir)")

	db := &cobra.Command{Use: "db", Short: "Database maintenance"}
	db.AddCommand(&cobra.Command{
		Use: "upgrade", Short: "Apply pending schema migrations and exit", Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			v, err := f.load()
			if err != nil {
				return err
			}
			st, err := server.OpenStore(context.Background(), v)
			if err != nil {
				return err
			}
			defer st.Close()
			n, err := st.Version(context.Background())
			fmt.Fprintf(cmd.OutOrStdout(), "database at schema version %d\n", n)
			return err
		},
	})
	cmd.AddCommand(db,
		&cobra.Command{Use: "policy-sample", Short: "Print the default policy as a commented YAML file", Args: cobra.NoArgs,
			Run: func(cmd *cobra.Command, _ []string) {
				fmt.Fprint(cmd.OutOrStdout(), policy.SampleYAML(policy.Defaults()))
			}},
		&cobra.Command{Use: "config-sample", Short: "Print every configuration option as a commented INI file", Args: cobra.NoArgs,
			Run: func(cmd *cobra.Command, _ []string) { fmt.Fprint(cmd.OutOrStdout(), server.Schema().Sample()) }},
	)
	return cmd
}
