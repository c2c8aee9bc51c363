package audit

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/audit/workbook"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Import reads the auditors' workbook at path and records its findings
// into the named audit: ImportFiles with one file.
func Import(ctx context.Context, s *Store, auditName, path string, opts ImportOptions) (*ImportResult, error) {
	return ImportFiles(ctx, s, auditName, []string{path}, opts)
}

// ImportFiles reads workbooks of an audit — the whole sample's, one
// auditor's, the outstanding cases', part-filled copies of any of them —
// and records their findings into the named audit, all in one
// transaction: every row of every file is validated first, every problem
// is listed with file, sheet, row and column in an *ImportError, and
// nothing is imported unless all rows are valid (or opts.SkipInvalid). A
// case filled in identically in two files is recorded once; differently,
// it is a problem. Importing the same files twice records nothing new.
func ImportFiles(ctx context.Context, s *Store, auditName string, paths []string, opts ImportOptions) (*ImportResult, error) {
	switch opts.DateOrder {
	case "", DateDMY, DateMDY:
	default:
		return nil, opt.Errorf("%s %q: use dmy (07/10/2026 is 7 October) or mdy (07/10/2026 is July 10)", opt.DateOrder, opts.DateOrder)
	}
	a, err := s.Audit(ctx, auditName)
	if err != nil {
		return nil, err
	}
	form, err := FormFromJSON(a.Form)
	if err != nil {
		return nil, err
	}
	var files []*workbook.File
	for _, p := range paths {
		f, err := workbook.Read(ctx, p, form, workbook.ReadOptions{Moderation: opts.Moderation, DateOrder: opts.DateOrder})
		if err != nil {
			return nil, err
		}
		normaliseRows(f)
		files = append(files, f)
	}
	res := &ImportResult{}
	err = s.write(ctx, "importing findings into", func(w *store.WriteTx) error {
		tx := w.Tx
		*res = ImportResult{}
		for _, f := range files {
			res.Files = append(res.Files, f.ImportedFile)
		}
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		cases, err := loadCases(ctx, tx, a)
		if err != nil {
			return err
		}
		byID := make(map[string]SampledCase, len(cases))
		ids := make([]string, len(cases))
		for i, c := range cases {
			byID[c.ID] = c
			ids[i] = c.ID
		}
		ws, err := loadWithdrawals(ctx, tx, a)
		if err != nil {
			return err
		}
		withdrawn := map[string]Withdrawal{}
		for _, w := range ws {
			withdrawn[w.Case] = w
		}
		latest := map[bool]map[string]Finding{}
		for _, mod := range []bool{false, true} {
			if latest[mod], err = loadFindings(ctx, tx, a, mod); err != nil {
				return err
			}
		}
		var moderated map[string]bool
		for _, f := range files {
			if !f.Moderation || moderated != nil {
				continue
			}
			m, err := loadModeration(ctx, tx, a)
			if err != nil {
				return err
			}
			if m == nil {
				return fmt.Errorf("audit %q has no moderation sample yet; draw one before importing moderation findings (%s)", a.Name, f.Path)
			}
			moderated = map[string]bool{}
			for _, id := range m.Cases {
				moderated[id] = true
			}
		}
		auditors, err := auditorsOf(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := checkWorkbookAudit(a, files, byID); err != nil {
			return err
		}
		// Validate every row of every file against the store.
		type seenRow struct {
			r *workbook.Row
		}
		first := map[bool]map[string]seenRow{false: {}, true: {}}
		var problems []Problem
		for _, f := range files {
			for i := range f.Rows {
				r := &f.Rows[i]
				res.Rows++
				prob := func(col string, msg any) {
					p := Problem{File: f.Path, Sheet: f.Sheet, Row: r.Num, Column: col, Case: r.ID}
					switch m := msg.(type) {
					case opt.Text:
						p = p.WithText(m)
					case error:
						p = p.WithText(opt.Sprintf("%s", m))
					default:
						p.Msg = fmt.Sprint(m)
					}
					r.Problems = append(r.Problems, p)
				}
				if r.ID != "" && !r.Empty {
					_, in := byID[r.ID]
					wd, gone := withdrawn[r.ID]
					prev, dup := first[f.Moderation][r.ID]
					switch {
					case !in:
						msg := fmt.Sprintf("case %q is not in audit %q", r.ID, a.Name)
						if sug := workbook.SuggestIDs(r.ID, ids); len(sug) > 0 {
							msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
						}
						prob(ColCaseID, msg)
					case gone:
						prob(ColCaseID, (&WithdrawnError{Audit: a.Name, Withdrawal: wd}).Error()+"; leave its row blank")
					case dup && prev.r.File == f:
						prob(ColCaseID, fmt.Sprintf("case %q is also on row %s; keep one row per case", r.ID, words.Thousands(prev.r.Num)))
					case dup && len(prev.r.Problems) == 0 && !sameFinding(rowFinding(prev.r), rowFinding(r)):
						prob(ColCaseID, opt.Sprintf("case %q is also on row %s of %s with another finding (%s); keep one of them",
							r.ID, words.Thousands(prev.r.Num), prev.r.File.Path, workbook.DescribeDiff(prev.r.Finding, r, false)))
					case !dup:
						first[f.Moderation][r.ID] = seenRow{r}
					}
				}
				if r.Empty || len(r.Problems) > 0 {
					problems = append(problems, r.Problems...)
					continue
				}
				if f.Moderation && !moderated[r.ID] {
					prob(ColCaseID, fmt.Sprintf("case %q is not in the moderation sample of audit %q", r.ID, a.Name))
				}
				if name, err := auditors.resolve(r.Finding.Auditor, f.Moderation, opts.NewAuditor); err != nil {
					prob(ColAuditor, err)
				} else {
					r.Finding.Auditor = name
				}
				if prev, ok := latest[f.Moderation][r.ID]; ok && !sameFinding(prev, rowFinding(r)) && strings.TrimSpace(opts.Reason) == "" {
					ce := correctionError(prev)
					what := map[bool]string{false: "a finding", true: "a moderation finding"}[ce.Moderation]
					prob("", opt.Sprintf("%s already has %s by %s on %s and this row differs: %s; to correct it import with a reason (%s)",
						ce.Case, what, ce.Auditor, ce.Date, workbook.DescribeDiff(rowOf(prev), r, true), opt.Reason))
				}
				problems = append(problems, r.Problems...)
			}
		}
		if len(problems) > 0 && !opts.SkipInvalid {
			return &ImportError{Path: files[0].Path, Problems: problems}
		}
		res.Problems = problems
		written := 0
		for _, file := range files {
			source := "import " + filepath.Base(file.Path)
			for i := range file.Rows {
				r := &file.Rows[i]
				if len(r.Problems) > 0 {
					res.Skipped++
					continue
				}
				if r.Empty {
					res.Empty++
					continue
				}
				f := rowFinding(r)
				f.Reason = opts.Reason
				f.Moderation = file.Moderation
				f.Due = opts.Due
				if !f.Moderation {
					c := byID[r.ID]
					f.Prefilled = form.Prefills(a.Columns, c.Fields)
				}
				rr, err := s.recordTx(ctx, w, a, f, fmt.Sprintf("%s row %d", source, r.Num))
				if err != nil {
					return err
				}
				if rr.Action != nil {
					res.Actions = append(res.Actions, *rr.Action)
				}
				switch {
				case !rr.Changed:
					res.Unchanged++
				case rr.Finding.Kind == KindCorrection || rr.Finding.Kind == KindModerationCorrection:
					res.Corrections++
					written++
				default:
					res.Recorded++
					written++
				}
				if rr.Changed && opts.Progress != nil {
					opts.Progress(written)
				}
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}
