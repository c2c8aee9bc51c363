package export

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/caseaudit/caseaudit/internal/printcheck"
)

// parseSheetXML runs the sheet parser over doc read through wrap, returning
// each emitted row's wanted cells (every cell when want is nil).
func parseSheetXML(t *testing.T, doc string, want []bool, tagByTag bool, wrap func(io.Reader) io.Reader) ([][]string, error) {
	t.Helper()
	p := &sheetParser{sc: newXMLScanner(wrap(strings.NewReader(doc))), sst: sharedStringsOf("a", "b"),
		styles: &xlsxStyles{}, path: "f.xlsx", sheet: "S", want: want, tagByTag: tagByTag}
	var rows [][]string
	err := p.run(context.Background(), func(num int, cells []string) error {
		row := make([]string, len(want))
		for i := range row {
			if i < len(cells) && want[i] {
				row[i] = cells[i]
			}
		}
		rows = append(rows, row)
		return nil
	})
	return rows, err
}

// TestXLSXSkippedCellsMatchFullParse checks the shortcut past cells nobody
// asked for against reading every cell: whatever a cell not wanted holds
// (comments or CDATA hiding "</c>", an end tag with a space, prefixes,
// children whose names start with c, a value only in a column not wanted),
// the wanted cells and the rows passed on are the same, whichever way the
// stream arrives (whole, or a byte at a time so tags straddle refills).
func TestXLSXSkippedCellsMatchFullParse(t *testing.T) {
	long := strings.Repeat("x", 70<<10)
	docs := []string{
		`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>id1</t></is></c><c r="B1"><v><![CDATA[</c><c r="C1"><v>9</v></c>]]></v></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><!-- </c><c r="C1"><v>8</v></c> --><v>2</v></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v></c ><c r="C1"><v>3</v></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="A1"><v>1</v></c><c r="B1"><v>2</v><?pi </c><c r="C1"><v>7</v></c>?></c></row></sheetData>`,
		`<x:sheetData xmlns:x="m"><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"><x:v>2</x:v></x:c><x:c r="C1"><x:v>3</x:v></x:c></x:row></x:sheetData>`,
		`<sheetData xmlns:x="m"><row r="1"><c r="A1"><v>1</v></c><x:c r="B1"><x:v>2</x:v></x:c><c r="C1"><v>3</v></c></row><row r="2"><c r="A2"><v>4</v></c><c r="B2"><cx>5</cx></c><c r="C2"><v>6</v></c></row></sheetData>`,
		`<sheetData><row r="1"><c r="B1"><v>only B</v></c></row><row r="2"><c r="A2"/><c r="B2" t="s"><v>1</v></c><c r="C2"><v>x</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>id3</t></is></c><c r="B3" t="inlineStr"><is><t>` + long + `</t></is></c><c r="C3"><v>c3</v></c></row></sheetData>`,
		`<sheetData><row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row><row><c t="inlineStr"><is><t>a</t></is></c><c/><c t="inlineStr"><is><t>c</t></is></c><c><v>d</v></c></row></sheetData>`,
	}
	wraps := map[string]func(io.Reader) io.Reader{
		"whole":    func(r io.Reader) io.Reader { return r },
		"one byte": iotest.OneByteReader,
		"half":     iotest.HalfReader,
	}
	for i, doc := range docs {
		all := []bool{true, true, true, true}
		full, errFull := parseSheetXML(t, doc, all, true, func(r io.Reader) io.Reader { return r })
		for _, want := range [][]bool{{true, false, true, false}, {true, false, false, false}, {false, false, true, false}} {
			var ref [][]string
			for _, r := range full {
				row := slices.Clone(r)
				for c := range row {
					if !want[c] {
						row[c] = ""
					}
				}
				ref = append(ref, row)
			}
			for name, wrap := range wraps {
				got, err := parseSheetXML(t, doc, want, false, wrap)
				if (err == nil) != (errFull == nil) {
					t.Errorf("doc %d, want %v, %s: error %v, reading every cell %v", i, want, name, err, errFull)
					continue
				}
				if !slices.EqualFunc(got, ref, slices.Equal) {
					t.Errorf("doc %d, want %v, %s:\n got %q\nwant %q", i, want, name, got, ref)
				}
			}
		}
	}
}

// TestXMLScannerTagWithQuotedGreaterThan checks the tag end found by
// pairing quotes against values holding '>' and single quotes.
func TestXMLScannerTagWithQuotedGreaterThan(t *testing.T) {
	doc := `<a x="1>2" y='>' z="'"><b q="a'b>c"/></a>`
	got := scannedTags(t, newXMLScanner(bytes.NewReader([]byte(doc))))
	want := []string{`1:a: x="1>2" y='>' z="'"`, `2:b: q="a'b>c"`, `3:a:`}
	if !slices.Equal(got, want) {
		t.Errorf("got %q, want %q", got, want)
	}
}

// TestXLSXJumpMatchesFullParse is the property behind the jump from one
// wanted cell to the next: on random worksheets (shared and inline
// strings, rich text, entities and Excel escapes, blank and absent cells,
// cells without a reference or with their attributes in another order,
// comments and CDATA sections holding what looks like the next wanted
// cell, a prefixed namespace, long rows), read through the read-ahead
// goroutine in pieces of random size so that the buffered data ends inside
// tags, the rows and wanted cells passed on are those of reading every
// cell of the same document whole.
func TestXLSXJumpMatchesFullParse(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	sst := sharedStringsOf("a", "b", "G", "1", "!", "w")
	parse := func(doc string, want []bool, tagByTag bool, r io.Reader) ([][]string, error) {
		ar := newAsyncReader(io.NopCloser(r))
		defer ar.Close()
		p := &sheetParser{sc: newXMLScanner(ar), sst: sst, styles: &xlsxStyles{}, path: "f.xlsx", sheet: "S", want: want, tagByTag: tagByTag}
		var rows [][]string
		err := p.run(context.Background(), func(num int, cells []string) error {
			row := []string{fmt.Sprint(num)}
			for i, w := range want {
				if w && i < len(cells) {
					row = append(row, cells[i])
				} else {
					row = append(row, "")
				}
			}
			rows = append(rows, row)
			return nil
		})
		return rows, err
	}
	jumped := 0
	for n := range 400 {
		doc, ncols := randomSheetXML(rng)
		all := make([]bool, ncols)
		for i := range all {
			all[i] = true
		}
		full, errFull := parse(doc, all, true, strings.NewReader(doc))
		for range 4 {
			want := make([]bool, ncols)
			for i := range want {
				want[i] = rng.IntN(3) == 0
			}
			want[rng.IntN(ncols)] = true
			var ref [][]string
			for _, r := range full {
				row := slices.Clone(r)
				for c := range want {
					if !want[c] {
						row[c+1] = ""
					}
				}
				ref = append(ref, row)
			}
			// Rows whose only values are in columns not wanted are
			// passed on too, so the reference keeps them.
			var r io.Reader = strings.NewReader(doc)
			if rng.IntN(4) > 0 {
				r = &randomPieces{r: r, rng: rand.New(rand.NewPCG(uint64(n), 3)), max: 1 + rng.IntN(400)}
			}
			got, err := parse(doc, want, false, r)
			if (err == nil) != (errFull == nil) {
				t.Fatalf("sheet %d, want %v: error %v, reading every cell %v\n%s", n, want, err, errFull, doc)
			}
			if !slices.EqualFunc(got, ref, slices.Equal) {
				t.Fatalf("sheet %d, want %v:\n got %q\nwant %q\n%s", n, want, got, ref, doc)
			}
			if err == nil {
				jumped++
			}
		}
	}
	if jumped == 0 {
		t.Fatal("no random sheet was read without an error")
	}
}

// randomPieces hands over its reader's bytes in pieces of 1 to max bytes.
type randomPieces struct {
	r   io.Reader
	rng *rand.Rand
	max int
}

func (p *randomPieces) Read(b []byte) (int, error) {
	if n := 1 + p.rng.IntN(p.max); len(b) > n {
		b = b[:n]
	}
	return p.r.Read(b)
}

// randomSheetXML writes a random worksheet and returns it with the number
// of columns its cells may use.
func randomSheetXML(rng *rand.Rand) (string, int) {
	ncols := 1 + rng.IntN(30)
	pfx := ""
	if rng.IntN(10) == 0 {
		pfx = "x:"
	}
	texts := []string{"", "a", "G", "Gw", "w</", "Trowbridge CLA", "O&#39;Neill", "&lt;c r=&quot;G2&quot;&gt;", "Tom &amp; Jerry!", "why?", "a_x000D_b", "</row", "é", "  spaced  ", "line\r\nbreak\rs", "&#x41;&#66;"}
	text := func() string { return texts[rng.IntN(len(texts))] }
	var b strings.Builder
	fmt.Fprintf(&b, `<worksheet xmlns="m" xmlns:x="m"><%ssheetData>`, pfx)
	row := 0
	for range rng.IntN(25) {
		row += 1 + rng.IntN(3)
		attrs := fmt.Sprintf(` r="%d"`, row)
		switch rng.IntN(6) {
		case 0:
			// Without r a row is the one after the last: its cells'
			// references then name another row, which the reader
			// takes as written.
			attrs = ""
		case 1:
			attrs += ` spans="1:15" ht="15" customHeight="false"`
		}
		fmt.Fprintf(&b, `<%srow%s>`, pfx, attrs)
		col := -1
		for col < ncols-1 {
			col += 1 + rng.IntN(3)
			if col >= ncols {
				break
			}
			ref := ` r="` + columnName(col) + fmt.Sprint(row) + `"`
			if rng.IntN(12) == 0 {
				ref = "" // its place follows the cell before
			}
			var typ, body string
			switch rng.IntN(9) {
			case 0:
				typ, body = ` t="s"`, fmt.Sprintf(`<%sv>%d</%sv>`, pfx, rng.IntN(6), pfx)
			case 1:
				space := ""
				if rng.IntN(2) == 0 {
					space = ` xml:space="preserve"`
				}
				typ, body = ` t="inlineStr"`, fmt.Sprintf(`<%sis><%st%s>%s</%st></%sis>`, pfx, pfx, space, text(), pfx, pfx)
			case 2:
				typ, body = ` t="inlineStr"`, fmt.Sprintf(`<%sis><%sr><%srPr/><%st>%s</%st></%sr><%sr><%st>%s</%st></%sr></%sis>`,
					pfx, pfx, pfx, pfx, text(), pfx, pfx, pfx, pfx, text(), pfx, pfx, pfx)
			case 3:
				typ, body = ` t="str"`, fmt.Sprintf(`<%sf>A1</%sf><%sv>%s</%sv>`, pfx, pfx, pfx, text(), pfx)
				if rng.IntN(2) == 0 {
					body = fmt.Sprintf(`<%sv>%s</%sv>`, pfx, text(), pfx)
				}
			case 4:
				body = fmt.Sprintf(`<%sv>%d.5</%sv>`, pfx, rng.IntN(1000), pfx)
				if rng.IntN(4) == 0 {
					body = fmt.Sprintf(`<%sv></%sv>`, pfx, pfx)
				}
			case 5:
				body = "" // blank cell with a style
			case 6:
				typ, body = ` t="b"`, fmt.Sprintf(`<%sv>%d</%sv>`, pfx, rng.IntN(2), pfx)
			case 7:
				typ, body = ` t="inlineStr"`, fmt.Sprintf(`<%sis><%st><![CDATA[<c r="%s%d"><v>9</v></c>]]></%st></%sis>`, pfx, pfx, columnName(min(col+1, ncols-1)), row, pfx, pfx)
			case 8:
				body = fmt.Sprintf(`<!-- </c><c r="%s%d"><v>8</v></c> --><%sv>%d</%sv>`, columnName(min(col+1, ncols-1)), row, pfx, rng.IntN(9), pfx)
			}
			attrs := ref + ` s="1"` + typ
			if rng.IntN(8) == 0 {
				attrs = typ + ` s="1"` + ref
			}
			if body == "" && rng.IntN(2) == 0 {
				fmt.Fprintf(&b, `<%sc%s/>`, pfx, attrs)
			} else {
				fmt.Fprintf(&b, `<%sc%s>%s</%sc>`, pfx, attrs, body, pfx)
			}
		}
		fmt.Fprintf(&b, `</%srow>`, pfx)
	}
	fmt.Fprintf(&b, `</%ssheetData></worksheet>`, pfx)
	return b.String(), ncols
}

// TestXLSXShortcutsOnProducersWorkbooks reads real writers' workbooks (the
// excelize-written genexport export, messy and clean, with inline strings;
// the same re-saved by LibreOffice, with shared strings and a row tag full
// of attributes) through every shortcut, with and without the read-ahead
// goroutine, for several sets of wanted columns, and checks every row
// against reading the same sheet tag by tag.
func TestXLSXShortcutsOnProducersWorkbooks(t *testing.T) {
	books := []string{
		xlsxGenexport(t, "clean.xlsx", "-n", "3000", "-format", "xlsx"),
		xlsxGenexport(t, "messy.xlsx", "-n", "3000", "-messy", "-format", "xlsx"),
	}
	if !testing.Short() {
		soffice := printcheck.RequireSoffice(t)
		out := t.TempDir()
		cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.ToSlash(t.TempDir()), "--headless",
			"--convert-to", "xlsx", "--outdir", out, books[1])
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("soffice: %v\n%s", err, b)
		}
		books = append(books, filepath.Join(out, "messy.xlsx"))
	}
	wants := [][]int{{0}, {0, 6, 7, 8}, {14}, {1, 3, 5, 9, 11, 13}, {2, 8, 14}}
	for _, path := range books {
		wb := openBook(t, path, OpenOptions{})
		for i, si := range wb.sheets() {
			g, err := wb.grid(i)
			if err != nil {
				t.Fatal(err)
			}
			ref := *g.(*xlsxGrid)
			ref.tagByTag = true
			full := readGrid(t, gridOnly{&ref}, 0, nil)
			for _, cols := range wants {
				want := make([]bool, 15)
				for _, c := range cols {
					want[c] = true
				}
				for _, mode := range []string{"always", "never"} {
					t.Setenv("CASEAUDIT_XLSX_READAHEAD", mode)
					got := readGrid(t, wb, i, want)
					if len(got) != len(full) {
						t.Fatalf("%s, sheet %s, columns %v, read-ahead %s: %d rows, tag by tag %d", filepath.Base(path), si.Name, cols, mode, len(got), len(full))
					}
					for r := range full {
						for _, c := range cols {
							g, w := cellAt(got[r], c), cellAt(full[r], c)
							if g != w || (len(got[r]) == 0) != (len(full[r]) == 0) {
								t.Fatalf("%s, sheet %s, row %d, column %s, read-ahead %s: %q, tag by tag %q", filepath.Base(path), si.Name, r+1, columnName(c), mode, g, w)
							}
						}
					}
				}
			}
		}
	}
}

// gridOnly is a workbook of one given grid, for readGrid.
type gridOnly struct{ g grid }

func (w gridOnly) sheets() []sheetInfo    { return []sheetInfo{{}} }
func (w gridOnly) grid(int) (grid, error) { return w.g, nil }
func (w gridOnly) close() error           { return nil }

// TestXLSXReadAheadChoice checks the override of the read-ahead choice.
func TestXLSXReadAheadChoice(t *testing.T) {
	src := io.NopCloser(strings.NewReader("x"))
	t.Setenv("CASEAUDIT_XLSX_READAHEAD", "never")
	if r := readAhead(src); r != src {
		t.Errorf("never: got %T, want the source itself", r)
	}
	t.Setenv("CASEAUDIT_XLSX_READAHEAD", "always")
	r := readAhead(src)
	if _, ok := r.(*asyncReader); !ok {
		t.Errorf("always: got %T, want the read-ahead", r)
	}
	r.Close()
}
