package cli

import (
	"github.com/spf13/cobra"
)

// specifiedFlags are the options of the attributes that networking-bgpvpn's
// specification defines (admin only, by default): --enable/--disable as on
// openstack network create/set, --technique, --[no-]auto-aggregate.
type specifiedFlags struct {
	enable, disable, aggregate, noAggregate bool
	technique                               string
}

func addSpecifiedFlags(cmd *cobra.Command) *specifiedFlags {
	f := &specifiedFlags{}
	cmd.Flags().BoolVar(&f.enable, "enable", false, "Enable the BGP VPN's interconnection (admin_state_up, the default)")
	cmd.Flags().BoolVar(&f.disable, "disable", false, "Shut the BGP VPN's interconnection down: routes withdrawn, associations kept")
	cmd.Flags().StringVar(&f.technique, "technique", "", "Technique: ipvpn or evpn-prefix (l3), evpn (l2); see 'bgpvpn technique list'")
	cmd.Flags().BoolVar(&f.aggregate, "auto-aggregate", false, "Advertise subnets instead of host routes outside the cloud (l3)")
	cmd.Flags().BoolVar(&f.noAggregate, "no-auto-aggregate", false, "Advertise host routes (the default)")
	cmd.MarkFlagsMutuallyExclusive("enable", "disable")
	cmd.MarkFlagsMutuallyExclusive("auto-aggregate", "no-auto-aggregate")
	return f
}

// apply puts the options given into attrs.
func (f *specifiedFlags) apply(cmd *cobra.Command, attrs map[string]any) {
	switch {
	case f.enable:
		attrs["admin_state_up"] = true
	case f.disable:
		attrs["admin_state_up"] = false
	}
	if cmd.Flags().Changed("technique") {
		if f.technique == "" {
			attrs["technique"] = nil
		} else {
			attrs["technique"] = f.technique
		}
	}
	switch {
	case f.aggregate:
		attrs["auto_aggregate"] = true
	case f.noAggregate:
		attrs["auto_aggregate"] = false
	}
}

// techniqueCommand lists what the server's driver implements
// (GET /bgpvpn/techniques).
func (a *app) techniqueCommand() *cobra.Command {
	list := &cobra.Command{
		Use:   "list [flags]",
		Short: "List the techniques the server's driver implements, per BGP VPN type",
		Example: `  bgpvpn technique list
  bgpvpn technique list --type l3 -f value`,
		Args: exactArgs(0, "no positional argument"),
	}
	var typ string
	list.Flags().StringVar(&typ, "type", "", "Only this BGP VPN type (l3 or l2)")
	out := outputFlags(list, true)
	list.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		var byType map[string][]string
		if typ != "" {
			_, err = c.Get(ctx, c.ServiceURL("bgpvpn", "techniques", typ), &byType, nil)
		} else {
			var body struct {
				Techniques map[string][]string `json:"techniques"`
			}
			_, err = c.Get(ctx, c.ServiceURL("bgpvpn", "techniques"), &body, nil)
			byType = body.Techniques
		}
		if err != nil {
			return serverError(err)
		}
		var rows [][]any
		for _, t := range []string{"l3", "l2"} {
			for _, tech := range byType[t] {
				rows = append(rows, []any{t, tech})
			}
		}
		return out.EmitList(a.stdout, []string{"Type", "Technique"}, rows)
	}
	return group("technique", "BGP VPN techniques", list)
}
