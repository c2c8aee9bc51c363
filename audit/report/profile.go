package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/profile"
	"github.com/caseaudit/caseaudit/schema"
)

// ProfileSchema names the JSON layout of a profile (caseaudit profile); it
// changes only when a field is removed or changes meaning.
//
// # JSON (schema "urn:caseaudit:schema:profile:1")
//
// One object; counts are JSON numbers, shares are fractions (0.25, not 25)
// of the count named in the field's description, null when that count is 0.
//
//	$schema, tool, version, generated  identification (generated: RFC 3339, UTC)
//	input {path, sha256, format, sheet, header_row, id_column, rows}
//	filters                            the --where conditions, as read
//	skipped {blank_rows, footer_rows, duplicate_rows, filtered_out}
//	cases                              distinct cases profiled (after filters)
//	include_names                      whether workers are named below
//	caseload                           null without a worker column, else
//	  {column, allocated, unallocated, unallocated_share (of cases),
//	   unallocated_as {text: cases} ("" for blank), workers, mean, median,
//	   min, max, target (null for none), above_target (null without a
//	   target) {workers, workers_share (of workers), cases (they hold),
//	   cases_share (of allocated)}, far_above_median (null for none:
//	   caseloads of at least three times the median and 20, usually a duty
//	   desk or a team) {from, workers, cases, names (only with
//	   include_names)}, bands [{label, from, to (null: open),
//	   workers, cases, above_target}], by_caseload [{caseload, workers}],
//	   worker_list [{worker, cases, above_target}] (only with include_names)}
//	changes                            null without a changes column, else
//	  {column, counted, blank, not_numbers, distribution [{label, value,
//	   or_more, cases, share (of counted)}] (0 to 5 and 6 or more),
//	   at_least, at_least_cases, at_least_share (of counted), mean,
//	   problems [problem]}
//	timeliness [{spec, from, to, limit, unit (d, wd, w, m), limit_text,
//	   as_of ("" when not judged), cases, measured (within + late +
//	   not_done), within, late, not_done, not_done_overdue, no_start,
//	   unreadable, negative, within_share, late_share, not_done_share,
//	   not_done_overdue_share (of measured), median_elapsed (over within +
//	   late, in elapsed_unit: "days" or "working days"), by_team [{team,
//	   …the same counts and shares}], problems [problem]}]
//	team_column                        the column timeliness is broken down by, "" for none
//	notes                              caveats a reader needs, in plain English
//
// A problem is {row, column, value, problem}: a cell that could not be
// read; value (the cell's text) only with include_names. New fields may be
// added.
const ProfileSchema = schema.Profile

// ProfileReport is a profile with where it came from: what `caseaudit
// profile` renders.
type ProfileReport struct {
	Tool      string         `json:"tool"`
	Version   string         `json:"version"`
	Generated string         `json:"generated"`
	Input     ProfileInput   `json:"input"`
	Filters   []string       `json:"filters"`
	Skipped   ProfileSkipped `json:"skipped"`
	// IncludeNames says workers are named (Caseload.WorkerList).
	IncludeNames bool `json:"include_names"`
	// Marking is the protective marking ("OFFICIAL-SENSITIVE") every
	// format shows: above and below the text, in every printed page's
	// header and footer.
	Marking string `json:"marking,omitempty"`
	*profile.Profile
	Notes []string `json:"notes"`
	// ToolSHA256 is the SHA-256 of the caseaudit executable (Version is
	// its version); the caller sets it.
	ToolSHA256 string `json:"tool_sha256,omitempty"`
}

// ProfileInput is the export profiled.
type ProfileInput struct {
	Path      string `json:"path"`
	SHA256    string `json:"sha256"`
	Format    string `json:"format"`
	Sheet     string `json:"sheet"`
	HeaderRow int    `json:"header_row"`
	IDColumn  string `json:"id_column"`
	Rows      int    `json:"rows"` // data rows holding a case ID
}

// ProfileSkipped counts what is not in the profile.
type ProfileSkipped struct {
	Blank       int `json:"blank_rows"`
	Footers     int `json:"footer_rows"`
	Duplicates  int `json:"duplicate_rows"`
	FilteredOut int `json:"filtered_out"`
}

// NewProfileReport wraps a profile for rendering and writes its notes.
// generated may be zero (left out of the view, kept "" in JSON).
func NewProfileReport(p profile.Profile, in ProfileInput, filters []string, skipped ProfileSkipped, generated time.Time, toolVersion string, includeNames bool) *ProfileReport {
	r := &ProfileReport{Tool: "caseaudit", Version: toolVersion, Input: in,
		Filters: append([]string{}, filters...), Skipped: skipped, IncludeNames: includeNames, Profile: &p}
	if !generated.IsZero() {
		r.Generated = generated.UTC().Format(time.RFC3339)
	}
	r.Notes = r.notes()
	return r
}

func (r *ProfileReport) notes() []string {
	out := []string{}
	dup := ""
	if r.Skipped.Duplicates > 0 {
		dup = fmt.Sprintf(" (%s duplicate %s counted once, by the first row)", thousands(r.Skipped.Duplicates), words.Noun(r.Skipped.Duplicates, "row", "rows"))
	}
	out = append(out, fmt.Sprintf("The figures are over the %s distinct %s of the export%s%s, the cases a sample of the same export is drawn from.",
		thousands(r.Cases), words.Noun(r.Cases, "case", "cases"), map[bool]string{true: " that match the filters", false: ""}[len(r.Filters) > 0], dup))
	if c := r.Caseload; c != nil {
		if c.Unallocated > 0 {
			var as []string
			for _, k := range sortedKeys(c.UnallocatedAs) {
				t := k
				if t == "" {
					t = "blank"
				} else {
					t = "“" + t + "”"
				}
				as = append(as, fmt.Sprintf("%s %s", t, thousands(c.UnallocatedAs[k])))
			}
			out = append(out, fmt.Sprintf("%s %s no allocated worker (%s) and %s in no worker's caseload.",
				thousands(c.Unallocated), words.Noun(c.Unallocated, "case has", "cases have"), strings.Join(as, ", "), words.Noun(c.Unallocated, "is", "are")))
		}
		if fa := c.FarAbove; fa != nil {
			who := thousands(fa.Workers) + " " + words.Noun(fa.Workers, "worker", "workers")
			if len(fa.Names) > 0 {
				who = quoteNames(fa.Names)
			}
			var s string
			if fa.Workers == 1 {
				s = fmt.Sprintf("%s holds %s cases, at least three times the median caseload of %s", who, thousands(fa.Cases), half(*c.Median))
			} else {
				s = fmt.Sprintf("%s hold %s cases or more each, at least three times the median caseload of %s (%s cases in all)",
					who, thousands(fa.From), half(*c.Median), thousands(fa.Cases))
			}
			s += ": so large a caseload is usually a duty desk, a team or a manager rather than a person, and it raises the mean; "
			switch {
			case len(fa.Names) == 1:
				s += fmt.Sprintf("if so, leave it out with --where '%s!=%s'.", c.Column, fa.Names[0])
			case len(fa.Names) > 1:
				s += fmt.Sprintf("if so, leave them out with --where '%s!=NAME'.", c.Column)
			default:
				s += fmt.Sprintf("see who with --include-names, and leave %s out with --where '%s!=NAME' if so.", words.Noun(fa.Workers, "it", "them"), c.Column)
			}
			out = append(out, s)
		}
		if c.Workers > 0 {
			s := "Workers are the distinct names in “" + c.Column + "”, compared ignoring case and spacing and reading “Surname, Forename” as “Forename Surname”"
			if c.Aliased > 0 {
				s += fmt.Sprintf(", with %s mapped to one person by the worker-aliases file (SHA-256 %s)", plural(c.Aliased, "1 name", thousands(c.Aliased)+" names"), c.AliasesSHA256)
			}
			s += "; a caseload counts " + sample.CountedText(c.OpenWhen, c.Counted, c.OfCases)
			if len(r.Filters) > 0 {
				s += ", whatever the filters (a worker's caseload is their whole caseload)"
			}
			s += "; a worker who also holds cases outside this export holds more."
			out = append(out, s)
		}
		if n := c.SuspectDuplicates + c.SuspectPlaceholders; n > 0 {
			s := fmt.Sprintf("%s to confirm: %s may be another worker's (an initial, or a spelling close to another name) and %s like a placeholder rather than a person (“leaving”, “agency”, “TBC”); they are counted as written, never merged",
				plural(n, "1 worker name", thousands(n)+" worker names"), thousands(c.SuspectDuplicates), plural(c.SuspectPlaceholders, "1 reads", thousands(c.SuspectPlaceholders)+" read"))
			if r.IncludeNames {
				s += " (listed under Caseload)"
			} else {
				s += " (see them with --include-names)"
			}
			out = append(out, s+"; map names to one person with --worker-aliases FILE, a csv of the name as written and the person.")
		}
	}
	if ch := r.Changes; ch != nil && (ch.Blank > 0 || ch.NotNumbers > 0) {
		var parts []string
		if ch.Blank > 0 {
			parts = append(parts, "blank for "+casesText(ch.Blank))
		}
		if ch.NotNumbers > 0 {
			parts = append(parts, "not a whole number for "+casesText(ch.NotNumbers)+problemRows(ch.Problems, ch.NotNumbers))
		}
		out = append(out, fmt.Sprintf("“%s” is %s; %s left out of its figures.", ch.Column, strings.Join(parts, " and "),
			words.Noun(ch.Blank+ch.NotNumbers, "it is", "they are")))
	}
	if ch := r.Changes; ch != nil && len(ch.OrMore) > 0 {
		var parts []string
		n := 0
		for _, o := range ch.OrMore {
			parts = append(parts, fmt.Sprintf("“%s” (%s) as %d or more", o.Text, casesText(o.Cases), o.Value))
			n += o.Cases
		}
		out = append(out, fmt.Sprintf("“%s” is written as an open top group for %s: read %s, and counted at that least value (in its share of %d or more when it reaches it; its mean is a least mean).",
			ch.Column, casesText(n), strings.Join(parts, ", "), ch.AtLeast))
	}
	if ch := r.Changes; ch != nil && ch.Mean != nil && *ch.Mean > 12 {
		out = append(out, fmt.Sprintf("The values of “%s” are large for a count of workers (a mean of %s): if it is not such a count, name the right column with --changes-column.",
			ch.Column, dec1(*ch.Mean)))
	}
	wd := false
	for _, t := range r.Timeliness {
		if t.Unit == profile.UnitWorkingDays {
			wd = true
		}
		var parts []string
		if t.NoStart > 0 {
			parts = append(parts, fmt.Sprintf("%s no “%s”", words.Noun(t.NoStart, "1 case has", thousands(t.NoStart)+" cases have"), t.From))
		}
		if t.Unreadable > 0 {
			parts = append(parts, fmt.Sprintf("%s a date that cannot be read%s", words.Noun(t.Unreadable, "1 case has", thousands(t.Unreadable)+" cases have"),
				problemRows(onlyProblem(t.Problems, "not a date"), t.Unreadable)))
		}
		if t.Negative > 0 {
			parts = append(parts, fmt.Sprintf("%s “%s” before “%s”%s", words.Noun(t.Negative, "1 case has", thousands(t.Negative)+" cases have"), t.To, t.From,
				problemRows(exceptProblem(t.Problems, "not a date"), t.Negative)))
		}
		if len(parts) > 0 {
			out = append(out, fmt.Sprintf("%s: not measured where %s.", pairName(t), strings.Join(parts, "; ")))
		}
	}
	if wd {
		out = append(out, "Working days are Monday to Friday, counted from the day after the first date up to and including the second; bank holidays are not taken out, so a case can look up to a few days slower than it was.")
	}
	return out
}

func quoteNames(ns []string) string {
	q := make([]string, len(ns))
	for i, n := range ns {
		q[i] = "“" + n + "”"
	}
	if len(q) > 5 {
		q = append(q[:5], fmt.Sprintf("%d more", len(ns)-5))
	}
	return strings.Join(q, ", ")
}

// unitWord is "day" or "working day" for exactly 1, else the unit as given.
func unitWord(v float64, unit string) string {
	if v == 1 {
		return strings.TrimSuffix(unit, "s")
	}
	return unit
}

func problemRows(ps []profile.CellProblem, total int) string {
	if len(ps) == 0 {
		return ""
	}
	var rows []string
	for _, p := range ps {
		if len(rows) == 5 {
			break
		}
		rows = append(rows, thousands(p.Row))
	}
	more := ""
	if total > len(rows) {
		more = ", …"
	}
	return " (" + words.Noun(total, "row ", "rows ") + strings.Join(rows, ", ") + more + ")"
}

func onlyProblem(ps []profile.CellProblem, what string) []profile.CellProblem {
	var out []profile.CellProblem
	for _, p := range ps {
		if p.Problem == what {
			out = append(out, p)
		}
	}
	return out
}

func exceptProblem(ps []profile.CellProblem, what string) []profile.CellProblem {
	var out []profile.CellProblem
	for _, p := range ps {
		if p.Problem != what {
			out = append(out, p)
		}
	}
	return out
}

func sortedKeys(m map[string]int) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	// Most cases first, then by text.
	for i := 1; i < len(ks); i++ {
		for j := i; j > 0 && (m[ks[j]] > m[ks[j-1]] || m[ks[j]] == m[ks[j-1]] && ks[j] < ks[j-1]); j-- {
			ks[j], ks[j-1] = ks[j-1], ks[j]
		}
	}
	return ks
}

// pairName is a timeliness pair in words: “Referral Date” to “Assessment Completed”.
func pairName(t profile.TimelinessResult) string {
	return "“" + t.From + "” to “" + t.To + "”"
}

// one decimal place: 18.8
func dec1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// a median of whole numbers: 19 or 18.5
func half(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// Title is the profile's heading.
func (r *ProfileReport) Title() string { return "Caseloads, changes of worker and timeliness" }

// Summary is the profile in a few plain-English sentences, one per figure
// that matters.
func (r *ProfileReport) Summary() []string {
	var out []string
	if c := r.Caseload; c != nil {
		if c.Workers == 0 {
			out = append(out, fmt.Sprintf("No case has an allocated worker in “%s”.", c.Column))
		} else {
			s := fmt.Sprintf("%s allocated %s are held by %s %s: a mean caseload of %s, a median of %s, the largest %s.",
				thousands(c.Allocated), words.Noun(c.Allocated, "case", "cases"), thousands(c.Workers), words.Noun(c.Workers, "worker", "workers"),
				dec1(*c.Mean), half(*c.Median), thousands(c.Max))
			if c.Unallocated > 0 {
				s += fmt.Sprintf(" %s (%s) %s no allocated worker.", casesText(c.Unallocated), pct(*c.UnallocatedShare, nearest), words.Noun(c.Unallocated, "has", "have"))
			}
			out = append(out, s)
			if a := c.AboveTarget; a != nil {
				if a.Workers == 0 {
					out = append(out, fmt.Sprintf("No worker holds more than the target of %s %s.", thousands(*c.Target), words.Noun(*c.Target, "case", "cases")))
				} else {
					out = append(out, fmt.Sprintf("%s of the %s workers (%s) hold more than the target of %s %s; between them they hold %s of the allocated cases (%s).",
						thousands(a.Workers), thousands(c.Workers), pct(*a.WorkersShare, nearest), thousands(*c.Target), words.Noun(*c.Target, "case", "cases"),
						thousands(a.Cases), pct(*a.CasesShare, nearest)))
				}
			}
		}
	}
	if ch := r.Changes; ch != nil {
		if ch.Counted == 0 {
			out = append(out, fmt.Sprintf("“%s” holds no whole number for any case.", ch.Column))
		} else {
			out = append(out, fmt.Sprintf("“%s” is %d or more for %s of the %s %s with a number there (%s).",
				ch.Column, ch.AtLeast, thousands(ch.AtLeastCases), thousands(ch.Counted), words.Noun(ch.Counted, "case", "cases"), pct(*ch.AtLeastShare, nearest)))
		}
	}
	for _, t := range r.Timeliness {
		out = append(out, timelinessSentence(t))
	}
	return out
}

func timelinessSentence(t profile.TimelinessResult) string {
	if t.Measured == 0 {
		return fmt.Sprintf("%s within %s: no case could be measured.", pairName(t), t.LimitText)
	}
	s := fmt.Sprintf("%s within %s: %s of %s measured %s (%s); %s late (%s); %s not done yet (%s)",
		pairName(t), t.LimitText, thousands(t.Within), thousands(t.Measured), words.Noun(t.Measured, "case", "cases"), pct(*t.WithinShare, nearest),
		thousands(t.Late), pct(*t.LateShare, nearest), thousands(t.NotDone), pct(*t.NotDoneShare, nearest))
	if t.AsOf != "" && t.NotDone > 0 {
		s += fmt.Sprintf(", %s of them past the limit on %s", thousands(t.Overdue), t.AsOf)
	}
	return s + "."
}

// meta is the line under the title.
func (r *ProfileReport) meta() []kv {
	out := []kv{{"Export", r.Input.Path}}
	if r.Input.Sheet != "" {
		out = append(out, kv{"Sheet", r.Input.Sheet})
	}
	out = append(out, kv{"Cases", thousands(r.Cases) + " distinct " + words.Noun(r.Cases, "case", "cases")})
	if len(r.Filters) > 0 {
		out = append(out, kv{"Filters", strings.Join(r.Filters, "; ")})
	}
	for _, t := range r.Timeliness {
		if t.AsOf != "" {
			out = append(out, kv{"Overdue judged on", t.AsOf})
			break
		}
	}
	if r.Generated != "" {
		out = append(out, kv{"Generated", strings.Replace(strings.TrimSuffix(r.Generated, "Z"), "T", " ", 1) + " UTC"})
	}
	if t := toolLine(r.Version, r.ToolSHA256); t != "" {
		out = append(out, kv{"Made by", t})
	}
	return out
}

// profileSections is the profile as sections of lines and tables, for the
// table, Markdown and HTML formats.
func (r *ProfileReport) sections() []section {
	var out []section
	out = append(out, section{Title: "Summary", Lines: sentenceLines(r.Summary())})
	if c := r.Caseload; c != nil {
		s := section{Title: "Caseload", Intro: fmt.Sprintf("Cases per allocated worker, from the column “%s”.", c.Column)}
		s.Lines = []kv{{"Cases counted", sample.CountedText(c.OpenWhen, c.Counted, c.OfCases)}, {"Cases allocated", thousands(c.Allocated)}}
		if c.Unallocated > 0 || c.UnallocatedShare != nil {
			s.Lines = append(s.Lines, kv{"Cases with no allocated worker", fmt.Sprintf("%s (%s)", thousands(c.Unallocated), pctPtr(c.UnallocatedShare, nearest))})
		}
		s.Lines = append(s.Lines, kv{"Workers", thousands(c.Workers)})
		if c.Workers > 0 {
			s.Lines = append(s.Lines,
				kv{"Mean caseload", dec1(*c.Mean)},
				kv{"Median caseload", half(*c.Median)},
				kv{"Smallest and largest", thousands(c.Min) + " and " + thousands(c.Max)})
		}
		if a := c.AboveTarget; a != nil {
			s.Lines = append(s.Lines,
				kv{"Target", "at most " + thousands(*c.Target) + " " + words.Noun(*c.Target, "case", "cases")},
				kv{"Workers above the target", fmt.Sprintf("%s of %s (%s)", thousands(a.Workers), thousands(c.Workers), pctPtr(a.WorkersShare, nearest))},
				kv{"Cases they hold", fmt.Sprintf("%s of %s allocated (%s)", thousands(a.Cases), thousands(c.Allocated), pctPtr(a.CasesShare, nearest))})
		}
		if len(c.Bands) > 0 {
			bt := &tbl{Header: []string{"Caseload", "Workers", "Cases held"}, Right: []bool{false, true, true}}
			if c.Target != nil {
				bt.Header = append(bt.Header, "Above target")
				bt.Right = append(bt.Right, false)
			}
			for _, b := range foldEmptyBands(c.Bands) {
				row := []string{b.Label, thousands(b.Workers), thousands(b.Cases)}
				if c.Target != nil {
					row = append(row, map[bool]string{true: "yes", false: ""}[b.AboveTarget])
				}
				bt.Rows = append(bt.Rows, row)
			}
			s.Table = bt
		}
		if r.IncludeNames && len(c.WorkerList) > 0 {
			wt := &tbl{Header: []string{"Worker", "Cases"}, Right: []bool{false, true}}
			if c.Target != nil {
				wt.Header = append(wt.Header, "Above target")
				wt.Right = append(wt.Right, false)
			}
			for _, w := range c.WorkerList {
				row := []string{w.Worker, thousands(w.Cases)}
				if c.Target != nil {
					row = append(row, map[bool]string{true: "yes", false: ""}[w.AboveTarget])
				}
				wt.Rows = append(wt.Rows, row)
			}
			s.More = append(s.More, captioned{Caption: "Workers by caseload (named with --include-names)", Table: wt})
		}
		if len(c.StatusValues) > 0 && c.StatusColumn != "" {
			st := &tbl{Header: []string{c.StatusColumn, "Cases", "Counted as"}, Right: []bool{false, true, false}}
			for _, v := range c.StatusValues {
				st.Rows = append(st.Rows, []string{v.Value, thousands(v.Cases), map[bool]string{true: "open", false: "closed"}[v.Open]})
			}
			s.More = append(s.More, captioned{Caption: "Open and closed cases (" + c.OpenWhen + "): confirm, or give --open-when", Table: st})
		}
		if r.IncludeNames && len(c.SuspectList) > 0 {
			st := &tbl{Header: []string{"Worker", "Cases", "May be", "Cases", "Why"}, Right: []bool{false, true, false, true, false}}
			for _, x := range c.SuspectList {
				like, lc := "—", ""
				if x.Like != "" {
					like, lc = x.Like, thousands(x.LikeCases)
				}
				st.Rows = append(st.Rows, []string{x.Worker, thousands(x.Cases), like, lc, x.Why})
			}
			s.More = append(s.More, captioned{Caption: "Worker names to confirm (never merged: map them with --worker-aliases)", Table: st})
		}
		out = append(out, s)
	}
	if ch := r.Changes; ch != nil {
		s := section{Title: "Changes of worker", Intro: fmt.Sprintf("The count in the column “%s”, case by case.", ch.Column)}
		s.Lines = []kv{{"Cases with a number", thousands(ch.Counted)}}
		if ch.Blank > 0 {
			s.Lines = append(s.Lines, kv{"Blank", thousands(ch.Blank)})
		}
		if ch.NotNumbers > 0 {
			s.Lines = append(s.Lines, kv{"Not a whole number", thousands(ch.NotNumbers)})
		}
		if ch.Counted > 0 {
			s.Lines = append(s.Lines,
				kv{fmt.Sprintf("%d or more", ch.AtLeast), fmt.Sprintf("%s (%s)", thousands(ch.AtLeastCases), pctPtr(ch.AtLeastShare, nearest))},
				kv{"Mean", dec1(*ch.Mean)})
		}
		dt := &tbl{Header: []string{ch.Column, "Cases", "Share"}, Right: []bool{false, true, true}}
		for _, v := range ch.Distribution {
			dt.Rows = append(dt.Rows, []string{v.Label, thousands(v.Cases), pctPtr(v.Share, nearest)})
		}
		s.Table = dt
		out = append(out, s)
	}
	for _, t := range r.Timeliness {
		s := section{Title: fmt.Sprintf("Timeliness: %s within %s", pairName(t), t.LimitText), Intro: timelinessSentence(t)}
		s.Lines = []kv{
			{"Measured", thousands(t.Measured)},
			{"Within " + t.LimitText, fmt.Sprintf("%s (%s)", thousands(t.Within), pctPtr(t.WithinShare, nearest))},
			{"Late", fmt.Sprintf("%s (%s)", thousands(t.Late), pctPtr(t.LateShare, nearest))},
			{"Not done yet", fmt.Sprintf("%s (%s)", thousands(t.NotDone), pctPtr(t.NotDoneShare, nearest))},
		}
		if t.AsOf != "" && t.NotDone > 0 {
			s.Lines = append(s.Lines, kv{"Not done and past the limit on " + t.AsOf, fmt.Sprintf("%s (%s)", thousands(t.Overdue), pctPtr(t.OverdueShare, nearest))})
		}
		if t.MedianElapsed != nil {
			s.Lines = append(s.Lines, kv{"Median time taken", half(*t.MedianElapsed) + " " + unitWord(*t.MedianElapsed, t.ElapsedUnit)})
		}
		if n := t.NoStart + t.Unreadable + t.Negative; n > 0 {
			var why []string
			if t.NoStart > 0 {
				why = append(why, fmt.Sprintf("%s with no “%s”", thousands(t.NoStart), t.From))
			}
			if t.Unreadable > 0 {
				why = append(why, fmt.Sprintf("%s with a date that cannot be read", thousands(t.Unreadable)))
			}
			if t.Negative > 0 {
				why = append(why, fmt.Sprintf("%s with “%s” before “%s”", thousands(t.Negative), t.To, t.From))
			}
			v := why[0]
			if len(why) > 1 {
				v = thousands(n) + " (" + strings.Join(why, "; ") + ")"
			}
			s.Lines = append(s.Lines, kv{"Not measured", v})
		}
		if len(t.ByTeam) > 0 {
			s.Table = timelinessTeamTable(r.TeamColumn, t)
		}
		out = append(out, s)
	}
	if pt := r.problemTable(); pt != nil {
		out = append(out, section{Title: "Cells that could not be read", Intro: problemIntro(r.IncludeNames), Table: pt})
	}
	if len(r.Notes) > 0 {
		ns := section{Title: "Notes"}
		for _, n := range r.Notes {
			ns.Lines = append(ns.Lines, kv{"", n})
		}
		out = append(out, ns)
	}
	return out
}

// foldEmptyBands makes each run of two or more bands without workers one
// band ("29–58"), so that a caseload far from the rest does not fill the
// table with empty rows.
func foldEmptyBands(bs []profile.Band) []profile.Band {
	var out []profile.Band
	for i := 0; i < len(bs); i++ {
		j := i
		for j+1 < len(bs) && bs[i].Workers == 0 && bs[j+1].Workers == 0 {
			j++
		}
		if j == i {
			out = append(out, bs[i])
			continue
		}
		b := bs[i]
		b.To = bs[j].To
		if b.To != nil {
			b.Label = fmt.Sprintf("%d–%d", b.From, *b.To)
		} else {
			b.Label = fmt.Sprintf("%d or more", b.From)
		}
		out = append(out, b)
		i = j
	}
	return out
}

func sentenceLines(ss []string) []kv {
	out := make([]kv, len(ss))
	for i, s := range ss {
		out[i] = kv{"", s}
	}
	return out
}

func timelinessTeamTable(column string, t profile.TimelinessResult) *tbl {
	h := []string{column, "Measured", "Within", "Late", "Not done"}
	right := []bool{false, true, true, true, true}
	if t.AsOf != "" {
		h = append(h, "Overdue")
		right = append(right, true)
	}
	h = append(h, "Within %", "Late %", "Not done %")
	right = append(right, true, true, true)
	tt := &tbl{Header: h, Right: right}
	row := func(name string, c profile.TimelinessCounts) []string {
		r := []string{name, thousands(c.Measured), thousands(c.Within), thousands(c.Late), thousands(c.NotDone)}
		if t.AsOf != "" {
			r = append(r, thousands(c.Overdue))
		}
		return append(r, pctPtr(c.WithinShare, nearest), pctPtr(c.LateShare, nearest), pctPtr(c.NotDoneShare, nearest))
	}
	for _, team := range t.ByTeam {
		tt.Rows = append(tt.Rows, row(team.Team, team.TimelinessCounts))
	}
	tt.Rows = append(tt.Rows, row("All", t.TimelinessCounts))
	return tt
}

func problemIntro(names bool) string {
	s := "The first cells of each column that could not be read, by row (as a spreadsheet numbers them); they are counted, and left out of the figures."
	if !names {
		s += " The cells' text is shown only with --include-names, as a wrongly chosen column may hold names."
	}
	return s
}

func (r *ProfileReport) problems() []profile.CellProblem {
	var ps []profile.CellProblem
	if r.Changes != nil {
		ps = append(ps, r.Changes.Problems...)
	}
	for _, t := range r.Timeliness {
		ps = append(ps, t.Problems...)
	}
	return ps
}

func (r *ProfileReport) problemTable() *tbl {
	ps := r.problems()
	if len(ps) == 0 {
		return nil
	}
	t := &tbl{Header: []string{"Row", "Column", "Problem"}, Right: []bool{true, false, false}}
	if r.IncludeNames {
		t.Header = append(t.Header, "Cell")
		t.Right = append(t.Right, false)
	}
	for _, p := range ps {
		row := []string{thousands(p.Row), p.Column, p.Problem}
		if r.IncludeNames {
			row = append(row, p.Value)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
