package report

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/xuri/excelize/v2"
)

// Referrals is the referral sheet for managers: one row per follow-up
// action, every cell text. Names are in it only when asked for, read from
// the audit's recorded export (the store keeps none).
type Referrals struct {
	Header []string
	Rows   [][]string
}

// BuildReferrals lays out the referral sheet of list as of now. With names,
// it adds the columns of the children's names read from each audit's export.
func BuildReferrals(ctx context.Context, st *audit.Store, list []audit.Action, names bool, now time.Time) (*Referrals, error) {
	var nameCols []string
	byCase := map[string]map[string][]string{} // audit → case → names
	if names {
		want := map[string]map[string]bool{}
		for _, a := range list {
			if want[a.Audit] == nil {
				want[a.Audit] = map[string]bool{}
			}
			want[a.Audit][a.Case] = true
		}
		for name, cases := range want {
			a, err := st.Audit(ctx, name)
			if err != nil {
				return nil, err
			}
			cols, n, err := audit.PersonNames(ctx, a, cases)
			if err != nil {
				return nil, err
			}
			if nameCols == nil {
				nameCols = cols
			}
			byCase[name] = n
		}
	}
	r := &Referrals{Header: []string{"Audit", "Case ID"}}
	r.Header = append(r.Header, nameCols...)
	r.Header = append(r.Header, "Owner", "Raised at", "Auditor", "Grade", "Auditor's note", "Date audited", "Due", "Status", "Overdue", "Response")
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
		row = append(row, a.Owner, a.RaisedAt(), a.Auditor, a.Grade.String(), a.Note, a.Opened, a.Due, a.Status, od, strings.Join(resp, "\n"))
		r.Rows = append(r.Rows, row)
	}
	return r, nil
}

// WriteXLSX writes the referral sheet as a workbook: every cell stored as
// text (a case ID such as 00123 keeps its zeros, a note starting "=" is
// never a formula), the header frozen above the rows.
func (r *Referrals) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Referrals"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return err
	}
	rows := append([][]string{r.Header}, r.Rows...)
	for i, row := range rows {
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(r.Header), len(rows))
	if err := f.SetCellStyle(sheet, "A1", last, text); err != nil {
		return err
	}
	lastHead, _ := excelize.CoordinatesToCellName(len(r.Header), 1)
	if err := f.SetCellStyle(sheet, "A1", lastHead, bold); err != nil {
		return err
	}
	for j, h := range r.Header {
		c, _ := excelize.ColumnNumberToName(j + 1)
		w := 16.0
		if h == "Auditor's note" || h == "Response" {
			w = 50
		}
		if err := f.SetColWidth(sheet, c, c, w); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}
