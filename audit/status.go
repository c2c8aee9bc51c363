package audit

import (
	"context"
	"database/sql"
	"slices"
	"time"

	"github.com/caseaudit/caseaudit/sample"
)

// AuditSummary is one audit's progress.
type AuditSummary struct {
	Name           string
	Created        time.Time
	Period         string // the month audited, yyyy-mm
	Seed           string
	Size           int // sampled cases that stand (after any growth; withdrawn cases not counted, their replacements counted)
	Withdrawn      int // sampled cases withdrawn (and replaced)
	Recorded       int // cases with a finding
	Flagged        int // cases whose latest finding needs immediate attention
	ModerationSize int // cases in the moderation sample (0 when none drawn)
	Moderated      int // cases with a moderation finding
	Entries        int // trail entries
	Head           string
	// Factors are the factors recorded with the sample (its provenance's),
	// nil when none.
	Factors *sample.Factors
}

// AuditorProgress is one auditor's share of an audit.
type AuditorProgress struct {
	Auditor   string
	Allocated int
	Recorded  int      // allocated cases that have a finding (by anyone)
	ToDo      []string // allocated cases without a finding, in sample order
}

// Status is an audit's progress in detail.
type Status struct {
	AuditSummary
	Auditors    []AuditorProgress // in allocation order; nil when never allocated
	Unallocated []string          // cases without a finding and without an auditor, in sample order
	ToDo        []string          // all cases without a finding, in sample order
}

// foldedFindings is an audit's trail folded once: its sampled case IDs in
// sample order (withdrawn ones included) and the latest finding and
// moderation finding per case.
type foldedFindings struct {
	ids       []string
	orig, mod map[string]Finding
}

func foldFindings(ctx context.Context, q querier, a *Audit) (*foldedFindings, error) {
	ids, err := sampledIDs(ctx, q, a)
	if err != nil {
		return nil, err
	}
	orig, err := latestFindings(ctx, q, a.id, false)
	if err != nil {
		return nil, err
	}
	mod, err := latestFindings(ctx, q, a.id, true)
	if err != nil {
		return nil, err
	}
	return &foldedFindings{ids: ids, orig: orig, mod: mod}, nil
}

// inSampleOrder returns the findings of latest on the cases ids, in their
// order (cases without one are left out).
func inSampleOrder(ids []string, latest map[string]Finding) []Finding {
	var out []Finding
	for _, id := range ids {
		if x, ok := latest[id]; ok {
			out = append(out, x)
		}
	}
	return out
}

func summarise(ctx context.Context, q querier, a *Audit) (*Status, error) {
	f, err := foldFindings(ctx, q, a)
	if err != nil {
		return nil, err
	}
	return summariseFolded(ctx, q, a, f)
}

func summariseFolded(ctx context.Context, q querier, a *Audit, f *foldedFindings) (*Status, error) {
	st := &Status{AuditSummary: AuditSummary{Name: a.Name, Created: a.Created, Seed: a.Seed(), Period: a.Period, Factors: a.Provenance.Factors}}
	ids := slices.Clone(f.ids)
	orig, mod := f.orig, f.mod
	ws, err := loadWithdrawals(ctx, q, a)
	if err != nil {
		return nil, err
	}
	if len(ws) > 0 {
		st.Withdrawn = len(ws)
		gone := map[string]bool{}
		for _, w := range ws {
			gone[w.Case] = true
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return gone[id] })
	}
	m, err := loadModeration(ctx, q, a)
	if err != nil {
		return nil, err
	}
	alloc, err := loadAllocation(ctx, q, a)
	if err != nil {
		return nil, err
	}
	if err := q.QueryRowContext(ctx, "SELECT count(*), coalesce(max(seq), 0) FROM trail WHERE audit_id = ?", a.id).Scan(&st.Entries, new(int)); err != nil {
		return nil, err
	}
	if err := q.QueryRowContext(ctx, "SELECT hash FROM trail WHERE audit_id = ? ORDER BY seq DESC LIMIT 1", a.id).Scan(&st.Head); err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	st.Size = len(ids)
	for _, id := range ids {
		if f, ok := orig[id]; ok {
			st.Recorded++
			if f.Immediate {
				st.Flagged++
			}
		} else {
			st.ToDo = append(st.ToDo, id)
		}
		if _, ok := mod[id]; ok {
			st.Moderated++
		}
	}
	if m != nil {
		st.ModerationSize = m.Size
	}
	owner := map[string]string{}
	if alloc != nil {
		idx := map[string]int{}
		for _, name := range alloc.Auditors {
			idx[name] = len(st.Auditors)
			st.Auditors = append(st.Auditors, AuditorProgress{Auditor: name})
		}
		for _, x := range alloc.Assigned {
			owner[x.Case] = x.Auditor
			i, ok := idx[x.Auditor]
			if !ok { // kept from an earlier allocation to an auditor not named now
				i = len(st.Auditors)
				idx[x.Auditor] = i
				st.Auditors = append(st.Auditors, AuditorProgress{Auditor: x.Auditor})
			}
			st.Auditors[i].Allocated++
		}
		for _, id := range ids {
			name, ok := owner[id]
			if !ok {
				continue
			}
			p := &st.Auditors[idx[name]]
			if _, done := orig[id]; done {
				p.Recorded++
			} else {
				p.ToDo = append(p.ToDo, id)
			}
		}
	}
	for _, id := range st.ToDo {
		if _, ok := owner[id]; !ok {
			st.Unallocated = append(st.Unallocated, id)
		}
	}
	return st, nil
}

// Status returns an audit's progress: counts, each auditor's progress and
// the cases still to do.
func (s *Store) Status(ctx context.Context, auditName string) (*Status, error) {
	return readAudit(ctx, s, auditName, summarise)
}

// Audits lists every audit with its progress, in the order of the months
// they cover (their period; audits of one month in the order recorded): the
// last one is the latest. An audit backfilled for June after July's comes
// before July's.
func (s *Store) Audits(ctx context.Context) ([]AuditSummary, error) {
	all, err := s.auditsFolded(ctx, false)
	out := make([]AuditSummary, len(all))
	for i, a := range all {
		out[i] = a.AuditSummary
	}
	return out, err
}

// AuditFindings is an audit's progress with the latest findings on its
// cases.
type AuditFindings struct {
	AuditSummary
	Findings   []Finding // as Findings returns them
	Moderation []Finding // as Findings returns them with moderation true
}

// AuditsWithFindings is Audits with each audit's latest findings and
// moderation findings, as Findings returns them: what a trend over every
// audit needs, with each audit's trail read and folded once rather than
// once for the progress and again for each kind of finding.
func (s *Store) AuditsWithFindings(ctx context.Context) ([]AuditFindings, error) {
	return s.auditsFolded(ctx, true)
}

func (s *Store) auditsFolded(ctx context.Context, findings bool) ([]AuditFindings, error) {
	var out []AuditFindings
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit ORDER BY "+periodOrder)
		if err != nil {
			return err
		}
		var all []*Audit
		for rows.Next() {
			a, err := scanAudit(rows)
			if err != nil {
				rows.Close()
				return err
			}
			all = append(all, a)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		q := &preparedQuerier{tx: tx}
		defer q.close()
		for _, a := range all {
			f, err := foldFindings(ctx, q, a)
			if err != nil {
				return err
			}
			st, err := summariseFolded(ctx, q, a, f)
			if err != nil {
				return err
			}
			af := AuditFindings{AuditSummary: st.AuditSummary}
			if findings {
				af.Findings, af.Moderation = inSampleOrder(f.ids, f.orig), inSampleOrder(f.ids, f.mod)
			}
			out = append(out, af)
		}
		return nil
	})
	return out, err
}

// preparedQuerier is a read transaction that prepares each distinct query
// once: reading every audit asks each audit the same few queries, which
// the database would otherwise parse and plan every time.
type preparedQuerier struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (p *preparedQuerier) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := p.stmts[query]; ok {
		return s, nil
	}
	s, err := p.tx.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if p.stmts == nil {
		p.stmts = map[string]*sql.Stmt{}
	}
	p.stmts[query] = s
	return s, nil
}

func (p *preparedQuerier) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return s.QueryContext(ctx, args...)
}

func (p *preparedQuerier) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return p.tx.QueryRowContext(ctx, query, args...) // fails as the preparation did, with its error
	}
	return s.QueryRowContext(ctx, args...)
}

func (p *preparedQuerier) close() {
	for _, s := range p.stmts {
		s.Close()
	}
}
