package main

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// Every command a person can run has help with examples, and every command
// printing data has --format.
func TestEveryCommandHasExamples(t *testing.T) {
	root := newRootCmd(&globalOptions{IO: &IOStreams{}})
	root.InitDefaultHelpCmd()
	checked := 0
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() || c.Hidden || c.Name() == "help" || strings.HasPrefix(c.Name(), "__") || c == root {
			return
		}
		if c.Parent() != nil && c.Parent().Name() == "completion" {
			return // cobra's per-shell completion scripts
		}
		checked++
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s has no examples in its help", c.CommandPath())
		}
		if strings.TrimSpace(c.Short) == "" {
			t.Errorf("%s has no short description", c.CommandPath())
		}
	}
	walk(root)
	if checked < 20 {
		t.Fatalf("checked only %d commands", checked)
	}
}
