package export

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// parseSheetXML runs the sheet parser over doc read through wrap, returning
// each emitted row's wanted cells (every cell when want is nil).
func parseSheetXML(t *testing.T, doc string, want []bool, wrap func(io.Reader) io.Reader) ([][]string, error) {
	t.Helper()
	p := &sheetParser{sc: newXMLScanner(wrap(strings.NewReader(doc))), sst: &sharedStrings{data: "ab", off: []uint32{0, 1, 2}},
		styles: &xlsxStyles{}, path: "f.xlsx", sheet: "S", want: want}
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
		full, errFull := parseSheetXML(t, doc, all, func(r io.Reader) io.Reader { return r })
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
				got, err := parseSheetXML(t, doc, want, wrap)
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
