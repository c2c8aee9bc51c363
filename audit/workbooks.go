package audit

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/audit/workbook"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// The auditors' and moderators' workbooks are written and read by
// audit/workbook; what goes into one for a recorded audit is gathered here.

// WorkbookSpec is what goes into a workbook (see workbook.Spec).
type WorkbookSpec = workbook.Spec

// WriteWorkbook writes a workbook as xlsx to w (see workbook.Write).
func WriteWorkbook(w io.Writer, spec WorkbookSpec) error { return workbook.Write(w, spec) }

// The workbook's sheets and the columns every workbook has.
const (
	SheetSample  = workbook.SheetSample
	SheetLists   = workbook.SheetLists
	ColOrder     = form.ColOrder
	ColCaseID    = form.ColCaseID
	ColAuditor   = form.ColAuditor
	ColModerator = form.ColModerator
	ColGrade     = form.ColGrade
	ColImmediate = form.ColImmediate
	ColNotes     = form.ColNotes
	ColDate      = form.ColDate
)

// selection is cases as the workbook takes them.
func selection(cases []SampledCase) []sample.Selected {
	out := make([]sample.Selected, len(cases))
	for i, c := range cases {
		out[i] = sample.Selected{Order: c.Order, Ticket: c.Ticket,
			Case: sample.Case{ID: c.ID, Row: c.Row, Stratum: c.Stratum, Fields: c.Fields}}
	}
	return out
}

// WorkbookOptions choose the cases of a workbook written from the store.
type WorkbookOptions struct {
	// Auditor keeps only the cases allocated to this auditor ("" = all).
	Auditor string
	// Outstanding keeps only the cases without a finding yet (a
	// moderation finding, for the moderators' workbook).
	Outstanding bool
	// Moderation writes the moderators' workbook of the moderation sample.
	Moderation bool
}

// ErrNoCases is wrapped when a workbook would hold no case.
var ErrNoCases = errors.New("no cases")

// Workbook gathers, from one snapshot of the store, what goes into a
// workbook for a recorded audit: its sample (or moderation sample) less
// any withdrawn cases, the current allocation, its form, its provenance
// and how it was handed out (marking, contact, return date). A workbook can be written again at any time: after growth,
// after reallocation, or when a file is lost; importing any of them (or
// several part-filled copies) records each finding once.
func (s *Store) Workbook(ctx context.Context, name string, o WorkbookOptions) (WorkbookSpec, error) {
	var spec WorkbookSpec
	err := s.Snapshot(ctx, func(v *Store) error {
		a, err := v.Audit(ctx, name)
		if err != nil {
			return err
		}
		cases, err := v.Cases(ctx, a.Name)
		if err != nil {
			return err
		}
		spec = WorkbookSpec{Audit: a.Name, Provenance: a.Provenance, Columns: a.Columns, Auditors: map[string]string{},
			Auditor: strings.Join(strings.Fields(o.Auditor), " "), Outstanding: o.Outstanding, Issued: v.now()}
		ws, err := v.Withdrawals(ctx, a.Name)
		if err != nil {
			return err
		}
		spec.Withdrawn = len(ws)
		cases = activeCases(cases, ws)
		h, err := v.Handout(ctx, a.Name)
		if err != nil {
			return err
		}
		spec.Marking, spec.Contact, spec.ReturnBy = h.Marking, h.Contact, h.ReturnBy
		al, err := v.Allocation(ctx, a.Name)
		if err != nil {
			return err
		}
		if al != nil {
			for _, x := range al.Assigned {
				spec.Auditors[x.Case] = x.Auditor
			}
		}
		if o.Moderation {
			m, err := v.Moderation(ctx, a.Name)
			if err != nil {
				return err
			}
			if m == nil {
				return fmt.Errorf("audit %q has no moderation sample yet; draw one with caseaudit moderate", a.Name)
			}
			spec.Moderation = &workbook.Moderation{Seed: m.Seed, Size: len(m.Cases), Recorded: m.Recorded}
			byID := map[string]SampledCase{}
			for _, c := range cases {
				byID[c.ID] = c
			}
			var mod []SampledCase
			for i, id := range m.Cases {
				c := byID[id]
				c.Order = i + 1
				mod = append(mod, c)
			}
			cases = mod
		} else if spec.Form, err = v.Form(ctx, a.Name); err != nil {
			return err
		}
		if spec.Auditor != "" {
			if o.Moderation {
				return fmt.Errorf("a moderators' workbook holds the whole moderation sample; leave out the auditor (%s)", spec.Auditor)
			}
			if err := checkWorkbookAuditor(a.Name, spec.Auditor, al); err != nil {
				return err
			}
		}
		if spec.Auditor != "" || o.Outstanding {
			done, err := v.Findings(ctx, a.Name, o.Moderation)
			if err != nil {
				return err
			}
			recorded := map[string]bool{}
			for _, f := range done {
				recorded[f.Case] = true
			}
			keep := cases[:0:0]
			for _, c := range cases {
				if o.Outstanding && recorded[c.ID] {
					continue
				}
				if spec.Auditor != "" && norm(spec.Auditors[c.ID]) != norm(spec.Auditor) {
					continue
				}
				keep = append(keep, c)
			}
			cases = keep
		}
		spec.Cases = selection(cases)
		return nil
	})
	return spec, err
}

// checkWorkbookAuditor refuses an auditor the allocation does not name.
func checkWorkbookAuditor(audit, auditor string, al *Allocation) error {
	if al == nil {
		return fmt.Errorf("audit %q is not allocated, so no case is %s's; allocate it first (caseaudit allocate)", audit, auditor)
	}
	for _, a := range al.Auditors {
		if norm(a) == norm(auditor) {
			return nil
		}
	}
	msg := fmt.Sprintf("%s is not one of the auditors of audit %q (%s)", auditor, audit, strings.Join(al.Auditors, ", "))
	if sug := textdist.Closest(auditor, al.Auditors, 1); len(sug) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
	}
	return errors.New(msg)
}
