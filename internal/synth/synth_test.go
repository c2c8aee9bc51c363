package synth

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// The project's generator must write what the shared generator
// (shared/tools/genexport) writes, so tests on either describe the same
// exports. Skipped where shared/ is not beside the repository.
func TestSameAsSharedGenexport(t *testing.T) {
	src, err := filepath.Abs("../../../shared/tools/genexport")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(src, "main.go")); err != nil {
		t.Skip("shared/tools/genexport not found beside the repository")
	}
	if testing.Short() {
		t.Skip("builds the shared generator")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "genexport")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir = src
	if out, err := build.CombinedOutput(); err != nil {
		t.Skipf("cannot build the shared generator: %v\n%s", err, out)
	}
	for _, c := range []struct {
		args []string
		o    Options
	}{
		{[]string{"-n", "3000", "-messy"}, Options{Rows: 3000, Seed: 1, Messy: true}},
		{[]string{"-n", "1500", "-encoding", "cp1252", "-delim", ";", "-seed", "9"}, Options{Rows: 1500, Seed: 9, Encoding: "cp1252", Delim: ';'}},
		{[]string{"-n", "200", "-encoding", "utf8bom"}, Options{Rows: 200, Seed: 1, Encoding: "utf8bom"}},
	} {
		want, err := exec.Command(bin, c.args...).Output()
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := WriteCSV(&got, c.o); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got.Bytes(), want) {
			t.Errorf("genexport %v: output differs (got %d bytes, shared generator %d)", c.args, got.Len(), len(want))
		}
	}
}
