package cli

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/layer3/routers"
	"github.com/spf13/cobra"
)

func (a *app) routerCommand() *cobra.Command {
	return group("router", "Manage routers, their interfaces and extra routes, and their BGP VPN associations",
		a.routerCreate(),
		a.coreList("router", &cobra.Command{
			Use:     "list [flags]",
			Short:   "List routers",
			Example: "  bgpvpn router list\n  bgpvpn router list --long",
		}, nil),
		a.coreShow("router"), a.routerSet(), a.routerUnset(), a.coreDelete("router"),
		group("add", "Add a subnet interface to a router", a.routerInterface(true)),
		group("remove", "Remove a subnet interface from a router", a.routerInterface(false)),
		a.associationCommand(routerAssoc))
}

const routeHelp = "Extra route destination=<cidr>,gateway=<ip> (repeatable)"

// routerRoutes returns the router's routes with the options added (or
// removed), keeping the current order.
func routerRoutes(cur object, opts []string, remove bool) ([]any, error) {
	if !remove {
		return keyValueObjects("--route", opts, []string{"destination", "gateway"}, anyList(cur["routes"]))
	}
	out := []any{}
	var drop []map[string]any
	for _, o := range opts {
		kv, err := splitKeyValues("--route", o, []string{"destination", "gateway"}, nil)
		if err != nil {
			return nil, err
		}
		drop = append(drop, map[string]any{"destination": kv["destination"], "nexthop": kv["gateway"]})
	}
	for _, r := range anyList(cur["routes"]) {
		m, ok := r.(map[string]any)
		keep := true
		for _, d := range drop {
			if ok && sameStrings(m, d) {
				keep = false
			}
		}
		if keep {
			out = append(out, r)
		}
	}
	return out, nil
}

func (a *app) routerCreate() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "create <name> [flags]",
		Short: "Create a router",
		Long:  "Create a router. Extra routes are added afterwards with \"router set --route\" (the API refuses them on create).",
		Example: `  bgpvpn router create router1
  bgpvpn router create router1 --disable`,
	}
	state := enableFlags(cmd, "the router")
	return a.coreCreate("router", cmd, func(_ context.Context, attrs map[string]any) error {
		state.put(attrs, "admin_state_up")
		return nil
	})
}

func (a *app) routerSet() *cobra.Command {
	var name, description string
	var routes []string
	var noRoute bool
	cmd := &cobra.Command{
		Use:   "set <router> [flags]",
		Short: "Set router properties",
		Long:  "Set router properties. --route adds an extra route; --no-route clears them first.",
		Example: `  bgpvpn router set router1 --route destination=10.10.0.0/16,gateway=10.9.0.254
  bgpvpn router set router1 --no-route`,
	}
	cmd.Flags().StringVar(&name, "name", "", "New name")
	cmd.Flags().StringVar(&description, "description", "", "Description")
	cmd.Flags().StringArrayVar(&routes, "route", nil, routeHelp+"; adds to the current routes")
	cmd.Flags().BoolVar(&noRoute, "no-route", false, "Clear the extra routes (then add those given with --route)")
	state := enableFlags(cmd, "the router")
	return a.coreSet("router", cmd, func(_ context.Context, cur object, attrs map[string]any) error {
		if cmd.Flags().Changed("name") {
			attrs["name"] = name
		}
		if cmd.Flags().Changed("description") {
			attrs["description"] = description
		}
		state.put(attrs, "admin_state_up")
		if noRoute {
			cur = object{}
			attrs["routes"] = []any{}
		}
		if len(routes) > 0 {
			r, err := routerRoutes(cur, routes, false)
			if err != nil {
				return err
			}
			attrs["routes"] = r
		}
		return nil
	})
}

func (a *app) routerUnset() *cobra.Command {
	var routes []string
	cmd := &cobra.Command{
		Use:     "unset <router> [flags]",
		Short:   "Unset router properties",
		Example: "  bgpvpn router unset router1 --route destination=10.10.0.0/16,gateway=10.9.0.254",
	}
	cmd.Flags().StringArrayVar(&routes, "route", nil, "Extra route to remove: destination=<cidr>,gateway=<ip> (repeatable)")
	return a.coreSet("router", cmd, func(_ context.Context, cur object, attrs map[string]any) error {
		if len(routes) == 0 {
			return nil
		}
		r, err := routerRoutes(cur, routes, true)
		if err != nil {
			return err
		}
		attrs["routes"] = r
		return nil
	})
}

// routerInterface is "router add subnet" (add) or "router remove subnet".
func (a *app) routerInterface(add bool) *cobra.Command {
	verb := "remove"
	if add {
		verb = "add"
	}
	return &cobra.Command{
		Use:     "subnet <router> <subnet>",
		Short:   fmt.Sprintf("%s a subnet interface (router and subnet by name or ID)", map[bool]string{true: "Add", false: "Remove"}[add]),
		Example: fmt.Sprintf("  bgpvpn router %s subnet router1 sub1", verb),
		Args:    exactArgs(2, "<router> <subnet>"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			rf, err := a.coreFinder(ctx, "router")
			if err != nil {
				return err
			}
			routerID, err := rf.findID(ctx, args[0])
			if err != nil {
				return err
			}
			sf, err := a.coreFinder(ctx, "subnet")
			if err != nil {
				return err
			}
			subnetID, err := sf.findID(ctx, args[1])
			if err != nil {
				return err
			}
			c, err := a.net(ctx)
			if err != nil {
				return err
			}
			b := body{attrs: map[string]any{"subnet_id": subnetID}}
			if add {
				return serverError(routers.AddInterface(ctx, c, routerID, b).Err)
			}
			return serverError(routers.RemoveInterface(ctx, c, routerID, b).Err)
		},
	}
}
