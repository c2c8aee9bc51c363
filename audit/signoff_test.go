package audit

import (
	"testing"
	"time"
)

func TestAmendmentSentence(t *testing.T) {
	a := Amendment{
		SignOff: SignOff{At: time.Date(2026, 10, 3, 16, 5, 0, 0, time.UTC), Figures: Figures{Flagged: 8, Size: 120}},
		At:      time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
		Now:     Figures{Flagged: 9, Size: 120},
	}
	if got, want := a.Sentence(), "signed off 2026-10-03 with 8 of 120 flagged; amended 2026-11-28: now 9 of 120"; got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	big := Amendment{SignOff: SignOff{At: a.SignOff.At, Figures: Figures{Flagged: 1200, Size: 3000}}, At: a.At, Now: Figures{Flagged: 1201, Size: 3000}}
	if got, want := big.Sentence(), "signed off 2026-10-03 with 1,200 of 3,000 flagged; amended 2026-11-28: now 1,201 of 3,000"; got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
}

func TestSameHeadline(t *testing.T) {
	f := Figures{Flagged: 8, Size: 120, Teams: []TeamFigures{{"North", 3, 60}, {"South", 5, 60}}}
	g := f
	g.Teams = []TeamFigures{{"North", 3, 60}, {"South", 5, 60}}
	g.Lower = 0.5 // an interval recomputed differently is not an amendment
	if !f.SameHeadline(g) {
		t.Fatal("the same counts differ")
	}
	g.Teams = []TeamFigures{{"North", 4, 60}, {"South", 4, 60}} // same total, moved between teams
	if f.SameHeadline(g) {
		t.Fatal("a case moved between teams went unnoticed")
	}
	if f.SameHeadline(Figures{Flagged: 9, Size: 120, Teams: f.Teams}) {
		t.Fatal("a changed headline is not an amendment")
	}
}

// A sign-off forced on an incomplete audit carries what it lacked into
// every sentence that repeats it.
func TestIncompleteSignOffSentence(t *testing.T) {
	a := Amendment{
		SignOff: SignOff{At: time.Date(2026, 10, 3, 16, 5, 0, 0, time.UTC), Figures: Figures{Flagged: 8, Size: 117},
			Incomplete: &Incomplete{Unrecorded: 3, ModerationOutstanding: 1}},
		At:  time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC),
		Now: Figures{Flagged: 9, Size: 120},
	}
	want := "signed off 2026-10-03 with 8 of 117 flagged (incomplete: 3 cases unrecorded, 1 moderation finding outstanding); amended 2026-11-28: now 9 of 120"
	if got := a.Sentence(); got != want {
		t.Fatalf("got %q\nwant %q", got, want)
	}
	if got, want := (Incomplete{ModerationOutstanding: 2}).Phrase(), "incomplete: 2 moderation findings outstanding"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
