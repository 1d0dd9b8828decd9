package cli

import (
	"context"

	"github.com/spf13/cobra"
)

func (a *app) networkCommand() *cobra.Command {
	return group("network", "Manage networks, and their BGP VPN associations",
		a.networkCreate(), a.coreList("network", &cobra.Command{
			Use:     "list [flags]",
			Short:   "List networks",
			Example: "  bgpvpn network list\n  bgpvpn network list --long -f json",
		}, nil), a.coreShow("network"), a.networkSet(), a.coreDelete("network"),
		a.associationCommand(networkAssoc))
}

func networkFlags(cmd *cobra.Command) func(attrs map[string]any) {
	state := enableFlags(cmd, "the network")
	var share boolPair
	cmd.Flags().BoolVar(&share.yes, "share", false, "Share the network between projects")
	cmd.Flags().BoolVar(&share.no, "no-share", false, "Do not share the network between projects")
	cmd.MarkFlagsMutuallyExclusive("share", "no-share")
	var mtu int
	cmd.Flags().IntVar(&mtu, "mtu", 0, "MTU of the network")
	return func(attrs map[string]any) {
		state.put(attrs, "admin_state_up")
		share.put(attrs, "shared")
		if cmd.Flags().Changed("mtu") {
			attrs["mtu"] = mtu
		}
	}
}

func (a *app) networkCreate() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "create <name> [flags]",
		Short:   "Create a network",
		Example: "  bgpvpn network create net1\n  bgpvpn network create net1 --disable --mtu 1450",
	}
	fill := networkFlags(cmd)
	return a.coreCreate("network", cmd, func(_ context.Context, attrs map[string]any) error {
		fill(attrs)
		return nil
	})
}

func (a *app) networkSet() *cobra.Command {
	var name, description string
	cmd := &cobra.Command{
		Use:     "set <network> [flags]",
		Short:   "Set network properties",
		Example: "  bgpvpn network set net1 --name net2\n  bgpvpn network set net1 --disable",
	}
	cmd.Flags().StringVar(&name, "name", "", "New name")
	cmd.Flags().StringVar(&description, "description", "", "Description")
	fill := networkFlags(cmd)
	return a.coreSet("network", cmd, func(_ context.Context, _ object, attrs map[string]any) error {
		if cmd.Flags().Changed("name") {
			attrs["name"] = name
		}
		if cmd.Flags().Changed("description") {
			attrs["description"] = description
		}
		fill(attrs)
		return nil
	})
}
