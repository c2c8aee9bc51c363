package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type verifyOptions struct {
	Audit     string
	Input     string
	TrailOnly bool
	Format    string
}

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify AUDIT [--input EXPORT]",
		Short: "Check that nothing in an audit was changed, and that its sample re-derives",
		Long: `Check the store file with its own integrity check, re-walk the audit's hash-chained trail
(naming any finding or entry that was edited, inserted or deleted), and re-derive the sample
from the export with the recorded seed, filters, exclusions and strata, comparing it case by
case with the recorded sample.

The trail is also replayed against the duties table (who may record, moderate, correct, respond,
close, ...), each entry with the people list as it stood at the entry's time: an entry no one
could have made through caseaudit (appended to an SQLite file by hand with its hash computed, or
let through by an older PostgreSQL guard) is named with the refusal caseaudit would have given.

The export is looked for at the absolute path recorded when the sample was drawn, then at the
path as it was given (relative to the current folder); --input names it instead. A copy of the
same data saved in the other format (csv for xlsx, or the reverse) verifies alike: what is
checked is the sample, case by case, and that every sampled case still reads as recorded.

Exit status 0 only when the store and the trail are intact, no entry breaks the duties table,
and the sample re-derives identically. Exit status 4 when anything differs or breaks a duty, and when the sample could not be checked
(the export is missing or unreadable) — unless --trail-only asks for the trail alone. Keep the
printed trail head: comparing it with a later run also shows whether the newest entries were
removed.`,
		Example: `  caseaudit verify "2026-07 monthly"
  caseaudit verify "2026-07 monthly" --input /archive/2026-07/cases.xlsx --format json

  # the trail only, when the export is not at hand
  caseaudit verify "2026-07 monthly" --trail-only`,
		Args: exactArgs(1, "the audit's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			return runVerify(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	cmd.Flags().StringVar(&o.Input, "input", "", "the export the sample was drawn from (default: the recorded path)")
	cmd.Flags().BoolVar(&o.TrailOnly, "trail-only", false, "check the store and the trail only; leave the sample unchecked")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

type verifyJSON struct {
	Audit      string   `json:"audit"`
	OK         bool     `json:"ok"`
	StoreOK    bool     `json:"store_ok"`
	TrailOK    bool     `json:"trail_ok"`
	Entries    int      `json:"trail_entries"`
	Head       string   `json:"trail_head"`
	Problems   []string `json:"problems"`
	TrailOnly  bool     `json:"trail_only"`
	Input      string   `json:"input,omitempty"`
	Tried      []string `json:"tried"`
	Checked    bool     `json:"sample_checked"`
	NotChecked string   `json:"not_checked,omitempty"`
	// SameFile: the export's SHA-256 is the recorded one (null when not read).
	SameFile *bool `json:"input_sha256_matches"`
	// Rederived: the sample re-derives identically (null when not checked).
	Rederived   *bool              `json:"sample_rederived"`
	Differences *sample.Comparison `json:"differences,omitempty"`
	Provenance  *sample.Provenance `json:"provenance"`
	// Redactions: each entry whose free text was erased, and what verify
	// can still vouch for about it.
	Redactions []verifyRedactionJSON `json:"redactions"`
	// DutiesOK: no entry breaks the duties table as verify replays the
	// trail (null when there is no trail to replay: a retired audit).
	DutiesOK      *bool            `json:"duties_ok"`
	DutiesAgainst string           `json:"duties_checked_against"`
	DutyBreaches  []verifyDutyJSON `json:"duty_breaches"`
	// StoreLogOK: the store's log (retention periods, retired audits'
	// summaries) re-walks intact; RetiredAudits counts its summaries.
	StoreLogOK    bool `json:"store_log_ok"`
	RetiredAudits int  `json:"retired_audits"`
	// Retired is set when the audit was retired: its sealed summary,
	// whose hash verify checked.
	Retired *verifyRetiredJSON `json:"retired,omitempty"`
}

type verifyRetiredJSON struct {
	At           string        `json:"at"`
	By           string        `json:"by"`
	EnteredBy    string        `json:"entered_by"`
	LogEntry     int           `json:"log_entry"`
	SummaryHash  string        `json:"summary_hash"`
	Period       string        `json:"period"`
	Size         int           `json:"size"`
	Seed         string        `json:"seed"`
	ExportSHA256 string        `json:"export_sha256"`
	SignedOff    string        `json:"signed_off"`
	SignedOffBy  string        `json:"signed_off_by"`
	Figures      audit.Figures `json:"figures"`
	Amended      bool          `json:"amended_after_sign_off"`
}

type verifyDutyJSON struct {
	Entry     int        `json:"entry"`
	Kind      string     `json:"kind"`
	Case      string     `json:"case,omitempty"`
	Actor     string     `json:"actor"`
	EnteredBy string     `json:"entered_by"`
	Duty      audit.Duty `json:"duty"`
	Refusal   string     `json:"refusal"`
}

type verifyRedactionJSON struct {
	Entry          int      `json:"entry"`
	Kind           string   `json:"kind"`
	Case           string   `json:"case,omitempty"`
	Fields         []string `json:"fields"`
	By             string   `json:"by"`
	At             string   `json:"at"`
	Reason         string   `json:"reason"`
	RedactionEntry int      `json:"redaction_entry"`
	// HashAsRecorded: the entry predates committed text, so its content
	// could not be re-checked; its hash stands as recorded.
	HashAsRecorded bool   `json:"hash_as_recorded"`
	Statement      string `json:"statement"`
}

func runVerify(ctx context.Context, o *verifyOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if o.TrailOnly && o.Input != "" {
		return usagef("--trail-only leaves the sample unchecked; leave out --input")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	retired, logProblems, err := st.VerifyLog(ctx)
	if err != nil {
		return err
	}
	if _, err := st.Audit(ctx, o.Audit); errors.Is(err, audit.ErrNotFound) {
		for _, r := range retired {
			if strings.EqualFold(r.Summary.Audit, strings.TrimSpace(o.Audit)) {
				return writeVerifyRetired(g, r, logProblems, len(retired), o.Format)
			}
		}
	}
	prog := newProgress(g, "re-deriving the sample")
	v, err := audit.Verify(ctx, st, audit.VerifyRequest{Name: o.Audit, Export: o.Input, TrailOnly: o.TrailOnly, Progress: prog.rows})
	prog.done()
	if err != nil {
		return err
	}
	return writeVerify(g, v, logProblems, len(retired), o.Format)
}

// writeVerifyRetired renders a retired audit's verification: its sealed
// summary's hash, checked with the whole store log; exit 4 when the log
// does not re-walk intact.
func writeVerifyRetired(g *globalOptions, r audit.RetiredAudit, logProblems []string, nRetired int, format string) error {
	sum := r.Summary
	out := verifyJSON{Audit: sum.Audit, OK: len(logProblems) == 0, StoreOK: true, TrailOK: len(logProblems) == 0,
		Entries: sum.TrailEntries, Head: sum.TrailHead, Problems: append([]string{}, logProblems...), TrailOnly: true, Tried: []string{},
		NotChecked: "the audit was retired: its sample, findings and trail were deleted, and its sealed summary is what remains",
		Redactions: []verifyRedactionJSON{}, StoreLogOK: len(logProblems) == 0, RetiredAudits: nRetired,
		DutiesAgainst: "not checked: the audit was retired and its trail deleted", DutyBreaches: []verifyDutyJSON{},
		Retired: &verifyRetiredJSON{At: r.At.UTC().Format("2006-01-02T15:04:05Z"), By: r.By, EnteredBy: r.EnteredBy, LogEntry: r.Seq,
			SummaryHash: r.Hash, Period: sum.Period, Size: sum.Size, Seed: sum.Seed, ExportSHA256: sum.ExportSHA256,
			SignedOff: sum.SignOff.At.UTC().Format("2006-01-02T15:04:05Z"), SignedOffBy: sum.SignOff.By, Figures: sum.Figures, Amended: sum.Amended}}
	if format == "json" {
		if err := writeJSON(g.IO.Out, schema.Verify, out); err != nil {
			return err
		}
	} else {
		w := g.textOut()
		fmt.Fprintf(w, "retired: %q was retired on %s by %s; its sample, findings and trail were deleted\n", sum.Audit, r.At.UTC().Format("2006-01-02"), r.By)
		if out.OK {
			fmt.Fprintf(w, "summary: store log entry %d, hash %s, verifies (the store log's chain is intact)\n", r.Seq, r.Hash)
		} else {
			fmt.Fprintf(w, "summary: store log entry %d: THE STORE LOG DOES NOT VERIFY\n", r.Seq)
		}
		fmt.Fprintf(w, "kept: period %s, %s, seed %s, export SHA-256 %s, signed off %s by %s with %s of %s flagged; trail of %s, head %s at retirement\n",
			sum.Period, words.Count(sum.Size, "case"), sum.Seed, sum.ExportSHA256, sum.SignOff.At.UTC().Format("2006-01-02"), sum.SignOff.By,
			words.Thousands(sum.Figures.Flagged), words.Thousands(sum.Figures.Size), words.Count(sum.TrailEntries, "entry", "entries"), sum.TrailHead)
		for _, pr := range out.Problems {
			fmt.Fprintf(w, "problem: %s\n", pr)
		}
	}
	return r.Failure(logProblems)
}

// writeVerify renders what verify found and returns the exit-4 error when
// the audit does not verify.
func writeVerify(g *globalOptions, v *audit.VerifyReport, logProblems []string, nRetired int, format string) error {
	a := v.Audit
	out := verifyJSON{Audit: a.Name, OK: v.OK() && len(logProblems) == 0, StoreOK: v.StoreProblem == "", TrailOK: v.Trail.OK, Entries: v.Trail.Entries,
		Head: v.Trail.Head, TrailOnly: v.TrailOnly, NotChecked: v.NotChecked, Tried: []string{}, Provenance: &a.Provenance,
		StoreLogOK: len(logProblems) == 0, RetiredAudits: nRetired}
	out.Problems = append(v.SpellProblems(100, g.Spelling), logProblems...)
	if v.NotCheckedErr != nil {
		out.NotChecked = g.spell(v.NotCheckedErr)
	}
	if out.Problems == nil {
		out.Problems = []string{}
	}
	out.Redactions = []verifyRedactionJSON{}
	dutiesOK := len(v.Trail.Duties) == 0
	out.DutiesOK, out.DutiesAgainst, out.DutyBreaches = &dutiesOK, v.Trail.DutyBasis, []verifyDutyJSON{}
	for _, d := range v.Trail.Duties {
		out.DutyBreaches = append(out.DutyBreaches, verifyDutyJSON{Entry: d.Entry, Kind: d.Kind, Case: d.Case, Actor: d.Actor,
			EnteredBy: d.EnteredBy, Duty: d.Duty, Refusal: d.Refusal})
	}
	for _, r := range v.Trail.Redactions {
		out.Redactions = append(out.Redactions, verifyRedactionJSON{Entry: r.Entry, Kind: r.Kind, Case: r.Case, Fields: r.Fields,
			By: r.By, At: r.At.UTC().Format("2006-01-02T15:04:05Z"), Reason: r.Reason, RedactionEntry: r.Seq,
			HashAsRecorded: r.InPlace, Statement: r.Sentence()})
	}
	if r := v.Rederivation; r != nil {
		out.Input, out.Tried = r.Export, append(out.Tried, r.Tried...)
		if c := r.Comparison; c != nil {
			out.Checked = true
			same, holds := c.SameExport, c.Holds()
			d := *c
			d.Normalise()
			out.SameFile, out.Rederived, out.Differences = &same, &holds, &d
		}
	}
	if format == "json" {
		if err := writeJSON(g.IO.Out, schema.Verify, out); err != nil {
			return err
		}
	} else {
		w := g.textOut()
		if out.StoreOK {
			fmt.Fprintf(w, "store: %s passes its integrity check\n", g.storeName())
		}
		if v.Trail.OK {
			fmt.Fprintf(w, "trail: %s, chain intact, head %s\n", words.Count(v.Trail.Entries, "entry", "entries"), v.Trail.Head)
		} else {
			fmt.Fprintf(w, "trail: %s, CHAIN BROKEN\n", words.Count(v.Trail.Entries, "entry", "entries"))
		}
		if dutiesOK {
			fmt.Fprintf(w, "duties: no entry breaks the duties table (checked against %s)\n", v.Trail.DutyBasis)
		} else {
			fmt.Fprintf(w, "duties: %s THE DUTIES TABLE (checked against %s)\n",
				words.Count(len(v.Trail.Duties), "entry BREAKS", "entries BREAK"), v.Trail.DutyBasis)
		}
		for _, d := range v.Trail.Duties {
			on := ""
			if d.Case != "" {
				on = ", case " + d.Case
			}
			fmt.Fprintf(w, "duty: entry %d (%s%s, recorded as %s, entered by %s): %s\n", d.Entry, d.Kind, on, d.Actor, d.EnteredBy, d.Refusal)
		}
		p := a.Provenance
		switch r := v.Rederivation; {
		case v.TrailOnly:
			fmt.Fprintf(w, "sample: not checked (--trail-only)\n")
		case r == nil || r.Comparison == nil:
			fmt.Fprintf(w, "sample: NOT CHECKED: %s\n", out.NotChecked)
		case r.Comparison.Holds() && r.Comparison.SameExport:
			fmt.Fprintf(w, "sample: re-derived from %s (the recorded export: same SHA-256) with seed %s: identical, %s from a population of %s\n",
				r.Export, p.Seed, words.Count(r.Comparison.Cases, "case"), words.Thousands(r.Comparison.Population))
		case r.Comparison.Holds():
			fmt.Fprintf(w, "sample: re-derived from %s with seed %s: identical (this file is not the recorded export %s, whose SHA-256 differs, but it holds the same cases)\n",
				r.Export, p.Seed, filepath.Base(p.Export.Path))
		default:
			fmt.Fprintf(w, "sample: re-derived from %s with seed %s: DIFFERS\n", r.Export, p.Seed)
		}
		for _, r := range v.Trail.Redactions {
			fmt.Fprintf(w, "redaction: %s\n", r.Sentence())
		}
		if nRetired > 0 && len(logProblems) == 0 {
			fmt.Fprintf(w, "store log: intact; the summaries of %s verify\n", words.Count(nRetired, "retired audit"))
		}
		for _, pr := range out.Problems {
			fmt.Fprintf(w, "problem: %s\n", pr)
		}
	}
	return v.Failure(logProblems)
}
