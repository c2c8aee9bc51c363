package sample

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// TestLargeCSVSampleUnchanged draws samples from the exports the benchmarks
// read (the 1,048,575-row csv, and messy 300,000-row ones with title rows,
// blank rows, duplicate IDs, a Total row and serial dates, in UTF-8 and in
// Windows-1252 with ';') and compares every sampled case (order, ID, row,
// stratum, kept fields, ticket prefix) and the counts with
// testdata/large-csv-samples.txt. Those lines were written by the serial
// reader of an earlier release (before the csv was read on several cores),
// so they pin that reading a file in chunks changes nothing a user sees.
// Each export is drawn by the parallel reader and by the serial one.
func TestLargeCSVSampleUnchanged(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 1,048,575-row csv (138 MB)")
	}
	want := readGolden(t, "testdata/large-csv-samples.txt")
	dir := t.TempDir()
	cases := []struct {
		name   string
		opts   synth.Options
		sha256 string // of the generated file: it is the file the benchmarks measure
		spec   Spec
	}{
		{"clean-1048575", synth.Options{Rows: 1048575, Seed: 1},
			"0aec7914ed4704c5abf56b3face18a5bcab9cf451874393d744c72d6b63d9a7e",
			Spec{Seed: "s", Size: 120}},
		{"messy-300000", synth.Options{Rows: 300000, Seed: 1, Messy: true},
			"d79caf3e1e29489a8a670b50e518a031a561b63245227696ab722d97f52229ba",
			Spec{Seed: "s", Size: 60, Strata: "Team",
				Columns: []string{"Surname", "Date of Birth", "Referral Date", "Assessment Completed", "Workers in 12m"}}},
		{"messy-300000-cp1252", synth.Options{Rows: 300000, Seed: 1, Messy: true, Encoding: "cp1252", Delim: ';'},
			"202b72094eb619fdeebed8f2600c037139e09e000ac3a41fb1aa0fd2de2ee666",
			Spec{Seed: "s", Size: 60, Where: []string{"Legal Status=CP"},
				Columns: []string{"Forename", "Allocated Worker", "Referral Date", "Last Visit"}}},
	}
	for _, c := range cases {
		path := filepath.Join(dir, c.name+".csv")
		if err := synth.WriteFile(path, c.opts); err != nil {
			t.Fatal(err)
		}
		if got := fileSHA256(t, path); got != c.sha256 {
			t.Fatalf("%s: the generator wrote a different file (sha256 %s, want %s)", c.name, got, c.sha256)
		}
		for _, mode := range []string{"always", "never"} {
			t.Run(c.name+"/parallel="+mode, func(t *testing.T) {
				t.Setenv("CASEAUDIT_CSV_PARALLEL", mode)
				if mode == "always" && runtime.GOMAXPROCS(0) == 1 {
					defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
				}
				spec := c.spec
				spec.Export = path
				d, err := Draw(context.Background(), spec)
				if err != nil {
					t.Fatal(err)
				}
				defer d.Close()
				// Draw hashes the export itself, from the bytes it parses.
				if got := d.Provenance.Export.SHA256; got != c.sha256 {
					t.Errorf("the provenance's sha256 is %s, want %s", got, c.sha256)
				}
				got := describeDraw(c.name, d)
				w := want[c.name]
				if len(w) == 0 {
					t.Fatalf("no lines for %s in the golden file", c.name)
				}
				for i := range max(len(got), len(w)) {
					var g, e string
					if i < len(got) {
						g = got[i]
					}
					if i < len(w) {
						e = w[i]
					}
					if g != e {
						t.Errorf("line %d:\n got %q\nwant %q", i+1, g, e)
					}
				}
			})
		}
	}
}

// describeDraw writes what a user sees of a sample, one line per case after
// a line of counts.
func describeDraw(name string, d *Drawn) []string {
	p := d.Provenance.Counts
	lines := []string{fmt.Sprintf("%s counts rows=%d blank=%d footers=%d duplicates=%d distinct=%d filtered=%d population=%d",
		name, p.Rows, p.Blank, p.Footers, p.Duplicates, p.Distinct, p.FilteredOut, p.Population)}
	for _, c := range d.Sample.Cases {
		lines = append(lines, fmt.Sprintf("%s %d %s row=%d stratum=%q ticket=%.24s fields=%q",
			name, c.Order, c.ID, c.Row, c.Stratum, c.Ticket, c.Fields))
	}
	return lines
}

func readGolden(t *testing.T, path string) map[string][]string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		name, _, _ := strings.Cut(line, " ")
		m[name] = append(m[name], line)
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return m
}

func fileSHA256(t *testing.T, path string) string {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
