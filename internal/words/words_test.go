package words

import "testing"

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 7: "7", 999: "999", 1000: "1,000", -1234: "-1,234", 1048575: "1,048,575", -999: "-999", 100000: "100,000"} {
		if got := Thousands(n); got != want {
			t.Errorf("Thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestCount(t *testing.T) {
	for _, c := range []struct {
		n    int
		noun string
		pl   []string
		want string
	}{
		{1, "case", nil, "1 case"},
		{0, "case", nil, "0 cases"},
		{2750, "case", nil, "2,750 cases"},
		{1, "entry", []string{"entries"}, "1 entry"},
		{3, "entry", []string{"entries"}, "3 entries"},
	} {
		if got := Count(c.n, c.noun, c.pl...); got != c.want {
			t.Errorf("Count(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
}

func TestQuotePaths(t *testing.T) {
	for _, c := range []struct {
		paths []string
		want  string
	}{
		{[]string{`C:\Users\a.khan\Documents\cases.xlsx`, `cases.xlsx`}, `"C:\Users\a.khan\Documents\cases.xlsx" or "cases.xlsx"`},
		{[]string{`\\fileserver\qa\cases.xlsx`}, `"\\fileserver\qa\cases.xlsx"`},
		{[]string{"/home/qa/a.csv", "b.csv", "c.csv"}, `"/home/qa/a.csv", "b.csv" or "c.csv"`},
		{nil, "nowhere"},
	} {
		if got := QuotePaths(c.paths); got != c.want {
			t.Errorf("QuotePaths(%q) = %s, want %s", c.paths, got, c.want)
		}
	}
	if got := QuoteList(nil); got != "nowhere" {
		t.Errorf("QuoteList(nil) = %s", got)
	}
}

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"Case Reference", 20, "Case Reference"},
		{"Case Reference", 14, "Case Reference"},
		{"Case Reference", 8, "Case Re…"},
		{"Zoë Brontë-Ørsted", 5, "Zoë …"},
		{"abc", 0, ""},
	} {
		if got := Clip(tc.s, tc.n); got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}

func TestWithExt(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"audit.txt", "audit.xlsx"},
		{"audit", "audit.xlsx"},
		{"July audit.v2.csv", "July audit.v2.xlsx"},
		{"out/", "out/NAME.xlsx"},
		{"", "NAME.xlsx"},
	} {
		if got := WithExt(tc.in, ".xlsx"); got != tc.want {
			t.Errorf("WithExt(%q) = %q; want %q", tc.in, got, tc.want)
		}
	}
}

func TestOrAnd(t *testing.T) {
	for _, tc := range []struct {
		in      []string
		or, and string
	}{
		{nil, "", ""},
		{[]string{"table"}, "table", "table"},
		{[]string{"table", "json"}, "table or json", "table and json"},
		{[]string{"table", "csv", "json"}, "table, csv or json", "table, csv and json"},
	} {
		if got := Or(tc.in); got != tc.or {
			t.Errorf("Or(%q) = %q; want %q", tc.in, got, tc.or)
		}
		if got := And(tc.in); got != tc.and {
			t.Errorf("And(%q) = %q; want %q", tc.in, got, tc.and)
		}
	}
}

func TestDate(t *testing.T) {
	for _, c := range []struct{ iso, layout, want string }{
		{"2026-05-12", "2 January 2006", "12 May 2026"},
		{"2026-07-24", "Monday 2 January 2006", "Friday 24 July 2026"},
		{"12/05/2026", "2 January 2006", "12/05/2026"}, // not yyyy-mm-dd: as given
		{"", "2 January 2006", ""},
	} {
		if got := Date(c.iso, c.layout); got != c.want {
			t.Errorf("Date(%q, %q) = %q, want %q", c.iso, c.layout, got, c.want)
		}
	}
}

func TestAnd(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{{nil, ""}, {[]string{"a"}, "a"}, {[]string{"a", "b"}, "a and b"}, {[]string{"a", "b", "c"}, "a, b and c"}} {
		if got := And(tc.in); got != tc.want {
			t.Errorf("And(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
