package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

// A date audited after today, or before the audit could be read (before
// its draw and before the month it covers), is refused by record and by
// import (dry run too), on both backends, naming the date as written and in
// words; nothing of a refused finding is recorded. A date in the audit's
// month before a late draw, and one of a backfilled audit's month, are
// kept; so is a finding given again as recorded.
func TestFindingDateRefused(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, clock, export := drawnJuly(t, where, "dates")
		cases, err := s.Cases(ctx, "July")
		if err != nil {
			t.Fatal(err)
		}
		id := func(i int) string { return cases[i].ID }
		record := func(i int, date, reason string) error {
			_, err := s.Record(ctx, "July", Finding{Case: id(i), Auditor: "A. Khan", Grade: Good, Date: date, Reason: reason})
			return err
		}
		refused := func(err error, want string) { t.Helper(); dateRefused(t, err, want) }
		refused(record(0, "2062-07-14", ""), "the finding on "+id(0)+": date audited 2062-07-14 (14 July 2062) is after today (3 July 2026); give the day the case was read (a mistyped year, or day and month swapped?)")
		refused(record(0, "2026-05-12", ""), "the finding on "+id(0)+": date audited 2026-05-12 (12 May 2026) is before the audit could be read: its sample was drawn on 3 July 2026 for July 2026, and a case is read after it is drawn; give the day it was read (day and month swapped?)")
		refused(record(0, "2026-06-30", ""), "the finding on "+id(0)+": date audited 2026-06-30 (30 June 2026) is before the audit could be read: its sample was drawn on 3 July 2026 for July 2026, and a case is read after it is drawn; give the day it was read (day and month swapped?)")
		if fs, _ := s.Findings(ctx, "July", false); len(fs) != 0 {
			t.Fatalf("a refused finding was recorded: %+v", fs)
		}
		// Today, and the first of the audit's month (before the draw), are kept.
		if err := record(0, "2026-07-03", ""); err != nil {
			t.Fatal(err)
		}
		if err := record(1, "2026-07-01", ""); err != nil {
			t.Fatal(err)
		}
		// A correction is checked as a finding is; the finding given again
		// as recorded changes nothing whatever the day.
		refused(record(0, "2026-07-30", "re-read"), "the finding on "+id(0)+": date audited 2026-07-30 (30 July 2026) is after today (3 July 2026); give the day the case was read (a mistyped year, or day and month swapped?)")
		if err := record(0, "2026-07-03", ""); err != nil {
			t.Fatal(err)
		}

		// Import: every row's date is checked with the others, named by
		// file, row and column, as written; a dry run says the same, and
		// --skip-invalid leaves those rows out.
		csv := writeCSV(t, "#,Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\n"+
			"3,"+id(2)+",A. Khan,Good,No,,14/07/2062\n"+ // row 2: 2062 for 2026
			"4,"+id(3)+",A. Khan,Good,No,,12/05/2026\n"+ // row 3: 12 May, before the draw
			"5,"+id(4)+",A. Khan,Good,No,,03/07/2026\n") // row 4: today
		want := []string{
			`row 2, column Date audited: "14/07/2062" (14 July 2062) is after today (3 July 2026); write the day the case was read (a mistyped year, or day and month swapped?)`,
			`row 3, column Date audited: "12/05/2026" (12 May 2026) is before the audit could be read: its sample was drawn on 3 July 2026 for July 2026, and a case is read after it is drawn; write the day it was read (day and month swapped?)`,
		}
		for _, dry := range []bool{true, false} {
			_, err := Import(ctx, s, "July", csv, ImportOptions{DryRun: dry})
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("dry run %v: %v; want the dates refused", dry, err)
			}
			var got []string
			for _, p := range ie.Problems {
				got = append(got, p.String())
			}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("dry run %v: problems\n%s\nwant\n%s", dry, strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
		res, err := Import(ctx, s, "July", csv, ImportOptions{SkipInvalid: true})
		if err != nil || res.Recorded != 1 || res.Skipped != 2 || len(res.Problems) != 2 {
			t.Fatalf("skip invalid: %+v %v", res, err)
		}
		fs, _ := s.Findings(ctx, "July", false)
		if len(fs) != 3 {
			t.Errorf("%d findings; want the 2 recorded and the valid row", len(fs))
		}
		for _, f := range fs {
			if f.Date > "2026-07-03" || f.Date < "2026-07-01" {
				t.Errorf("finding %s dated %s was recorded", f.Case, f.Date)
			}
		}
		mustVerify(t, s, "July")

		// An audit recorded after its month (backfilled for April): a
		// finding of April is kept, one before April refused.
		d, err := Draw(ctx, s, DrawRequest{Spec: drawSpec(export, "april", 4, clock.now()), Name: "April", Period: "2026-04"})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		april, _ := s.Cases(ctx, "April")
		if _, err := s.Record(ctx, "April", Finding{Case: april[0].ID, Auditor: "A. Khan", Grade: Good, Date: "2026-04-15"}); err != nil {
			t.Errorf("a finding of the backfilled audit's month: %v", err)
		}
		_, err = s.Record(ctx, "April", Finding{Case: april[1].ID, Auditor: "A. Khan", Grade: Good, Date: "2026-03-31"})
		refused(err, fmt.Sprintf("the finding on %s: date audited 2026-03-31 (31 March 2026) is before the audit could be read: its sample was drawn on 3 July 2026 for April 2026, and a case is read after it is drawn; give the day it was read (day and month swapped?)", april[1].ID))
	})
}

// A case chosen after the audit's first draw (grown, or drawn to replace a
// withdrawn case) is bounded by the day it was itself chosen, and a
// moderation by the day its case was chosen for moderation: a finding dated
// between the first draw and that day is refused by record and import, in
// the same words as one dated before the draw. A backfilled audit's grown
// case keeps its month's allowance.
func TestFindingDateBeforeItsCaseWasChosen(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		// Grown and a case replaced on Monday 20 July.
		s, clock, export := drawnJuly(t, where, "chosen")
		clock.on("2026-07-20")
		g, err := Grow(ctx, s, GrowRequest{Name: "July", By: 2, Export: export})
		if err != nil {
			t.Fatal(err)
		}
		g.Close()
		cases, _ := s.Cases(ctx, "July")
		first, grown := cases[0].ID, cases[6].ID
		w, err := Withdraw(ctx, s, WithdrawRequest{Name: "July", Case: cases[5].ID, Reason: "case closed before the audit", Export: export})
		if err != nil || w.Replacement == nil {
			t.Fatalf("withdraw: %+v %v", w, err)
		}
		repl := w.Replacement.ID
		record := func(f Finding) error {
			if f.Auditor == "" {
				f.Auditor = "A. Khan"
			}
			f.Grade = Good
			_, err := s.Record(ctx, "July", f)
			return err
		}
		refused := func(err error, want string) { t.Helper(); dateRefused(t, err, want) }
		refused(record(Finding{Case: grown, Date: "2026-07-10"}), "the finding on "+grown+": date audited 2026-07-10 (10 July 2026) is before the case could be read: it was added to the sample on 20 July 2026, when the sample was grown, and a case is read after it is drawn; give the day it was read (day and month swapped?)")
		refused(record(Finding{Case: repl, Date: "2026-07-19"}), "the finding on "+repl+": date audited 2026-07-19 (19 July 2026) is before the case could be read: it was drawn on 20 July 2026 to replace "+cases[5].ID+", and a case is read after it is drawn; give the day it was read (day and month swapped?)")
		if fs, _ := s.Findings(ctx, "July", false); len(fs) != 0 {
			t.Fatalf("a refused finding was recorded: %+v", fs)
		}
		// The first draw's cases keep their bound; the later cases are
		// kept from the day they were chosen.
		for _, f := range []Finding{{Case: first, Date: "2026-07-10"}, {Case: grown, Date: "2026-07-20"}, {Case: repl, Date: "2026-07-20"}} {
			if err := record(f); err != nil {
				t.Fatal(err)
			}
		}

		// Import says the same of a row, named by row and column.
		csv := writeCSV(t, "#,Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\n"+
			"2,"+cases[1].ID+",A. Khan,Good,No,,10/07/2026\n"+ // a first-draw case: kept
			"8,"+cases[7].ID+",A. Khan,Good,No,,17/07/2026\n") // grown on the 20th
		_, err = Import(ctx, s, "July", csv, ImportOptions{})
		var ie *ImportError
		if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].String() != `row 3, column Date audited: "17/07/2026" (17 July 2026) is before the case could be read: it was added to the sample on 20 July 2026, when the sample was grown, and a case is read after it is drawn; write the day it was read (day and month swapped?)` {
			t.Fatalf("import: %v", err)
		}

		// Moderation: chosen on 25 July, so a moderation dated the 22nd
		// (after every original finding) is refused, the 25th kept.
		clock.on("2026-07-25")
		m, err := s.DrawModeration(ctx, "July", 3, "m")
		if err != nil {
			t.Fatal(err)
		}
		mod := m.Cases[0]
		refused(record(Finding{Case: mod, Auditor: "M. Patel", Moderation: true, Date: "2026-07-22"}), "the finding on "+mod+": date audited 2026-07-22 (22 July 2026) is before the case could be moderated: it was chosen for moderation on 25 July 2026, and a case is moderated after it is chosen; give the day it was moderated (day and month swapped?)")
		if err := record(Finding{Case: mod, Auditor: "M. Patel", Moderation: true, Date: "2026-07-25"}); err != nil {
			t.Fatal(err)
		}
		// A moderation sample grown later: its new case from that day.
		clock.on("2026-07-28")
		if err := record(Finding{Case: cases[1].ID, Date: "2026-07-28"}); err != nil {
			t.Fatal(err)
		}
		m, err = s.DrawModeration(ctx, "July", 4, "m")
		if err != nil {
			t.Fatal(err)
		}
		added := m.Cases[3]
		refused(record(Finding{Case: added, Auditor: "M. Patel", Moderation: true, Date: "2026-07-27"}), "the finding on "+added+": date audited 2026-07-27 (27 July 2026) is before the case could be moderated: it was chosen for moderation on 28 July 2026, and a case is moderated after it is chosen; give the day it was moderated (day and month swapped?)")
		if err := record(Finding{Case: m.Cases[1], Auditor: "M. Patel", Moderation: true, Date: "2026-07-25"}); err != nil {
			t.Errorf("a case of the first moderation draw: %v", err)
		}
		mustVerify(t, s, "July")

		// An audit recorded after its month (backfilled for April): its
		// grown case may have been read in April (this store's day of growing it
		// is not when it was read); before April is refused as of any case.
		d, err := Draw(ctx, s, DrawRequest{Spec: drawSpec(export, "april", 4, clock.now()), Name: "April", Period: "2026-04"})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		clock.on("2026-07-29")
		if g, err = Grow(ctx, s, GrowRequest{Name: "April", By: 2, Export: export}); err != nil {
			t.Fatal(err)
		}
		g.Close()
		april, _ := s.Cases(ctx, "April")
		if _, err := s.Record(ctx, "April", Finding{Case: april[4].ID, Auditor: "A. Khan", Grade: Good, Date: "2026-04-15"}); err != nil {
			t.Errorf("a finding of the backfilled audit's month on a grown case: %v", err)
		}
		_, err = s.Record(ctx, "April", Finding{Case: april[5].ID, Auditor: "A. Khan", Grade: Good, Date: "2026-03-31"})
		refused(err, "the finding on "+april[5].ID+": date audited 2026-03-31 (31 March 2026) is before the audit could be read: its sample was drawn on 28 July 2026 for April 2026, and a case is read after it is drawn; give the day it was read (day and month swapped?)")
	})
}

// drawnJuly opens a store at where and draws audit "July" of 6 cases
// under seed on Friday 3 July 2026 (the clock's day and month).
func drawnJuly(t *testing.T, where, seed string) (*Store, *testClock, string) {
	t.Helper()
	s, clock := openAt(t, where, "QA Officer")
	export := synthExport(t, t.TempDir(), "cases.csv", 300)
	d, err := Draw(context.Background(), s, DrawRequest{Spec: drawSpec(export, seed, 6, clock.now()), Name: "July"})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	return s, clock, export
}

// dateRefused fails unless err is a *DateError saying want.
func dateRefused(t *testing.T, err error, want string) {
	t.Helper()
	var de *DateError
	if !errors.As(err, &de) || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}
