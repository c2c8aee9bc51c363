package audit

// What the trail adds up to, computed from hand-written entries: no store,
// no database.

import (
	"encoding/json"
	"testing"
	"time"
)

func entry(seq int, kind, caseID, actor, payload string) Entry {
	return Entry{Seq: seq, Kind: kind, Case: caseID, Actor: actor,
		At: time.Date(2026, 7, 3, 9, 0, seq, 0, time.UTC), Payload: json.RawMessage(payload)}
}

// projectionTrail is one audit's trail: a sample of CR-1 … CR-4, an
// allocation, findings and a correction, a moderation draw and finding, a
// withdrawal with its replacement CR-5, and an action opened and answered.
var projectionTrail = []Entry{
	entry(1, KindSample, "", "QA", `{"audit":{},"cases":[]}`),
	entry(2, KindAllocation, "", "QA", `{"auditors":["A. Khan","B. Lee"],"worker_field":"","team_field":"","auditor_teams":null,"assigned":[{"case":"CR-1","auditor":"A. Khan"},{"case":"CR-2","auditor":"B. Lee"},{"case":"CR-3","auditor":"A. Khan"},{"case":"CR-4","auditor":"B. Lee"}],"unallocated":[],"kept":0}`),
	entry(3, KindFinding, "CR-1", "A. Khan", `{"grade":"Good","immediate":false,"note":"fine"}`),
	entry(4, KindFinding, "CR-2", "B. Lee", `{"grade":"Inadequate","immediate":true,"note":"unsafe","date":"2026-07-03"}`),
	entry(5, KindActionOpen, "CR-2", "B. Lee", `{"owner":"North TM","opened":"2026-07-03","due":"2026-07-10","finding":4,"grade":"Inadequate","note":"unsafe"}`),
	entry(6, KindCorrection, "CR-1", "a. khan", `{"grade":"Requires improvement","immediate":false,"note":"on reflection","reason":"missed a visit"}`),
	entry(7, KindModerationDraw, "", "QA", `{"seed":"7","size":1,"recorded":2,"cases":["CR-2"],"added":["CR-2"]}`),
	entry(8, KindModerationFinding, "CR-2", "M. Ode", `{"grade":"Requires improvement","immediate":true,"note":"agree it is urgent"}`),
	entry(9, KindWithdrawal, "CR-4", "QA", `{"reason":"transferred","stratum":"","cases":[{"order":5,"id":"CR-5","ticket":"0.5","stratum":"","row":9,"fields":[]}]}`),
	entry(10, KindActionRespond, "CR-2", "North TM", `{"note":"visited today"}`),
}

func TestProjectionFindings(t *testing.T) {
	orig, err := latestFindings(projectionTrail, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(orig) != 2 || orig["CR-1"].Grade != RequiresImprovement || orig["CR-1"].Kind != KindCorrection ||
		orig["CR-1"].Reason != "missed a visit" || orig["CR-1"].Seq != 6 || !orig["CR-2"].Immediate || orig["CR-2"].Date != "2026-07-03" {
		t.Errorf("original findings %+v", orig)
	}
	mod, err := latestFindings(projectionTrail, true)
	if err != nil || len(mod) != 1 || mod["CR-2"].Grade != RequiresImprovement || !mod["CR-2"].Moderation || mod["CR-2"].Auditor != "M. Ode" {
		t.Errorf("moderation findings %+v %v", mod, err)
	}
	if _, err := latestFindings([]Entry{entry(1, KindFinding, "CR-1", "A", `{"grade":"Superb"}`)}, false); err == nil {
		t.Error("a damaged finding went unnoticed")
	}
}

func TestProjectionAllocationModerationWithdrawals(t *testing.T) {
	al, err := allocationOf(projectionTrail)
	if err != nil || al == nil || al.For("CR-3") != "A. Khan" || len(al.Auditors) != 2 {
		t.Errorf("allocation %+v %v", al, err)
	}
	if none, err := allocationOf(projectionTrail[:1]); none != nil || err != nil {
		t.Errorf("allocation before any: %+v %v", none, err)
	}
	m, err := moderationOf(projectionTrail)
	if err != nil || m == nil || m.Seed != "7" || m.Size != 1 || m.Cases[0] != "CR-2" || m.Recorded != 2 || m.Actor != "QA" {
		t.Errorf("moderation %+v %v", m, err)
	}
	ws, err := withdrawalsOf(projectionTrail)
	if err != nil || len(ws) != 1 || ws[0].Case != "CR-4" || ws[0].Replacement != "CR-5" || ws[0].Reason != "transferred" || ws[0].Seq != 9 {
		t.Errorf("withdrawals %+v %v", ws, err)
	}
	r, err := auditorsIn("a", projectionTrail)
	if err != nil || len(r.known) != 3 || r.known[2] != "M. Ode" || !r.allocated {
		t.Errorf("auditors %+v %v", r, err)
	}
	if name, err := r.resolve("b.  LEE", false, false); name != "B. Lee" || err != nil {
		t.Errorf("resolve: %q %v", name, err)
	}
	if _, err := r.resolve("C. Diaz", false, false); err == nil {
		t.Error("an auditor the audit does not know was accepted")
	}
}

func TestProjectionActions(t *testing.T) {
	acts, err := foldActions("a", projectionTrail)
	if err != nil || len(acts) != 1 {
		t.Fatalf("actions %+v %v", acts, err)
	}
	a := acts[0]
	if a.Case != "CR-2" || a.Status != ActionResponded || a.Due != "2026-07-10" || a.FindingSeq != 4 || len(a.Responses) != 1 || a.Responses[0].By != "North TM" {
		t.Errorf("action %+v", a)
	}
	if d, ok := a.DaysToResponse(); !ok || d != 0 {
		t.Errorf("days to response %d %v", d, ok)
	}
	if a.Overdue(time.Date(2026, 7, 11, 0, 0, 0, 0, time.UTC)) {
		t.Error("a responded action is never overdue")
	}
	if _, err := foldActions("a", []Entry{entry(1, KindActionClose, "CR-9", "QA", `{"note":"x"}`)}); err == nil {
		t.Error("a closure that follows no action went unnoticed")
	}
}

func TestProjectionStatus(t *testing.T) {
	a := &Audit{Name: "a", Period: "2026-07"}
	st, err := summarise(a, []string{"CR-1", "CR-2", "CR-3", "CR-4", "CR-5"}, projectionTrail)
	if err != nil {
		t.Fatal(err)
	}
	// Five sampled, one withdrawn: four stand; CR-1 and CR-2 recorded, CR-2
	// flagged; CR-3 and CR-5 to do, CR-5 (the replacement) never allocated.
	if st.Size != 4 || st.Withdrawn != 1 || st.Recorded != 2 || st.Flagged != 1 || st.ModerationSize != 1 || st.Moderated != 1 ||
		st.Entries != 10 || st.Head != "" {
		t.Errorf("summary %+v", st.AuditSummary)
	}
	if len(st.ToDo) != 2 || st.ToDo[0] != "CR-3" || st.ToDo[1] != "CR-5" || len(st.Unallocated) != 1 || st.Unallocated[0] != "CR-5" {
		t.Errorf("to do %v, unallocated %v", st.ToDo, st.Unallocated)
	}
	if len(st.Auditors) != 2 || st.Auditors[0].Recorded != 1 || len(st.Auditors[0].ToDo) != 1 || st.Auditors[1].Allocated != 2 || st.Auditors[1].Recorded != 1 {
		t.Errorf("auditors %+v", st.Auditors)
	}
}

// The number flagged that status and audits show is the reports' and the
// sign-off's: by the latest judgement. A moderator who flags a case the
// auditor did not adds it; one who clears a flagged case takes it away; a
// correction by the auditor after the moderation is later still.
func TestProjectionStatusFlaggedByLatestJudgement(t *testing.T) {
	a := &Audit{Name: "a", Period: "2026-07"}
	trail := []Entry{
		entry(1, KindSample, "", "QA", `{"audit":{},"cases":[]}`),
		entry(2, KindFinding, "CR-1", "A. Khan", `{"grade":"Good","immediate":false}`),
		entry(3, KindFinding, "CR-2", "A. Khan", `{"grade":"Inadequate","immediate":true}`),
		entry(4, KindFinding, "CR-3", "A. Khan", `{"grade":"Good","immediate":false}`),
		entry(5, KindModerationDraw, "", "QA", `{"seed":"7","size":3,"recorded":3,"cases":["CR-1","CR-2","CR-3"],"added":["CR-1","CR-2","CR-3"]}`),
		entry(6, KindModerationFinding, "CR-1", "M. Ode", `{"grade":"Inadequate","immediate":true}`),
		entry(7, KindModerationFinding, "CR-2", "M. Ode", `{"grade":"Requires improvement","immediate":false}`),
		entry(8, KindModerationFinding, "CR-3", "M. Ode", `{"grade":"Inadequate","immediate":true}`),
		entry(9, KindCorrection, "CR-3", "A. Khan", `{"grade":"Good","immediate":false,"reason":"the visit was made"}`),
	}
	for _, c := range []struct {
		upTo, flagged int
	}{{4, 1}, {6, 2}, {7, 1}, {8, 2}, {9, 1}} {
		st, err := summarise(a, []string{"CR-1", "CR-2", "CR-3"}, trail[:c.upTo])
		if err != nil {
			t.Fatal(err)
		}
		if st.Flagged != c.flagged {
			t.Errorf("after entry %d: %d flagged, want %d (by the latest judgement)", c.upTo, st.Flagged, c.flagged)
		}
	}
}
