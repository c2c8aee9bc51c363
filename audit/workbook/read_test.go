package workbook

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A blank Moderator cell is read as ReadOptions.Moderator (the importing
// moderator's listed name) and counted; without one it is the row's
// problem, and an auditors' workbook's blank Auditor cell is a problem
// whatever the option says.
func TestReadBlankModerator(t *testing.T) {
	dir := t.TempDir()
	write := func(name, who string) string {
		p := filepath.Join(dir, name)
		body := "#,Case ID," + who + ",Grade,Immediate attention,Notes,Date audited\n" +
			"1,CR-0000007,,Good,No,Read in full,2026-07-10\n" +
			"2,CR-0000123,B. Moderator,Inadequate,Yes,Chase the visit,2026-07-11\n" +
			"3,CR-0000200,,,,,\n" // no finding: nothing to name
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ctx := context.Background()
	mod := write("mod.csv", ColModerator)
	f, err := Read(ctx, mod, nil, ReadOptions{Moderator: "D. Patel"})
	if err != nil {
		t.Fatal(err)
	}
	if !f.Moderation || f.BlankModerator != 1 || f.ImportedFile.Moderator != "D. Patel" {
		t.Errorf("moderation %v, blank %d read as %q; want true, 1, D. Patel", f.Moderation, f.BlankModerator, f.ImportedFile.Moderator)
	}
	if got := []string{f.Rows[0].Finding.Auditor, f.Rows[1].Finding.Auditor}; got[0] != "D. Patel" || got[1] != "B. Moderator" {
		t.Errorf("moderators %q; want the blank read as D. Patel, the written name kept", got)
	}
	for _, r := range f.Rows {
		if len(r.Problems) > 0 {
			t.Errorf("row %d: %v", r.Num, r.Problems)
		}
	}

	f, err = Read(ctx, mod, nil, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if f.BlankModerator != 0 || len(f.Rows[0].Problems) != 1 ||
		!strings.Contains(f.Rows[0].Problems[0].String(), "row 2, column Moderator: a finding needs the moderator's name") {
		t.Errorf("without a listed moderator: blank %d, problems %v", f.BlankModerator, f.Rows[0].Problems)
	}

	aud := write("aud.csv", ColAuditor)
	f, err = Read(ctx, aud, nil, ReadOptions{Moderator: "D. Patel"})
	if err != nil {
		t.Fatal(err)
	}
	if f.Moderation || f.BlankModerator != 0 || len(f.Rows[0].Problems) != 1 ||
		f.Rows[0].Problems[0].String() != "row 2, column Auditor: a finding needs the auditor's name" {
		t.Errorf("auditors' workbook: moderation %v, blank %d, problems %v", f.Moderation, f.BlankModerator, f.Rows[0].Problems)
	}
}
