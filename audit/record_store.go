package audit

import (
	"context"
	"errors"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

// findingFacts gathers what the duties table needs to know of the case a
// finding f is recorded on: to whom it is allocated, who audited it
// (everyone who recorded a finding on it, for a moderation), who
// its allocated worker is (where the allocation named the worker column),
// the name f is recorded under, and moderator: who made the moderation a
// moderation finding corrects ("" for a first one).
func findingFacts(ctx context.Context, tx *store.Tx, a *Audit, f Finding, moderator string) (CaseFacts, error) {
	al, err := loadAllocation(ctx, tx, a)
	if err != nil {
		return CaseFacts{}, err
	}
	var sc *SampledCase
	if al != nil && al.Rules.WorkerField != "" {
		c, err := loadCase(ctx, tx, a, f.Case)
		if err != nil {
			return CaseFacts{}, err
		}
		sc = &c
	}
	var auditors []string
	latest := ""
	if f.Moderation {
		es, err := caseEntries(ctx, tx, a, f.Case, KindFinding, KindCorrection)
		if err != nil {
			return CaseFacts{}, err
		}
		for _, e := range es {
			auditors = addAuditor(auditors, e.Actor)
			latest = e.Actor
		}
	}
	return caseFactsOf(a, al, sc, f, auditors, latest, moderator), nil
}

// mayRecord checks that the person acting may record finding f: as an
// auditor on her own allocated case, or as a moderator on a case that is
// not hers.
func (s *Store) mayRecord(ctx context.Context, tx *store.Tx, a *Audit, f Finding, moderator string) error {
	d := DutyRecord
	if f.Moderation {
		d = DutyModerate
	}
	s.attempt(d, CaseFacts{For: f.Auditor})
	cs, err := tx.PersonChanges(ctx)
	if err != nil {
		return err
	}
	if len(cs) == 0 && !f.Moderation {
		return nil // no people list: a one-person store
	}
	facts, err := findingFacts(ctx, tx, a, f, moderator)
	if err != nil {
		return err
	}
	s.attempt(d, facts)
	return recordAllowed(peopleOf(cs), s.Login(), f, facts)
}

// ModerationRefusals says which of cases the person acting may not
// moderate under the name moderator, each with its refusal (a
// *DutyError, as Record would give it): the moderation walk-through
// leaves them out before asking anything, rather than refusing a grade
// already typed. It reads the store once and writes nothing; Record
// checks again when it records.
func (s *Store) ModerationRefusals(ctx context.Context, auditName, moderator string, cases []string) (map[string]error, error) {
	out := map[string]error{}
	err := s.read(ctx, "checking who may moderate in", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		for _, id := range cases {
			f := Finding{Case: id, Auditor: strings.Join(strings.Fields(moderator), " "), Moderation: true}
			prev, ok, err := latestFinding(ctx, tx, a, id, true)
			if err != nil {
				return err
			}
			by := "" // who made the moderation one now would correct
			if ok {
				by = prev.Auditor
			}
			facts, err := findingFacts(ctx, tx, a, f, by)
			if err != nil {
				return err
			}
			if err := recordAllowed(people, s.Login(), f, facts); err != nil {
				out[id] = err
			}
		}
		return nil
	})
	return out, err
}

// mayRecordLatest is mayRecord for finding f against the case's latest
// finding of its kind: a finding recorded already changes nothing and is
// not refused (recordTx says so), and a moderation finding that corrects
// another is judged by who made that one.
func (s *Store) mayRecordLatest(ctx context.Context, tx *store.Tx, a *Audit, f Finding) error {
	prev, ok, err := latestFinding(ctx, tx, a, f.Case, f.Moderation)
	if err != nil {
		return err
	}
	if ok && sameFinding(prev, f) {
		return nil
	}
	moderator := ""
	if ok && f.Moderation {
		moderator = prev.Auditor
	}
	return s.mayRecord(ctx, tx, a, f, moderator)
}

// RecordResult tells what Record did.
type RecordResult struct {
	Finding Finding // as stored (or the identical latest finding when nothing changed)
	Entry   Entry   // the new trail entry; zero when nothing changed
	Changed bool    // false: the finding was identical to the latest one, nothing recorded
	// Kept is what the finding took from the one before it on its case,
	// not being given it (see Finding.Given).
	Kept Kept
	// Action is the follow-up action the finding opened or closed
	// automatically (see Action.Status); nil when it did neither.
	Action *Action
}

// Record records a finding on a case of an audit's sample, in one
// transaction. A second finding on the same case is a correction and needs
// f.Reason (else a *CorrectionError); one identical to the latest finding
// records nothing. A moderation finding (f.Moderation) needs the case to be
// in the audit's moderation sample. Answers are checked against the audit's
// form (an *AnswersError names each bad or missing one) and stored keyed by
// question key in canonical spelling.
//
// Once the audit's cases are allocated, the auditor must be one of its
// auditors (matched ignoring case and spacing, and recorded in their
// spelling) unless f.NewAuditor; else an *UnknownAuditorError.
//
// A finding that needs immediate attention opens a follow-up action on the
// case in the same transaction (see Action); a correction that turns
// immediate attention to no closes the case's action automatically, with a
// note saying so.
func (s *Store) Record(ctx context.Context, auditName string, f Finding) (RecordResult, error) {
	if err := f.normalise(); err != nil {
		return RecordResult{}, err
	}
	var res RecordResult
	err := s.write(ctx, "recording a finding in", func(tx *store.WriteTx) error {
		a, err := loadAudit(ctx, tx.Tx, auditName)
		if err != nil {
			return err
		}
		// Everything the checks below and the follow-up read, in one
		// round trip.
		if err := tx.Prefetch(ctx, a.id, store.Prefetch{Case: f.Case, Kinds: recordReads, ActorKinds: auditorKinds, People: true}); err != nil {
			return err
		}
		if err := checkInSample(ctx, tx.Tx, a, f.Case); err != nil {
			return err
		}
		if err := checkNotWithdrawn(ctx, tx.Tx, a, f.Case); err != nil {
			return err
		}
		if f.Moderation {
			if err := checkModerated(ctx, tx.Tx, a, f.Case); err != nil {
				return err
			}
		}
		if err := checkAuditor(ctx, tx.Tx, a, &f); err != nil {
			return err
		}
		// Who may comes before what is wrong (the answers, a missing
		// reason, the date), as in import: a person the duties refuse can
		// mend nothing by mending the finding.
		if err := s.mayRecordLatest(ctx, tx.Tx, a, f); err != nil {
			return err
		}
		if err := checkFindingAnswers(a, &f); err != nil {
			return err
		}
		ch, err := loadChosen(ctx, tx.Tx, a)
		if err != nil {
			return err
		}
		res, err = s.recordTx(ctx, tx, a, f, "", ch)
		return err
	})
	return res, err
}

// recordReads are the kinds of entry about any case that recording a
// finding reads: withdrawals, the allocation and the moderation sample
// (its checks), and the team managers (for an action it opens).
var recordReads = []string{KindWithdrawal, KindAllocation, KindModerationDraw, KindTeamManager, KindGrow}

// recordTx appends one finding within a write transaction; ch is when the
// audit's cases were chosen (loadChosen), read once by the caller.
func (s *Store) recordTx(ctx context.Context, tx *store.WriteTx, a *Audit, f Finding, source string, ch *chosen) (RecordResult, error) {
	prev, ok, err := latestFinding(ctx, tx.Tx, a, f.Case, f.Moderation)
	if err != nil {
		return RecordResult{}, err
	}
	kind := KindFinding
	if f.Moderation {
		kind = KindModerationFinding
	}
	var kept Kept
	if ok {
		kept = keepUnset(&f, prev)
	}
	if ok && sameFinding(prev, f) {
		return RecordResult{Finding: prev}, nil
	}
	moderator := "" // who made the moderation a moderation finding corrects
	if ok && f.Moderation {
		moderator = prev.Auditor
	}
	if err := s.mayRecord(ctx, tx.Tx, a, f, moderator); err != nil {
		return RecordResult{}, err
	}
	if ok {
		if f.Reason == "" {
			return RecordResult{}, correctionError(prev)
		}
		kind = KindCorrection
		if f.Moderation {
			kind = KindModerationCorrection
		}
	} else {
		f.Reason = "" // a first finding corrects nothing
	}
	p := findingPayload{Grade: f.Grade.String(), Immediate: f.Immediate, Note: f.Note, Answers: f.Answers,
		Date: f.Date, Reason: f.Reason, Source: source, Prefilled: f.Prefilled}
	e, err := s.appendEntry(ctx, tx, a, kind, f.Case, f.Auditor, p)
	if err != nil {
		return RecordResult{}, err
	}
	// The date is checked against the day the entry is recorded (its
	// time, read once), and only of what is recorded: a finding given
	// again as recorded changes nothing, whatever its date. The error
	// rolls the entry back with the transaction.
	if err := checkFindingDate(a, f, e.At, ch); err != nil {
		return RecordResult{}, err
	}
	f.Kind, f.Seq, f.At = kind, e.Seq, e.At
	res := RecordResult{Finding: f, Entry: e, Changed: true, Kept: kept}
	if res.Action, err = s.followUp(ctx, tx, a, f, prev, ok); err != nil {
		return RecordResult{}, err
	}
	return res, nil
}

// loadChosen reads when the audit's later and moderated cases were
// chosen (see chosenOf) from its grow, withdrawal and moderation draw
// entries.
func loadChosen(ctx context.Context, tx *store.Tx, a *Audit) (*chosen, error) {
	es, err := entries(ctx, tx, a, KindGrow, KindWithdrawal, KindModerationDraw)
	if err != nil {
		return nil, err
	}
	return chosenOf(a, es)
}

// LaterDateErrors returns, for each of cases (of the moderation sample
// when moderation), the *DateError a finding on it dated date would get
// because its case was chosen after the audit's first draw, later than
// date: added when the sample grew, drawn to replace a withdrawn case, or
// chosen for moderation. CheckDate alone bounds the first draw's cases; a
// walk-through that records every finding as audited today asks both
// before it asks anything.
func (s *Store) LaterDateErrors(ctx context.Context, auditName string, cases []string, moderation bool, date string) ([]*DateError, error) {
	return readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) ([]*DateError, error) {
		ch, err := loadChosen(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		var out []*DateError
		for _, id := range cases {
			var de *DateError
			if errors.As(ch.check(a, Finding{Case: id, Date: date, Moderation: moderation}), &de) {
				de.Case = id
				out = append(out, de)
			}
		}
		return out, nil
	})
}
