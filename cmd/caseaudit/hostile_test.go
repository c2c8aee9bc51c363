package main

// Issue 8 at the command line: for every hostile or broken input the
// command exits 1 (2 for usage) with one line on stderr naming the file,
// writes no output file (not even a partial or temporary one), leaves the
// store as it was, and never panics; text from exports never reaches a
// terminal as control characters.

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
	_ "modernc.org/sqlite"
)

// ---- bad files ----

func hostileFile(t *testing.T, dir, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func excelizeBytes(t *testing.T, opts excelize.Options, build func(f *excelize.File)) []byte {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	p := filepath.Join(t.TempDir(), "b.xlsx")
	if err := f.SaveAs(p, opts); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func smallCases(n int) func(f *excelize.File) {
	return func(f *excelize.File) {
		f.SetSheetName("Sheet1", "Cases")
		f.SetSheetRow("Cases", "A1", &[]any{"Case Reference", "Team"})
		for i := 1; i <= n; i++ {
			f.SetSheetRow("Cases", fmt.Sprintf("A%d", i+1), &[]any{fmt.Sprintf("CR-%04d", i), "Team A"})
		}
	}
}

func zipOf(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		m := zip.Deflate
		if parts[i] == "mimetype" {
			m = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: parts[i], Method: m})
		if err != nil {
			t.Fatal(err)
		}
		io.WriteString(w, parts[i+1])
	}
	zw.Close()
	return buf.Bytes()
}

// handBook is a one-sheet workbook with hand-written sheetData.
func handBook(t *testing.T, sheetData string) []byte {
	return zipOf(t,
		"_rels/.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
		"xl/workbook.xml", `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels", `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
		"xl/worksheets/sheet1.xml", `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">`+sheetData+`</worksheet>`)
}

// bombBytes is an xlsx of about 2 MB whose sheet inflates to 2.1 GB of
// zeros (the size declared truly), built without compressing 2 GB: the
// deflate output for a megabyte of zeros repeats once the window is zeros.
func bombBytes(t *testing.T) []byte {
	t.Helper()
	const chunk, total = 1 << 20, 2100 << 20
	zeros := make([]byte, chunk)
	var body bytes.Buffer
	fw, _ := flate.NewWriter(&body, flate.BestCompression)
	fw.Write([]byte(`<worksheet><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Case Reference</t></is></c></row>`))
	for range 3 {
		fw.Write(zeros)
		fw.Flush()
	}
	mark := body.Len()
	fw.Write(zeros)
	fw.Flush()
	rep := append([]byte(nil), body.Bytes()[mark:]...)
	for n := 4 * chunk; n < total; n += chunk {
		body.Write(rep)
	}
	fw.Close()
	good := handBook(t, "<sheetData/>")
	zr, _ := zip.NewReader(bytes.NewReader(good), int64(len(good)))
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if f.Name != "xl/worksheets/sheet1.xml" {
			zw.Copy(f)
		}
	}
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(body.Len()), UncompressedSize64: total})
	w.Write(body.Bytes())
	zw.Close()
	return buf.Bytes()
}

// legacyXLSBytes is a Compound File without an encrypted package: to any
// reader, an old .xls.
func legacyXLSBytes(t *testing.T) []byte {
	raw := excelizeBytes(t, excelize.Options{Password: "pw"}, smallCases(1))
	u16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return b
	}
	raw = bytes.ReplaceAll(raw, u16("EncryptionInfo"), u16("SummaryInfoXYZ"))
	return bytes.ReplaceAll(raw, u16("EncryptedPackage"), u16("WorkbookXXXXXXXX"))
}

// badInput is one row of the matrix.
type badInput struct {
	name  string
	file  string // file name to write
	data  func(t *testing.T) []byte
	args  []string // extra arguments
	want  string   // part of the one-line error
	isDir bool
}

func badInputs() []badInput {
	lit := func(s string) func(*testing.T) []byte { return func(*testing.T) []byte { return []byte(s) } }
	half := func(t *testing.T) []byte {
		b := excelizeBytes(t, excelize.Options{}, smallCases(50))
		return b[:len(b)/2]
	}
	enc := func(t *testing.T) []byte {
		return excelizeBytes(t, excelize.Options{Password: "s3cret"}, smallCases(3))
	}
	return []badInput{
		{name: "empty csv", file: "empty.csv", data: lit(""), want: "the file is empty"},
		{name: "0-byte xlsx", file: "empty.xlsx", data: lit(""), want: "the file is empty"},
		{name: "zip cut in half", file: "half.xlsx", data: half, want: "damaged or incomplete"},
		{name: "legacy xls", file: "old.xls", data: legacyXLSBytes, want: "old-style .xls"},
		{name: "encrypted, no password", file: "locked.xlsx", data: enc, want: "password-protected"},
		{name: "encrypted, wrong password", file: "locked.xlsx", data: enc, args: []string{"--password", "nope"}, want: "wrong password"},
		{name: "ods", file: "cases.ods", data: func(t *testing.T) []byte {
			return zipOf(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet", "content.xml", "<x/>")
		}, want: ".ods"},
		{name: "pdf renamed xlsx", file: "cases.xlsx", data: lit("%PDF-1.4\n%%EOF\n"), want: "PDF"},
		{name: "zip bomb", file: "bomb.xlsx", data: bombBytes, want: "zip bomb"},
		{name: "a cell past XFD", file: "wide.xlsx", data: func(t *testing.T) []byte {
			return handBook(t, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Case Reference</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>CR-1</t></is></c><c r="XFE2"><v>1</v></c></row></sheetData>`)
		}, want: "XFE2"},
		{name: "header only", file: "h.csv", data: lit("Case Reference,Team\n"), want: "no case IDs"},
		{name: "no ID column", file: "noid.csv", data: lit("Forename,Team\nAmelia,A\n"), want: "--id-column"},
		{name: "every ID blank", file: "blank.csv", data: lit("Case Reference,Team\n,A\n,B\n"), want: "no case IDs"},
		{name: "duplicate IDs with --strict", file: "dup.csv", data: lit("Case Reference,Team\nCR-1,A\nCR-1,B\n"), args: []string{"--strict"}, want: "CR-1"},
		{name: "NUL bytes", file: "nul.csv", data: lit("Case Reference\x00,Team\nCR-1,A\n"), want: "not a spreadsheet or CSV file"},
		{name: "unbalanced quotes", file: "q.csv", data: lit("Case Reference,Note\nCR-1,\"open\nCR-2,x\n"), want: "row 2"},
		{name: "formula without cached value", file: "f.xlsx", data: func(t *testing.T) []byte {
			return handBook(t, `<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Case Reference</t></is></c></row><row r="2"><c r="A2"><f>1+1</f></c></row></sheetData>`)
		}, want: "formula without a saved value in cell A2"},
		{name: "missing file", file: "", want: "does not exist"},
		{name: "a directory", file: "adir", isDir: true, want: "directory"},
	}
}

// oneErrorLine checks stderr ends with exactly one "caseaudit: " line
// holding every want, with no trace of a panic. Lines before it may report
// what was read ("read FILE: …"), as on success.
func oneErrorLine(t *testing.T, stderr string, wants ...string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	if !strings.HasSuffix(stderr, "\n") || strings.Count(stderr, "caseaudit: ") != 1 || !strings.HasPrefix(last, "caseaudit: ") {
		t.Errorf("stderr does not end with one error line:\n%s", stderr)
	}
	for _, l := range lines[:len(lines)-1] {
		if !strings.HasPrefix(l, "read ") && !strings.HasPrefix(l, "seed ") && !strings.HasPrefix(l, "duplicate IDs") {
			t.Errorf("unexpected line before the error: %q", l)
		}
	}
	stderr = last
	for _, bad := range []string{"panic", "goroutine ", ".go:"} {
		if strings.Contains(stderr, bad) {
			t.Errorf("stderr holds %q:\n%s", bad, stderr)
		}
	}
	for _, w := range wants {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
}

// dirNames lists a folder's entries.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n []string
	for _, e := range es {
		n = append(n, e.Name())
	}
	return n
}

func fileHash(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

// TestHostileSampleMatrix runs `sample` on every bad input with --out and
// --audit: exit 1, one line, no output file, no temp file (in the output
// folder or in TMPDIR), and the store untouched.
func TestHostileSampleMatrix(t *testing.T) {
	dbDir := t.TempDir()
	db := filepath.Join(dbDir, "caseaudit.db")
	good := writeExport(t, "good.csv", synth.Options{Rows: 200, Seed: 1})
	if code, _, stderr := runCmd(t, "--db", db, "sample", good, "--size", "5", "--seed", "1", "--audit", "first"); code != 0 {
		t.Fatalf("setting up the store: %d %s", code, stderr)
	}
	before := fileHash(t, db)
	for _, in := range badInputs() {
		t.Run(in.name, func(t *testing.T) {
			tmp := t.TempDir()
			t.Setenv("TMPDIR", tmp)
			dir := t.TempDir()
			path := filepath.Join(dir, "missing.xlsx")
			switch {
			case in.isDir:
				path = filepath.Join(dir, in.file)
				os.Mkdir(path, 0o755)
			case in.file != "":
				path = hostileFile(t, dir, in.file, in.data(t))
			}
			outDir := t.TempDir()
			out := filepath.Join(outDir, "audit.xlsx")
			args := append([]string{"--db", db, "sample", path, "--size", "2", "--seed", "7", "--audit", "bad " + in.name, "--out", out}, in.args...)
			code, stdout, stderr := runCmd(t, args...)
			if code != exitError {
				t.Errorf("exit %d, want 1; stderr %s", code, stderr)
			}
			oneErrorLine(t, stderr, filepath.Base(path), in.want)
			if stdout != "" {
				t.Errorf("stdout %q", stdout)
			}
			if n := dirNames(t, outDir); len(n) != 0 {
				t.Errorf("output folder holds %v", n)
			}
			if n := dirNames(t, tmp); len(n) != 0 {
				t.Errorf("TMPDIR holds %v", n)
			}
		})
	}
	if fileHash(t, db) != before {
		t.Errorf("the store changed")
	}
	code, stdout, _ := runCmd(t, "--db", db, "audits", "--format", "csv")
	if code != 0 || strings.Count(stdout, "\n") != 2 {
		t.Errorf("audits after the bad inputs: %d\n%s", code, stdout)
	}
}

// TestHostileImportMatrix gives `import` the same bad files: exit 1, one
// line, nothing recorded.
func TestHostileImportMatrix(t *testing.T) {
	dbDir := t.TempDir()
	db := filepath.Join(dbDir, "caseaudit.db")
	good := writeExport(t, "good.csv", synth.Options{Rows: 200, Seed: 1})
	if code, _, stderr := runCmd(t, "--db", db, "sample", good, "--size", "5", "--seed", "1", "--audit", "A"); code != 0 {
		t.Fatalf("setting up the store: %d %s", code, stderr)
	}
	before := fileHash(t, db)
	for _, in := range badInputs() {
		if len(in.args) > 0 {
			continue // sample flags
		}
		t.Run(in.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "missing.xlsx")
			switch {
			case in.isDir:
				path = filepath.Join(dir, in.file)
				os.Mkdir(path, 0o755)
			case in.file != "":
				path = hostileFile(t, dir, in.file, in.data(t))
			}
			code, _, stderr := runCmd(t, "--db", db, "import", "A", path)
			if code != exitError {
				t.Errorf("exit %d, want 1; stderr %s", code, stderr)
			}
			oneErrorLine(t, stderr, filepath.Base(path))
		})
	}
	if fileHash(t, db) != before {
		t.Errorf("the store changed")
	}
}

func TestHostileUsageErrors(t *testing.T) {
	good := writeExport(t, "good.csv", synth.Options{Rows: 20, Seed: 1})
	for _, args := range [][]string{
		{"sample"},
		{"sample", good, "--size"},
		{"sample", good, "--no-such-flag"},
		{"sample", good, "--size", "x"},
		{"import", "A"},
		{"record"},
		{"no-such-command"},
	} {
		code, _, stderr := runCmd(t, args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want 2; %s", args, code, stderr)
		}
		if !strings.HasPrefix(stderr, "caseaudit: ") || strings.Count(stderr, "\n") > 2 || !strings.Contains(stderr, "--help") {
			t.Errorf("%q: stderr %q", args, stderr)
		}
	}
}

// TestHostileOutputTargets: existing output, missing folder, a folder, a
// device or pipe in the way — one line, exit 1, nothing replaced.
func TestHostileOutputTargets(t *testing.T) {
	good := writeExport(t, "good.csv", synth.Options{Rows: 200, Seed: 1})
	dir := t.TempDir()
	existing := hostileFile(t, dir, "existing.xlsx", []byte("keep me"))
	xlsxDir := filepath.Join(dir, "sub.xlsx")
	os.Mkdir(xlsxDir, 0o755)
	fifo := filepath.Join(dir, "fifo.xlsx")
	if err := mkfifo(t, fifo); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, out string
		force     bool
		want      string
	}{
		{"existing output", existing, false, "already exists"},
		{"missing output folder", filepath.Join(dir, "no", "such", "audit.xlsx"), false, "does not exist"},
		{"output is a folder", xlsxDir, true, "folder"},
		{"output is a pipe, with --force", fifo, true, "not a regular file"},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := dirNames(t, dir)
			args := []string{"sample", good, "--size", "3", "--seed", "1", "--out", c.out}
			if c.force {
				args = append(args, "--force")
			}
			code, _, stderr := runCmd(t, args...)
			if code != exitError {
				t.Errorf("exit %d, want 1; %s", code, stderr)
			}
			oneErrorLine(t, stderr, c.want)
			if after := dirNames(t, dir); fmt.Sprint(after) != fmt.Sprint(before) {
				t.Errorf("folder was %v, now %v", before, after)
			}
			if b, _ := os.ReadFile(existing); string(b) != "keep me" {
				t.Errorf("the existing file was replaced")
			}
			if st, err := os.Lstat(fifo); err != nil || st.Mode()&os.ModeNamedPipe == 0 {
				t.Errorf("the pipe was replaced: %v %v", st, err)
			}
		})
	}
}

// failWriter fails every write as a full disk does.
type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, syscall.ENOSPC }

// TestHostileFullDisk writes every stdout format of sample to a full disk:
// in-process to a writer failing with ENOSPC, and as a process with
// stdout on /dev/full. Exit 1 with one line, never 0.
func TestHostileFullDisk(t *testing.T) {
	good := writeExport(t, "good.csv", synth.Options{Rows: 300, Seed: 1})
	for _, format := range []string{"table", "csv", "json", "ids"} {
		var errb bytes.Buffer
		code := run(context.Background(), &IOStreams{In: bytes.NewReader(nil), Out: failWriter{}, Err: &errb},
			[]string{"sample", good, "--size", "100", "--seed", "1", "--format", format})
		if code != exitError {
			t.Errorf("%s to a full disk: exit %d, want 1; %s", format, code, errb.String())
		}
		oneErrorLine(t, errb.String(), "no space left")
	}
	full, err := os.OpenFile("/dev/full", os.O_WRONLY, 0)
	if err != nil {
		t.Skip("no /dev/full here")
	}
	defer full.Close()
	for _, format := range []string{"csv", "json"} {
		cmd := exec.Command("caseaudit", "sample", good, "--size", "100", "--seed", "1", "--format", format)
		var errb bytes.Buffer
		cmd.Stdout, cmd.Stderr = full, &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitError {
			t.Errorf("%s to /dev/full: %v, want exit 1; %s", format, err, errb.String())
		}
		oneErrorLine(t, errb.String(), "no space left")
	}
}

// ---- stores ----

func TestHostileStores(t *testing.T) {
	good := writeExport(t, "good.csv", synth.Options{Rows: 200, Seed: 1})
	dir := t.TempDir()
	text := hostileFile(t, dir, "notes.txt", []byte("these are my notes, not a database\n"))
	otherDB := filepath.Join(dir, "other.db")
	sdb, err := sql.Open("sqlite", otherDB)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sdb.Exec("CREATE TABLE t(x)"); err != nil {
		t.Fatal(err)
	}
	sdb.Close()
	// A store cut short: the header of a real store, then garbage.
	real := filepath.Join(dir, "real.db")
	if code, _, stderr := runCmd(t, "--db", real, "sample", good, "--size", "5", "--seed", "1", "--audit", "A"); code != 0 {
		t.Fatal(stderr)
	}
	rb, _ := os.ReadFile(real)
	corrupt := hostileFile(t, dir, "corrupt.db", append(append([]byte{}, rb[:100]...), bytes.Repeat([]byte{0xAB}, 8192)...))

	for _, c := range []struct {
		name, db, want string
	}{
		{"not a database", text, "not a caseaudit store"},
		{"another application's SQLite file", otherDB, "not a caseaudit store"},
		{"corrupt store", corrupt, "corrupt.db"},
		{"a directory", dir, "directory"},
	} {
		for _, args := range [][]string{
			{"audits"},
			{"status", "A"},
			{"record", "A", "CR-0000001", "--grade", "good", "--immediate", "no", "--auditor", "X"},
			{"sample", good, "--size", "3", "--seed", "1", "--audit", "B"},
			{"verify", "A"},
		} {
			t.Run(c.name+"/"+args[0], func(t *testing.T) {
				var before [32]byte
				if c.db != dir {
					before = fileHash(t, c.db)
				}
				code, _, stderr := runCmd(t, append([]string{"--db", c.db}, args...)...)
				if code != exitError {
					t.Errorf("exit %d, want 1; %s", code, stderr)
				}
				oneErrorLine(t, stderr, c.want)
				if c.db != dir && fileHash(t, c.db) != before {
					t.Errorf("%s was changed", c.db)
				}
				for _, suffix := range []string{"-wal", "-shm", "-journal"} {
					if _, err := os.Stat(c.db + suffix); err == nil && c.db != real {
						t.Errorf("%s%s was created", c.db, suffix)
					}
				}
			})
		}
	}
}

// TestHostileLockedStore holds the store's write lock from another
// connection: record waits its busy timeout, then says so in one line;
// nothing is recorded.
func TestHostileLockedStore(t *testing.T) {
	good := writeExport(t, "good.csv", synth.Options{Rows: 200, Seed: 1})
	db := filepath.Join(t.TempDir(), "caseaudit.db")
	if code, _, stderr := runCmd(t, "--db", db, "sample", good, "--size", "5", "--seed", "1", "--audit", "A", "--format", "ids"); code != 0 {
		t.Fatal(stderr)
	}
	_, ids, _ := runCmd(t, "--db", db, "sample", good, "--size", "1", "--seed", "1", "--format", "ids")
	id := strings.TrimSpace(ids)
	holder, err := sql.Open("sqlite", db+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCmd(t, "--db", db, "record", "A", id, "--grade", "good", "--immediate", "no", "--auditor", "X")
	if code != exitError {
		t.Errorf("exit %d, want 1; %s", code, stderr)
	}
	oneErrorLine(t, stderr, "busy", "try again")
	conn.ExecContext(context.Background(), "ROLLBACK")
	conn.Close()
	code, stdout, _ := runCmd(t, "--db", db, "status", "A")
	if code != 0 || !strings.Contains(stdout, "0 of 5 cases recorded") {
		t.Errorf("status after the refused record: %d %s", code, stdout)
	}
}

// ---- injection ----

// evilExport is a csv whose cells try formula injection and terminal
// escapes, IDs included.
func evilExport(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("Case Reference,Team,Allocated Worker,Legal Status\n")
	evil := []string{"=HYPERLINK(\"http://x\",\"click\")", "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\x1b[2J\x1b[31mRED", "\x1b]0;owned\x07", "plain"}
	for i := 0; i < 40; i++ {
		id := fmt.Sprintf("CR-%04d", i+1)
		if i%8 == 5 {
			id = fmt.Sprintf("CR-%04d\x1b[5m", i+1)
		}
		fmt.Fprintf(&b, "%s,\"%s\",Worker %d,\"%s\"\n", id, strings.ReplaceAll(evil[i%len(evil)], `"`, `""`), i%3, strings.ReplaceAll(evil[(i+3)%len(evil)], `"`, `""`))
	}
	p := filepath.Join(t.TempDir(), "evil.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

var controlChar = regexp.MustCompile("[\x00-\x08\x0b-\x1f\x7f\u0080-\u009f]")

// noControls fails if text meant for a terminal holds a control character
// other than newline and tab (ESC above all).
func noControls(t *testing.T, what, s string) {
	t.Helper()
	if loc := controlChar.FindStringIndex(s); loc != nil {
		t.Errorf("%s holds control character %q near %q", what, s[loc[0]:loc[1]], s[max(0, loc[0]-20):min(len(s), loc[1]+20)])
	}
}

func TestHostileInjection(t *testing.T) {
	exp := evilExport(t)
	dir := t.TempDir()
	db := filepath.Join(dir, "caseaudit.db")
	out := filepath.Join(dir, "audit.xlsx")
	code, stdout, stderr := runTerm(t, "--db", db, "sample", exp, "--size", "40", "--seed", "1", "--audit", "A",
		"--auditors", "P. One,P. Two", "--worker-column", "Allocated Worker", "--out", out)
	if code != 0 {
		t.Fatalf("sample: %d %s", code, stderr)
	}
	noControls(t, "sample table", stdout)
	noControls(t, "sample stderr", stderr)

	// CSV: every cell starting with = + @ tab gets a quote (a number like
	// -2+3 is not a number, so it is quoted too).
	_, csvOut, _ := runCmd(t, "sample", exp, "--size", "40", "--seed", "1", "--format", "csv")
	for _, want := range []string{`"'=HYPERLINK(""http://x"",""click"")"`, "'+1+1", "'-2+3", "'@SUM(A1)"} { // a leading tab or CR is trimmed by the reader
		if !strings.Contains(csvOut, want) {
			t.Errorf("csv output lacks %q", want)
		}
	}
	for _, line := range strings.Split(csvOut, "\n") {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.TrimPrefix(cell, `"`)
			if cell != "" && strings.ContainsRune("=+@\t", rune(cell[0])) {
				t.Errorf("csv cell starts with %q: %q", cell[0], cell)
			}
		}
	}

	// The workbook holds them as text, never as formulas.
	f, err := excelize.OpenFile(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Sample")
	formulas := 0
	for r := range rows {
		for c := range rows[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fo, _ := f.GetCellFormula("Sample", cell); fo != "" && !strings.HasPrefix(rows[0][c], "Immediate") {
				formulas++
				t.Errorf("cell %s is a formula: %q", cell, fo)
			}
			if strings.HasPrefix(rows[r][c], "=HYPERLINK") {
				if typ, _ := f.GetCellType("Sample", cell); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
					t.Errorf("cell %s holding %q has type %v", cell, rows[r][c], typ)
				}
			}
		}
	}

	// A second audit without auditors (status lists the cases to do), with
	// findings whose notes hold escapes, and a moderation sample.
	if code, _, se := runCmd(t, "--db", db, "sample", exp, "--size", "40", "--seed", "1", "--audit", "B"); code != 0 {
		t.Fatal(se)
	}
	for i, id := range []string{"CR-0006\x1b[5m", "CR-0014\x1b[5m", "CR-0001"} {
		code, so, se := runTerm(t, "--db", db, "record", "B", id, "--grade", "good", "--immediate", "no",
			"--auditor", "P. One\x1b[8m", "--note", fmt.Sprintf("\x1b[2J\x1b]0;title\x07note %d\r\nsecond line", i))
		if code != 0 {
			t.Fatalf("record %q: %d %s", id, code, se)
		}
		noControls(t, "record stdout", so)
		noControls(t, "record stderr", se)
	}

	// A small audit of the evil IDs alone, so status lists them all.
	small := filepath.Join(dir, "small.csv")
	os.WriteFile(small, []byte("Case Reference,Team\nCR-1\x1b[2J,A\nCR-2,B\nCR-3\x1b]0;x\x07,C\n"), 0o600)
	if code, _, se := runCmd(t, "--db", db, "sample", small, "--size", "3", "--seed", "1", "--audit", "C"); code != 0 {
		t.Fatal(se)
	}

	// Everything that prints export text to a terminal.
	for _, args := range [][]string{
		{"status", "C"},
		{"record", "C", "CR-1\x1b[2J", "--grade", "good", "--immediate", "no", "--auditor", "X"},
		{"status", "C"},
		{"status", "B"},
		{"history", "B"},
		{"history", "B", "CR-0006\x1b[5m"},
		{"moderate", "B", "--size", "3", "--seed", "2"},
		{"moderate", "B", "--size", "3", "--seed", "2", "--format", "ids"},
		{"record", "B", "CR-0006\x1b[5m", "--grade", "inadequate", "--immediate", "yes", "--auditor", "X"},
		{"record", "B", "CR-0006\x1b[6m", "--grade", "inadequate", "--immediate", "yes", "--auditor", "X"},
		{"sample", exp, "--size", "40", "--seed", "1"},
		{"sample", exp, "--size", "40", "--seed", "1", "--format", "ids"},
		{"status", "A"},
		{"history", "A"},
		{"audits"},
		{"allocate", "A", "--auditors", "Q. Three,Q. Four", "--force"},
		{"moderate", "A", "--size", "3", "--seed", "2", "--format", "ids"},
		{"verify", "A"},
	} {
		_, so, se := runTerm(t, append([]string{"--db", db}, args...)...)
		noControls(t, strings.Join(args[:1], " ")+" stdout", so)
		noControls(t, strings.Join(args[:1], " ")+" stderr", se)
	}
	// An import whose problems quote the cells: the notes and grades hold escapes.
	g, _ := excelize.OpenFile(out)
	rows, _ = g.GetRows("Sample")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i + 1
	}
	for r := 2; r <= len(rows); r++ {
		set := func(name, v string) {
			cell, _ := excelize.CoordinatesToCellName(col[name], r)
			g.SetCellStr("Sample", cell, v)
		}
		set("Grade", "Goo\x1b[2Jd")
		set("Immediate attention", "\x1b]0;x\x07yes")
		set("Notes", "\x1b[31mnote")
	}
	filled := filepath.Join(dir, "filled.xlsx")
	g.SaveAs(filled)
	g.Close()
	code, so, se := runCmd(t, "--db", db, "import", "A", filled)
	if code != exitError {
		t.Errorf("import of bad grades: exit %d", code)
	}
	noControls(t, "import stdout", so)
	noControls(t, "import stderr", se)
}

// ---- crashes ----

// startCaseaudit starts the caseaudit binary (set up in $PATH by
// testscript.Main) and returns a channel closed when it has exited.
func startCaseaudit(t *testing.T, dir string, args ...string) (*exec.Cmd, chan struct{}) {
	t.Helper()
	cmd := exec.Command("caseaudit", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "CASEAUDIT_NOW=2026-07-01T09:00:00Z", "CASEAUDIT_USER=qa")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	return cmd, done
}

// killWhen polls until cond holds or the process exits, then kills it
// with SIGKILL. It reports whether the kill came before the exit.
func killWhen(cmd *exec.Cmd, done chan struct{}, cond func() bool) bool {
	for {
		select {
		case <-done:
			return false
		default:
		}
		if cond() {
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			return true
		}
	}
}

func storeIntegrity(t *testing.T, db string) {
	t.Helper()
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestHostileKillSampleOut kills `sample --out` as soon as its temporary
// file appears: the target is absent or complete, never partial; the only
// leftover is the writer's hidden temporary file, which the next write
// removes once it is stale.
func TestHostileKillSampleOut(t *testing.T) {
	exp := writeExport(t, "cases.xlsx", synth.Options{Rows: 3000, Seed: 3})
	dir := t.TempDir()
	out := filepath.Join(dir, "audit.xlsx")
	tempSeen := func() bool {
		for _, n := range dirNames(t, dir) {
			if strings.HasPrefix(n, ".audit.xlsx.tmp-") {
				return true
			}
		}
		return false
	}
	killed := 0
	for round := 0; round < 3; round++ {
		cmd, done := startCaseaudit(t, dir, "sample", exp, "--size", "2000", "--seed", "1", "--out", out, "--force", "-q")
		if killWhen(cmd, done, tempSeen) {
			killed++
		}
		if _, err := os.Stat(out); err == nil {
			f, err := excelize.OpenFile(out)
			if err != nil {
				t.Fatalf("round %d: the target is not a complete workbook: %v", round, err)
			}
			rows, _ := f.GetRows("Sample")
			f.Close()
			if len(rows) != 2001 {
				t.Fatalf("round %d: the target holds %d rows, want 2001", round, len(rows))
			}
		}
		for _, n := range dirNames(t, dir) {
			if n != "audit.xlsx" && !strings.HasPrefix(n, ".audit.xlsx.tmp-") {
				t.Errorf("round %d: stray file %s", round, n)
			}
		}
	}
	t.Logf("killed %d of 3 runs while writing", killed)
	// Age the leftovers past StaleAge: the next write removes them.
	old := time.Now().Add(-2 * time.Hour)
	for _, n := range dirNames(t, dir) {
		os.Chtimes(filepath.Join(dir, n), old, old)
	}
	if code, _, stderr := runCmd(t, "sample", exp, "--size", "20", "--seed", "1", "--out", out, "--force", "-q"); code != 0 {
		t.Fatal(stderr)
	}
	if n := dirNames(t, dir); len(n) != 1 || n[0] != "audit.xlsx" {
		t.Errorf("after a later write the folder holds %v", n)
	}
}

// fillWorkbook grades every case of an auditors' workbook, as auditors do.
func fillWorkbook(t *testing.T, in, out string) int {
	t.Helper()
	return fillSample(t, in, out, func(r int, set func(column, value string)) {
		set("Auditor", "A. Khan")
		set("Grade", []string{"Good", "Inadequate", "Outstanding"}[r%3])
		set("Immediate attention", map[bool]string{true: "Yes", false: "No"}[r%7 == 0])
		set("Notes", fmt.Sprintf("read in full (%d)", r))
	})
}

// fillSample fills each case row (r from 2) of a workbook's Sample sheet,
// setting cells by their column's heading, and saves it as out; it returns
// the number of cases.
func fillSample(t *testing.T, in, out string, fill func(r int, set func(column, value string))) int {
	t.Helper()
	f, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Sample")
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i + 1
	}
	for r := 2; r <= len(rows); r++ {
		fill(r, func(name, v string) {
			cell, _ := excelize.CoordinatesToCellName(col[name], r)
			f.SetCellStr("Sample", cell, v)
		})
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
	return len(rows) - 1
}

// TestHostileKillImportAndRecord kills `import` while it writes to the
// store, and `record` at once and later: the store passes integrity_check
// and `caseaudit verify`, and the import is all or nothing.
func TestHostileKillImportAndRecord(t *testing.T) {
	exp := writeExport(t, "cases.csv", synth.Options{Rows: 3000, Seed: 4})
	dir := t.TempDir()
	db := filepath.Join(dir, "caseaudit.db")
	wb := filepath.Join(dir, "audit.xlsx")
	if code, _, stderr := runCmd(t, "--db", db, "sample", exp, "--size", "1500", "--seed", "9", "--audit", "A", "--out", wb, "-q"); code != 0 {
		t.Fatal(stderr)
	}
	filled := filepath.Join(dir, "filled.xlsx")
	n := fillWorkbook(t, wb, filled)
	walSize := func() int64 {
		st, err := os.Stat(db + "-wal")
		if err != nil {
			return 0
		}
		return st.Size()
	}
	recorded := func() int {
		code, stdout, stderr := runCmd(t, "--db", db, "status", "A", "--format", "json")
		if code != 0 {
			t.Fatalf("status: %s", stderr)
		}
		var got struct{ Recorded int }
		if err := json.Unmarshal([]byte(stdout), &got); err != nil {
			t.Fatal(err)
		}
		return got.Recorded
	}
	check := func(what string) {
		t.Helper()
		storeIntegrity(t, db)
		if code, stdout, stderr := runCmd(t, "--db", db, "verify", "A"); code != 0 {
			t.Fatalf("%s: verify exit %d\n%s%s", what, code, stdout, stderr)
		}
	}

	// Kill points: at once (reading the workbook), at the first write to
	// the WAL, and once 64 KB of it are written (during the commit).
	for i, grow := range []int64{-1, 0, 64 << 10} {
		start := walSize()
		cmd, done := startCaseaudit(t, dir, "import", "A", filled)
		killed := killWhen(cmd, done, func() bool { return grow < 0 || walSize() > start+grow })
		check("import")
		r := recorded()
		if r != 0 && r != n {
			t.Fatalf("after import killed at point %d, %d of %d findings are recorded; want all or nothing", i, r, n)
		}
		t.Logf("import kill point %d: killed %v, recorded %d of %d", i, killed, r, n)
	}

	// record: killed at once, and once the WAL moves.
	_, ids, _ := runCmd(t, "--db", db, "sample", exp, "--size", "3", "--seed", "9", "--format", "ids")
	for i, id := range strings.Fields(ids) {
		start := walSize()
		cmd, done := startCaseaudit(t, dir, "record", "A", id, "--grade", "inadequate", "--immediate", "yes",
			"--auditor", "B. Evans", "--reason", "second look", "--note", "killed")
		killWhen(cmd, done, func() bool { return i == 0 || walSize() != start })
		check("record " + id)
	}
	if code, _, stderr := runCmd(t, "--db", db, "import", "A", filled, "--correct", "all", "--reason", "after the crash"); code != 0 {
		t.Fatalf("import after the crashes: %s", stderr)
	}
	if r := recorded(); r != n {
		t.Errorf("after a clean import %d of %d recorded", r, n)
	}
	check("final")
}

// ---- permissions ----

// TestHostilePermissions: an unreadable export, a read-only store and an
// output folder one may not write. Root reads and writes everything, so
// when run as root the commands run as user nobody (uid 65534).
func TestHostilePermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes restrict nothing on Windows: the folder's access list does (README, For your IT department)")
	}
	dir, err := os.MkdirTemp("", "caseaudit-perm-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	bin, err := exec.LookPath("caseaudit")
	if err != nil {
		t.Fatal(err)
	}
	self, _ := os.ReadFile(bin)
	binCopy := filepath.Join(dir, "caseaudit")
	if err := os.WriteFile(binCopy, self, 0o755); err != nil {
		t.Fatal(err)
	}
	exp := filepath.Join(dir, "cases.csv")
	var b strings.Builder
	b.WriteString("Case Reference,Team\n")
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "CR-%04d,T%d\n", i, i%3)
	}
	os.WriteFile(exp, []byte(b.String()), 0o644)
	db := filepath.Join(dir, "caseaudit.db")
	if code, _, stderr := runCmd(t, "--db", db, "sample", exp, "--size", "5", "--seed", "1", "--audit", "A"); code != 0 {
		t.Fatal(stderr)
	}
	// Fold the WAL in so the read-only store is one file.
	sdb, _ := sql.Open("sqlite", db)
	sdb.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	sdb.Close()
	os.Remove(db + "-wal")
	os.Remove(db + "-shm")
	secret := filepath.Join(dir, "secret.csv")
	os.WriteFile(secret, []byte(b.String()), 0o600)
	outDir := filepath.Join(dir, "ro")
	os.Mkdir(outDir, 0o555)
	config := filepath.Join(dir, "audit.yaml")
	os.WriteFile(config, []byte("input: cases.csv\n"), 0o600)

	root := os.Geteuid() == 0
	if !root {
		os.Chmod(secret, 0)
		os.Chmod(config, 0)
		os.Chmod(db, 0o444)
		os.Chmod(dir, 0o555)
		t.Cleanup(func() { os.Chmod(dir, 0o755) })
	} else {
		os.Chmod(db, 0o644)
	}
	runAs := func(args ...string) (int, string) {
		cmd := exec.Command(binCopy, args...)
		cmd.Dir = dir
		cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + dir, "CASEAUDIT_USER=qa"}
		if root {
			runAsNobody(cmd)
		}
		var errb bytes.Buffer
		cmd.Stderr = &errb
		err := cmd.Run()
		var ee *exec.ExitError
		if err != nil && !errors.As(err, &ee) {
			t.Fatalf("running %v: %v", args, err)
		}
		return cmd.ProcessState.ExitCode(), errb.String()
	}
	before := fileHash(t, db)
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"unreadable export", []string{"sample", secret, "--size", "3", "--seed", "1"}, "permission denied"},
		{"read-only store: record", []string{"--db", db, "record", "A", "CR-0001", "--grade", "good", "--immediate", "no", "--auditor", "X"}, "caseaudit.db is read-only; check its permissions"},
		{"read-only store: new audit", []string{"--db", db, "sample", exp, "--size", "3", "--seed", "1", "--audit", "B"}, "caseaudit.db is read-only; check its permissions"},
		{"unreadable configuration", []string{"run", config, "--stage", "sample"}, "cannot read the configuration " + config + ": permission denied"},
		{"output folder not writable", []string{"sample", exp, "--size", "3", "--seed", "1", "--out", filepath.Join(outDir, "a.xlsx")},
			"cannot write " + filepath.Join(outDir, "a.xlsx") + ": the folder " + outDir + " is not writable by you; choose another folder with --out"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stderr := runAs(c.args...)
			t.Logf("exit %d: %s", code, strings.TrimSpace(stderr))
			if code != exitError {
				t.Errorf("exit %d, want 1; %s", code, stderr)
			}
			oneErrorLine(t, stderr, c.want)
		})
	}
	if fileHash(t, db) != before {
		t.Errorf("the read-only store changed")
	}
	if n := dirNames(t, outDir); len(n) != 0 {
		t.Errorf("the read-only folder holds %v", n)
	}
}

// TestHostileSampleAccepts: awkward but valid exports read correctly from
// the command line — the sample is the same as from a clean csv of the
// same IDs (the sampler depends only on the seed and the IDs).
func TestHostileSampleAccepts(t *testing.T) {
	dir := t.TempDir()
	var clean strings.Builder
	clean.WriteString("Case Reference,Team\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&clean, "CR-%04d,Team A\n", i)
	}
	ref := hostileFile(t, dir, "clean.csv", []byte(clean.String()))
	_, want, _ := runCmd(t, "sample", ref, "--size", "7", "--seed", "s", "--format", "ids")
	if strings.Count(want, "\n") != 7 {
		t.Fatalf("reference sample %q", want)
	}
	book := func(name string, opts excelize.Options, sheet string, merge bool) string {
		b := excelizeBytes(t, opts, func(f *excelize.File) {
			f.SetSheetName("Sheet1", "Übersicht")
			f.NewSheet(sheet)
			f.SetSheetRow(sheet, "A1", &[]any{"Case Reference", "", "Team"})
			if merge {
				f.MergeCell(sheet, "A1", "B1")
			}
			for i := 1; i <= 30; i++ {
				f.SetSheetRow(sheet, fmt.Sprintf("A%d", i+1), &[]any{fmt.Sprintf("CR-%04d", i), "", "Team A"})
			}
		})
		return hostileFile(t, dir, name, b)
	}
	for _, c := range []struct {
		name string
		path string
		args []string
	}{
		{"CR line ends", hostileFile(t, dir, "cr.csv", []byte(strings.ReplaceAll(clean.String(), "\n", "\r"))), nil},
		{"CRLF line ends", hostileFile(t, dir, "crlf.csv", []byte(strings.ReplaceAll(clean.String(), "\n", "\r\n"))), nil},
		{"UTF-16 with BOM", hostileFile(t, dir, "u16.csv", utf16LE("\ufeff"+clean.String())), nil},
		{"encrypted, right password", book("locked.xlsx", excelize.Options{Password: "s3cret"}, "Fälle Juli", false), []string{"--password", "s3cret"}},
		{"merged header, non-ASCII sheet name with spaces", book("merged.xlsx", excelize.Options{}, " Fälle – Juli 2026 ", true), []string{"--sheet", "fälle – juli 2026"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, got, stderr := runCmd(t, append([]string{"sample", c.path, "--size", "7", "--seed", "s", "--format", "ids"}, c.args...)...)
			if code != 0 || got != want {
				t.Errorf("exit %d, sample\n%s\nwant\n%s\n%s", code, got, want, stderr)
			}
		})
	}
}

func utf16LE(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), byte(r>>8))
	}
	return b
}

// TestHostileConcurrentRecord: eight auditors record at once, each in their
// own process; every finding is kept and the trail verifies.
func TestHostileConcurrentRecord(t *testing.T) {
	exp := writeExport(t, "cases.csv", synth.Options{Rows: 500, Seed: 5})
	dir := t.TempDir()
	db := filepath.Join(dir, "caseaudit.db")
	if code, _, stderr := runCmd(t, "--db", db, "sample", exp, "--size", "8", "--seed", "3", "--audit", "A", "-q"); code != 0 {
		t.Fatal(stderr)
	}
	_, ids, _ := runCmd(t, "--db", db, "sample", exp, "--size", "8", "--seed", "3", "--format", "ids", "-q")
	var cmds []*exec.Cmd
	var errs []*bytes.Buffer
	for i, id := range strings.Fields(ids) {
		cmd := exec.Command("caseaudit", "--db", db, "record", "A", id, "--grade", "good", "--immediate", "no", "--auditor", fmt.Sprint("Auditor ", i))
		var eb bytes.Buffer
		cmd.Stderr = &eb
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, errs = append(cmds, cmd), append(errs, &eb)
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Errorf("record %d: %v %s", i, err, errs[i])
		}
	}
	code, stdout, _ := runCmd(t, "--db", db, "status", "A")
	if code != 0 || !strings.Contains(stdout, "8 of 8 cases recorded") {
		t.Errorf("status: %s", stdout)
	}
	if code, stdout, stderr := runCmd(t, "--db", db, "verify", "A"); code != 0 {
		t.Errorf("verify: %d %s %s", code, stdout, stderr)
	}
	storeIntegrity(t, db)
}
