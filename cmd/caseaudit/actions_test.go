package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
)

func TestActionsCommands(t *testing.T) {
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 400, Seed: 11})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	// The cases' teams, from the sample itself, so the manager list names a real one.
	var sj struct {
		Sample []struct {
			ID     string            `json:"id"`
			Fields map[string]string `json:"fields"`
		} `json:"sample"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "sample", export, "--size", "4", "--seed", "act", "--format", "json", "-c", "Team")), &sj); err != nil {
		t.Fatal(err)
	}
	c0, c1, c2 := sj.Sample[0].ID, sj.Sample[1].ID, sj.Sample[2].ID
	team0, team1 := sj.Sample[0].Fields["Team"], sj.Sample[1].Fields["Team"]
	if team0 == team1 {
		t.Fatalf("the test needs two teams; got %q twice", team0)
	}
	mustOut(t, "--db", db, "sample", export, "--size", "4", "--seed", "act", "--audit", "July",
		"--owner-column", "Team", "--team-manager", team0+"=J. Smith")
	// Friday 3 July: due Friday 10 July. The second with --due 1: Monday 6 July.
	t.Setenv("CASEAUDIT_NOW", "2026-07-03T17:00:00Z") // audited today, not in the future
	code, _, errs := runCmd(t, "--db", db, "record", "July", c0, "--grade", "i", "--immediate", "yes", "--auditor", "A. Khan",
		"--note", "Not seen for 10 weeks", "--date", "2026-07-03")
	if code != 0 || !strings.Contains(errs, "opened a follow-up action on "+c0+" for J. Smith, due 2026-07-10") {
		t.Fatalf("record: exit %d %s", code, errs)
	}
	mustOut(t, "--db", db, "record", "July", c1, "--grade", "ri", "--immediate", "yes", "--auditor", "A. Khan", "--date", "2026-07-03", "--due", "1")
	mustOut(t, "--db", db, "record", "July", c2, "--grade", "g", "--immediate", "no", "--auditor", "A. Khan", "--date", "2026-07-03")

	type opened struct{ Date string }
	type row struct {
		Audit, Case, Owner string
		Opened             opened
		Due, Status        string
		Overdue            bool
	}
	list := func(args ...string) []row {
		t.Helper()
		var out struct{ Actions []row }
		if err := json.Unmarshal([]byte(mustOut(t, append([]string{"--db", db, "actions", "--format", "json"}, args...)...)), &out); err != nil {
			t.Fatal(err)
		}
		return out.Actions
	}
	got := list("July")
	want := []row{{"July", c1, team1, opened{"2026-07-03"}, "2026-07-06", "open", false}, {"July", c0, "J. Smith", opened{"2026-07-03"}, "2026-07-10", "open", false}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("actions\n got %v\nwant %v", got, want)
	}
	// On Tuesday 7 July one is overdue: --fail-on-overdue exits 3.
	t.Setenv("CASEAUDIT_NOW", "2026-07-07T08:00:00Z")
	if got := list("--overdue"); len(got) != 1 || got[0].Case != c1 || !got[0].Overdue {
		t.Errorf("overdue %v", got)
	}
	code, _, errs = runCmd(t, "--db", db, "actions", "--fail-on-overdue")
	if code != 3 || !strings.Contains(errs, "1 follow-up action overdue") {
		t.Errorf("--fail-on-overdue: exit %d %s", code, errs)
	}
	if got := list("--owner", "j. smith"); len(got) != 1 || got[0].Case != c0 {
		t.Errorf("--owner %v", got)
	}
	// The team manager responds: no longer overdue; the QA officer closes the other.
	code, _, errs = runCmd(t, "--db", db, "action", "respond", "July", c1, "--note", "Visited today", "--user", "K. Ward")
	if code != 0 || !strings.Contains(errs, "recorded the response by K. Ward on ") {
		t.Fatalf("respond: exit %d %s", code, errs)
	}
	if code, _, errs := runCmd(t, "--db", db, "actions", "--fail-on-overdue"); code != 0 {
		t.Errorf("after the response: exit %d %s", code, errs)
	}
	mustOut(t, "--db", db, "action", "close", "July", c0, "--note", "Escalated to the service manager")
	if code, _, errs := runCmd(t, "--db", db, "action", "close", "July", c2, "--note", "x"); code != 1 || !strings.Contains(errs, "has no follow-up action") {
		t.Errorf("closing a case without an action: exit %d %s", code, errs)
	}
	if code, _, _ := runCmd(t, "--db", db, "action", "respond", "July", c1); code != 2 {
		t.Errorf("respond without --note: exit %d; want 2", code)
	}
	got = list()
	if len(got) != 1 || got[0].Status != "responded" {
		t.Errorf("open actions %v", got)
	}
	if got = list("--all"); len(got) != 2 {
		t.Errorf("--all %v", got)
	}
	// Every change is in the trail, by whom; the chain verifies.
	code, out, errs := runCmd(t, "--db", db, "history", "July", "--format", "csv")
	if code != 0 {
		t.Fatalf("history: exit %d: %s", code, errs)
	}
	for _, want := range []string{"action-open," + c0 + ",A. Khan", "action-respond," + c1 + ",K. Ward", "action-close," + c0 + ",qa.officer"} {
		if !strings.Contains(out, want) {
			t.Errorf("history lacks %q:\n%s", want, out)
		}
	}
	if code, out, errs := runCmd(t, "--db", db, "verify", "July"); code != 0 || !strings.Contains(out, "chain intact") {
		t.Errorf("verify: exit %d %s %s", code, out, errs)
	}

	// The referral sheet: one row per case with the auditor's note and due date, mode 0600, strings only.
	ref := filepath.Join(dir, "referrals.xlsx")
	code, _, errs = runCmd(t, "--db", db, "actions", "July", "--all", "--out", ref)
	if code != 0 {
		t.Fatalf("--out: exit %d %s", code, errs)
	}
	if st, _ := os.Stat(ref); st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v", st.Mode().Perm())
	}
	f, err := excelize.OpenFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	cards := referralCardsOf(t, f)
	if len(cards) != 2 {
		t.Fatalf("referral cards %v", cards)
	}
	if c := cards[1]; c["Case ID"] != c0 || c["Audit"] != "July" || c["Team"] != team0 || c["Owner"] != "J. Smith" || c["Raised"] != "at audit" ||
		c["Auditor"] != "A. Khan" || c["Date audited"] != "2026-07-03" || c["Auditor's note"] != "Not seen for 10 weeks" || c["Due"] != "2026-07-10" ||
		c["Status"] != "closed" {
		t.Errorf("referral card %v", c)
	}
	if c := cards[0]; c["Case ID"] != c1 || c["Status"] != "responded" || !strings.Contains(c["Responses recorded"], "K. Ward: Visited today") {
		t.Errorf("referral card %v", c)
	}
	rows, _ := f.GetRows("Referrals")
	for i, r := range rows {
		if len(r) > 1 && r[0] == "Due" && r[1] == "2026-07-10" {
			cell := fmt.Sprintf("B%d", i+1)
			if typ, _ := f.GetCellType("Referrals", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
				t.Errorf("due date cell type %v; want a string", typ)
			}
		}
	}
	f.Close()
	if code, _, _ := runCmd(t, "--db", db, "actions", "July", "--out", ref); code != 1 {
		t.Errorf("replacing the referral sheet without --force: exit %d", code)
	}
	// With names, read from the recorded export.
	code, _, errs = runCmd(t, "--db", db, "actions", "July", "--out", ref, "--force", "--include-names")
	if code != 0 {
		t.Fatalf("--include-names: exit %d %s", code, errs)
	}
	f, _ = excelize.OpenFile(ref)
	defer f.Close()
	cards = referralCardsOf(t, f)
	if len(cards) != 1 || cards[0]["Forename"] == "" || cards[0]["Surname"] == "" || cards[0]["Case ID"] != c1 {
		t.Errorf("with names %v", cards)
	}
	if code, _, _ := runCmd(t, "--db", db, "actions", "--include-names"); code != 2 {
		t.Errorf("--include-names without --out: exit %d; want 2", code)
	}
}

// referralCardsOf reads the cards of a referral sheet: each card's labels
// (column A or C) and their values (the column to their right), from its
// "Case ID" row to the next.
func referralCardsOf(t *testing.T, f *excelize.File) []map[string]string {
	t.Helper()
	rows, err := f.GetRows("Referrals")
	if err != nil {
		t.Fatal(err)
	}
	var cards []map[string]string
	for _, r := range rows {
		if len(r) > 0 && r[0] == "Case ID" {
			cards = append(cards, map[string]string{})
		}
		if len(cards) == 0 {
			continue
		}
		c := cards[len(cards)-1]
		for j := 0; j < len(r); j += 2 {
			if _, seen := c[r[j]]; r[j] != "" && !seen {
				c[r[j]] = ""
				if j+1 < len(r) {
					c[r[j]] = r[j+1]
				}
			}
		}
	}
	return cards
}
