package profile

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestNameKey(t *testing.T) {
	for in, want := range map[string]string{
		"Mohammad Patel":     "mohammad patel",
		"Patel, Mohammad":    "mohammad patel",
		"  patel ,mohammad ": "mohammad patel",
		"PATEL,  Mohammad":   "mohammad patel",
		"M. Patel":           "m. patel",
		"Patel, M.":          "m. patel",
		"Smith, Jones, Ann":  "smith, jones, ann", // two commas: left as written
		"Patel,":             "patel,",
	} {
		if got := NameKey(in); got != want {
			t.Errorf("NameKey(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestReadAliases(t *testing.T) {
	a, err := ParseAliases("aliases.csv", []byte("\ufeffName,Person\n\"Patel, M\",Mohammad Patel\nM. Patel,\"Patel, M\"\n\nSocial worker leaving,Unallocated\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"m patel": "Mohammad Patel", "m. patel": "Mohammad Patel", "social worker leaving": "Unallocated"}
	if !reflect.DeepEqual(a.Names, want) {
		t.Errorf("names %v, want %v", a.Names, want)
	}
	for text, msg := range map[string]string{
		"A,B,C\n":                  "line 1: 3 columns",
		"A,\n":                     "line 1: 1 columns",
		"A,B\na,C\n":               `line 2: "a" is already "B" (line 1)`,
		"A,B\nB,A\n":               "line 1: the names go round in a loop (a → b → a)",
		"A,\"B\n":                  "line 1: extraneous or missing",
		"A,B\n\xff\xfe,C\n":        "is not UTF-8 text",
		"Name,Person\n\" \",Ann\n": "line 2: a blank name",
	} {
		_, err := ParseAliases("x.csv", []byte(text))
		if !errors.Is(err, ErrAliases) || !strings.Contains(err.Error(), msg) {
			t.Errorf("%q: %v, want %q", text, err, msg)
		}
	}
}

func TestParseOpenRule(t *testing.T) {
	r, err := ParseOpenRule(" Case Status = Open | Re-opened ")
	if err != nil || r.Column != "Case Status" || r.Op != "=" || !reflect.DeepEqual(r.Values, []string{"Open", "Re-opened"}) || r.String() != "Case Status=Open|Re-opened" {
		t.Fatalf("%+v %v", r, err)
	}
	if !r.open("re-opened") || !r.open(" OPEN ") || r.open("Closed") {
		t.Error("= rule")
	}
	r, _ = ParseOpenRule("Status!=Closed")
	if r.Op != "!=" || r.open("closed") || !r.open("Open") || !r.open("") {
		t.Errorf("!= rule %+v", r)
	}
	for _, bad := range []string{"Case Status", "=Open", "Status=", "Status= | "} {
		if _, err := ParseOpenRule(bad); !errors.Is(err, ErrOpenRule) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	for v, closed := range map[string]bool{"Closed": true, "CLOSED - NFA": true, "Case closed": true, "Ended": true, "Open": false, "": false, "Closing": false} {
		if ReadsClosed(v) != closed {
			t.Errorf("ReadsClosed(%q) = %v", v, !closed)
		}
	}
}

func TestOrMore(t *testing.T) {
	for in, want := range map[string]int{"3+": 3, "3 +": 3, "3 or more": 3, "3 plus": 3, "at least 3": 3, ">=3": 3,
		"more than 3": 4, "Over 3": 4, ">3": 4, "6 and over": 6} {
		if n, kind := parseCount(in); kind != countOrMore || n != want {
			t.Errorf("parseCount(%q) = %d, %d; want %d or more", in, n, kind, want)
		}
	}
	for _, bad := range []string{"3-4", "several", "more than three", "-1+"} {
		if _, kind := parseCount(bad); kind != countBad {
			t.Errorf("parseCount(%q) kind %d, want bad", bad, kind)
		}
	}
}

func TestSuspects(t *testing.T) {
	shown := []string{"Mohammad Patel", "M. Patel", "Mohammed Patel", "Social worker leaving", "Sarah Lee", "Sara Lee", "Jo Bloggs", "Agency TBC"}
	loads := []int{29, 1, 1, 6, 12, 1, 14, 0}
	got := suspects(shown, loads)
	var lines []string
	for _, s := range got {
		lines = append(lines, s.Worker+"|"+s.Kind+"|"+s.Like+"|"+s.Why)
	}
	// "Agency TBC" holds no case (a name met only on rows taken back).
	want := []string{
		"Social worker leaving|placeholder||reads like a placeholder, not a person",
		"M. Patel|possible_duplicate|Mohammad Patel|the same surname and initial",
		"Mohammed Patel|possible_duplicate|Mohammad Patel|the same surname, a forename spelled alike",
		"Sara Lee|possible_duplicate|Sarah Lee|the same surname, a forename spelled alike",
	}
	if !reflect.DeepEqual(lines, want) {
		t.Errorf("suspects\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
}
