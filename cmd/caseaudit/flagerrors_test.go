package main

import (
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Every flag the alias table leads to is a flag of some command, and no
// alias is itself a flag of a command it would lead away from.
func TestFlagAliasesLeadToFlags(t *testing.T) {
	root := newRootCmd(&globalOptions{IO: &IOStreams{}})
	names := map[string]bool{}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		add := func(f *pflag.Flag) { names[f.Name] = true }
		c.Flags().VisitAll(add)
		c.PersistentFlags().VisitAll(add)
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	for alias, targets := range flagAliases {
		for _, f := range targets {
			if !names[f] {
				t.Errorf("alias --%s leads to --%s, which no command has", alias, f)
			}
		}
	}
}
