package report

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// referralCards are n made-up referral cards, one in three with a long
// note, one in four overdue, one in five answered already.
func referralCards(n int, names bool) *Referrals {
	r := &Referrals{Marking: "OFFICIAL-SENSITIVE", Title: "Referrals: follow-up actions of 2026-07 monthly"}
	if names {
		r.NameColumns = []string{"Forename", "Surname"}
	}
	teams := []string{"Salisbury CIN", "Trowbridge Child Protection", "Chippenham Children in Care"}
	long := "Not seen for 10 weeks. The plan names a visit every 10 working days and the last recorded visit was on 28 April; " +
		"the sibling has not been seen alone since the strategy discussion in March, the core group has not met since May, " +
		"and the chronology stops in February. The school reports two exclusions this term that are not on the file. " +
		"The manager's oversight note of 2 June asks for a visit within the week; none is recorded. " +
		"Please see the child, alone, and record the visit, then review the plan with the core group."
	for i := range n {
		c := Referral{Audit: "2026-07 monthly", Case: fmt.Sprintf("CR-%07d", 1000+i*37), Team: teams[i%3],
			Owner: "J. Smith", Grade: "Inadequate", Immediate: "Yes", Auditor: "A. Khan", Audited: "2026-07-03",
			Note: "Not seen for 10 weeks", Raised: "at audit", Reason: "as the auditor's note", Due: "2026-07-10", Status: "open"}
		if names {
			c.Names = []string{"Alexandra-Louise", "Featherstonehaugh-Smythe"}
		}
		if i%3 == 1 {
			c.Note = long
		}
		if i%4 == 2 {
			c.Overdue = true
			c.Grade, c.Immediate = "Inadequate (corrected on 2026-07-04)", "Yes, by the moderator M. Moderator on 2026-07-05"
			c.Raised, c.Reason = "at moderation by M. Moderator on 2026-07-05", "Sibling not seen since May"
		}
		if i%2 == 1 {
			// A team without a manager owns the action: a value longer
			// than its column, which wraps.
			c.Owner = c.Team + " (team, no manager set)"
		}
		if i%5 == 4 {
			c.Status, c.Responses = "responded", "2026-07-08, K. Ward: Visited on 7 July; plan to be reviewed at the core group on 14 July"
		}
		if i%7 == 5 {
			c.Status, c.Responses = "closed", "2026-07-08, K. Ward: Visited on 7 July; the child was seen alone"
			c.Closed = "2026-07-09, Q. Officer: visit seen on the file"
		}
		r.Cards = append(r.Cards, c)
	}
	return r
}

// referralSheet reads back a referral sheet written by WriteXLSX: its
// cards (each label's value, by the row the label is on), where each card
// starts and ends, the rows' heights and the page breaks.
type referralSheet struct {
	f      *excelize.File
	cards  []map[string]string
	spans  [][2]int // first and last row of each card
	breaks []int    // a page ends after each of these rows
}

func readReferralSheet(t *testing.T, xlsx []byte) *referralSheet {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	rows, err := f.GetRows("Referrals")
	if err != nil {
		t.Fatal(err)
	}
	r := &referralSheet{f: f}
	for i, row := range rows {
		cell := func(j int) string {
			if j < len(row) {
				return row[j]
			}
			return ""
		}
		switch {
		case cell(0) == "Case ID":
			r.cards = append(r.cards, map[string]string{})
			r.spans = append(r.spans, [2]int{i + 1, 0})
		case len(r.cards) == 0:
			continue
		case cell(0) == "Date" && cell(1) == "", // the last line: to date the response
			cell(0) == "Closed": // a closed action's last line
			r.spans[len(r.spans)-1][1] = i + 1
		}
		if len(r.cards) > 0 {
			c := r.cards[len(r.cards)-1]
			for j := 0; j < len(row); j += 2 {
				if cell(j) != "" && c[cell(j)] == "" {
					c[cell(j)] = cell(j + 1)
				}
			}
		}
	}
	rb := regexp.MustCompile(`(?s)<rowBreaks.*?</rowBreaks>`).Find(sheet1XML(t, xlsx))
	for _, m := range regexp.MustCompile(`<brk id="(\d+)"`).FindAllSubmatch(rb, -1) {
		n, _ := strconv.Atoi(string(m[1]))
		r.breaks = append(r.breaks, n)
	}
	return r
}

// A referral sheet is a form a team manager writes on by pen: A4 portrait
// at full size (its columns fit the page's width without shrinking), text
// no smaller than 10 point, a card per action that a page break never
// splits, and under each a ruled box at least 60 mm wide and 25 mm tall.
func TestReferralSheetPrintsAsCards(t *testing.T) {
	for _, n := range []int{1, 7, 30} {
		for _, names := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d cards names %v", n, names), func(t *testing.T) {
				want := referralCards(n, names)
				var b bytes.Buffer
				if err := want.WriteXLSX(&b); err != nil {
					t.Fatal(err)
				}
				s := readReferralSheet(t, b.Bytes())
				f := s.f
				const sheet = "Referrals"
				lo, _ := f.GetPageLayout(sheet)
				if *lo.Size != xlsxprint.A4 || *lo.Orientation != "portrait" || *lo.FitToWidth != 1 || *lo.FitToHeight != 0 {
					t.Errorf("page layout: size %d %s, fit %d wide %d tall", *lo.Size, *lo.Orientation, *lo.FitToWidth, *lo.FitToHeight)
				}
				// Printed at 100%: the columns, in Excel's pixels (7 a
				// digit and 5 of padding at 96 dpi), fit between the side
				// margins of A4 portrait (210 mm less 2 x 0.4 inch).
				mm := func(units ...float64) float64 {
					px := 0.0
					for _, u := range units {
						px += u*7 + 5
					}
					return px / 96 * 25.4
				}
				var widths []float64
				for _, c := range []string{"A", "B", "C", "D"} {
					w, _ := f.GetColWidth(sheet, c)
					widths = append(widths, w)
				}
				if w, page := mm(widths...), 210-2*0.4*25.4; w > page || w < page*0.9 {
					t.Errorf("the columns are %.0f mm wide; the page has %.0f mm between its margins", w, page)
				}
				hf, _ := f.GetHeaderFooter(sheet)
				if !strings.Contains(hf.OddHeader, "OFFICIAL-SENSITIVE") || !strings.Contains(hf.OddFooter, "OFFICIAL-SENSITIVE") ||
					!strings.Contains(hf.OddFooter, "Page &P of &N") || !strings.Contains(hf.OddHeader, "2026-07 monthly") {
					t.Errorf("header %q footer %q", hf.OddHeader, hf.OddFooter)
				}
				titles := ""
				for _, d := range f.GetDefinedName() {
					if d.Name == "_xlnm.Print_Titles" && d.Scope == sheet {
						titles = d.RefersTo
					}
				}
				if head, _ := f.GetCellValue(sheet, "A1"); titles != "Referrals!$1:$1" || !strings.HasPrefix(head, "Write your response in the box") {
					t.Errorf("print titles %q, repeating %q", titles, head)
				}
				if len(s.cards) != n {
					t.Fatalf("%d cards; want %d", len(s.cards), n)
				}
				height := func(r int) float64 {
					h, _ := f.GetRowHeight(sheet, r)
					return h
				}
				// No card is split by a break of ours, and none by one
				// LibreOffice or Excel would add: what lies between two
				// breaks fits the page's height within its top and bottom
				// margins (0.7 inch each), under the row repeated at its
				// top.
				capacity := 842 - 2*0.7*72 - height(1)
				pageStart := 2
				ends := append(append([]int{}, s.breaks...), s.spans[n-1][1])
				for _, end := range ends {
					sum := 0.0
					for r := pageStart; r <= end; r++ {
						sum += height(r)
					}
					if sum > capacity {
						t.Errorf("rows %d to %d are %.0f points tall; a page holds %.0f", pageStart, end, sum, capacity)
					}
					pageStart = end + 1
				}
				for i, sp := range s.spans {
					for _, br := range s.breaks {
						if br >= sp[0] && br < sp[1] {
							t.Errorf("card %d (rows %d to %d) is split by the page break after row %d", i+1, sp[0], sp[1], br)
						}
					}
				}
				// Two cards a page, but where two with long notes will not
				// fit together (a third of these cards have one).
				if pages := len(s.breaks) + 1; pages < (n+1)/2 || pages > (n+1)/2+n/4 {
					t.Errorf("%d cards on %d pages; want about two a page", n, pages)
				}
				// Every cell's text is 10 point or more.
				rows, _ := f.GetRows(sheet)
				for i, row := range rows {
					for j, v := range row {
						if v == "" {
							continue
						}
						cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
						id, _ := f.GetCellStyle(sheet, cell)
						st, _ := f.GetStyle(id)
						if st.Font == nil || st.Font.Size < 10 {
							t.Errorf("%s %q is in a font of %v", cell, v, st.Font)
						}
					}
				}
				merged, _ := f.GetMergeCells(sheet)
				isMerged := func(r int, from, to string) bool {
					for _, m := range merged {
						if m.GetStartAxis() == from+strconv.Itoa(r) && m.GetEndAxis() == to+strconv.Itoa(r) {
							return true
						}
					}
					return false
				}
				for i, c := range s.cards {
					w := want.Cards[i]
					got := []string{c["Case ID"], c["Audit"], c["Team"], c["Owner"], c["Grade"], c["Immediate attention"], c["Auditor"],
						c["Date audited"], c["Auditor's note"], c["Raised"], c["Reason for the action"], c["Status"], c["Responses recorded"]}
					exp := []string{w.Case, w.Audit, w.Team, w.Owner, w.Grade, w.Immediate, w.Auditor, w.Audited, w.Note, w.Raised,
						w.Reason, w.Status, w.Responses}
					if fmt.Sprint(got) != fmt.Sprint(exp) {
						t.Errorf("card %d\n got %q\nwant %q", i+1, got, exp)
					}
					due := w.Due
					if w.Overdue {
						due += " (overdue)"
					}
					if c["Due"] != due {
						t.Errorf("card %d: due %q; want %q", i+1, c["Due"], due)
					}
					if names && (c["Forename"] != w.Names[0] || c["Surname"] != w.Names[1]) {
						t.Errorf("card %d: names %q %q", i+1, c["Forename"], c["Surname"])
					}
					if !names && (c["Forename"] != "" || c["Surname"] != "") {
						t.Errorf("card %d has names without asking", i+1)
					}
					// The note's row is as tall as its wrapped text needs:
					// at least a line of 11-point text (13 points) for each
					// 110 characters (about as many as fit its 150 mm).
					for r := sp(s, i)[0]; r <= sp(s, i)[1]; r++ {
						if v, _ := f.GetCellValue(sheet, "A"+strconv.Itoa(r)); v == "Auditor's note" {
							if h := height(r); h < 13*float64(len(w.Note)/110+1) {
								t.Errorf("card %d: the note's row is %.0f points tall for %d characters", i+1, h, len(w.Note))
							}
						}
					}
					checkResponseBox(t, s, i, w, height, isMerged)
				}
			})
		}
	}
}

// checkResponseBox checks what card i offers to write on, by the
// action's state: an open action unanswered has a ruled box headed
// Response, at least 25 mm tall, across the card; one answered but not
// closed, a box headed "Further response (if any)" at least 14 mm (two
// lines) tall and smaller than the first; each then Signed, Name and Date
// beside lines. A closed action's card ends with who closed it, when and
// why, and has no box and no lines to sign.
func checkResponseBox(t *testing.T, s *referralSheet, i int, w Referral, height func(int) float64, isMerged func(int, string, string) bool) {
	t.Helper()
	c := s.cards[i]
	head, headText := 0, ""
	for r := sp(s, i)[0]; r <= sp(s, i)[1]; r++ {
		if v, _ := s.f.GetCellValue("Referrals", "A"+strconv.Itoa(r)); v == "Response" || v == "Further response (if any)" {
			head, headText = r, v
		}
	}
	_, signed := c["Signed"]
	_, name := c["Name"]
	if w.Closed != "" {
		if head != 0 || signed || name {
			t.Errorf("card %d is of a closed action and has a box %q (signed line %v, name line %v)", i+1, headText, signed, name)
		}
		if c["Closed"] != w.Closed || c["Status"] != "closed" {
			t.Errorf("card %d: closed %q, status %q; want %q", i+1, c["Closed"], c["Status"], w.Closed)
		}
		return
	}
	if _, ok := c["Closed"]; ok {
		t.Errorf("card %d is of an open action and says it is closed", i+1)
	}
	want, least := "Response", 25.0
	if w.Responses != "" {
		want, least = "Further response (if any)", 14
	}
	if headText != want {
		t.Fatalf("card %d: the box is headed %q; want %q", i+1, headText, want)
	}
	tall := 0.0
	for r := head + 1; r < sp(s, i)[1]; r++ {
		if v, _ := s.f.GetCellValue("Referrals", "A"+strconv.Itoa(r)); v != "" || !isMerged(r, "A", "D") {
			break
		}
		tall += height(r)
	}
	mm := tall / 72 * 25.4
	if mm < least || !isMerged(head, "A", "D") || (w.Responses != "" && mm >= 25) {
		t.Errorf("card %d: the box %q is %.0f mm tall; want at least %.0f", i+1, want, mm, least)
	}
	if !signed || !name {
		t.Errorf("card %d: Signed line %v, Name line %v; want both", i+1, signed, name)
	}
}

func sp(s *referralSheet, i int) [2]int { return s.spans[i] }

// A note longer than a row can be tall still makes a sheet: its row is as
// tall as a workbook allows, and its card starts a page of its own.
func TestReferralSheetTakesAnyNote(t *testing.T) {
	r := referralCards(3, false)
	r.Cards[1].Note = strings.Repeat("The plan has not been reviewed since the strategy discussion. ", 100)
	var b bytes.Buffer
	if err := r.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	s := readReferralSheet(t, b.Bytes())
	if len(s.cards) != 3 || s.cards[1]["Auditor's note"] != r.Cards[1].Note {
		t.Fatalf("cards %d, the long note kept: %v", len(s.cards), s.cards[1]["Auditor's note"] == r.Cards[1].Note)
	}
	for row := s.spans[1][0]; row <= s.spans[1][1]; row++ {
		if v, _ := s.f.GetCellValue("Referrals", "A"+strconv.Itoa(row)); v == "Auditor's note" {
			if h, _ := s.f.GetRowHeight("Referrals", row); h != 409 {
				t.Errorf("the long note's row is %v points tall; want 409, the most a row may be", h)
			}
		}
	}
	if len(s.breaks) != 2 || s.breaks[0] != s.spans[1][0]-2 || s.breaks[1] != s.spans[2][0]-2 {
		t.Errorf("page breaks after rows %v; want one before each card after the first (cards at %v)", s.breaks, s.spans)
	}
}
