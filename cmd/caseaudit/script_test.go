package main

import (
	"archive/zip"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
)

var updateScripts = flag.Bool("update-scripts", false, "rewrite cmp expectations in testdata/script from the actual output")

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"caseaudit": func() { os.Exit(checkedMain()) },
	})
}

// TestScripts runs the acceptance scripts in testdata/script: one story per
// file, readable as documentation of the command line.
func TestScripts(t *testing.T) {
	seen := filepath.Join(t.TempDir(), "schemas-seen")
	said := filepath.Join(t.TempDir(), "messages-seen")
	if f := flag.Lookup("test.run"); f == nil || f.Value.String() == "" || *updateMessages {
		// Every story ran: together they print a document of every
		// schema, and the table of messages names a story for each.
		t.Cleanup(func() {
			if !t.Failed() {
				checkEverySchemaSeen(t, schemasSeen(t, seen))
				checkMessagesTable(t, said)
			}
		})
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		UpdateScripts:       *updateScripts,
		Setup: func(e *testscript.Env) error {
			e.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
			// A date audited is a local calendar date: the stories' days
			// are UTC's, whatever the machine's time zone.
			e.Setenv("TZ", "UTC")
			e.Setenv("NO_COLOR", "1")
			// What the caseaudit the stories run (this test binary) must
			// call itself, hashed here independently of internal/version.
			sum, err := testExeSHA256()
			e.Setenv("EXE_SHA256", sum)
			e.Setenv("CASEAUDIT_SCHEMAS_SEEN", seen)
			e.Setenv("CASEAUDIT_MESSAGES_SEEN", said)
			return err
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"genexport":  cmdGenexport,
			"filemode":   cmdFilemode,
			"shuffle":    cmdShuffle,
			"fill":       cmdFill,
			"exits":      cmdExits,
			"xlsxcat":    cmdXlsxcat,
			"runhint":    cmdRunhint,
			"mkfile":     cmdMkfile,
			"sqlitelock": cmdSqlitelock,
			"tinyfs":     cmdTinyfs,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "tinyfs" {
				// Under CI the story runs whatever this machine allows, so
				// a runner that cannot mount fails it rather than skipping
				// the full-disk messages unseen.
				return canMountTinyfs() || os.Getenv("CI") == "true", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// cmdExits runs a command that must fail with an exact exit status, and
// keeps its output for stdout and stderr to check:
//
//	exits 4 caseaudit verify '2026-07 monthly'
//
// Scripts use it instead of "! exec", which accepts any failure.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE COMMAND [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// TestScriptsAssertExitCodes: no acceptance script accepts any failure.
func TestScriptsAssertExitCodes(t *testing.T) {
	files, err := filepath.Glob("testdata/*script/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatal(err, files)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "! exec") {
				t.Errorf("%s:%d: %q accepts any failure; write 'exits CODE …'", f, i+1, line)
			}
			if strings.HasPrefix(line, "-- ") {
				break // the archive's files follow
			}
		}
	}
}

// cmdGenexport writes a synthetic export, so no binary test files are
// committed:
//
//	genexport [-n ROWS] [-seed N] [-messy] [-encoding utf8|utf8bom|cp1252|utf16le|utf16be]
//	          [-delim C] [-sheet NAME] [-shared] [-closed-every N] [-name-variants] FILE.csv|FILE.xlsx
func cmdGenexport(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("unsupported: ! genexport")
	}
	o := synth.Options{Rows: 3000, Seed: 1}
	var path string
	for i := 0; i < len(args); i++ {
		next := func() string {
			i++
			if i >= len(args) {
				ts.Fatalf("genexport: %s needs a value", args[i-1])
			}
			return args[i]
		}
		switch args[i] {
		case "-n":
			n, err := strconv.Atoi(next())
			ts.Check(err)
			o.Rows = n
		case "-seed":
			n, err := strconv.ParseUint(next(), 10, 64)
			ts.Check(err)
			o.Seed = n
		case "-messy":
			o.Messy = true
		case "-encoding":
			o.Encoding = next()
		case "-delim":
			d := next()
			if d == "tab" {
				d = "\t"
			}
			o.Delim = []rune(d)[0]
		case "-sheet":
			o.Sheet = next()
		case "-shared":
			o.SharedStrings = true
		case "-closed-every":
			n, err := strconv.Atoi(next())
			ts.Check(err)
			o.ClosedEvery = n
		case "-name-variants":
			o.NameVariants = true
		default:
			if strings.HasPrefix(args[i], "-") {
				ts.Fatalf("genexport: unknown flag %s", args[i])
			}
			path = ts.MkAbs(args[i])
		}
	}
	if path == "" {
		ts.Fatalf("usage: genexport [flags] FILE")
	}
	f, err := os.Create(path)
	ts.Check(err)
	defer f.Close()
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		ts.Check(synth.WriteXLSX(f, o))
	} else {
		ts.Check(synth.WriteCSV(f, o))
	}
}

// cmdFilemode checks a file's permission bits: filemode 0600 FILE.
func cmdFilemode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 2 {
		ts.Fatalf("usage: filemode MODE FILE")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	st, err := os.Stat(ts.MkAbs(args[1]))
	ts.Check(err)
	got := uint64(st.Mode().Perm())
	if (got == want) == neg {
		ts.Fatalf("%s has mode %04o, want %s%04o", args[1], got, map[bool]string{true: "not ", false: ""}[neg], want)
	}
}

// cmdShuffle writes a copy of a csv export with its data lines in another
// order (the header line stays first): shuffle SEED IN OUT.
func cmdShuffle(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 3 {
		ts.Fatalf("usage: shuffle SEED IN OUT")
	}
	seed, err := strconv.ParseUint(args[0], 10, 64)
	ts.Check(err)
	lines := strings.SplitAfter(ts.ReadFile(args[1]), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	data := lines[1:]
	rand.New(rand.NewPCG(seed, 1)).Shuffle(len(data), func(i, j int) { data[i], data[j] = data[j], data[i] })
	ts.Check(os.WriteFile(ts.MkAbs(args[2]), []byte(strings.Join(lines, "")), 0o600))
}

// cmdFill fills in an auditors' workbook as auditors would, in Excel:
//
//	fill [-rows N] [-flag-every K] [-auditor NAME] [-grades G1,G2,…] [-note TEXT] [-date YYYY-MM-DD] IN.xlsx OUT.xlsx
//
// Rows 1..N (default all) get a grade (cycling through the list, default
// Good,Requires improvement,Outstanding,Inadequate), immediate attention Yes
// on every K-th row (default never), the auditor (unless the row has one),
// a note (default one naming the row) and a real date cell (default a day
// of July 2026 that depends on the row).
func cmdFill(ts *testscript.TestScript, neg bool, args []string) {
	rows, every, auditor, note, day := -1, 0, "A. Khan", "", time.Time{}
	grades := []string{"Good", "Requires improvement", "Outstanding", "Inadequate"}
	var files []string
	for i := 0; i < len(args); i++ {
		switch args[i] {
		case "-rows":
			i++
			n, err := strconv.Atoi(args[i])
			ts.Check(err)
			rows = n
		case "-flag-every":
			i++
			n, err := strconv.Atoi(args[i])
			ts.Check(err)
			every = n
		case "-auditor":
			i++
			auditor = args[i]
		case "-grades":
			i++
			grades = strings.Split(args[i], ",")
		case "-note":
			i++
			note = args[i]
		case "-date":
			i++
			d, err := time.Parse("2006-01-02", args[i])
			ts.Check(err)
			day = d
		default:
			files = append(files, args[i])
		}
	}
	if len(files) != 2 {
		ts.Fatalf("usage: fill [flags] IN.xlsx OUT.xlsx")
	}
	f, err := excelize.OpenFile(ts.MkAbs(files[0]))
	ts.Check(err)
	defer f.Close()
	all, err := f.GetRows("Sample")
	ts.Check(err)
	col := map[string]int{}
	for i, h := range all[0] {
		col[h] = i + 1
	}
	cell := func(c, r int) string { n, _ := excelize.CoordinatesToCellName(c, r); return n }
	dateStyle, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	for r := 2; r <= len(all); r++ {
		k := r - 1
		if rows >= 0 && k > rows {
			break
		}
		who := "Auditor"
		if _, ok := col[who]; !ok {
			who = "Moderator" // a moderators' workbook
		}
		if v, _ := f.GetCellValue("Sample", cell(col[who], r)); v == "" {
			f.SetCellStr("Sample", cell(col[who], r), auditor)
		}
		f.SetCellStr("Sample", cell(col["Grade"], r), grades[(k-1)%len(grades)])
		imm := "No"
		if every > 0 && k%every == 0 {
			imm = "Yes"
		}
		f.SetCellStr("Sample", cell(col["Immediate attention"], r), imm)
		n, d := note, day
		if n == "" {
			n = fmt.Sprintf("Case file read in full (%d).", k)
		}
		if d.IsZero() {
			d = time.Date(2026, 7, 10+k%10, 0, 0, 0, 0, time.UTC)
		}
		f.SetCellStr("Sample", cell(col["Notes"], r), n)
		f.SetCellValue("Sample", cell(col["Date audited"], r), d)
		f.SetCellStyle("Sample", cell(col["Date audited"], r), cell(col["Date audited"], r), dateStyle)
	}
	ts.Check(f.SaveAs(ts.MkAbs(files[1])))
}

// cmdXlsxcat prints a sheet of a workbook, one row a line, cells separated
// by " | ", for stories to match:
//
//	xlsxcat [-print] FILE.xlsx SHEET
//
// With -print it prints the sheet's print setup instead: orientation, the
// pages it is fitted to, the rows repeated on every page, the header and
// the footer.
func cmdXlsxcat(ts *testscript.TestScript, neg bool, args []string) {
	print := len(args) > 0 && args[0] == "-print"
	sizes := len(args) > 0 && args[0] == "-sizes"
	if print || sizes {
		args = args[1:]
	}
	if len(args) != 2 || neg {
		ts.Fatalf("usage: xlsxcat [-print|-sizes] FILE.xlsx SHEET")
	}
	f, err := excelize.OpenFile(ts.MkAbs(args[0]))
	ts.Check(err)
	defer f.Close()
	sheet := args[1]
	if sizes {
		// Each column's width by its header, then each row's height:
		// what a printed sheet leaves room for.
		rows, err := f.GetRows(sheet)
		ts.Check(err)
		cols := 0
		for _, r := range rows {
			cols = max(cols, len(r))
		}
		for j := range cols {
			h := ""
			if j < len(rows[0]) {
				h = rows[0][j]
			}
			c, _ := excelize.ColumnNumberToName(j + 1)
			w, err := f.GetColWidth(sheet, c)
			ts.Check(err)
			fmt.Fprintf(ts.Stdout(), "column %s %q width %g\n", c, h, w)
		}
		for i := range rows {
			h, err := f.GetRowHeight(sheet, i+1)
			ts.Check(err)
			fmt.Fprintf(ts.Stdout(), "row %d height %g\n", i+1, h)
		}
		return
	}
	if !print {
		rows, err := f.GetRows(sheet)
		ts.Check(err)
		for _, r := range rows {
			fmt.Fprintln(ts.Stdout(), strings.Join(r, " | "))
		}
		return
	}
	lo, err := f.GetPageLayout(sheet)
	ts.Check(err)
	deref := func(p *int) int {
		if p == nil {
			return -1
		}
		return *p
	}
	orient := "portrait"
	if lo.Orientation != nil {
		orient = *lo.Orientation
	}
	fmt.Fprintf(ts.Stdout(), "paper %d %s, fit %d wide %d tall\n", deref(lo.Size), orient, deref(lo.FitToWidth), deref(lo.FitToHeight))
	for _, dn := range f.GetDefinedName() {
		if dn.Scope == sheet && (dn.Name == "_xlnm.Print_Titles" || dn.Name == "_xlnm.Print_Area") {
			fmt.Fprintf(ts.Stdout(), "%s %s\n", strings.TrimPrefix(dn.Name, "_xlnm."), dn.RefersTo)
		}
	}
	hf, err := f.GetHeaderFooter(sheet)
	ts.Check(err)
	fmt.Fprintf(ts.Stdout(), "header %s\nfooter %s\n", hf.OddHeader, hf.OddFooter)
	if breaks := rowBreaks(ts, args[0], sheet, f); len(breaks) > 0 {
		fmt.Fprintf(ts.Stdout(), "page breaks after rows %s\n", strings.Join(breaks, " "))
	}
}

// rowBreaks are the rows of a sheet after which a page break is set, read
// from the sheet's XML (excelize sets them but reads none back).
func rowBreaks(ts *testscript.TestScript, file, sheet string, f *excelize.File) []string {
	path := ""
	for i, s := range f.GetSheetList() {
		if s == sheet {
			path = fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1)
		}
	}
	z, err := zip.OpenReader(ts.MkAbs(file))
	ts.Check(err)
	defer z.Close()
	for _, zf := range z.File {
		if zf.Name != path {
			continue
		}
		rc, err := zf.Open()
		ts.Check(err)
		b, err := io.ReadAll(rc)
		rc.Close()
		ts.Check(err)
		var out []string
		rb := regexp.MustCompile(`(?s)<rowBreaks.*?</rowBreaks>`).Find(b)
		for _, m := range regexp.MustCompile(`<brk id="(\d+)"`).FindAllSubmatch(rb, -1) {
			out = append(out, string(m[1]))
		}
		return out
	}
	return nil
}

// testExeSHA256 is the SHA-256 of this test binary, which the stories run
// as caseaudit.
var testExeSHA256 = sync.OnceValues(func() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	b, err := os.ReadFile(exe)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%x", sha256.Sum256(b)), nil
})

// cmdRunhint runs a command caseaudit printed for the user to run, as a
// person pasting it into a shell would, and checks its exit status:
//
//	runhint CODE stdout|stderr REGEXP
//
// REGEXP's first group, in its last match in the last command's stdout or
// stderr, is the command; sh runs it (caseaudit is on the PATH), and its
// output becomes stdout and stderr for the lines that follow.
func cmdRunhint(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 || (args[1] != "stdout" && args[1] != "stderr") {
		ts.Fatalf("usage: runhint CODE stdout|stderr REGEXP")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	re, err := regexp.Compile("(?m)" + args[2])
	ts.Check(err)
	all := re.FindAllStringSubmatch(ts.ReadFile(args[1]), -1)
	if len(all) == 0 || len(all[len(all)-1]) < 2 {
		ts.Fatalf("no match for %s in %s", args[2], args[1])
	}
	hint := all[len(all)-1][1]
	ts.Logf("running the hint: %s", hint)
	err = ts.Exec("sh", "-c", hint)
	got := 0
	if err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("sh: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("the hint %s exited with status %d, want %d", hint, got, want)
	}
}
