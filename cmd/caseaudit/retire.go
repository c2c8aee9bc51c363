package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// retireOptions are the flags of `caseaudit retire`.
type retireOptions struct {
	Audits []string
	Apply  bool
	Role   string
	Format string
}

func newRetireCmd(g *globalOptions) *cobra.Command {
	o := &retireOptions{}
	cmd := &cobra.Command{
		Use:   "retire [AUDIT…] [--apply]",
		Short: "Delete audits past the store's retention period, keeping a sealed summary of each",
		Long: `List the audits past the store's retention period ('caseaudit store retention'), counted
from each audit's last sign-off: what would go, with the rows it would delete. Nothing is
changed unless --apply is given.

With --apply, every audit due (or only those named) is retired in one transaction: its
sampled cases, findings, notes, free text and trail are deleted, and a sealed summary stays in
the store's log: its name, period, size, headline figures (flagged, size, interval, per
team), sign-off, seed, the export's SHA-256, the head hash of its trail at retirement, when and
by whom it was retired, and the summary's own hash, chained after the log's previous entry.
'caseaudit verify AUDIT' checks a retired audit's summary; 'audits', 'trend' and reports'
comparisons use its figures, marked retired.

An audit not signed off, or inside the period, is not due: named, it is an error (exit 1)
and nothing is retired; so is --apply in a store with no retention period ('caseaudit store
retention' sets one). Only QA or information governance retires (--role, or
$CASEAUDIT_ROLE; with a people list, the login's own roles decide); a refused duty exits 5.
On PostgreSQL the deletion itself is done by the store's function retire_audit, which checks
the same rules by the server's clock.`,
		Example: `  caseaudit retire
  caseaudit retire --format json
  caseaudit retire --apply --role governance
  caseaudit retire "2019-03 monthly" --apply --role qa`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audits = args
			return runRetire(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.BoolVar(&o.Apply, "apply", false, "retire the audits listed (default: only list them)")
	f.StringVar(&o.Role, "role", "", "the role you act in with --apply: qa or governance (default: $CASEAUDIT_ROLE)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

// retireJSON is retire --format json (schema/retire.json).
type retireJSON struct {
	Store     string            `json:"store"`
	Applied   bool              `json:"applied"`
	At        string            `json:"at"`
	Retention *retentionJSON    `json:"retention"`
	Audits    []retireAuditJSON `json:"audits"`
	Rows      map[string]int64  `json:"rows"`
}

type retentionJSON struct {
	Months int    `json:"months"`
	Period string `json:"period"`
	SetAt  string `json:"set_at"`
	SetBy  string `json:"set_by"`
}

type retireAuditJSON struct {
	Audit        string           `json:"audit"`
	Period       string           `json:"period"`
	SignedOff    *string          `json:"signed_off"`
	SignedOffBy  string           `json:"signed_off_by"`
	LastEntry    *string          `json:"last_entry"`
	CountedFrom  string           `json:"counted_from"`
	AgeMonths    int              `json:"age_months"`
	Age          string           `json:"age"`
	DueOn        *string          `json:"due_on"`
	Due          bool             `json:"due"`
	Kept         string           `json:"kept"`
	Rows         map[string]int64 `json:"rows"`
	TrailEntries int              `json:"trail_entries"`
	TrailHead    string           `json:"trail_head"`
	Retired      *retiredJSON     `json:"retired"`
}

type retiredJSON struct {
	At          string `json:"at"`
	By          string `json:"by"`
	EnteredBy   string `json:"entered_by"`
	LogEntry    int    `json:"log_entry"`
	SummaryHash string `json:"summary_hash"`
}

func runRetire(ctx context.Context, o *retireOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if len(o.Audits) > 0 && !o.Apply {
		g.infof("a dry run lists every audit; the names given are retired only with --apply\n")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	plan, ret, err := st.RetirePlan(ctx)
	if err != nil {
		return err
	}
	retired := map[string]audit.RetiredAudit{}
	if o.Apply {
		p, err := actingPerson(ctx, st, g, o.Role, usagef("give --role (qa or governance): only QA or information governance may retire audits"))
		if err != nil {
			return err
		}
		c, err := commonReportFlags(g, "", "", report.FigureRequest{})
		if err != nil {
			return err
		}
		// Each audit's figures as its report states them, by the report's
		// own code; Retire refuses should the trail move meanwhile.
		figs := map[string]audit.RetireFigures{}
		for _, cand := range plan {
			if !cand.Due && !named(o.Audits, cand.Audit) {
				continue
			}
			f, asOf, err := report.SignOffFigures(ctx, st, cand.Audit, c.opts)
			if errors.Is(err, audit.ErrNotFound) && !named(o.Audits, cand.Audit) {
				// Retired since the plan was read, by a retirement given at
				// the same moment: left, as a run a moment later would
				// leave it (Retire reads each audit again under its lock).
				continue
			}
			if err != nil && cand.SignOff != nil {
				return err
			}
			figs[cand.Audit] = audit.RetireFigures{Figures: f, AsOf: asOf}
		}
		res, err := st.Retire(ctx, audit.RetireRequest{Audits: o.Audits, Figures: figs, Person: p})
		if err != nil {
			return err
		}
		for _, r := range res.Retired {
			retired[r.Summary.Audit] = r
		}
	}
	now := g.Now()
	out := retireJSON{Store: g.storeName(), Applied: o.Apply, At: now.Format("2006-01-02T15:04:05Z"), Audits: []retireAuditJSON{}, Rows: zeroRows()}
	if ret != nil {
		out.Retention = &retentionJSON{Months: ret.Months, Period: audit.FormatRetention(ret.Months), SetAt: ret.At.UTC().Format("2006-01-02T15:04:05Z"), SetBy: ret.By}
	}
	for _, c := range plan {
		j := retireAuditJSON{Audit: c.Audit, Period: c.Period, CountedFrom: day(c.From), AgeMonths: max(0, audit.MonthsBetween(c.From, now)),
			Age: c.Age(now), Due: c.Due, Kept: c.Kept, Rows: c.Rows, TrailEntries: c.Entries, TrailHead: c.Head}
		if c.SignOff != nil {
			s := day(c.SignOff.At)
			j.SignedOff, j.SignedOffBy = &s, c.SignOff.By
		}
		if !c.LastEntry.IsZero() {
			s := day(c.LastEntry)
			j.LastEntry = &s
		}
		if !c.Until.IsZero() {
			s := day(c.Until)
			j.DueOn = &s
		}
		if r, ok := retired[c.Audit]; ok {
			j.Retired = &retiredJSON{At: r.At.UTC().Format("2006-01-02T15:04:05Z"), By: r.By, EnteredBy: r.EnteredBy, LogEntry: r.Seq, SummaryHash: r.Hash}
		}
		if (o.Apply && j.Retired != nil) || (!o.Apply && c.Due) {
			for t, n := range c.Rows {
				out.Rows[t] += n
			}
		}
		out.Audits = append(out.Audits, j)
	}
	leftovers := st.ErasureLeftovers("trail_text", "trail", "sampled_case", "trail_redaction")
	if o.Format == "json" {
		if len(retired) > 0 {
			sayErasureLeftovers(g, leftovers)
		}
		return writeJSON(g.IO.Out, schema.Retire, out)
	}
	return writeRetireText(g, o, out, leftovers)
}

// sayErasureLeftovers tells, on a PostgreSQL store, what a retirement or
// redaction leaves to the server's administrator: the server keeps the
// old row versions in the tables' files until its owner rewrites them,
// and in its write-ahead log and backups; a governance officer told only
// "retired" would take the notes for gone.
func sayErasureLeftovers(g *globalOptions, tables []string) {
	if len(tables) == 0 {
		return
	}
	g.warnf("PostgreSQL keeps what was erased in the database's files until the store's owner runs VACUUM FULL %s (a plain VACUUM does not overwrite it), and in the server's write-ahead log and backups until they are replaced: ask the server's administrator\n",
		strings.Join(tables, ", "))
}

func writeRetireText(g *globalOptions, o *retireOptions, out retireJSON, leftovers []string) error {
	w := g.textOut()
	if out.Retention == nil {
		fmt.Fprintf(w, "retention: none set, so no audit is due; set one with: caseaudit store retention 6y\n")
	} else {
		fmt.Fprintf(w, "retention: %s after sign-off (set on %s by %s)\n", out.Retention.Period, out.Retention.SetAt[:10], out.Retention.SetBy)
	}
	rows := [][]string{{"AUDIT", "PERIOD", "SIGNED OFF", "LAST ENTRY", "AGE", "CASES", "TRAIL", "TEXTS", "STATUS"}}
	var going []retireAuditJSON
	for _, a := range out.Audits {
		status := "keep: " + a.Kept
		switch {
		case a.Retired != nil:
			status = "retired"
		case a.Due && !o.Apply:
			status = "would retire"
		case a.Due:
			status = "due (not named)"
		}
		if a.Due || a.Retired != nil {
			going = append(going, a)
		}
		rows = append(rows, []string{a.Audit, a.Period, deref(a.SignedOff, "not signed off"), deref(a.LastEntry, "-"), a.Age,
			fmt.Sprint(a.Rows["sampled_case"]), fmt.Sprint(a.Rows["trail"]), fmt.Sprint(a.Rows["trail_text"]), status})
	}
	if len(out.Audits) == 0 {
		fmt.Fprintf(w, "no audits in the store\n")
		return nil
	}
	if err := writeTable(w, rows); err != nil {
		return err
	}
	total := out.Rows["audit"] + out.Rows["sampled_case"] + out.Rows["trail"] + out.Rows["trail_text"] + out.Rows["trail_redaction"]
	switch {
	case o.Apply:
		n := 0
		for _, a := range out.Audits {
			if a.Retired != nil {
				n++
				fmt.Fprintf(w, "retired %q on %s by %s: summary sealed in store log entry %d, hash %s\n", a.Audit, a.Retired.At[:10], a.Retired.By, a.Retired.LogEntry, a.Retired.SummaryHash)
			}
		}
		if n == 0 {
			fmt.Fprintf(w, "nothing retired: no audit is due\n")
		} else {
			fmt.Fprintf(w, "retired %s, deleting %s (%s)\n", words.Count(n, "audit"), words.Count(int(total), "row"), rowBreakdown(out.Rows))
			sayErasureLeftovers(g, leftovers)
		}
	case len(going) == 0:
		fmt.Fprintf(w, "nothing to retire: no audit is signed off and past the retention period\n")
	default:
		fmt.Fprintf(w, "would retire %s, deleting %s (%s); run again with --apply to retire %s\n", words.Count(len(going), "audit"), words.Count(int(total), "row"), rowBreakdown(out.Rows), words.Noun(len(going), "it", "them"))
	}
	return nil
}

// rowBreakdown says rows by table as people name them.
func rowBreakdown(rows map[string]int64) string {
	names := map[string]string{"audit": "audit", "sampled_case": "sampled case", "trail": "trail entry", "trail_text": "free text", "trail_redaction": "redaction record"}
	plural := map[string]string{"audit": "audits", "sampled_case": "sampled cases", "trail": "trail entries", "trail_text": "free texts", "trail_redaction": "redaction records"}
	var parts []string
	for _, t := range []string{"audit", "sampled_case", "trail", "trail_text", "trail_redaction"} {
		if n := rows[t]; n > 0 {
			parts = append(parts, words.Count(int(n), names[t], plural[t]))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

func zeroRows() map[string]int64 {
	out := map[string]int64{}
	for _, t := range store.RetiredTables {
		out[t] = 0
	}
	return out
}

func named(names []string, audit string) bool {
	for _, n := range names {
		if strings.EqualFold(strings.TrimSpace(n), audit) {
			return true
		}
	}
	return false
}

func deref(s *string, none string) string {
	if s == nil {
		return none
	}
	return *s
}

// day is a time as a UTC date.
func day(t interface{ Format(string) string }) string { return t.Format("2006-01-02") }
