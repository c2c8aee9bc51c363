package report

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
)

// The referral sheet printed through LibreOffice: every page A4 portrait,
// each card whole on one page (its case ID and its Date line on the same
// page), and its text printed at 9 point or more. pdftotext boxes a word
// from the font's ascent to its descent, 1.3 times its size in Carlito
// (measured: 14.3 points for 11-point text, 13.0 for 10-point).
// PRINTCHECK_SHOTS=DIR keeps the sheet and its PDF there to look at.
func TestReferralSheetPrints(t *testing.T) {
	tools := printcheck.Require(t)
	dir := t.TempDir()
	if d := os.Getenv("PRINTCHECK_SHOTS"); d != "" {
		dir = d
	}
	var b bytes.Buffer
	r := referralCards(30, true)
	if err := r.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(dir, "referrals.xlsx")
	if err := os.WriteFile(xlsx, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pdfs, err := tools.Convert(context.Background(), dir, xlsx)
	if err != nil {
		t.Fatal(err)
	}
	sizes, err := tools.PageSizes(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	for i, s := range sizes {
		if abs(s[0]-595) > 2 || abs(s[1]-842) > 2 {
			t.Errorf("page %d is %.0f x %.0f points; want A4 portrait", i+1, s[0], s[1])
		}
	}
	if len(sizes) < 15 || len(sizes) > 22 {
		t.Errorf("30 cards printed on %d pages; want about two a page (one where two long notes will not fit together)", len(sizes))
	}
	words, err := tools.Words(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	page := map[string]int{}
	smallest := 100.0
	for i, w := range words {
		page[w.Text] = w.Page
		if w.Text == "Date" && i+1 < len(words) && words[i+1].Page == w.Page && words[i+1].Text == "audited" {
			continue
		}
		if w.Text == "Date" {
			// The card's last line: the card whose case ID came last
			// before it must be on this page.
			for j := i - 1; j >= 0; j-- {
				if len(words[j].Text) == 10 && words[j].Text[:3] == "CR-" {
					if words[j].Page != w.Page {
						t.Errorf("the card of %s starts on page %d and ends on page %d", words[j].Text, words[j].Page, w.Page)
					}
					break
				}
			}
		}
		if h := (w.YMax - w.YMin) / 1.3; h < smallest {
			smallest = h
		}
	}
	for _, c := range r.Cards {
		if page[c.Case] == 0 {
			t.Errorf("%s is not printed", c.Case)
		}
	}
	if smallest < 9 {
		t.Errorf("the smallest text printed is %.1f point; want 9 or more", smallest)
	}
	t.Logf("30 cards on %d pages; the smallest text %.1f point", len(sizes), smallest)
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// A note's row is as many lines tall as LibreOffice prints it on: of 120
// notes of 100 to 2,000 characters, in two hands (a case note's words with
// hyphens, dates, brackets; capitals, figures, initials and long words),
// none prints on more lines than its row was made for (its last line cut
// off), and at most 5 on fewer (a line of blank under it; 3 as measured).
// Before the estimate took in the room a merged cell writes across and
// the breaks after hyphens, 21 of these 120 were given a line too many.
func TestReferralNoteRowsFitTheirText(t *testing.T) {
	tools := printcheck.Require(t)
	dir := t.TempDir()
	if d := os.Getenv("PRINTCHECK_SHOTS"); d != "" {
		dir = d
	}
	words := strings.Fields("the child was not seen alone at the last visit and the plan names a visit every ten working days; " +
		"school reports two exclusions this term that are not on the file. The manager's oversight note of 2 June asks for a " +
		"visit within the week, none is recorded. Chronology stops in February, core group has not met since May, sibling " +
		"not seen since the strategy discussion in March. Please see the child, record the visit, review plan with health " +
		"visitor, GP and police (MASH) by 14/07/2026. Step-parent's contact to be re-assessed.")
	// And a second hand: capitals, figures, long words and initials.
	other := strings.Fields("SW1 LAC CP IRO PLO S.47 S.17 CIN CAMHS EHCP Multi-agency safeguarding hub referral (MASH) " +
		"12.05.2026 Rosewood-Whitfield Academy: attendance 71%; Emotional Wellbeing Practitioner; Independent Reviewing Officer " +
		"Q. Officer; KW; Wiltshire; Trowbridge; Chippenham; self-harm; mum's partner's; 'not known'; #4417; x3; & and/or Child's " +
		"voice absent. PEP overdue, LADO consulted, Section 20 accommodation, Public Law Outline pre-proceedings letter.")
	rnd := rand.New(rand.NewPCG(1, 2))
	r := referralCards(0, false)
	base := referralCards(1, false).Cards[0]
	for rep := range 6 {
		pool := words
		if rep%2 == 1 {
			pool = other
		}
		for n := 100; n <= 2000; n += 100 {
			var b strings.Builder
			fmt.Fprintf(&b, "N%04d%d", n, rep) // the marker that finds the note in print
			for b.Len() < n {
				b.WriteString(" " + pool[rnd.IntN(len(pool))])
			}
			c := base
			c.Note = b.String()[:n]
			r.Cards = append(r.Cards, c)
		}
	}
	var b bytes.Buffer
	if err := r.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	xlsx := filepath.Join(dir, "notes.xlsx")
	if err := os.WriteFile(xlsx, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	pdfs, err := tools.Convert(context.Background(), dir, xlsx)
	if err != nil {
		t.Fatal(err)
	}
	printed, err := tools.Words(pdfs[0])
	if err != nil {
		t.Fatal(err)
	}
	over := 0
	for _, c := range r.Cards {
		marker := strings.Fields(c.Note)[0]
		i := slices.IndexFunc(printed, func(w printcheck.Word) bool { return w.Text == marker })
		if i < 0 {
			t.Errorf("the note %s is not printed", marker)
			continue
		}
		m := printed[i]
		// The note's lines: the words from its first to the label of the
		// row below it (Raised), in the note's column.
		tops := map[int]bool{}
		for _, w := range printed[i:] {
			if w.Page != m.Page || w.Text == "Raised" && w.XMin < m.XMin {
				break
			}
			if w.XMin > m.XMin-2 {
				tops[int(w.YMin*2)] = true
			}
		}
		want := xlsxprint.Lines(c.Note, xlsxprint.MergedWidth(ReferralValueWidth, ReferralLabelWidth, referralValueWidthD))
		switch {
		case len(tops) > want:
			t.Errorf("the note %s of %d characters prints on %d lines; its row was made for %d: the last is cut", marker, len(c.Note), len(tops), want)
		case len(tops) < want:
			over++
		}
	}
	if over > 5 {
		t.Errorf("%d of %d notes were given a line more than they print on; want at most 5", over, len(r.Cards))
	}
	t.Logf("%d of %d notes given a line more than they print on", over, len(r.Cards))
}
