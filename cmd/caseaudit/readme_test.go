package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
)

// readmeScript returns the re-derivation script the README shows.
func readmeScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	i := strings.Index(s, "<!-- rederive.py")
	if i < 0 {
		t.Fatal("README has no rederive.py script")
	}
	s = s[i:]
	start := strings.Index(s, "```python\n")
	end := strings.Index(s[start+10:], "```\n")
	if start < 0 || end < 0 {
		t.Fatal("README's rederive.py is not a python block")
	}
	return s[start+10 : start+10+end]
}

// readmePython returns python3 and the README's script written to a
// temporary folder; it skips without python3 (and fails under CI).
func readmePython(t *testing.T) (py, script string) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("python3 is needed to run the README's script")
		}
		t.Skip("python3 is not installed: the README's re-derivation script is not run")
	}
	script = filepath.Join(t.TempDir(), "rederive.py")
	if err := os.WriteFile(script, []byte(readmeScript(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	return py, script
}

// TestReadmeRederiveScript: a third party re-derives a recorded sample —
// one drawn after leaving out cases audited in the last year — with the
// README's script and nothing but public inputs: the export's IDs, the seed,
// the size and the excluded IDs printed by sample --format json.
func TestReadmeRederiveScript(t *testing.T) {
	py, script := readmePython(t)
	dir := filepath.Dir(script)
	export := writeExport(t, "cases.csv", synth.Options{Rows: 2500, Seed: 21})
	db := filepath.Join(dir, "caseaudit.db")
	t.Setenv("CASEAUDIT_NOW", "2026-06-01T09:00:00Z")
	if code, _, errs := runCmd(t, "--db", db, "sample", export, "--size", "150", "--seed", "june", "--audit", "June", "-q"); code != 0 {
		t.Fatal(errs)
	}
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	code, out, errs := runCmd(t, "--db", db, "sample", export, "--size", "120", "--seed", "48213270991532670122",
		"--audit", "July", "--exclude-audited-within", "12m", "--format", "json")
	if code != 0 {
		t.Fatal(errs)
	}
	var drawn struct {
		Seed      string `json:"seed"`
		Size      int    `json:"size"`
		Exclusion struct {
			IDs []string `json:"ids"`
		} `json:"exclusion"`
		Input struct {
			IDColumn string `json:"id_column"`
		} `json:"input"`
		Sample []struct {
			ID string `json:"id"`
		} `json:"sample"`
	}
	if err := json.Unmarshal([]byte(out), &drawn); err != nil {
		t.Fatal(err)
	}
	if len(drawn.Exclusion.IDs) != 150 {
		t.Fatalf("%d excluded IDs printed, want June's 150", len(drawn.Exclusion.IDs))
	}
	// The ID column, as a person copies it from the spreadsheet.
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	col := -1
	for i, h := range recs[0] {
		if h == drawn.Input.IDColumn {
			col = i
		}
	}
	var ids []string
	for _, r := range recs[1:] {
		ids = append(ids, r[col])
	}
	write := func(name string, lines []string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	got, err := exec.Command(py, script, drawn.Seed, "120", write("ids.txt", ids), write("excluded.txt", drawn.Exclusion.IDs)).Output()
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range drawn.Sample {
		want = append(want, c.ID)
	}
	if strings.Join(strings.Fields(string(got)), ",") != strings.Join(want, ",") {
		t.Errorf("the README's script re-derives\n%s\nbut caseaudit drew\n%s", got, strings.Join(want, "\n"))
	}
	// Without the excluded IDs the script does not match: they are needed.
	got, err = exec.Command(py, script, drawn.Seed, "120", filepath.Join(dir, "ids.txt")).Output()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(strings.Fields(string(got)), ",") == strings.Join(want, ",") {
		t.Error("the sample re-derives without its excluded IDs: the test proves nothing")
	}
	// And caseaudit re-derives it the same way from the printed IDs alone.
	code, out, errs = runCmd(t, "sample", export, "--size", "120", "--seed", drawn.Seed, "--exclude",
		filepath.Join(dir, "excluded.txt"), "--format", "ids")
	if code != 0 || strings.Join(strings.Fields(out), ",") != strings.Join(want, ",") {
		t.Errorf("sample --exclude: exit %d, %s%s", code, out, errs)
	}
}

// TestReadmeDescribesBuiltInForm: the README's account of the built-in form
// counts what the form holds — questions, graded ones, which allow "Not
// applicable", choices and yes/no questions — and names each question.
func TestReadmeDescribesBuiltInForm(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := strings.Join(strings.Fields(string(b)), " ")
	f := audit.DefaultForm()
	var graded, gradedNA, choice, yesno int
	for _, q := range f.Questions {
		switch q.Kind {
		case audit.QuestionGrade:
			graded++
			if q.NotApplicable {
				gradedNA++
			}
		case audit.QuestionChoice:
			choice++
		case audit.QuestionYesNo:
			yesno++
		}
		// Each question is named (its label's first words, in lower case).
		name := strings.ToLower(strings.Join(strings.Fields(q.Label)[:2], " "))
		if !strings.Contains(strings.ToLower(readme), name) {
			t.Errorf("README does not name the question %q", q.Label)
		}
	}
	number := []string{"no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"}
	for _, claim := range []string{
		"The built-in form for children's social care asks " + number[len(f.Questions)] + " questions",
		number[graded] + " focus areas graded",
		"one choice", "one yes/no",
	} {
		if !strings.Contains(readme, claim) {
			t.Errorf("README does not say %q", claim)
		}
	}
	if choice != 1 || yesno != 1 {
		t.Errorf("the form has %d choice and %d yes/no questions; the README says one of each", choice, yesno)
	}
	if gradedNA != 3 || graded-gradedNA != 2 {
		t.Errorf("the form has %d graded questions allowing Not applicable and %d always applying; the README says 3 and 2", gradedNA, graded-gradedNA)
	}
}

// TestReadmeRederiveStrataFromEveryCommand: an inspector's script reads the
// strata from whichever command printed them — sample, report's provenance,
// verify's provenance — by the same keys the README documents
// (strata.strata[].name and .size, exclusion.ids, seed), and the README's
// script re-derives each stratum's cases from them. The JSON is read
// without Go's case-insensitive matching, as Python reads it.
func TestReadmeRederiveStrataFromEveryCommand(t *testing.T) {
	py, script := readmePython(t)
	dir := filepath.Dir(script)
	export := writeExport(t, "cases.csv", synth.Options{Rows: 1500, Seed: 22})
	db := filepath.Join(dir, "caseaudit.db")
	code, out, errs := runCmd(t, "--db", db, "sample", export, "--size", "40", "--seed", "strata", "--strata", "Team",
		"--audit", "S", "--format", "json")
	if code != 0 {
		t.Fatal(errs)
	}
	var drawn map[string]any
	if err := json.Unmarshal([]byte(out), &drawn); err != nil {
		t.Fatal(err)
	}
	// The cases drawn, by stratum, in selection order.
	want := map[string][]string{}
	for _, c := range drawn["sample"].([]any) {
		c := c.(map[string]any)
		want[c["stratum"].(string)] = append(want[c["stratum"].(string)], c["id"].(string))
	}
	// Each stratum's IDs, as a person filters the spreadsheet.
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	idCol, teamCol := -1, -1
	for i, h := range recs[0] {
		switch h {
		case "Case Reference":
			idCol = i
		case "Team":
			teamCol = i
		}
	}
	byTeam := map[string][]string{}
	for _, r := range recs[1:] {
		byTeam[r[teamCol]] = append(byTeam[r[teamCol]], r[idCol])
	}
	_, report, errs := runCmd(t, "--db", db, "report", "S", "--format", "json")
	var rep map[string]any
	if err := json.Unmarshal([]byte(report), &rep); err != nil {
		t.Fatal(err, errs)
	}
	_, verify, errs := runCmd(t, "--db", db, "verify", "S", "--input", export, "--format", "json")
	var ver map[string]any
	if err := json.Unmarshal([]byte(verify), &ver); err != nil {
		t.Fatal(err, errs)
	}
	for _, src := range []struct {
		name string
		doc  any
	}{{"sample", drawn}, {"report's provenance", rep["provenance"]}, {"verify's provenance", ver["provenance"]}} {
		doc, _ := src.doc.(map[string]any)
		strata, _ := doc["strata"].(map[string]any)
		list, _ := strata["strata"].([]any)
		seed, _ := doc["seed"].(string)
		if len(list) == 0 || seed == "" {
			t.Errorf("%s: no strata.strata[] or seed in %v", src.name, doc)
			continue
		}
		for _, s := range list {
			s, _ := s.(map[string]any)
			name, _ := s["name"].(string)
			size, _ := s["size"].(float64)
			if name == "" {
				t.Errorf("%s: a stratum without \"name\": %v", src.name, s)
				continue
			}
			ids := filepath.Join(dir, "ids.txt")
			if err := os.WriteFile(ids, []byte(strings.Join(byTeam[name], "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			got, err := exec.Command(py, script, seed, fmt.Sprint(int(size)), ids).Output()
			if err != nil {
				t.Fatal(err)
			}
			if g, w := strings.Join(strings.Fields(string(got)), ","), strings.Join(want[name], ","); g != w {
				t.Errorf("%s, stratum %q: the README's script re-derives %s; caseaudit drew %s", src.name, name, g, w)
			}
		}
	}
}
