package cli

import (
	"context"
	"fmt"

	"github.com/gophercloud/gophercloud/v2/openstack/networking/v2/extensions/rbacpolicies"
	"github.com/spf13/cobra"
)

func (b body) ToRBACPolicyCreateMap() (map[string]any, error) { return b.toMap() }
func (b body) ToRBACPolicyUpdateMap() (map[string]any, error) { return b.toMap() }
func (q query) ToRBACPolicyListQuery() (string, error)        { return q.str() }

// rbacView prints RBAC policies as openstack network rbac does: the
// target as target_project_id, the owner as project_id.
var rbacView = view{
	columns: []column{
		{"id", "ID", listBoth},
		{"object_type", "Object Type", listBoth},
		{"object_id", "Object ID", listBoth},
		{"action", "Action", listLongOnly},
	},
	format:  autoFormat,
	rawShow: true,
}

// rbacObject renames a policy's attributes the openstack CLI's way.
func rbacObject(o object) object {
	return object{"id": o["id"], "object_type": o["object_type"], "object_id": o["object_id"], "action": o["action"],
		"project_id": o["project_id"], "target_project_id": o["target_tenant"]}
}

// targetFlags are --target-project / --target-all-projects.
type targetFlags struct {
	project string
	all     bool
}

func addTargetFlags(cmd *cobra.Command) *targetFlags {
	t := &targetFlags{}
	cmd.Flags().StringVar(&t.project, "target-project", "", "The project (ID) the BGP VPN is shared with")
	cmd.Flags().BoolVar(&t.all, "target-all-projects", false, "Share the BGP VPN with every project (admin only, by default)")
	cmd.MarkFlagsMutuallyExclusive("target-project", "target-all-projects")
	return t
}

func (t *targetFlags) target() (string, bool) {
	switch {
	case t.all:
		return "*", true
	case t.project != "":
		return t.project, true
	}
	return "", false
}

// rbacCommand is "bgpvpn rbac …": sharing BGP VPNs with other projects
// through Neutron's rbac-policies (object type bgpvpn), with the options
// and output of openstack network rbac.
func (a *app) rbacCommand() *cobra.Command {
	return group("rbac", "Share BGP VPNs with other projects (RBAC policies of object type bgpvpn)",
		a.rbacCreate(), a.rbacList(), a.rbacShow(), a.rbacSet(), a.rbacDelete())
}

func (a *app) rbacCreate() *cobra.Command {
	var action, typ, project string
	cmd := &cobra.Command{
		Use:   "create <bgpvpn> (--target-project <project> | --target-all-projects) [flags]",
		Short: "Share a BGP VPN (name or ID) with a project or with every project",
		Long: `Share a BGP VPN with a project: the project sees it (without its route
targets) and may associate its own networks, routers and ports with it. Only
the BGP VPN's owner or an admin may; only an admin may share with every project.`,
		Example: `  bgpvpn rbac create blue --target-project project-b
  bgpvpn rbac create blue --target-all-projects -f json`,
		Args:              exactArgs(1, "<bgpvpn>"),
		ValidArgsFunction: a.completeArgs(map[int]string{0: "bgpvpn"}),
	}
	t := addTargetFlags(cmd)
	cmd.Flags().StringVar(&action, "action", "access_as_shared", "Action: access_as_shared")
	cmd.Flags().StringVar(&typ, "type", "bgpvpn", "Object type: bgpvpn (the only one this server shares)")
	cmd.Flags().StringVar(&project, "project", "", "Owner's project of the policy (ID; admin only)")
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		target, ok := t.target()
		if !ok {
			return usagef("one of the arguments --target-project --target-all-projects is required")
		}
		id, err := a.bgpvpnID(ctx, args[0])
		if err != nil {
			return err
		}
		attrs := map[string]any{"object_type": typ, "object_id": id, "target_tenant": target, "action": action}
		if project != "" {
			attrs["tenant_id"] = project
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		obj, err := extract(rbacpolicies.Create(ctx, c, body{"rbac_policy", attrs}).Result, "rbac_policy")
		if err != nil {
			return err
		}
		return a.printOne(cmd, out, rbacView, rbacObject(obj))
	}
	return cmd
}

func (a *app) rbacList() *cobra.Command {
	var action, typ, target string
	var long bool
	cmd := &cobra.Command{
		Use:   "list [flags]",
		Short: "List RBAC policies",
		Example: `  bgpvpn rbac list
  bgpvpn rbac list --long --target-project project-b`,
		Args: exactArgs(0, "no positional argument"),
	}
	cmd.Flags().StringVar(&action, "action", "", "Only policies with this action")
	cmd.Flags().StringVar(&typ, "type", "", "Only policies of this object type")
	cmd.Flags().StringVar(&target, "target-project", "", "Only policies sharing with this project (ID, or * for every project)")
	cmd.Flags().BoolVar(&long, "long", false, "List additional fields in output")
	out := outputFlags(cmd, true)
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		ctx := cmd.Context()
		q := query{}
		for k, v := range map[string]string{"action": action, "object_type": typ, "target_tenant": target} {
			if v != "" {
				q[k] = []string{v}
			}
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		objs, err := extractAll(ctx, rbacpolicies.List(c, q), "rbac_policies")
		if err != nil {
			return err
		}
		for i := range objs {
			objs[i] = rbacObject(objs[i])
		}
		headers, rows := rbacView.list(objs, long)
		return out.EmitList(a.stdout, headers, rows)
	}
	return cmd
}

func (a *app) rbacGet(ctx context.Context, id string) (object, error) {
	c, err := a.net(ctx)
	if err != nil {
		return nil, err
	}
	return extract(rbacpolicies.Get(ctx, c, id).Result, "rbac_policy")
}

func (a *app) rbacShow() *cobra.Command {
	cmd := &cobra.Command{
		Use:     "show <rbac-policy>",
		Short:   "Show an RBAC policy (ID)",
		Example: `  bgpvpn rbac show 0b31fe6d-5e92-4d76-b28d-210f9ac53d9a -f json`,
		Args:    exactArgs(1, "<rbac-policy>"),
	}
	out := outputFlags(cmd, false)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		obj, err := a.rbacGet(cmd.Context(), args[0])
		if err != nil {
			return err
		}
		return a.printOne(cmd, out, rbacView, rbacObject(obj))
	}
	return cmd
}

func (a *app) rbacSet() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "set <rbac-policy> (--target-project <project> | --target-all-projects)",
		Short: "Change the project an RBAC policy shares with",
		Long: `Change the project an RBAC policy shares with. The server refuses (409) while
the project it shared with still has associations through it.`,
		Example: `  bgpvpn rbac set 0b31fe6d-5e92-4d76-b28d-210f9ac53d9a --target-project project-c`,
		Args:    exactArgs(1, "<rbac-policy>"),
	}
	t := addTargetFlags(cmd)
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		ctx := cmd.Context()
		target, ok := t.target()
		if !ok {
			return nil
		}
		c, err := a.net(ctx)
		if err != nil {
			return err
		}
		_, err = extract(rbacpolicies.Update(ctx, c, args[0], body{"rbac_policy", map[string]any{"target_tenant": target}}).Result, "rbac_policy")
		return err
	}
	return cmd
}

func (a *app) rbacDelete() *cobra.Command {
	return &cobra.Command{
		Use:   "delete <rbac-policy> [<rbac-policy> ...]",
		Short: "Delete RBAC policies (ID)",
		Long: `Delete RBAC policies; each failure is reported and the command fails if any
did. The server refuses (409) to delete a policy a project still has
associations through.`,
		Example: `  bgpvpn rbac delete 0b31fe6d-5e92-4d76-b28d-210f9ac53d9a`,
		Args:    minArgs(1, "at least one <rbac-policy>"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx := cmd.Context()
			c, err := a.net(ctx)
			if err != nil {
				return err
			}
			fails := 0
			for _, id := range args {
				if err := serverError(rbacpolicies.Delete(ctx, c, id).ExtractErr()); err != nil {
					fails++
					fmt.Fprintf(a.stderr, "Failed to delete RBAC policy with ID '%s': %v\n", id, err)
					continue
				}
				fmt.Fprintf(a.stderr, "RBAC policy %s deleted\n", id)
			}
			if fails > 0 {
				return fmt.Errorf("Failed to delete %d of %d RBAC policies.", fails, len(args))
			}
			return nil
		},
	}
}
