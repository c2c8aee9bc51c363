package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/cmd/caseaudit/internal/preopen"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
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

// A command line naming a scripted command makes only that command, found
// past the global flags before it; any other line makes them all.
func TestScriptedCommandLines(t *testing.T) {
	all := newRootCmd(&globalOptions{IO: &IOStreams{}})
	for name, add := range scripted {
		c := add(&globalOptions{IO: &IOStreams{}})
		if c.Name() != name {
			t.Errorf("scripted[%q] makes the command %q", name, c.Name())
		}
		if found, _, err := all.Find([]string{name}); err != nil || found.Name() != name {
			t.Errorf("scripted command %q is not among caseaudit's commands", name)
		}
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"record", "A", "CR-1", "--grade", "good"}, "record"},
		{[]string{"--db", "x.db", "record", "A"}, "record"},
		{[]string{"--db=record", "status", "A"}, "status"},
		{[]string{"-q", "--user", "sample", "history", "A"}, "history"},
		{[]string{"--db", "record"}, ""},
		{[]string{"--quiet", "actions"}, "actions"},
		{[]string{"sample", "x.csv"}, ""},
		{[]string{"help", "record"}, ""},
		{[]string{"--help", "record"}, ""},
		{[]string{"-h", "record"}, ""},
		{[]string{"-x", "record"}, ""},
		{[]string{"-é", "record"}, ""},
		{[]string{"--no-such-flag", "record"}, ""},
		{[]string{"--", "record"}, ""},
		{[]string{"__complete", "record", ""}, ""},
		{nil, ""},
	} {
		root := newRootCmdFor(&globalOptions{IO: &IOStreams{}}, tc.args)
		if got := scriptedName(root, tc.args); got != tc.want {
			t.Errorf("scriptedName(%q) = %q, want %q", tc.args, got, tc.want)
		}
		n, completion := 0, false
		for _, c := range root.Commands() {
			if c.Name() != "completion" && c.Name() != "help" {
				n++
			}
			completion = completion || c.Name() == "completion"
		}
		if tc.want != "" && n != 1 || tc.want == "" && n != len(commands) {
			t.Errorf("%q made %d commands", tc.args, n)
		}
		// A scripted line is no completion request (those come as
		// __complete): cobra's completion command is not built for it.
		if completion != (tc.want == "") {
			t.Errorf("%q: completion command made: %v", tc.args, completion)
		}
	}
}

// The record command's store is opened while the program starts (package
// preopen), reading the command line before cobra does: it must know which
// of the root's flags take a value.
func TestPreopenKnowsTheGlobalFlags(t *testing.T) {
	root := newRootCmdFor(&globalOptions{IO: &IOStreams{}}, nil)
	var values, bools, shorthands []string
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if f.NoOptDefVal == "" {
			values = append(values, f.Name)
		} else {
			bools = append(bools, f.Name)
		}
		if f.Shorthand != "" {
			shorthands = append(shorthands, f.Shorthand+" "+f.Name)
		}
	})
	slices.Sort(values)
	slices.Sort(bools)
	if !slices.Equal(values, preopen.ValueFlags) || !slices.Equal(bools, preopen.BoolFlags) {
		t.Errorf("the root's persistent flags: with a value %q, without %q; preopen knows %q and %q", values, bools, preopen.ValueFlags, preopen.BoolFlags)
	}
	if !slices.Equal(shorthands, []string{"q quiet"}) {
		t.Errorf("shorthands %q: preopen.Target reads -q alone", shorthands)
	}
}
