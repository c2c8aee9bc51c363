package main

import (
	"github.com/spf13/cobra"
)

// completeAudits completes an audit name from the store (for the first
// argument only). It never creates a store.
func completeAudits(g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		if !fileExists(g.storePath()) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		st, err := g.openStore(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer st.Close()
		list, err := st.Audits(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		var names []string
		for _, a := range list {
			names = append(names, a.Name)
		}
		return names, cobra.ShellCompDirectiveNoFileComp
	}
}
