package audit

import (
	"context"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/workbook"
)

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
