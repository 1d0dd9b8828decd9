// Command bgpvpn is the command-line client of the BGPVPN API; see
// internal/cli for what it does.
package main

import (
	"context"
	"os"
	"os/signal"

	"github.com/bgpvpn/bgpvpn/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	code := cli.Main(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
