// Command bgpvpn-agent is the compute-node BGP VPN speaker, a drop-in
// replacement for bagpipe-bgp: it reads bagpipe-bgp's bgp.conf and serves
// the same REST API.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	_ "net/http/pprof"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/bgpvpn/bgpvpn/internal/agent/agentconf"
	"github.com/bgpvpn/bgpvpn/internal/agent/api"
	"github.com/bgpvpn/bgpvpn/internal/agent/bench"
	"github.com/bgpvpn/bgpvpn/internal/agent/daemon"
	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/dummy"
	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/linux"
	_ "github.com/bgpvpn/bgpvpn/internal/dataplane/ovs"
)

var version = "dev"

func main() {
	if err := root().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "bgpvpn-agent:", err)
		os.Exit(1)
	}
}

func root() *cobra.Command {
	var (
		files     []string
		reflector bool
		level     string
		bgpLevel  string
		pprofAddr string
	)
	cmd := &cobra.Command{
		Use:           "bgpvpn-agent --config-file FILE",
		Short:         "BGP VPN speaker for compute nodes, compatible with bagpipe-bgp",
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(files) == 0 {
				files = []string{"/etc/bagpipe-bgp/bgp.conf"}
			}
			s, err := agentconf.Load(files...)
			if err != nil {
				return err
			}
			ring := api.NewLogRing(100)
			var lv, blv slog.LevelVar
			if err := lv.UnmarshalText([]byte(level)); err != nil {
				return fmt.Errorf("--log-level: %w", err)
			}
			if err := blv.UnmarshalText([]byte(bgpLevel)); err != nil {
				return fmt.Errorf("--bgp-log-level: %w", err)
			}
			log := slog.New(ring.Handler(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: &lv})))
			if pprofAddr != "" {
				go func() { log.Error("pprof server", "error", http.ListenAndServe(pprofAddr, nil)) }()
			}
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			o := daemon.Options{Logger: log, Logs: ring, BGPLevel: &blv, Version: version}
			if reflector {
				return daemon.RunReflector(ctx, s, o)
			}
			return daemon.Run(ctx, s, o)
		},
	}
	cmd.Flags().StringArrayVar(&files, "config-file", nil, "configuration file in bagpipe-bgp's bgp.conf format (repeatable; later files override)")
	cmd.Flags().BoolVar(&reflector, "route-reflector", false, "run as a BGP route reflector for the configured peers and [BGP] route_reflector_clients, without VPN instances or API")
	cmd.Flags().StringVar(&level, "log-level", "info", "log level: debug, info, warn, error")
	cmd.Flags().StringVar(&bgpLevel, "bgp-log-level", "warn", "log level of the embedded GoBGP")
	cmd.Flags().StringVar(&pprofAddr, "pprof-addr", "", "serve Go profiling (net/http/pprof) on this address, e.g. 127.0.0.1:6061")
	// bagpipe-bgp takes --log-file; keep it so service files work.
	var logFile string
	cmd.Flags().StringVar(&logFile, "log-file", "", "accepted for compatibility with bagpipe-bgp; logs go to stderr")
	var bo bench.Options
	benchCmd := &cobra.Command{
		Use:   "bench",
		Short: "measure route import, withdrawal, memory and port attach against this binary, on loopback",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			exe, err := os.Executable()
			if err != nil {
				return err
			}
			bo.Agent, bo.Out = exe, cmd.OutOrStdout()
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer stop()
			return bench.Run(ctx, bo)
		},
	}
	benchCmd.Flags().IntVar(&bo.Routes, "routes", 100000, "VPNv4 routes to import (0: skip)")
	benchCmd.Flags().IntVar(&bo.Ports, "ports", 1000, "ports to attach (0: skip)")
	cmd.AddCommand(benchCmd)
	cmd.AddCommand(&cobra.Command{
		Use:   "config-sample",
		Short: "print a commented sample configuration",
		Args:  cobra.NoArgs,
		Run:   func(cmd *cobra.Command, _ []string) { fmt.Fprint(cmd.OutOrStdout(), agentconf.Schema().Sample()) },
	})
	return cmd
}
