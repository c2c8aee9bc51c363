package export

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/textdist"
)

func TestHeaderChooseID(t *testing.T) {
	cases := []struct {
		header []string
		want   int    // -1: none
		amb    string // ambiguous names, joined with |
	}{
		{[]string{"Case Reference", "Person ID", "Forename"}, 0, ""},
		{[]string{"Person ID", "Forename", "Case Reference"}, 2, ""}, // case beats person wherever it stands
		{[]string{"Forename", "Person ID"}, 1, ""},
		{[]string{"ID", "Child ID"}, 1, ""},
		{[]string{"Name", "ID"}, 1, ""},
		{[]string{"  case   REFERENCE ", "Team"}, 0, ""},
		{[]string{"Case No.", "Team"}, 0, ""},
		{[]string{"Case_Ref", "Team"}, 0, ""},
		{[]string{"Case Reference", "case reference"}, 0, ""}, // duplicates: the first wins
		{[]string{"Team", "Case ID", "Case Reference"}, -1, "Case ID|Case Reference"},
		{[]string{"LA Child ID", "Child ID", "Surname"}, -1, "LA Child ID|Child ID"},
		{[]string{"Forename", "Surname", "Referral Date"}, -1, ""},
		{[]string{"Case Reference Date", "Identity"}, -1, ""}, // near misses are not IDs
	}
	for _, tc := range cases {
		i, found, amb := chooseID(tc.header)
		switch {
		case tc.amb != "":
			if strings.Join(amb, "|") != tc.amb {
				t.Errorf("%q: ambiguous %q, want %q", tc.header, amb, tc.amb)
			}
		case tc.want < 0:
			if found {
				t.Errorf("%q: found %d", tc.header, i)
			}
		default:
			if !found || amb != nil || i != tc.want {
				t.Errorf("%q: got %d %v %q, want %d", tc.header, i, found, amb, tc.want)
			}
		}
	}
}

// messyCSV is a small export shaped like genexport -messy, written by hand.
const messyCSV = "Open cases report\n" +
	"Run on 01/07/2026 09:14\n" +
	"\n" +
	"Case Reference,Person ID,Forename,Team,Allocated Worker,Team\n" +
	"CR-0000001,500003,Freya,North,Amelia Smith,dup\n" +
	"CR-0000002,500006,Seán,South,Oliver Jones,dup\n"

func TestHeaderOpenOptions(t *testing.T) {
	p := writeTestCSV(t, "m.csv", []byte(messyCSV))
	ctx := context.Background()
	cases := []struct {
		opts      OpenOptions
		headerRow int
		id        string
	}{
		{OpenOptions{}, 4, "Case Reference"},
		{OpenOptions{IDColumn: "  person   ID "}, 4, "Person ID"},
		{OpenOptions{IDColumn: "person-id"}, 4, "Person ID"}, // loose match, unique
		{OpenOptions{HeaderRow: 4}, 4, "Case Reference"},
		{OpenOptions{HeaderRow: 4, IDColumn: "forename"}, 4, "Forename"},
		{OpenOptions{HeaderRow: 5, IDColumn: "Freya"}, 5, "Freya"}, // the user knows best
	}
	for _, tc := range cases {
		tb, err := Open(ctx, p, tc.opts)
		if err != nil {
			t.Errorf("%+v: %v", tc.opts, err)
			continue
		}
		if tb.HeaderRow != tc.headerRow || tb.Header[tb.IDIndex] != tc.id {
			t.Errorf("%+v: row %d id %q, want row %d id %q", tc.opts, tb.HeaderRow, tb.Header[tb.IDIndex], tc.headerRow, tc.id)
		}
		tb.Close()
	}

	errCases := []struct {
		opts OpenOptions
		row  int
		want []string
	}{
		{OpenOptions{IDColumn: "Case Ref"}, 4, []string{`no column "Case Ref" in the first 50 rows`, `"Case Reference", "Person ID"`, `did you mean --id-column "Case Reference"?`}},
		{OpenOptions{HeaderRow: 2}, 2, []string{"no case ID column found", `"Run on 01/07/2026 09:14"`}},
		{OpenOptions{HeaderRow: 3}, 3, []string{"the header row is blank"}},
		{OpenOptions{HeaderRow: 7}, 0, []string{"header row 7 is past the end: the file has 6 rows"}},
		{OpenOptions{HeaderRow: -1}, 0, []string{"not a row number"}},
		{OpenOptions{HeaderRow: 4, IDColumn: "Case"}, 4, []string{`no column "Case" on the header row`}},
	}
	for _, tc := range errCases {
		_, err := Open(ctx, p, tc.opts)
		var ie *InputError
		if !errors.As(err, &ie) || ie.Row != tc.row {
			t.Errorf("%+v: %v (want row %d)", tc.opts, err, tc.row)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(spelled(err), w) {
				t.Errorf("%+v: %q lacks %q", tc.opts, err, w)
			}
		}
	}
}

func TestHeaderNoIDSuggestsClosest(t *testing.T) {
	src := "Client Ref No,Forename,Surname,Team\nA-1,Amelia,Smith,North\n"
	_, err := Open(context.Background(), writeTestCSV(t, "n.csv", []byte(src)), OpenOptions{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Row != 1 {
		t.Fatalf("got %v", err)
	}
	want := `n.csv, row 1: no case ID column found (headers on this row: "Client Ref No", "Forename", "Surname", "Team"); name the ID column with --id-column "Client Ref No"`
	if !strings.HasSuffix(spelled(err), want) {
		t.Fatalf("got  %s\nwant …%s", err, want)
	}
	// A csv has no sheets to suggest.
	if strings.Contains(spelled(err), "--sheet") {
		t.Errorf("suggests --sheet for a csv: %v", err)
	}
}

func TestHeaderBeyondRow50(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 50; i++ {
		fmt.Fprintf(&b, "Note %d\n", i)
	}
	b.WriteString("Case Reference,Team\nCR-1,North\n")
	p := writeTestCSV(t, "deep.csv", []byte(b.String()))
	_, err := Open(context.Background(), p, OpenOptions{})
	if !IsInputError(err) || !strings.Contains(spelled(err), "no case ID column") {
		t.Errorf("auto: %v", err)
	}
	tb, rows := openAndReadAll(t, p, OpenOptions{HeaderRow: 51})
	if tb.HeaderRow != 51 || tb.IDIndex != 0 || len(rows) != 1 || rows[0].num != 52 || rows[0].cells[0] != "CR-1" {
		t.Errorf("header row 51: %d %d %v", tb.HeaderRow, tb.IDIndex, rows)
	}
}

func TestHeaderAmbiguousCSV(t *testing.T) {
	_, err := Open(context.Background(), writeTestCSV(t, "a.csv", []byte("Case ID,Case Reference,Team\n1,CR-1,x\n")), OpenOptions{})
	if !IsInputError(err) || !strings.Contains(spelled(err), `ambiguous ID column: "Case ID", "Case Reference"`) ||
		!strings.Contains(spelled(err), `--id-column "Case ID"`) {
		t.Fatalf("got %v", err)
	}
	tb, err := Open(context.Background(), writeTestCSV(t, "a.csv", []byte("Case ID,Case Reference,Team\n1,CR-1,x\n")), OpenOptions{IDColumn: "case reference"})
	if err != nil || tb.IDIndex != 1 {
		t.Fatalf("with --id-column: %v", err)
	}
}

func TestHeaderColumnIndex(t *testing.T) {
	tb, err := Open(context.Background(), writeTestCSV(t, "m.csv", []byte(messyCSV)), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	for name, want := range map[string]int{"team": 3, " allocated   WORKER ": 4, "Case Reference": 0, "person_id": 1} {
		if got, err := tb.ColumnIndex(name); err != nil || got != want {
			t.Errorf("%q: %d %v, want %d", name, got, err, want)
		}
	}
	_, err = tb.ColumnIndex("Tema")
	var ie *InputError
	if !errors.As(err, &ie) || ie.Row != 4 || !strings.Contains(spelled(err), `no column "Tema"`) ||
		!strings.Contains(spelled(err), `did you mean "Team"?`) || !strings.Contains(spelled(err), `"Allocated Worker"`) {
		t.Errorf("Tema: %v", err)
	}
	_, err = tb.ColumnIndex("Postcode")
	if !IsInputError(err) || strings.Contains(spelled(err), "did you mean") {
		t.Errorf("Postcode: %v", err)
	}
	if _, err := tb.ColumnIndex("   "); !IsInputError(err) {
		t.Errorf("blank name: %v", err)
	}
}

func TestHeaderLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		d    int
	}{{"", "", 0}, {"team", "tema", 2}, {"kitten", "sitting", 3}, {"café", "cafe", 1}, {"abc", "", 3}} {
		if got := textdist.Levenshtein(tc.a, tc.b); got != tc.d {
			t.Errorf("%q %q: %d want %d", tc.a, tc.b, got, tc.d)
		}
	}
}
