package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/caseaudit/caseaudit/internal/printcheck"
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
