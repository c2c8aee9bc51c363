package export

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The parallel csv scan must pass on exactly the rows, cells, row numbers
// and errors of the serial one, wherever the chunk boundaries fall. These
// tests cut small files into chunks of a few bytes, so that boundaries fall
// inside quoted fields holding newlines, between a CR and its LF, next to
// doubled quotes, after a BOM and inside multi-byte characters.

// randomCSV writes a csv of rows of awkward fields: quoted fields holding
// delimiters, newlines (LF and CRLF) and doubled quotes; quotes inside
// unquoted fields; blank lines and lines of delimiters alone; UK dates and
// serial numbers; non-ASCII text in UTF-8 or Windows-1252; sometimes a BOM,
// and (when broken) a quote that never closes or text after a closing quote.
func randomCSV(rng *rand.Rand, broken bool) []byte {
	var b strings.Builder
	eol := "\n"
	if rng.IntN(2) == 0 {
		eol = "\r\n"
	}
	cp1252 := rng.IntN(4) == 0
	if !cp1252 && rng.IntN(4) == 0 {
		b.WriteString("\xEF\xBB\xBF")
	}
	cols := 1 + rng.IntN(6)
	rows := rng.IntN(40)
	brokenAt := -1
	if broken && rows > 0 {
		brokenAt = rng.IntN(rows)
	}
	for r := 0; r < rows; r++ {
		switch rng.IntN(12) {
		case 0:
			b.WriteString(eol) // a blank line
			continue
		case 1:
			b.WriteString(strings.Repeat(",", cols-1) + eol)
			continue
		}
		for c := 0; c < cols; c++ {
			if c > 0 {
				b.WriteByte(',')
			}
			if r == brokenAt && c == cols-1 {
				if rng.IntN(2) == 0 {
					b.WriteString(`"never closed, ` + eol + "on and on")
				} else {
					b.WriteString(`"closed"then text`)
				}
				continue
			}
			b.WriteString(randomField(rng, eol, cp1252))
		}
		if r < rows-1 || rng.IntN(2) == 0 {
			if rng.IntN(10) == 0 {
				b.WriteString("\n") // a file with both endings
			} else {
				b.WriteString(eol)
			}
		}
	}
	return []byte(b.String())
}

func randomField(rng *rand.Rand, eol string, cp1252 bool) string {
	accent := "é"
	if cp1252 {
		accent = "\xE9"
	}
	switch rng.IntN(11) {
	case 0:
		return ""
	case 1:
		return fmt.Sprintf("CR-%07d", rng.IntN(10000000))
	case 2:
		return fmt.Sprintf("%02d/%02d/%d", 1+rng.IntN(28), 1+rng.IntN(12), 1990+rng.IntN(40))
	case 3:
		return fmt.Sprint(3000 + rng.IntN(80000)) // a serial date, in a date column
	case 4:
		return "O\"Neill" // a quote inside an unquoted field is kept
	case 5:
		return `"` + strings.Repeat(`""`, rng.IntN(3)) + "said" + `""` + `"`
	case 6:
		return `"Smith, ` + accent + `ric"`
	case 7:
		// A quoted field holding newlines, and lines that would look like
		// records if a chunk started there.
		var b strings.Builder
		b.WriteString(`"`)
		for range 1 + rng.IntN(4) {
			b.WriteString([]string{"first line", `a,"b",c`, "", `"`, "x,y", accent}[rng.IntN(6)])
			if b.String()[b.Len()-1] == '"' {
				b.WriteString(`"`) // doubled
			}
			b.WriteString([]string{eol, "\n", "\r\n"}[rng.IntN(3)])
		}
		b.WriteString(`end" `)
		return b.String()
	case 8:
		return "Ch" + accent + "lo" + accent + " Williams"
	case 9:
		return `""`
	}
	return "Team " + string(rune('A'+rng.IntN(8)))
}

// scanText scans the file with g's settings and returns what fn saw, and the
// error, as text; stopAfter > 0 stops after that many calls.
func scanText(g *csvGrid, want []bool, stopAfter int) string {
	var b strings.Builder
	calls := 0
	err := g.scan(context.Background(), want, func(num int, cells []string) error {
		fmt.Fprintf(&b, "%d %q\n", num, cells)
		if calls++; stopAfter > 0 && calls >= stopAfter {
			return ErrStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrStop) {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	return b.String()
}

// compareParallel checks that every chunk size (and the default one) gives
// the serial scan's rows, for all columns, some of them, a header row with
// date columns, and a scan stopped early.
func compareParallel(t *testing.T, data []byte, rng *rand.Rand, chunks []int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wb, err := openCSV(path, OpenOptions{})
	if err != nil {
		return // not a csv we read at all: nothing to compare
	}
	g := wb.(*csvWorkbook).g
	if !g.parallelAllowed() {
		return // decoded as a stream: always serial
	}
	type setting struct {
		want      []bool
		header    int
		dateCol   []bool
		stopAfter int
	}
	settings := []setting{{}}
	for range 3 {
		s := setting{header: rng.IntN(4), stopAfter: rng.IntN(3) * rng.IntN(20)}
		for range 1 + rng.IntN(6) {
			s.want = append(s.want, rng.IntN(2) == 0)
			s.dateCol = append(s.dateCol, rng.IntN(2) == 0)
		}
		settings = append(settings, s)
	}
	for _, s := range settings {
		g.headerRow, g.dateCol = s.header, s.dateCol
		// The reference: the file read through a buffer, serially.
		g.par, g.chunkBytes, g.noMap = parSerial, 0, true
		serial := scanText(g, s.want, s.stopAfter)
		g.noMap = false
		if got := scanText(g, s.want, s.stopAfter); got != serial {
			t.Fatalf("mapped, want %v, header row %d, date columns %v, stop after %d: input %q\nread:\n%s\nmapped:\n%s",
				s.want, s.header, s.dateCol, s.stopAfter, data, serial, got)
		}
		for _, c := range chunks {
			for _, noMap := range []bool{false, true} {
				g.par, g.chunkBytes, g.noMap = parForce, c, noMap
				if got := scanText(g, s.want, s.stopAfter); got != serial {
					t.Fatalf("chunks of %d bytes (read, not mapped: %v), want %v, header row %d, date columns %v, stop after %d: input %q\nserial:\n%s\nparallel:\n%s",
						c, noMap, s.want, s.header, s.dateCol, s.stopAfter, data, serial, got)
				}
			}
		}
	}
	g.par, g.chunkBytes, g.noMap, g.headerRow, g.dateCol = parAuto, 0, false, 0, nil
}

func TestCSVParallelMatchesSerial(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 2))
	n := 200
	if testing.Short() {
		n = 60
	}
	for i := range n {
		data := randomCSV(rng, i%5 == 4)
		chunks := []int64{1, 3, 8, 1 + rng.Int64N(int64(len(data))+1), 64}
		compareParallel(t, data, rng, chunks)
	}
}

// TestCSVParallelBoundaries puts a chunk boundary at every byte of a file
// whose records hold newlines inside quotes, CRLFs and doubled quotes.
func TestCSVParallelBoundaries(t *testing.T) {
	data := []byte("\xEF\xBB\xBFCase Reference,Note,Referral Date\r\n" +
		"CR-1,\"line one\r\nCR-9,\"\"not a record\"\",45000\r\nline three\",45001\r\n" +
		"\r\n" +
		"CR-2,O\"Neill,01/02/2024\r\n" +
		",,\r\n" +
		"CR-3,\"a,b\"\"c\"\"\n\",45002\r\n" +
		"CR-4,\"\"\"\",45003")
	rng := rand.New(rand.NewPCG(1, 1))
	var chunks []int64
	for c := int64(1); c <= int64(len(data)); c++ {
		chunks = append(chunks, c)
	}
	compareParallel(t, data, rng, chunks)

	// And the rows are the right ones, not merely the same both ways.
	g := openCSVGrid(t, data)
	g.par, g.chunkBytes = parForce, 7
	want := `1 ["Case Reference" "Note" "Referral Date"]
2 ["CR-1" "line one\nCR-9,\"not a record\",45000\nline three" "45001"]
3 []
4 ["CR-2" "O\"Neill" "2024-02-01"]
5 []
6 ["CR-3" "a,b\"c\"\n" "45002"]
7 ["CR-4" "\"" "45003"]
`
	if got := scanText(g, nil, 0); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// openCSVGrid writes data to a file and opens it as a csv grid.
func openCSVGrid(t *testing.T, data []byte) *csvGrid {
	t.Helper()
	path := filepath.Join(t.TempDir(), "x.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wb, err := openCSV(path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return wb.(*csvWorkbook).g
}

// TestCSVParallelErrorsNameTheRow checks that a quoting problem found by a
// chunk is reported at the row and line of the whole file.
func TestCSVParallelErrorsNameTheRow(t *testing.T) {
	var b strings.Builder
	b.WriteString("ID,Note\n")
	for i := 2; i < 500; i++ {
		fmt.Fprintf(&b, "CR-%d,\"two\nlines\"\n", i)
	}
	b.WriteString("CR-500,\"closed\"then text\n")
	g := openCSVGrid(t, []byte(b.String()))
	g.par, g.chunkBytes = parForce, 100
	err := g.scan(context.Background(), nil, func(int, []string) error { return nil })
	var ie *InputError
	if !errors.As(err, &ie) || ie.Row != 500 || !strings.Contains(ie.Msg, "(line 998 of the file)") {
		t.Fatalf("got %v (row %v), want row 500, line 998", err, ie)
	}
}

func FuzzCSVParallel(f *testing.F) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 20 {
		f.Add(randomCSV(rng, i%4 == 3), uint8(i*7))
	}
	f.Fuzz(func(t *testing.T, data []byte, chunk uint8) {
		if len(data) > 4096 {
			return
		}
		compareParallel(t, data, rand.New(rand.NewPCG(uint64(len(data)), uint64(chunk))), []int64{1 + int64(chunk%16), 1 + int64(chunk)})
	})
}

func TestOthersRunnable(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int
	}{
		{"0.52 0.58 0.59 1/389 12345\n", 0}, // only the reader
		{"2.77 5.28 12.72 3/401 2222\n", 2}, // two others: a 2-core machine is full
		{"25.1 24.0 20.3 27/512 999\n", 26}, // a loaded machine
		{"0.10 0.20 0.30\n", 0},             // no fourth field
		{"0.10 0.20 0.30 x/12 1\n", 0},      // not a number
		{"", 0},
	} {
		if got := othersRunnable(tc.in); got != tc.want {
			t.Errorf("othersRunnable(%q) = %d; want %d", tc.in, got, tc.want)
		}
	}
}
