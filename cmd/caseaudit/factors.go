package main

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/sample/profile"
	"github.com/spf13/cobra"
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

	given []string // the factor flags on the command line, for messages
}

func addFactorFlags(cmd *cobra.Command, o *factorFlags) {
	f := cmd.Flags()
	f.BoolVar(&o.On, "factors", false, "with the sample, record the factors behind the findings: each case's worker's caseload, changes of worker and timeliness (columns detected as by caseaudit profile); implied by the flags below")
	f.IntVar(&o.CaseloadTarget, "caseload-target", 0, "record factors against a caseload target: workers holding more than `N` cases are above it")
	f.StringVar(&o.ChangesColumn, "changes-column", "", "record factors with this `COLUMN` counting each child's workers or changes of worker (default: detected, e.g. \"Workers in 12m\")")
	f.IntVar(&o.ChangesAtLeast, "changes-at-least", 3, "with the factors: a case with `N` or more in the changes column has many")
	f.StringArrayVar(&o.Timeliness, "timeliness", nil, "record factors with a date pair and its limit, `\"FROM..TO<=LIMIT\"` (45d days, 45wd working days, 6w weeks, 3m months); repeat for more")
	f.StringVar(&o.AsOf, "as-of", "", "with the factors: the `DATE` (yyyy-mm-dd) pairs not done yet are judged past the limit on (default: the day the sample is drawn)")
}

// read notes which factor flags were given (cmd's flags are parsed).
func (o *factorFlags) read(cmd *cobra.Command) {
	o.given = nil
	if cmd.Flags().Changed("factors") {
		o.given = append(o.given, "--factors")
	}
	for _, n := range []string{"caseload-target", "changes-column", "changes-at-least", "timeliness", "as-of"} {
		if cmd.Flags().Changed(n) {
			o.given = append(o.given, "--"+n)
			o.On = true
		}
	}
}

// spec checks the flags and makes the factor spec (nil when no factor is
// asked for); worker and team are --worker-column and --team-column.
func (o *factorFlags) spec(now time.Time, worker, team string) (*sample.FactorSpec, error) {
	if !o.On {
		return nil, nil
	}
	if slices.Contains(o.given, "--caseload-target") && o.CaseloadTarget < 1 {
		return nil, usagef("--caseload-target %d: give the most cases a worker should hold, a whole number from 1 (e.g. 18)", o.CaseloadTarget)
	}
	if o.ChangesAtLeast < 1 || o.ChangesAtLeast > 100 {
		return nil, usagef("--changes-at-least %d: give a whole number from 1 to 100 (e.g. 3)", o.ChangesAtLeast)
	}
	s := &sample.FactorSpec{WorkerColumn: strings.TrimSpace(worker), TeamColumn: strings.TrimSpace(team),
		ChangesColumn: strings.TrimSpace(o.ChangesColumn), CaseloadTarget: o.CaseloadTarget, ChangesAtLeast: o.ChangesAtLeast, Detect: true}
	for _, t := range o.Timeliness {
		tl, err := profile.ParseTimeliness(t)
		if err != nil {
			return nil, usagef("--%w", err)
		}
		s.Timeliness = append(s.Timeliness, tl.String())
	}
	asOf, err := parseAsOf(o.AsOf, now)
	if err != nil {
		return nil, usagef("--as-of %q: give a date as yyyy-mm-dd (or dd/mm/yyyy)", o.AsOf)
	}
	s.AsOf = asOf
	return s, nil
}

// parseAsOf reads an as-of day (yyyy-mm-dd or dd/mm/yyyy); "" is the day of
// now.
func parseAsOf(s string, now time.Time) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now.UTC().Format("2006-01-02"), nil
	}
	if iso, ok := export.UKDateToISO(s); ok {
		s = iso
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", err
	}
	return t.Format("2006-01-02"), nil
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
	return fmt.Sprintf("recorded factors for %s and the population of %s: %s",
		words.Count(len(f.Cases), "case"), words.Thousands(f.Population.Cases), strings.Join(parts, ", "))
}
