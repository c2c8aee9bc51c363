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

// flagAliases are the names people reach for instead of caseaudit's own,
// from other tools and from plain words, too far in spelling for the
// nearest-name rule (--sample-size is not near --size): each leads to the
// first of its flags that the command has.
var flagAliases = map[string][]string{
	"sample-size": {"size"}, "samplesize": {"size"}, "sample": {"size"}, "count": {"size"}, "number": {"size"}, "num": {"size"},
	"pct": {"percent"}, "percentage": {"percent"},
	"output": {"out"}, "output-file": {"out"}, "outfile": {"out"}, "save": {"out"}, "xlsx": {"out"},
	"output-format": {"format"}, "fmt": {"format"}, "type": {"format"},
	"database": {"db"}, "db-path": {"db"}, "store": {"db"}, "dbpath": {"db"}, "sqlite": {"db"},
	"id": {"id-column"}, "id-col": {"id-column"}, "idcol": {"id-column"}, "case-id": {"id-column"}, "case-id-column": {"id-column"},
	"id-field": {"id-column"}, "key": {"id-column"}, "key-column": {"id-column"},
	"header": {"header-row"}, "headers": {"header-row"}, "header-line": {"header-row"}, "skip-rows": {"header-row"},
	"filter": {"where"}, "filters": {"where"}, "query": {"where"},
	"stratify": {"strata"}, "stratify-by": {"strata"}, "stratum": {"strata"}, "strata-column": {"strata"}, "stratum-column": {"strata"},
	"group-by": {"by", "strata"}, "groupby": {"by", "strata"}, "per": {"by"}, "breakdown": {"by"},
	"random-seed": {"seed"}, "rng-seed": {"seed"}, "randomseed": {"seed"},
	"confidence-level": {"confidence"}, "conf": {"confidence"}, "cl": {"confidence"}, "level": {"confidence"},
	"worksheet": {"sheet"}, "sheet-name": {"sheet"}, "tab": {"sheet"},
	"delim": {"delimiter"}, "separator": {"delimiter"}, "sep": {"delimiter"},
	"charset": {"encoding"}, "codepage": {"encoding"},
	"pass": {"password"}, "passwd": {"password"}, "pw": {"password"},
	"why": {"reason"}, "reasons": {"reason"}, "comment": {"note", "reason"}, "notes": {"note"}, "comments": {"note"},
	"urgent": {"immediate"}, "flag": {"immediate"}, "flagged": {"immediate"}, "immediate-attention": {"immediate"}, "ia": {"immediate"},
	"rating": {"grade"}, "score": {"grade"}, "judgement": {"grade"}, "judgment": {"grade"},
	"auditor": {"auditors"}, "auditors": {"auditor"}, "reviewer": {"auditor", "auditors"}, "reviewers": {"auditors"},
	"moderators": {"moderator"}, "second-reader": {"moderator"},
	"dryrun": {"dry-run"}, "dry": {"dry-run"}, "check": {"dry-run"}, "what-if": {"dry-run"}, "preview": {"dry-run"}, "simulate": {"dry-run"},
	"fix": {"correct"}, "corrections": {"correct"}, "amend": {"correct"}, "override": {"correct"},
	"skip-errors": {"skip-invalid"}, "ignore-errors": {"skip-invalid"}, "skip-bad": {"skip-invalid"}, "skip": {"skip-invalid"}, "lenient": {"skip-invalid"},
	"date-format": {"date-order"}, "dateformat": {"date-order"}, "us-dates": {"date-order"},
	"exclude-recent": {"exclude-audited-within"}, "exclude-within": {"exclude-audited-within"}, "exclude-audited": {"exclude-audited-within"},
	"exclude-previous": {"exclude-audited-within"}, "recently-audited": {"exclude-audited-within"},
	"month": {"period", "month"}, "period": {"month", "period"},
	"limit": {"fail-above", "limit"}, "threshold": {"fail-above", "limit"}, "max": {"fail-above", "limit"},
	"team": {"team-column", "by"}, "worker": {"worker-column"}, "owner": {"owner-column", "owner"},
	"name": {"audit"}, "audit-name": {"audit"}, "title": {"audit"},
	"columns-to-show": {"columns"}, "fields": {"columns"}, "cols": {"columns"},
	"add": {"grow"}, "top-up": {"grow"}, "extend": {"grow"},
	"template": {"form"}, "questions": {"form"},
	"yes": {"force"}, "overwrite": {"force"},
	"silent": {"quiet"},
}

// aliasFlag is the flag of c that the alias name stands for, or "".
func aliasFlag(c *cobra.Command, name string) string {
	for _, f := range flagAliases[strings.ToLower(name)] {
		if f != name && (c.Flags().Lookup(f) != nil || c.InheritedFlags().Lookup(f) != nil) {
			return f
		}
	}
	return ""
}

// nearestFlag is the flag of c (its own or inherited) whose name is
// nearest to name, when one is near enough to be what was meant, or the
// flag a known alias stands for.
func nearestFlag(c *cobra.Command, name string) string {
	if f := aliasFlag(c, name); f != "" {
		return f
	}
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
