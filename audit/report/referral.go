package report

import (
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// Referrals is the referral sheet for team managers: one row per follow-up
// action with its case ID, team, owner, the case's finding as it stands
// (its grade, immediate attention by the latest judgement, who and when,
// and the auditor's whole note), who raised the action, when and why, its
// dates, every cell text. The finding shown is the standing one, not the
// one that opened the action: that may since have been corrected, or be a
// moderator's, whose grade never replaces the auditor's. Names are in it only when asked for, read from the
// audit's recorded export (the store keeps none).
type Referrals struct {
	Header []string
	Rows   [][]string
	// Marking is the protective marking printed on every page: the audits'
	// own (given when they were drawn) unless the caller sets another.
	Marking string
	// Title heads every printed page.
	Title string
}

// ReferralRequest asks for the referral sheet of a list of follow-up
// actions.
type ReferralRequest struct {
	Actions []audit.Action // in the order the sheet lists them
	Now     time.Time      // the day overdue is judged on
	// Names adds the columns of the children's names, read from each
	// audit's export.
	Names bool
	// Audit and Owner, when the list is one audit's or one owner's, are
	// named in the title.
	Audit, Owner string
	// Marking replaces the audits' own protective markings when given.
	Marking string
}

// BuildReferrals lays out the referral sheet req asks for.
func BuildReferrals(ctx context.Context, st *audit.Store, req ReferralRequest) (*Referrals, error) {
	list, names, now := req.Actions, req.Names, req.Now
	var nameCols []string
	byCase := map[string]map[string][]string{} // audit → case → names
	teams := map[string]map[string]string{}    // audit → case → team
	standing := map[string]map[string]audit.StandingFinding{}
	want := map[string]map[string]bool{}
	for _, a := range list {
		if want[a.Audit] == nil {
			want[a.Audit] = map[string]bool{}
		}
		want[a.Audit][a.Case] = true
	}
	audits := slices.Sorted(maps.Keys(want))
	for _, name := range audits {
		a, err := st.Audit(ctx, name)
		if err != nil {
			return nil, err
		}
		if teams[name], err = caseTeams(ctx, st, a); err != nil {
			return nil, err
		}
		if standing[name], err = standingFindings(ctx, st, name, want[name]); err != nil {
			return nil, err
		}
		if !names {
			continue
		}
		cols, n, err := audit.PersonNames(ctx, a, want[name])
		if err != nil {
			return nil, err
		}
		if nameCols == nil {
			nameCols = cols
		}
		byCase[name] = n
	}
	r := &Referrals{Header: []string{"Audit", "Case ID"}, Marking: req.Marking, Title: "Referrals: follow-up actions"}
	if r.Marking == "" {
		m, err := auditsMarking(ctx, st, audits)
		if err != nil {
			return nil, err
		}
		r.Marking = m
	}
	if req.Audit != "" {
		r.Title += " of " + req.Audit
	}
	if req.Owner != "" {
		owner := req.Owner
		if len(list) > 0 && !slices.ContainsFunc(list, func(a audit.Action) bool { return !a.OwnerIsTeam }) {
			owner = "the team " + owner + " (no manager set)"
		}
		r.Title += " for " + owner
	}
	r.Header = append(r.Header, nameCols...)
	r.Header = append(r.Header, "Team", "Owner", "Grade", "Immediate attention", "Auditor", "Date audited", "Auditor's note",
		"Raised", "Reason for the action", "Due", "Status", "Overdue", "Response")
	for _, a := range list {
		row := []string{a.Audit, a.Case}
		if nameCols != nil {
			n := byCase[a.Audit][a.Case]
			for i := range nameCols {
				v := ""
				if i < len(n) {
					v = n[i]
				}
				row = append(row, v)
			}
		}
		od := "No"
		if a.Overdue(now) {
			od = "Yes"
		}
		var resp []string
		for _, n := range a.Responses {
			resp = append(resp, fmt.Sprintf("%s, %s: %s", n.At.UTC().Format(time.DateOnly), n.By, n.Note))
		}
		owner := a.Owner
		if a.OwnerIsTeam {
			owner += " " + audit.TeamOwnerNote
		}
		row = append(row, teams[a.Audit][a.Case], owner)
		row = append(row, findingCells(a, standing[a.Audit])...)
		row = append(row, a.Due, a.Status, od, strings.Join(resp, "\n"))
		r.Rows = append(r.Rows, row)
	}
	return r, nil
}

// standingFindings are the standing findings of an audit's cases in want
// (see audit.Standing).
func standingFindings(ctx context.Context, st *audit.Store, name string, want map[string]bool) (map[string]audit.StandingFinding, error) {
	orig, err := st.Findings(ctx, name, false)
	if err != nil {
		return nil, err
	}
	mods, err := st.Findings(ctx, name, true)
	if err != nil {
		return nil, err
	}
	mod := map[string]audit.Finding{}
	for _, m := range mods {
		mod[m.Case] = m
	}
	out := map[string]audit.StandingFinding{}
	for _, f := range orig {
		if want[f.Case] {
			m, moderated := mod[f.Case]
			out[f.Case] = audit.Standing(f, m, moderated)
		}
	}
	return out, nil
}

// findingCells are a referral row's cells from Grade to Reason for the
// action: the case's standing finding — its grade (saying when it was
// corrected), immediate attention by the latest judgement (naming the
// moderator whose judgement it is, when hers came later), its auditor,
// date audited and note — then where, by whom and when the action was
// raised, and the note of the finding that raised it (the moderator's,
// for an action raised at moderation), unless it is the auditor's note
// shown already.
func findingCells(a audit.Action, standing map[string]audit.StandingFinding) []string {
	raised := fmt.Sprintf("at %s by %s on %s", a.RaisedAt(), a.Auditor, a.Opened)
	s, ok := standing[a.Case]
	if !ok {
		// No auditor's finding to stand (none is recorded, which no
		// action should be without): the finding that opened it, as
		// recorded, rather than a blank.
		return []string{a.Grade.String(), "Yes", a.Auditor, a.Opened, a.Note, raised, a.Note}
	}
	f := s.Finding
	grade := f.Grade.String()
	if s.Corrected() {
		grade += " (corrected on " + f.At.UTC().Format(time.DateOnly) + ")"
	}
	imm := yesNo(s.Immediate)
	if m := s.ModeratedAfter; m != nil {
		on := m.Date
		if on == "" {
			on = m.At.UTC().Format(time.DateOnly)
		}
		imm += fmt.Sprintf(", by the moderator %s on %s", m.Auditor, on)
	}
	reason := a.Note
	if !a.Moderation && reason != "" && reason == f.Note {
		reason = "as the auditor's note"
	}
	if !a.Moderation && a.Auditor == f.Auditor && a.Opened == f.Date {
		// Who raised it and when are the Auditor and Date audited beside
		// it: said again they would only widen a sheet printed one page wide.
		raised = "at " + a.RaisedAt()
	}
	return []string{grade, imm, f.Auditor, f.Date, f.Note, raised, reason}
}

// caseTeams maps each sampled case of an audit to its team (see
// audit.Audit.Team); nil when the audit keeps no team column.
func caseTeams(ctx context.Context, st *audit.Store, a *audit.Audit) (map[string]string, error) {
	if a.TeamColumn() == "" {
		return nil, nil
	}
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range cases {
		out[c.ID] = a.Team(c)
	}
	return out, nil
}

// WriteXLSX writes the referral sheet as a workbook for print: every cell
// stored as text (a case ID such as 00123 keeps its zeros, a note starting
// "=" is never a formula), each row as tall as its note, landscape on A4,
// one page wide, the header row on every page and the marking in every
// page's header and footer.
func (r *Referrals) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Referrals"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	wide := func(h string) bool {
		return h == "Auditor's note" || h == "Raised" || h == "Reason for the action" || h == "Response"
	}
	if err := printTable(f, sheet, r.Header, r.Rows, wide, "Response"); err != nil {
		return err
	}
	if err := xlsxprint.Apply(f, sheet, xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$1:$1", Marking: r.Marking, Title: r.Title}); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

// writeInWidth and writeInLines are the room a column left for handwriting
// gets on paper (see printTable): about 60 mm across, and three lines of a
// pen's height.
const (
	writeInWidth = 36.0
	writeInLines = 3
)

// printTable writes a table of text to a sheet for print: every cell stored
// as text, a grey bold header row frozen at the top, columns as wide as
// their longest word or value (up to 24, or 48 for the columns wide names,
// which wrap), each row as tall as its tallest cell. The column headed
// writeIn ("" for none) is where the reader writes by hand (a referral
// sheet's Response, which a team manager fills in on paper): it is at
// least writeInWidth wide, and a row whose cell there is empty at least
// writeInLines tall, rather than as narrow and low as its empty cells.
func printTable(f *excelize.File, sheet string, header []string, body [][]string, wide func(string) bool, writeIn string) error {
	grid := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: grid, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: grid, Font: xlsxprint.Font(true, 0, ""),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{Vertical: "bottom", WrapText: true}})
	if err != nil {
		return err
	}
	rows := append([][]string{header}, body...)
	widths := make([]float64, len(header))
	for j, h := range header {
		limit := 24.0
		if wide(h) {
			limit = 48
			if writeIn != "" {
				// A sheet with a column to write in is printed one page
				// wide with room for a pen: its long texts wrap in rows
				// that are several lines tall already, rather than
				// shrinking the whole page.
				limit = 30
			}
		}
		w := 0.0
		for _, word := range strings.Fields(h) {
			w = max(w, xlsxprint.BoldWidth(word))
		}
		for _, row := range rows[1:] {
			w = max(w, xlsxprint.Width(row[j]))
		}
		widths[j] = math.Ceil(min(w+1.5, limit))
		if writeIn != "" && h == writeIn {
			widths[j] = max(widths[j], writeInWidth)
		}
	}
	for i, row := range rows {
		lines := 1
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
			if i == 0 {
				lines = max(lines, xlsxprint.BoldLines(v, widths[j]))
			} else {
				lines = max(lines, xlsxprint.Lines(v, widths[j]))
				if writeIn != "" && header[j] == writeIn && strings.TrimSpace(v) == "" {
					lines = max(lines, writeInLines)
				}
			}
		}
		if err := f.SetRowHeight(sheet, i+1, xlsxprint.RowHeight(lines)); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), len(rows))
	if err := f.SetCellStyle(sheet, "A1", last, text); err != nil {
		return err
	}
	lastHead, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(sheet, "A1", lastHead, bold); err != nil {
		return err
	}
	for j, w := range widths {
		c, _ := excelize.ColumnNumberToName(j + 1)
		if err := f.SetColWidth(sheet, c, c, w); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
