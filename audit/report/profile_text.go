package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"

	"github.com/caseaudit/caseaudit/internal/jsonout"
	"github.com/caseaudit/caseaudit/sample/profile"
)

// RenderProfile writes a profile in the given format.
func RenderProfile(w io.Writer, r *ProfileReport, f Format, o RenderOptions) error {
	switch f {
	case Table:
		if r.Marking == "" {
			return writeProfileTable(w, r, o.Color)
		}
		return withMarking(w, r.Marking, "", func(w io.Writer) error { return writeProfileTable(w, r, o.Color) })
	case Markdown:
		if r.Marking == "" {
			return writeProfileMarkdown(w, r)
		}
		return withMarking(w, "**"+mdEscape(r.Marking)+"**", "\n", func(w io.Writer) error { return writeProfileMarkdown(w, r) })
	case CSV:
		return writeProfileCSV(w, r)
	case JSON:
		return jsonout.Write(w, ProfileSchema, r)
	case XLSX:
		return writeProfileXLSX(w, r)
	case HTML:
		return writeProfileHTML(w, r)
	}
	return fmt.Errorf("format %q: use table, markdown, csv, json, xlsx or html", f)
}

func writeProfileTable(w io.Writer, r *ProfileReport, color bool) error {
	return writeTableDoc(w, r.Title(), r.meta(), r.sections(), color, "Notes", "Summary")
}

func writeProfileMarkdown(w io.Writer, r *ProfileReport) error {
	return writeMarkdownDoc(w, r.Title(), r.meta(), r.sections(), "Notes", "Summary")
}

// writeProfileCSV writes the figures in long form, one a row: section,
// pair (the timeliness pair, else empty), group, measure, value, after a
// first column "marking" on every row when there is a marking (see
// markedCSV). Shares are fractions; undefined figures are empty cells.
func writeProfileCSV(w io.Writer, r *ProfileReport) error {
	cw := csv.NewWriter(w)
	c := markedCSV{csvWriter{cw}, r.Marking}
	put := func(section, pair, group, measure, value string) { c.row(section, pair, group, measure, value) }
	c.head("section", "pair", "group", "measure", "value")
	put("input", "", "", "path", r.Input.Path)
	put("input", "", "", "sha256", r.Input.SHA256)
	put("input", "", "", "sheet", r.Input.Sheet)
	put("input", "", "", "id_column", r.Input.IDColumn)
	put("input", "", "", "rows", inum(r.Input.Rows))
	for _, f := range r.Filters {
		put("input", "", "", "filter", f)
	}
	put("summary", "", "", "cases", inum(r.Cases))
	put("summary", "", "", "generated", r.Generated)
	put("skipped", "", "", "blank_rows", inum(r.Skipped.Blank))
	put("skipped", "", "", "footer_rows", inum(r.Skipped.Footers))
	put("skipped", "", "", "duplicate_rows", inum(r.Skipped.Duplicates))
	put("skipped", "", "", "filtered_out", inum(r.Skipped.FilteredOut))
	if cl := r.Caseload; cl != nil {
		put("caseload", "", "", "column", cl.Column)
		put("caseload", "", "", "allocated", inum(cl.Allocated))
		put("caseload", "", "", "unallocated", inum(cl.Unallocated))
		put("caseload", "", "", "unallocated_share", fptr(cl.UnallocatedShare))
		put("caseload", "", "", "workers", inum(cl.Workers))
		put("caseload", "", "", "mean", fptr(cl.Mean))
		put("caseload", "", "", "median", fptr(cl.Median))
		put("caseload", "", "", "min", inum(cl.Min))
		put("caseload", "", "", "max", inum(cl.Max))
		if cl.Target != nil {
			put("caseload", "", "", "target", inum(*cl.Target))
		}
		if a := cl.AboveTarget; a != nil {
			put("caseload", "", "", "workers_above_target", inum(a.Workers))
			put("caseload", "", "", "workers_above_target_share", fptr(a.WorkersShare))
			put("caseload", "", "", "cases_held_above_target", inum(a.Cases))
			put("caseload", "", "", "cases_held_above_target_share", fptr(a.CasesShare))
		}
		if fa := cl.FarAbove; fa != nil {
			put("caseload", "", "", "far_above_median_from", inum(fa.From))
			put("caseload", "", "", "far_above_median_workers", inum(fa.Workers))
			put("caseload", "", "", "far_above_median_cases", inum(fa.Cases))
		}
		for _, k := range sortedKeys(cl.UnallocatedAs) {
			put("unallocated_as", "", k, "cases", inum(cl.UnallocatedAs[k]))
		}
		for _, b := range cl.Bands {
			put("caseload_band", "", b.Label, "workers", inum(b.Workers))
			put("caseload_band", "", b.Label, "cases", inum(b.Cases))
		}
		for _, b := range cl.ByCaseload {
			put("by_caseload", "", inum(b.Caseload), "workers", inum(b.Workers))
		}
		for _, wl := range cl.WorkerList {
			put("worker", "", wl.Worker, "cases", inum(wl.Cases))
		}
	}
	if ch := r.Changes; ch != nil {
		put("changes", "", "", "column", ch.Column)
		put("changes", "", "", "counted", inum(ch.Counted))
		put("changes", "", "", "blank", inum(ch.Blank))
		put("changes", "", "", "not_numbers", inum(ch.NotNumbers))
		put("changes", "", "", "at_least", inum(ch.AtLeast))
		put("changes", "", "", "at_least_cases", inum(ch.AtLeastCases))
		put("changes", "", "", "at_least_share", fptr(ch.AtLeastShare))
		put("changes", "", "", "mean", fptr(ch.Mean))
		for _, v := range ch.Distribution {
			put("changes_distribution", "", v.Label, "cases", inum(v.Cases))
			put("changes_distribution", "", v.Label, "share", fptr(v.Share))
		}
	}
	counts := func(pair, group string, t profile.TimelinessCounts, section string) {
		for _, m := range []struct {
			k string
			v string
		}{
			{"cases", inum(t.Cases)}, {"measured", inum(t.Measured)}, {"within", inum(t.Within)}, {"late", inum(t.Late)},
			{"not_done", inum(t.NotDone)}, {"not_done_overdue", inum(t.Overdue)}, {"no_start", inum(t.NoStart)},
			{"unreadable", inum(t.Unreadable)}, {"negative", inum(t.Negative)}, {"within_share", fptr(t.WithinShare)},
			{"late_share", fptr(t.LateShare)}, {"not_done_share", fptr(t.NotDoneShare)}, {"not_done_overdue_share", fptr(t.OverdueShare)},
		} {
			put(section, pair, group, m.k, m.v)
		}
	}
	for _, t := range r.Timeliness {
		put("timeliness", t.Spec, "", "limit", inum(t.Limit)+t.Unit)
		put("timeliness", t.Spec, "", "as_of", t.AsOf)
		counts(t.Spec, "", t.TimelinessCounts, "timeliness")
		put("timeliness", t.Spec, "", "median_elapsed", fptr(t.MedianElapsed))
		put("timeliness", t.Spec, "", "elapsed_unit", t.ElapsedUnit)
		for _, team := range t.ByTeam {
			counts(t.Spec, team.Team, team.TimelinessCounts, "timeliness_by_team")
		}
	}
	for _, p := range r.problems() {
		put("problem", "", p.Column, "row "+strconv.Itoa(p.Row), p.Problem+map[bool]string{true: ": " + p.Value, false: ""}[r.IncludeNames])
	}
	for _, n := range r.Notes {
		put("notes", "", "", "note", n)
	}
	cw.Flush()
	return cw.Error()
}
