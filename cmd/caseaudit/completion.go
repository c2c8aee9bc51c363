package main

import (
	"strings"

	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/spf13/cobra"
)

// completeAudits completes an audit name from the store (for the first
// argument only). It never creates a store.
func completeAudits(g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveDefault
		}
		if !g.storeExists() {
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

// completeSheets completes --sheet with the sheet names of the export named
// by the first argument (none for a csv file, or before the export is
// given). It reads only the workbook's list of sheets.
func completeSheets(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
	if len(args) == 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var opts export.OpenOptions
	if f := cmd.Flags().Lookup("password"); f != nil {
		opts.Password = f.Value.String()
	}
	names, err := export.Sheets(args[0], opts)
	if err != nil {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, n := range names {
		if strings.HasPrefix(strings.ToLower(n), strings.ToLower(toComplete)) {
			out = append(out, n)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
