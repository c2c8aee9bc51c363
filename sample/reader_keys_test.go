package sample

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample/export"
)

// The csv reader's chunk workers make the ticket keys (export.RowsOptions.IDKey)
// that Load would otherwise make itself. These tests load the same exports
// serially (Load makes every key) and in chunks (the workers make most) and
// compare the populations unit by unit: keys, rows, IDs and strata, counts,
// errors.

// loadText loads path with the reader forced serial or parallel and
// describes the population (every unit, in order, with the kept fields of
// the cases that may be sampled) and the sample of lo.MaxSample (or 20),
// or the error; readerKeys is how many keys the reader made, left how many
// rows' kept fields it left unread.
func loadText(t *testing.T, path string, o export.OpenOptions, lo LoadOptions, parallel string) (text string, readerKeys, left int) {
	t.Helper()
	t.Setenv("CASEAUDIT_CSV_PARALLEL", parallel)
	if parallel == "always" && runtime.GOMAXPROCS(0) == 1 {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2))
	}
	tb, err := export.Open(context.Background(), path, o)
	if err != nil {
		return "open: " + err.Error(), 0, 0
	}
	defer tb.Close()
	p, err := Load(context.Background(), tb, lo)
	if err != nil {
		return "load: " + err.Error(), 0, 0
	}
	var b strings.Builder
	fmt.Fprintf(&b, "rows=%d blank=%d footers=%d duplicates=%d %v distinct=%d filtered=%d excluded=%d len=%d\n",
		p.Rows, p.Blank, p.Footers, p.Duplicates, p.FirstDuplicates, p.Distinct, p.FilteredOut, p.Excluded, p.Len())
	for i := 0; i < p.Len(); i++ {
		u := p.units.at(i)
		id := p.id(u)
		// Every key is the ID's, whoever made it.
		if k := p.tk.Key(id); u.key != k {
			t.Errorf("%s (%s): row %d, ID %q: key %x, want %x", path, parallel, u.rowNum(), id, u.key, k)
		}
		c := p.Case(i)
		fmt.Fprintf(&b, "%x %d %q %q %q\n", u.key, u.row, id, c.Stratum, c.Fields)
	}
	n := lo.MaxSample
	if n == 0 {
		n = 20
	}
	s, err := p.Select(SelectOptions{Size: min(n, p.Len())})
	if err != nil {
		return "select: " + err.Error(), 0, 0
	}
	for _, c := range s.Cases {
		fmt.Fprintf(&b, "sampled %d %s %d %q %q\n", c.Order, c.ID, c.Row, c.Stratum, c.Fields)
	}
	return b.String(), p.readerKeys, p.readerLeft
}

func mustFilter(s string) Filter {
	f, err := ParseFilter(s)
	if err != nil {
		panic(err)
	}
	return f
}

// compareReaderKeys loads path both ways and compares; it returns how many
// keys the chunk workers made, and for how many rows they left the kept
// fields unread.
func compareReaderKeys(t *testing.T, path string, o export.OpenOptions, lo LoadOptions) (keys, left int) {
	t.Helper()
	serial, k, l := loadText(t, path, o, lo, "never")
	if k != 0 || l != 0 {
		t.Errorf("%s: the serial reader made %d keys and left %d rows' fields; it does neither", path, k, l)
	}
	par, k, l := loadText(t, path, o, lo, "always")
	if par != serial {
		t.Errorf("%s: the population read in chunks differs from the serial one:\nserial:\n%.3000s\nparallel:\n%.3000s", path, serial, par)
	}
	return k, l
}

func TestReaderKeysMatchLoad(t *testing.T) {
	rows := 60000
	if testing.Short() {
		rows = 12000
	}
	for _, c := range []struct {
		name string
		o    synth.Options
		lo   LoadOptions
	}{
		{"clean.csv", synth.Options{Rows: rows, Seed: 7}, LoadOptions{Seed: "k", MaxSample: 30, Fields: []string{"Team"}}},
		{"messy.csv", synth.Options{Rows: rows, Seed: 8, Messy: true},
			LoadOptions{Seed: "k", Strata: "Team", MaxSample: 10, Fields: []string{"Surname", "Referral Date"}}},
		{"messy-cp1252.csv", synth.Options{Rows: rows, Seed: 9, Messy: true, Encoding: "cp1252", Delim: ';'},
			LoadOptions{Seed: "k", Where: []Filter{mustFilter("Legal Status=CP")}, Fields: []string{"Forename"}}},
		{"messy-bom.csv", synth.Options{Rows: rows, Seed: 10, Messy: true, Encoding: "utf8bom", NameVariants: true},
			LoadOptions{Seed: "k", Strict: false, MaxSample: 5, Fields: []string{"Allocated Worker"}}},
	} {
		t.Run(c.name, func(t *testing.T) {
			path := writeSynth(t, c.name, c.o)
			k, left := compareReaderKeys(t, path, export.OpenOptions{}, c.lo)
			if k < rows/2 {
				t.Errorf("the chunk workers made %d keys of %d rows; they should make nearly all", k, rows)
			}
			// Without strata, with MaxSample: the kept fields of most rows
			// are left unread.
			if c.lo.MaxSample > 0 && c.lo.Strata == "" && left < rows/2 {
				t.Errorf("the chunk workers left the fields of %d rows of %d unread; they should leave nearly all", left, rows)
			}
		})
	}
}

// TestReaderKeysAwkwardIDs reads IDs the workers must take exactly as Load
// does, or leave to it: spaces around them, quoted, longer than one SHA-256
// block, non-ASCII, Windows-1252, dates, a footer block, duplicates.
func TestReaderKeysAwkwardIDs(t *testing.T) {
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBFCase Reference,Team,Referral Date\r\n")
	long := strings.Repeat("ABCDEFGHIJ", 7)
	for i := range 3000 {
		var id string
		switch i % 12 {
		case 0:
			id = fmt.Sprintf("  CR-%d ", i)
		case 1:
			id = fmt.Sprintf("\" CR-%d\t\"", i)
		case 2:
			id = fmt.Sprintf("%s-%d", long, i)
		case 3:
			id = fmt.Sprintf("Zo\u00eb-%d", i)
		case 4:
			id = fmt.Sprintf("%02d/%02d/2024", 1+i%28, 1+i%12)
		case 5:
			id = fmt.Sprintf("CR-%d", i-5) // a duplicate
		case 6:
			id = fmt.Sprintf("\"CR-%d,\"\"x\"\"\"", i)
		default:
			id = fmt.Sprintf("CR-%d", i)
		}
		fmt.Fprintf(&b, "%s,Team %c,%d\r\n", id, 'A'+i%3, 45000+i)
	}
	b.WriteString("\r\nSource: the case system, run on 1 July\r\nNotes\r\n")
	path := filepath.Join(t.TempDir(), "awkward.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	lo := LoadOptions{Seed: "awkward", Strata: "Team", Fields: []string{"Referral Date"}}
	if k, _ := compareReaderKeys(t, path, export.OpenOptions{}, lo); k < 2000 {
		t.Errorf("the chunk workers made %d keys; most IDs are plain", k)
	}
	// The dates as the ID column: serial numbers below the header read as
	// dates, which the workers leave to Load.
	compareReaderKeys(t, path, export.OpenOptions{IDColumn: "Referral Date"}, LoadOptions{Seed: "awkward"})
	// Without strata, with MaxSample (the file is one chunk, parsed before
	// Load has seen a row, so the workers leave no field unread; the large
	// files above and the export package's tests, in tiny chunks, show
	// that they do).
	lo = LoadOptions{Seed: "awkward", MaxSample: 7, Fields: []string{"Team", "Referral Date"}}
	compareReaderKeys(t, path, export.OpenOptions{}, lo)
}

// TestLeftFieldsReadAgain has the reader leave the kept fields of every
// row it keys unread, as the bound never does: the cases that may be
// sampled then have none, and Select reads them again, giving the serial
// read's sample.
func TestLeftFieldsReadAgain(t *testing.T) {
	path := writeSynth(t, "messy.csv", synth.Options{Rows: 5000, Seed: 11, Messy: true})
	lo := LoadOptions{Seed: "again", MaxSample: 25, Fields: []string{"Surname", "Team", "Referral Date"}}
	want, _, _ := loadText(t, path, export.OpenOptions{}, lo, "never")
	lo.keepNone = true
	got, _, left := loadText(t, path, export.OpenOptions{}, lo, "always")
	if left < 4000 {
		t.Fatalf("the reader left %d rows' fields unread; want nearly all", left)
	}
	// The population's kept fields differ (none were kept); the samples,
	// read again, are the same.
	sampled := func(s string) string {
		var b strings.Builder
		for _, l := range strings.SplitAfter(s, "\n") {
			if strings.HasPrefix(l, "sampled ") {
				b.WriteString(l)
			}
		}
		return b.String()
	}
	if sampled(got) == "" || sampled(got) != sampled(want) {
		t.Errorf("sample with every field read again:\n%s\nwant:\n%s", sampled(got), sampled(want))
	}
}
