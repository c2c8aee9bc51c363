package audit

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/words"
)

// A date audited is a calendar date, the day a person read the case file:
// it is compared with calendar dates of the same place, today and the day
// the sample was drawn, each the clock's instant in the local time zone. A
// day in UTC would turn 00:30 in London into yesterday, and a case drawn
// and read before 01:00 in summer would seem read before it was drawn.

// DateError is a finding's date audited that cannot be the day its case
// was read: after today, or before the audit's sample was drawn (and before
// the month it covers). Either is most often a slip of typing (2062 for
// 2026) or of order (12/05 read as 12 May when 5 December was meant), and a
// finding recorded with it would say something untrue of when the case was
// audited. A case is audited because it was drawn: a finding dated before
// the draw claims a reading of a case not yet chosen, and the random sample
// vouches only for cases read after it chose them. So both are refused,
// never kept with a warning that a scheduled import would print to no one;
// the finding is recorded once its date is the day the case was read.
//
// The earliest day is the draw's or, when earlier, the first of the month
// the audit covers: an audit recorded after its month (backfilled, or drawn
// again from the same export and seed into another store) has findings
// from its month that are older than its draw in this store, and a month's
// audit drawn a day or two late may have cases read from its first day.
// Before both there is no reading of this audit to record.
type DateError struct {
	Case   string
	Date   string // the date audited, yyyy-mm-dd
	Today  string // the local date, when Date is after it
	Drawn  string // the local date the audit's sample was drawn, when Date is before the earliest
	Period string // the month the audit covers, yyyy-mm, when Date is before the earliest
	// Of a case chosen after the first draw (Drawn is then that day): Grown
	// when the sample was grown to take it, Replaces the withdrawn case it
	// was drawn to replace. Moderated: Drawn is the day the case was
	// chosen for moderation, and the finding a moderation.
	Grown     bool
	Replaces  string
	Moderated bool
}

func (e *DateError) Error() string {
	return fmt.Sprintf("the finding on %s: date audited %s", e.Case, e.Reason("", "give"))
}

// Reason says what is wrong with the date and what to do (verb: "give",
// "write"). The date is shown as written when written is given (a
// workbook's cell), else as yyyy-mm-dd, and always in words, so that a day
// and month read the other way round show.
func (e *DateError) Reason(written, verb string) string {
	d := e.Date
	if _, serial := strconv.ParseFloat(written, 64); written != "" && serial != nil {
		d = fmt.Sprintf("%q", written) // an Excel date's serial number is shown as the date
	}
	d += " (" + longDate(e.Date) + ")"
	if e.Today != "" {
		return fmt.Sprintf("%s is after today (%s); %s the day the case was read (a mistyped year, or day and month swapped?)",
			d, longDate(e.Today), verb)
	}
	switch {
	case e.Moderated:
		return fmt.Sprintf("%s is before the case could be moderated: it was chosen for moderation on %s, and a case is moderated after it is chosen; %s the day it was moderated (day and month swapped?)",
			d, longDate(e.Drawn), verb)
	case e.Grown:
		return fmt.Sprintf("%s is before the case could be read: it was added to the sample on %s, when the sample was grown, and a case is read after it is drawn; %s the day it was read (day and month swapped?)",
			d, longDate(e.Drawn), verb)
	case e.Replaces != "":
		return fmt.Sprintf("%s is before the case could be read: it was drawn on %s to replace %s, and a case is read after it is drawn; %s the day it was read (day and month swapped?)",
			d, longDate(e.Drawn), e.Replaces, verb)
	}
	return fmt.Sprintf("%s is before the audit could be read: %s, and a case is read after it is drawn; %s the day it was read (day and month swapped?)",
		d, e.Drawing(), verb)
}

// Drawing says when the audit's sample was drawn and for which month, as
// in "its sample was drawn on 1 July 2026 for July 2026".
func (e *DateError) Drawing() string {
	s := "its sample was drawn on " + longDate(e.Drawn)
	if e.Drawn == "" {
		s = "its sample was drawn" // an audit recorded without its draw's time
	}
	if m, err := time.Parse("2006-01", e.Period); err == nil {
		s += " for " + m.Format("January 2006")
	}
	return s
}

// longDate writes yyyy-mm-dd as "12 May 2026".
func longDate(iso string) string { return words.Date(iso, "2 January 2006") }

// LocalDate is the calendar date of t in the local time zone, as a date
// audited is written (yyyy-mm-dd): LocalDate(now) is today.
func LocalDate(t time.Time) string { return t.In(time.Local).Format("2006-01-02") }

// checkFindingDate is CheckDate of finding f's date audited, then its
// check against the day its case was chosen (ch, when the audit has cases
// chosen after its first draw or a moderation sample), the error naming
// its case.
func checkFindingDate(a *Audit, f Finding, now time.Time, ch *chosen) error {
	err := a.CheckDate(f.Date, now)
	if err == nil {
		err = ch.check(a, f)
	}
	if de, ok := err.(*DateError); ok {
		de.Case = f.Case
	}
	return err
}

// CheckDate refuses, with a *DateError, a date audited (yyyy-mm-dd; ""
// passes) after today (now's local date) or before the earliest day a case
// of the audit can have been read (see DateError). An audit without a draw
// time or a period has only the bounds it has.
func (a *Audit) CheckDate(date string, now time.Time) error {
	if date == "" {
		return nil
	}
	if today := LocalDate(now); date > today {
		return &DateError{Date: date, Today: today}
	}
	drawn, earliest := "", ""
	if t := a.Provenance.Drawn; !t.IsZero() {
		drawn, earliest = LocalDate(t), LocalDate(t)
	}
	if _, err := time.Parse("2006-01", a.Period); err == nil && (earliest == "" || a.Period+"-01" < earliest) {
		earliest = a.Period + "-01"
	}
	if earliest != "" && date < earliest {
		return &DateError{Date: date, Drawn: drawn, Period: a.Period}
	}
	return nil
}

// chosen holds when each case was chosen after the audit's first draw
// (later: the sample grown, or a replacement drawn for a withdrawn case)
// and when each was chosen for moderation. The first draw bounds only the
// cases it chose: a case added on the 20th cannot have been read on the
// 10th, nor moderated before it was chosen for moderation, so a finding
// dated before the day its own case was chosen is refused as one dated
// before the draw is.
type chosen struct {
	later      map[string]laterCase
	moderation map[string]time.Time
}

type laterCase struct {
	at       time.Time
	replaces string // the withdrawn case it replaces; "" when grown
}

// chosenOf folds the audit's grow, withdrawal and moderation draw entries
// es (the trail vouches for them) into when each case was chosen; a case
// keeps the first entry that chose it (a grown moderation sample lists its
// earlier cases again).
func chosenOf(a *Audit, es []Entry) (*chosen, error) {
	ch := &chosen{later: map[string]laterCase{}, moderation: map[string]time.Time{}}
	for _, e := range es {
		switch e.Kind {
		case KindGrow, KindWithdrawal:
			var p struct {
				Cases []sampledCaseJSON `json:"cases"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("audit %q: %s is damaged: %w", a.Name, store.Describe(e), err)
			}
			for _, c := range p.Cases {
				if _, ok := ch.later[c.ID]; !ok {
					l := laterCase{at: e.At}
					if e.Kind == KindWithdrawal {
						l.replaces = e.Case
					}
					ch.later[c.ID] = l
				}
			}
		case KindModerationDraw:
			var p drawPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("audit %q: %s is damaged: %w", a.Name, store.Describe(e), err)
			}
			for _, id := range p.Cases {
				if _, ok := ch.moderation[id]; !ok {
					ch.moderation[id] = e.At
				}
			}
		}
	}
	return ch, nil
}

// check refuses, with a *DateError, finding f dated before the local day
// its case was chosen: for moderation, or into the sample after the first
// draw. An audit drawn after its month (backfilled, or drawn again into
// this store) is bounded only as CheckDate bounds it: the days of this
// store's trail are not when its cases were read. The first draw's own
// allowance for a draw a day or two late in its month is not carried to a
// case chosen later: that choice is its own act, after the draw.
func (ch *chosen) check(a *Audit, f Finding) error {
	if ch == nil || f.Date == "" {
		return nil
	}
	if m, err := time.Parse("2006-01", a.Period); err == nil && !a.Provenance.Drawn.IsZero() &&
		LocalDate(a.Provenance.Drawn) >= m.AddDate(0, 1, 0).Format("2006-01-02") {
		return nil
	}
	de := &DateError{Date: f.Date}
	var at time.Time
	if f.Moderation {
		t, ok := ch.moderation[f.Case]
		if !ok {
			return nil
		}
		at, de.Moderated = t, true
	} else {
		l, ok := ch.later[f.Case]
		if !ok {
			return nil
		}
		at, de.Grown, de.Replaces = l.at, l.replaces == "", l.replaces
	}
	if de.Drawn = LocalDate(at); f.Date < de.Drawn {
		return de
	}
	return nil
}
