package main

import (
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// flagError says what is wrong with a flag in the user's words: the flag
// nearest a mistyped one ("did you mean --tolerable?"), and what a value
// should look like rather than the parser's text (strconv.ParseInt: …).
func flagError(c *cobra.Command, err error) error {
	var ne *pflag.NotExistError
	if errors.As(err, &ne) {
		if short := ne.GetSpecifiedShortnames(); short != "" {
			if short == ne.GetSpecifiedName() {
				return usagef("unknown flag -%s", short)
			}
			return usagef("unknown flag -%s in -%s", ne.GetSpecifiedName(), short)
		}
		name := ne.GetSpecifiedName()
		if near := nearestFlag(c, name); near != "" {
			return usagef("unknown flag --%s: did you mean --%s?", name, near)
		}
		return usagef("unknown flag --%s", name)
	}
	var ie *pflag.InvalidValueError
	if errors.As(err, &ie) {
		f, v := ie.GetFlag(), ie.GetValue()
		return usagef("--%s %q: %s", f.Name, v, valueHint(f, v))
	}
	var re *pflag.ValueRequiredError
	if errors.As(err, &re) {
		return usagef("--%s needs a value: %s", re.GetFlag().Name, firstLine(re.GetFlag().Usage))
	}
	return err
}

// valueHint says what a flag's value should be, by its type.
func valueHint(f *pflag.Flag, v string) string {
	switch f.Value.Type() {
	case "int", "int64", "int32", "uint", "uint64":
		eg := f.DefValue
		if eg == "" || eg == "0" {
			eg = "3"
		}
		if strings.HasSuffix(strings.TrimSpace(v), "%") {
			return fmt.Sprintf("give a whole number, not a percentage (e.g. --%s %s)", f.Name, eg)
		}
		return fmt.Sprintf("give a whole number (e.g. --%s %s)", f.Name, eg)
	case "float64", "float32":
		return fmt.Sprintf("give a number (e.g. --%s 2.5)", f.Name)
	case "bool":
		return fmt.Sprintf("give true or false, or --%s alone for true", f.Name)
	case "duration":
		return "give a duration such as 90s, 5m or 1h"
	}
	return "not a value this flag takes: " + firstLine(f.Usage)
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// nearestFlag is the flag of c (its own or inherited) whose name is
// nearest to name, when one is near enough to be what was meant.
func nearestFlag(c *cobra.Command, name string) string {
	best, bestD := "", 1<<30
	visit := func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		d := textdist.Levenshtein(name, f.Name)
		if strings.HasPrefix(f.Name, name) && len(name) >= 3 {
			d = min(d, 1) // --strat for --strata
		}
		if d < bestD || d == bestD && f.Name < best {
			best, bestD = f.Name, d
		}
	}
	c.Flags().VisitAll(visit)
	c.InheritedFlags().VisitAll(visit)
	if bestD <= max(2, len(name)/3) {
		return best
	}
	return ""
}
