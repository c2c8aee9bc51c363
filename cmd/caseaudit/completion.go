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

// completeAuditCases completes an audit's name, then (for record and
// history) the IDs of its sampled cases, those not yet recorded first.
func completeAuditCases(g *globalOptions) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
	audits := completeAudits(g)
	return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return audits(cmd, args, toComplete)
		}
		if len(args) > 1 || !fileExists(g.storePath()) {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		st, err := g.openStore(cmd.Context())
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		defer st.Close()
		status, err := st.Status(cmd.Context(), args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		cases, err := st.Cases(cmd.Context(), args[0])
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		todo := map[string]bool{}
		for _, id := range status.ToDo {
			todo[id] = true
		}
		var out, done []string
		for _, c := range cases {
			if !strings.HasPrefix(c.ID, toComplete) {
				continue
			}
			if todo[c.ID] {
				out = append(out, c.ID+"\tto do")
			} else {
				done = append(done, c.ID+"\trecorded")
			}
		}
		return append(out, done...), cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveKeepOrder
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
