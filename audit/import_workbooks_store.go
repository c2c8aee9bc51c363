package audit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

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
	opts.Reason = strings.TrimSpace(opts.Reason)
	if opts.Unattended {
		opts.Reason, opts.Correct, opts.CorrectAll = "", nil, false
	}
	named, err := namedCases(opts)
	if err != nil {
		return nil, err
	}
	a, err := s.Audit(ctx, auditName)
	if err != nil {
		return nil, err
	}
	form, err := FormFromJSON(a.Form)
	if err != nil {
		return nil, err
	}
	ro := workbook.ReadOptions{Moderation: opts.Moderation, DateOrder: opts.DateOrder}
	// A moderator importing her own workbook may leave the Moderator column
	// blank: the people list says who she is, as it does for record.
	if p, listed, err := s.Acting(ctx); err != nil {
		return nil, err
	} else if listed && p.Name != "" && p.Has(Moderator) {
		ro.Moderator = p.Name
	}
	var files []*workbook.File
	for _, p := range paths {
		f, err := workbook.Read(ctx, p, form, ro)
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
		// Every row is checked for who may record it, then recorded: the
		// people list and the entries those checks and the follow-up read,
		// in one round trip rather than a few per row.
		if err := tx.Prefetch(ctx, a.id, store.Prefetch{Kinds: importReads, ActorKinds: auditorKinds, People: true}); err != nil {
			return err
		}
		cases, err := loadCases(ctx, tx, a)
		if err != nil {
			return err
		}
		byID := make(map[string]SampledCase, len(cases))
		byOrder := make(map[int]SampledCase, len(cases))
		ids := make([]string, len(cases))
		for i, c := range cases {
			byID[c.ID] = c
			byOrder[c.Order] = c
			ids[i] = c.ID
		}
		// The case IDs on each file's rows: a row's "#" names a typing
		// slip only when its case is on no other row of the file.
		inFile := map[*workbook.File]map[string]bool{}
		for _, f := range files {
			inFile[f] = map[string]bool{}
			for _, r := range f.Rows {
				inFile[f][r.ID] = true
			}
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
		if err := named.notIn(a.Name, ids); err != nil {
			return err
		}
		// Validate every row of every file against the store.
		type seenRow struct {
			r *workbook.Row
		}
		first := map[bool]map[string]seenRow{false: {}, true: {}}
		var problems []Problem
		var differing []string
		corrections := map[*workbook.Row]Correction{}
		kept := map[*workbook.Row]bool{}
		named.reset()
		now := s.nowIn(tx)
		ch, err := loadChosen(ctx, tx, a)
		if err != nil {
			return err
		}
		var earlier findingVersions
		refused := &RowRefusals{Unattended: opts.Unattended}
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
					if n := named.find(r.ID); n != nil {
						n.used = true // on a row: corrected if it differs, unchanged if not (a retry)
					}
					_, in := byID[r.ID]
					wd, gone := withdrawn[r.ID]
					prev, dup := first[f.Moderation][r.ID]
					switch {
					case !in:
						msg := fmt.Sprintf("case %q is not in audit %q", r.ID, a.Name)
						if c, ok := byOrder[r.Order]; ok && !inFile[f][c.ID] && withdrawn[c.ID].Case == "" {
							// The row's "#" is the case's place in the sample, written
							// by caseaudit: a case ID typed over is the likelier slip.
							msg += fmt.Sprintf("; row %s's # is %d, which is %s: a typing slip?", words.Thousands(r.Num), r.Order, c.ID)
							if sug := slices.DeleteFunc(workbook.SuggestIDs(r.ID, ids), func(id string) bool { return id == c.ID }); len(sug) > 0 {
								msg += fmt.Sprintf(" Or did you mean %s?", words.QuoteList(sug))
							}
						} else if sug := workbook.SuggestIDs(r.ID, ids); len(sug) > 0 {
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
				// Who may comes before what is wrong, as in record: a
				// person the duties refuse can mend nothing by mending the
				// row's date or grade, so refused rows stop the import
				// before any problem of content is listed — every refused
				// row, so that one attempt names them all.
				if err := s.mayImportRow(ctx, tx, a, f, r, rowCheck{in: byID, withdrawn: withdrawn, moderated: moderated,
					auditors: auditors, newAuditor: opts.NewAuditor, latest: latest[f.Moderation], named: named}); err != nil {
					if !errors.Is(err, ErrDuty) {
						return err
					}
					refused.Rows = append(refused.Rows, RefusedRow{File: f.Path, Sheet: f.Sheet, Row: r.Num, Case: r.ID, Err: err})
					continue
				}
				if r.Empty || len(r.Problems) > 0 {
					if !r.Empty {
						refused.Others++ // to import once mended
					}
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
				if prev, ok := latest[f.Moderation][r.ID]; ok && len(r.Problems) == 0 && !sameFinding(prev, rowFinding(r)) {
					diff := workbook.DescribeDiff(rowOf(prev), r, true)
					// A row differing from a corrected finding is most
					// often an old copy of the workbook: the surest sign
					// is the row being, exactly, a finding the trail
					// recorded before.
					corrected := prev.Kind == KindCorrection || prev.Kind == KindModerationCorrection
					var was *Finding
					if corrected && !opts.Unattended {
						if was, err = earlier.match(ctx, tx, a, prev, rowFinding(r)); err != nil {
							return err
						}
					}
					switch n := named.find(r.ID); {
					case n != nil && n.keep:
						n.used = true
						kept[r] = true
					case n != nil && n.moved(f.Moderation, prev.Seq):
						n.used = true
						prob(ColCaseID, opt.Sprintf("the latest finding on %s changed while you were asked (now by %s, trail entry %d); nothing was corrected: run the import again to see it",
							r.ID, prev.Auditor, prev.Seq))
					case n != nil || (opts.CorrectAll && opts.Reason != ""):
						if n != nil {
							n.used = true
						}
						corrections[r] = Correction{Case: r.ID, Moderation: f.Moderation, Was: prev, Differs: diff, File: f.Path, Row: r.Num, OldCopy: was}
					default:
						ce := correctionError(prev)
						what := map[bool]string{false: "a finding", true: "a moderation finding"}[ce.Moderation]
						todo := opt.Sprintf("to correct it import with %s %s and a %s saying why, or fix the row", opt.Correct, r.ID, opt.Reason)
						// An old copy is likelier than a new finding, so
						// keeping the finding is offered first. What says
						// so, surest first: the row is a finding recorded
						// before (any file); the workbook's Method sheet
						// says it was made before the correction; and a
						// file that cannot say when it was made (a csv copy
						// keeps no Method sheet) is told the date the copy
						// would have to be older than.
						keepOrCorrect := opt.Sprintf("keep the recorded finding with %s %s; or, to correct it to this row, import with %s %s and a %s saying why",
							opt.Keep, r.ID, opt.Correct, r.ID, opt.Reason)
						switch {
						case opts.Unattended:
							todo = opt.Plain("a scheduled import corrects no finding: fix the row, or have a person correct it")
						case was != nil:
							todo = opt.Sprintf("this row is the finding recorded on %s (trail entry %d), which was corrected on %s (trail entry %d), so the row is an old copy: %s",
								was.At.UTC().Format(time.DateOnly), was.Seq, prev.At.UTC().Format(time.DateOnly), prev.Seq, keepOrCorrect)
						case corrected && !f.Made.IsZero() && prev.At.After(f.Made):
							todo = opt.Sprintf("the recorded finding was corrected on %s, after this workbook was made (%s), so the row is most likely an old copy: %s",
								prev.At.UTC().Format(time.DateOnly), f.Made.UTC().Format(time.DateOnly), keepOrCorrect)
						case corrected && f.Made.IsZero():
							todo = opt.Sprintf("the recorded finding was corrected on %s (trail entry %d); %s does not say when it was made (%s), so if it was saved before then the row is an old copy: %s",
								prev.At.UTC().Format(time.DateOnly), prev.Seq, filepath.Base(f.Path), madeUnknown(f), keepOrCorrect)
						case opts.Reason != "":
							todo = opt.Sprintf("it is not named in %s, so it is not corrected: name it there to correct it, or fix the row", opt.Correct)
						}
						prob("", opt.Sprintf("%s already has %s by %s on %s and this row differs: %s; %s",
							ce.Case, what, ce.Auditor, ce.Date, diff, todo))
						differing = append(differing, r.ID)
					}
				}
				// A row named by --keep whose case has no finding of its
				// kind yet has nothing to differ from, and is left out all
				// the same: a moderator's workbook can hold a case she may
				// not moderate (she audited it since the draw), and keeping
				// its row out is how she imports the others.
				if n := named.find(r.ID); n != nil && n.keep && !r.Empty && len(r.Problems) == 0 {
					if _, ok := latest[f.Moderation][r.ID]; !ok {
						kept[r] = true
					}
				}
				// The date of a row that records something (a finding, or
				// a correction); a row given again as recorded changes
				// nothing, and a kept row is left out.
				if prev, ok := latest[f.Moderation][r.ID]; !kept[r] && !(ok && sameFinding(prev, rowFinding(r))) {
					refused.Others++
					var de *DateError
					rf := rowFinding(r)
					rf.Moderation = f.Moderation
					if errors.As(checkFindingDate(a, rf, now, ch), &de) {
						prob(ColDate, de.Reason(r.DateText, "write"))
					}
				}
				problems = append(problems, r.Problems...)
			}
		}
		if len(refused.Rows) > 0 {
			refused.Read = res.Rows
			return refused
		}
		if len(problems) > 0 && !opts.SkipInvalid {
			return &ImportError{Path: files[0].Path, Problems: problems, Differing: differing, Read: res.Rows}
		}
		if err := named.unused(paths); err != nil {
			return err
		}
		res.Problems = problems
		al, err := loadAllocation(ctx, tx, a)
		if err != nil {
			return err
		}
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
				if kept[r] {
					res.Kept++
					continue
				}
				f := rowFinding(r)
				f.Reason = ""
				if _, ok := corrections[r]; ok {
					f.Reason = opts.Reason
				}
				f.Moderation = file.Moderation
				f.Due = opts.Due
				if !f.Moderation {
					c := byID[r.ID]
					f.Prefilled = form.Prefills(a.Columns, c.Fields)
				}
				rr, err := s.recordTx(ctx, w, a, f, fmt.Sprintf("%s row %d", source, r.Num), ch)
				if errors.Is(err, ErrDuty) {
					return rowRefusal(err, file, r, opts.Unattended)
				}
				if err != nil {
					return err
				}
				if rr.Action != nil {
					res.Actions = append(res.Actions, *rr.Action)
				}
				if rr.Changed && f.Contradicts() {
					res.Contradictory = append(res.Contradictory, RowRef{Case: f.Case, File: file.Path, Row: r.Num})
				}
				switch {
				case !rr.Changed:
					res.Unchanged++
				case rr.Finding.Kind == KindCorrection || rr.Finding.Kind == KindModerationCorrection:
					res.Corrections++
					written++
					c := corrections[r]
					if !opts.DryRun {
						c.Seq = rr.Entry.Seq
					}
					res.Corrected = append(res.Corrected, c)
				default:
					res.Recorded++
					written++
					if to := allocatedTo(al, f.Case); !f.Moderation && to != "" && !sameName(to, rr.Finding.Auditor) {
						res.Elsewhere = append(res.Elsewhere, RowElsewhere{RowRef: RowRef{Case: f.Case, File: file.Path, Row: r.Num},
							Auditor: rr.Finding.Auditor, AllocatedTo: to})
					}
				}
				if rr.Changed && opts.Progress != nil {
					opts.Progress(written)
				}
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		if opts.DryRun {
			return errDryRun
		}
		return nil
	})
	if err != nil && !(opts.DryRun && errors.Is(err, errDryRun)) {
		return nil, err
	}
	return res, nil
}

// namedCase is a case named by ImportOptions.Correct or Keep.
type namedCase struct {
	id         string
	keep, used bool
	// expect is the trail entry of the finding (false) or moderation
	// finding (true) the person saw (ImportOptions.Expect).
	expect map[bool]int
}

// moved reports whether the finding a person saw for the case (see
// ImportOptions.Expect) is no longer its latest.
func (n *namedCase) moved(moderation bool, latest int) bool {
	seq, ok := n.expect[moderation]
	return ok && seq != latest
}

// named are the cases an import was told to correct or keep, in the order
// named and by their IDs in lower case: an import looks up each row's case
// and each case of the audit.
type named struct {
	list []*namedCase
	byID map[string]*namedCase
}

// namedCases checks the cases opts names to correct and keep.
func namedCases(opts ImportOptions) (named, error) {
	out := named{byID: map[string]*namedCase{}}
	add := func(ids []string, keep bool, o opt.Name) error {
		for _, id := range ids {
			id = strings.TrimSpace(id)
			if id == "" {
				continue
			}
			k := strings.ToLower(id)
			if was, ok := out.byID[k]; ok {
				if was.keep != keep {
					return opt.Errorf("%s is named both in %s and in %s: correct it or keep its finding, not both", id, opt.Correct, opt.Keep)
				}
				continue
			}
			n := &namedCase{id: id, keep: keep}
			out.list = append(out.list, n)
			out.byID[k] = n
		}
		return nil
	}
	if err := add(opts.Correct, false, opt.Correct); err != nil {
		return named{}, err
	}
	if err := add(opts.Keep, true, opt.Keep); err != nil {
		return named{}, err
	}
	corrects := opts.CorrectAll
	for _, n := range out.list {
		corrects = corrects || !n.keep
	}
	if corrects && opts.Reason == "" {
		return named{}, opt.Errorf("%s needs a %s: it is recorded with each correction", opt.Correct, opt.Reason)
	}
	for k, seq := range opts.Expect {
		if n := out.byID[strings.ToLower(k.Case)]; n != nil && !n.keep {
			if n.expect == nil {
				n.expect = map[bool]int{}
			}
			n.expect[k.Moderation] = seq
		}
	}
	return out, nil
}

// find is the named case id (IDs matched ignoring case), or nil.
func (ns named) find(id string) *namedCase { return ns.byID[strings.ToLower(id)] }

func (ns named) reset() {
	for _, n := range ns.list {
		n.used = false
	}
}

// unused refuses a case named to correct or keep that no row of the files
// holds: the wrong file, or a slip of the ID. A row equal to the finding
// recorded is not refused: the same import run again changes nothing.
func (ns named) unused(paths []string) error {
	for _, n := range ns.list {
		if !n.used {
			return opt.Errorf("%s names %s, but no row of %s holds it; nothing was imported (check the case ID and the files)", n.option(), n.id, strings.Join(paths, ", "))
		}
	}
	return nil
}

func (n *namedCase) option() opt.Name {
	if n.keep {
		return opt.Keep
	}
	return opt.Correct
}

// notIn refuses a case named to correct or keep that is not in the audit.
func (ns named) notIn(audit string, ids []string) error {
	if len(ns.list) == 0 {
		return nil
	}
	in := make(map[string]bool, len(ids))
	for _, id := range ids {
		in[strings.ToLower(id)] = true
	}
	for _, n := range ns.list {
		if !in[strings.ToLower(n.id)] {
			hint := ""
			if sug := workbook.SuggestIDs(n.id, ids); len(sug) > 0 {
				hint = fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
			}
			return opt.Errorf("%s names case %q, which is not in audit %q%s; nothing was imported", n.option(), n.id, audit, hint)
		}
	}
	return nil
}

// findingVersions are an audit's findings and corrections, case by case in
// trail order, read once when an import first needs them: a row that
// differs from a corrected finding is looked for among the versions
// before it.
type findingVersions map[bool]map[string][]Finding

// match returns the finding recorded before latest (the case's latest, a
// correction) that the row's finding f is, field for field; nil when none.
func (v *findingVersions) match(ctx context.Context, tx *store.Tx, a *Audit, latest, f Finding) (*Finding, error) {
	if *v == nil {
		*v = findingVersions{}
	}
	byCase, ok := (*v)[latest.Moderation]
	if !ok {
		k1, k2 := findingKinds(latest.Moderation)
		es, err := entries(ctx, tx, a, k1, k2)
		if err != nil {
			return nil, err
		}
		byCase = map[string][]Finding{}
		for _, e := range es {
			x, err := findingFromEntry(e)
			if err != nil {
				return nil, err
			}
			byCase[x.Case] = append(byCase[x.Case], x)
		}
		(*v)[latest.Moderation] = byCase
	}
	vs := byCase[latest.Case]
	for i := len(vs) - 1; i >= 0; i-- {
		if vs[i].Seq < latest.Seq && sameFinding(vs[i], f) {
			return &vs[i], nil
		}
	}
	return nil, nil
}

// madeUnknown says why a file read for import does not say when it was
// made.
func madeUnknown(f *workbook.File) string {
	if f.Sheet == "" {
		return "a csv copy keeps no Method sheet, the workbook's record of when caseaudit wrote it"
	}
	return "it has no Method sheet, the workbook's record of when caseaudit wrote it"
}

// importReads are the kinds of entry an import reads about any case: those
// record reads (recordReads), the findings and the actions.
var importReads = slices.Concat(recordReads, auditorKinds, actionKinds)

// rowCheck is what mayImportRow needs of the import under way.
type rowCheck struct {
	in         map[string]SampledCase
	withdrawn  map[string]Withdrawal
	moderated  map[string]bool
	auditors   *auditorRule
	newAuditor bool
	latest     map[string]Finding // the latest findings of the row's kind
	named      named
}

// mayImportRow checks that the person importing may record row r of file
// f, when the row would record something: a finding on a case of the
// sample (of the moderation sample, for a moderators' workbook) under a
// name the audit knows, differing from the one recorded and not kept. A
// row whose case or name is itself wrong is left to the problems listed
// after: who it is for is not known.
func (s *Store) mayImportRow(ctx context.Context, tx *store.Tx, a *Audit, f *workbook.File, r *workbook.Row, c rowCheck) error {
	if r.Empty || r.ID == "" {
		return nil
	}
	if _, ok := c.in[r.ID]; !ok {
		return nil
	}
	if _, gone := c.withdrawn[r.ID]; gone || (f.Moderation && !c.moderated[r.ID]) {
		return nil
	}
	if n := c.named.find(r.ID); n != nil && n.keep {
		return nil
	}
	name, err := c.auditors.resolve(r.Finding.Auditor, f.Moderation, c.newAuditor)
	if err != nil || name == "" {
		return nil
	}
	fr := rowFinding(r)
	fr.Auditor, fr.Moderation = name, f.Moderation
	prev, ok := c.latest[r.ID]
	if ok && sameFinding(prev, fr) {
		return nil // recorded already: an import run again changes nothing
	}
	moderator := ""
	if ok && f.Moderation {
		moderator = prev.Auditor
	}
	return s.mayRecord(ctx, tx, a, fr, moderator)
}

// allocatedTo is the auditor al gives the case ("" when al is nil or gives
// it no one).
func allocatedTo(al *Allocation, caseID string) string {
	if al == nil {
		return ""
	}
	return al.For(caseID)
}
