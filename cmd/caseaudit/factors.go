package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// factorFlags are the flags of `sample` that record the factors behind the
// findings with the sample, named and meaning as `caseaudit profile`'s
// (--worker-column and --team-column are the allocation's: the same
// columns).
type factorFlags struct {
	On             bool // --factors
	ChangesColumn  string
	CaseloadTarget int
	ChangesAtLeast int
	Timeliness     []string
	AsOf           string
	OpenWhen       string
	WorkerAliases  string

	given []opt.Name // the factor options on the command line, for messages
}

func addFactorFlags(cmd *cobra.Command, o *factorFlags) {
	f := cmd.Flags()
	f.BoolVar(&o.On, "factors", false, "with the sample, record the factors behind the findings: each case's worker's caseload, changes of worker and timeliness (columns detected as by caseaudit profile); implied by the flags below")
	f.IntVar(&o.CaseloadTarget, "caseload-target", 0, "record factors against a caseload target: workers holding more than `N` cases are above it")
	f.StringVar(&o.ChangesColumn, "changes-column", "", "record factors with this `COLUMN` counting each child's workers or changes of worker (default: detected, e.g. \"Workers in 12m\")")
	f.IntVar(&o.ChangesAtLeast, "changes-at-least", 3, "with the factors: a case with `N` or more in the changes column has many")
	f.StringArrayVar(&o.Timeliness, "timeliness", nil, "record factors with a date pair and its limit, `\"FROM..TO<=LIMIT\"` (45d days, 45wd working days, 6w weeks, 3m months); repeat for more")
	f.StringVar(&o.AsOf, "as-of", "", "with the factors: the `DATE` (yyyy-mm-dd) pairs not done yet are judged past the limit on (default: the day the sample is drawn)")
	addCaseloadFlags(f, &o.OpenWhen, &o.WorkerAliases)
}

// addCaseloadFlags adds the flags saying what a caseload counts, shared by
// sample and profile.
func addCaseloadFlags(f *pflag.FlagSet, openWhen, aliases *string) {
	f.StringVar(openWhen, "open-when", "", "caseloads count only the open cases: those where `COLUMN=VALUE` (e.g. 'Case Status=Open'; != for the closed ones, several values as A|B) (default: a column such as \"Case Status\" whose values read Closed, shown for you to confirm)")
	f.StringVar(aliases, "worker-aliases", "", "a csv `FILE` of two columns, a worker's name as the export spells it and the person it is (\"M. Patel\",\"Mohammad Patel\"): caseloads count them as one")
}

// read notes which factor flags were given (cmd's flags are parsed).
func (o *factorFlags) read(cmd *cobra.Command) {
	o.given = nil
	if cmd.Flags().Changed("factors") {
		o.given = append(o.given, opt.Factors)
	}
	for _, n := range []opt.Name{opt.FactorsCaseloadTarget, opt.FactorsChangesColumn, opt.FactorsChangesAtLeast,
		opt.FactorsTimeliness, opt.FactorsAsOf, opt.FactorsOpenWhen, opt.FactorsWorkerAliases} {
		if cmd.Flags().Changed(strings.TrimPrefix(n.Flag(), "--")) {
			o.given = append(o.given, n)
			o.On = true
		}
	}
}

// request is the factors the flags ask for (nil when none); worker and
// team are --worker-column and --team-column.
func (o *factorFlags) request(now time.Time, worker, team string) *audit.FactorRequest {
	if !o.On {
		return nil
	}
	r := &audit.FactorRequest{WorkerColumn: worker, TeamColumn: team, ChangesColumn: o.ChangesColumn,
		ChangesAtLeast: o.ChangesAtLeast, Timeliness: o.Timeliness, AsOf: o.AsOf, Now: now,
		OpenWhen: o.OpenWhen, WorkerAliases: o.WorkerAliases}
	if slices.Contains(o.given, opt.FactorsCaseloadTarget) {
		r.CaseloadTarget = &o.CaseloadTarget
	}
	return r
}

// factorsLine says on stderr which factors were recorded and the figure
// that matters most, as profile's columns line does.
func factorsLine(f *sample.Factors) string {
	if f == nil {
		return ""
	}
	s := f.Spec
	var parts []string
	if s.WorkerColumn != "" {
		p := fmt.Sprintf("worker column %q", s.WorkerColumn)
		if c := f.Population.Caseload; c != nil && s.CaseloadTarget > 0 && c.Workers > 0 {
			p += fmt.Sprintf(" (%s of %s workers above the caseload target of %d)", words.Thousands(c.AboveTargetWorkers), words.Thousands(c.Workers), s.CaseloadTarget)
		}
		parts = append(parts, p)
	} else {
		parts = append(parts, "no worker column found, so no caseload (name it with --worker-column)")
	}
	if s.ChangesColumn != "" {
		parts = append(parts, fmt.Sprintf("changes column %q", s.ChangesColumn))
	}
	if n := len(s.Timeliness); n > 0 {
		parts = append(parts, words.Count(n, "timeliness pair"))
	}
	line := fmt.Sprintf("recorded factors for %s and the population of %s: %s",
		words.Count(len(f.Cases), "case"), words.Thousands(f.Population.Cases), strings.Join(parts, ", "))
	if t := f.CountedText(); t != "" && s.WorkerColumn != "" {
		line += "; caseloads count " + t
	}
	return line
}

// caseloadWarnings are what a QA officer should confirm about the
// caseloads: the status values read as open and closed, and worker names
// that may be another's or no person's.
// A rule read from a status column found by name (detected) lists the
// values for the user to confirm.
func caseloadWarnings(detected bool, statusColumn string, values []sample.StatusValue, dups, placeholders int, flag func(opt.Name) string) []string {
	var out []string
	if detected && statusColumn != "" && len(values) > 0 {
		var open, closed []string
		for _, v := range values {
			t := fmt.Sprintf("%q %s", v.Value, words.Thousands(v.Cases))
			if v.Open {
				open = append(open, t)
			} else {
				closed = append(closed, t)
			}
		}
		out = append(out, fmt.Sprintf("caseloads count open cases by %q: open %s; closed %s (if that is wrong, give %s)",
			statusColumn, orNone(open), orNone(closed), flag(opt.FactorsOpenWhen)))
	}
	if n := dups + placeholders; n > 0 {
		var parts []string
		if dups > 0 {
			parts = append(parts, fmt.Sprintf("%s may be another worker's (\"M. Patel\" beside \"Mohammad Patel\")", words.Count(dups, "name")))
		}
		if placeholders == 1 {
			parts = append(parts, "1 reads like a placeholder (\"leaving\", \"agency\")")
		} else if placeholders > 1 {
			parts = append(parts, words.Thousands(placeholders)+" read like placeholders (\"leaving\", \"agency\")")
		}
		out = append(out, fmt.Sprintf("check the worker names: %s; they are counted as written: see them with caseaudit profile --include-names, and map names to one person with %s",
			strings.Join(parts, " and "), flag(opt.FactorsWorkerAliases)))
	}
	return out
}

func orNone(xs []string) string {
	if len(xs) == 0 {
		return "none"
	}
	return strings.Join(xs, ", ")
}
