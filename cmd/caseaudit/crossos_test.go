package main

import (
	"context"
	"errors"
	"os/user"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample"
)

// The person acting is the login, as the operating system names it: on
// Windows DOMAIN\name, which the trail records as it is.
func TestLoginName(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	account := func(name string) func() (*user.User, error) {
		return func() (*user.User, error) { return &user.User{Username: name}, nil }
	}
	noAccount := func() (*user.User, error) { return nil, errors.New("user: unknown userid") }
	for _, tc := range []struct {
		name    string
		goos    string
		getenv  func(string) string
		current func() (*user.User, error)
		want    string
	}{
		{"windows domain account", "windows", env("USERDOMAIN", "CORP", "USERNAME", "a.khan"), account(`CORP\a.khan`), `CORP\a.khan`},
		{"windows local account", "windows", env(), account(`QA-LAPTOP-07\akhan`), `QA-LAPTOP-07\akhan`},
		{"windows, the account lookup fails", "windows", env("USERDOMAIN", "CORP", "USERNAME", "a.khan"), noAccount, `CORP\a.khan`},
		{"windows, no domain", "windows", env("USERNAME", "a.khan"), noAccount, "a.khan"},
		{"CASEAUDIT_USER first", "windows", env("CASEAUDIT_USER", " A. Khan ", "USERDOMAIN", "CORP", "USERNAME", "a.khan"), account(`CORP\a.khan`), "A. Khan"},
		{"linux", "linux", env("USER", "akhan"), account("akhan"), "akhan"},
		{"linux, the account lookup fails", "linux", env("USER", "akhan"), noAccount, "akhan"},
		{"nothing known", "darwin", env(), noAccount, "unknown"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := loginName(tc.goos, tc.getenv, tc.current); got != tc.want {
				t.Errorf("loginName = %q, want %q", got, tc.want)
			}
		})
	}
}

// A sample drawn on Windows from C:\Users\…\cases.xlsx verifies on Linux
// with --input, and one drawn on Linux from /home/… verifies on Windows the
// same way: the recorded paths only say where to look first; the file's
// SHA-256 and the seed decide. The store is made as the other system's
// caseaudit would make it: the same draw, with its paths recorded.
func TestVerifyAcrossSystems(t *testing.T) {
	dir := t.TempDir()
	xlsx := filepath.Join(dir, "cases.xlsx")
	if err := synth.WriteFile(xlsx, synth.Options{Rows: 600, Seed: 4}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, path, abs string }{
		{"drawn on Windows", `cases.xlsx`, `C:\Users\a.khan\Documents\Audits\cases.xlsx`},
		{"drawn on Windows from a network share", `\\fileserver\qa\2026-07\cases.xlsx`, `\\fileserver\qa\2026-07\cases.xlsx`},
		{"drawn on Linux or macOS", `/home/akhan/audits/cases.xlsx`, `/home/akhan/audits/cases.xlsx`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db := filepath.Join(t.TempDir(), "caseaudit.db")
			d, err := sample.Draw(ctx, sample.Spec{Export: xlsx, Seed: "4711", Size: 20, Strata: "Team", Allocation: sample.Proportional,
				ToolVersion: "1.0.0", ToolSHA256: strings.Repeat("7", 64)})
			if err != nil {
				t.Fatal(err)
			}
			defer d.Close()
			p := d.Provenance
			p.Export.Path, p.Export.AbsPath = tc.path, tc.abs
			st, err := audit.Open(ctx, db, audit.Options{Actor: `CORP\a.khan`})
			if err != nil {
				t.Fatal(err)
			}
			_, err = st.CreateAudit(ctx, audit.Audit{Name: "2026-07 monthly", Period: "2026-07", Provenance: p, Columns: p.Columns},
				audit.CasesFromSelection(d.Sample.Cases))
			st.Close()
			if err != nil {
				t.Fatal(err)
			}

			// Without --input the recorded paths are looked at, named, and
			// the way out is said.
			code, out, errs := runCmd(t, "--db", db, "verify", "2026-07 monthly")
			if code != exitVerify || !strings.Contains(out+errs, tc.abs) || !strings.Contains(out+errs, "--input") {
				t.Errorf("verify without --input: exit %d, want %d, naming %s and --input:\n%s%s", code, exitVerify, tc.abs, out, errs)
			}
			code, out, errs = runCmd(t, "--db", db, "verify", "2026-07 monthly", "--input", xlsx)
			if code != 0 || !strings.Contains(out, "(the recorded export: same SHA-256)") || !strings.Contains(out, ": identical, 20 cases") {
				t.Errorf("verify --input: exit %d:\n%s%s", code, out, errs)
			}
			// The person who drew it is the Windows login, as recorded.
			code, out, errs = runCmd(t, "--db", db, "history", "2026-07 monthly")
			if code != 0 || !strings.Contains(out, `CORP\a.khan`) {
				t.Errorf("history: exit %d, want the login CORP\\a.khan:\n%s%s", code, out, errs)
			}
		})
	}
}
