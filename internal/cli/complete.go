package cli

import (
	"strings"

	"github.com/spf13/cobra"
)

// completeArgs completes positional arguments with the names of existing
// resources, read from the server: kinds maps an argument's position to its
// resource kind ("bgpvpn", "network", ...); position -1 stands for every
// argument. Any failure (no credentials, server down) completes nothing.
func (a *app) completeArgs(kinds map[int]string) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
		kind, ok := kinds[len(args)]
		if !ok {
			kind, ok = kinds[-1]
		}
		if !ok {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		ctx := cmd.Context()
		var f finder
		var err error
		if kind == "bgpvpn" {
			f, err = a.bgpvpnFinder(ctx)
		} else {
			f, err = a.coreFinder(ctx, kind)
		}
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		objs, err := f.list(ctx, query{})
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var out []cobra.Completion
		for _, o := range objs {
			name := o.str("name")
			if name == "" {
				name = o.str("id")
			}
			if strings.HasPrefix(name, toComplete) {
				out = append(out, cobra.CompletionWithDesc(name, o.str("id")))
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
