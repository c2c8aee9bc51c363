package sample

import "testing"

func TestParseFilter(t *testing.T) {
	cases := []struct {
		in, col, op, val string
	}{
		{"Team=Salisbury CIN", "Team", "=", "Salisbury CIN"},
		{" Legal Status != CLA ", "Legal Status", "!=", "CLA"},
		{"Referral Date>=01/02/2026", "Referral Date", ">=", "2026-02-01"},
		{"Workers in 12m<3", "Workers in 12m", "<", "3"},
		{"Assessment Completed=", "Assessment Completed", "=", ""},
		{"Note=a=b", "Note", "=", "a=b"},
	}
	for _, c := range cases {
		f, err := ParseFilter(c.in)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if f.Column != c.col || f.Op != c.op || f.Value != c.val {
			t.Errorf("%q: got %q %q %q", c.in, f.Column, f.Op, f.Value)
		}
	}
	for _, bad := range []string{"Team", "=CP", "Date<", ""} {
		if _, err := ParseFilter(bad); err == nil {
			t.Errorf("%q: want an error", bad)
		}
	}
}

func TestFilterMatch(t *testing.T) {
	cases := []struct {
		filter, cell string
		want         bool
	}{
		{"Team=salisbury cin", " Salisbury CIN ", true},
		{"Team=Salisbury", "Salisbury CIN", false},
		{"Team!=Salisbury CIN", "Chippenham CP", true},
		{"Workers in 12m<3", "10", false}, // numbers, not text ("10" < "3" as text)
		{"Workers in 12m<3", "2", true},
		{"Workers in 12m>=3", "3", true},
		{"Referral Date>=2026-01-01", "2025-12-31", false},
		{"Referral Date>=2026-01-01", "2026-01-01", true},
		{"Referral Date<2026-01-01", "2025-06-30 09:00:00", true},
		{"Referral Date>=01/01/2026", "2026-03-04", true},
		{"Assessment Completed=", "", true},
		{"Assessment Completed=", "2026-01-01", false},
		{"Assessment Completed!=", "2026-01-01", true},
	}
	for _, c := range cases {
		f, err := ParseFilter(c.filter)
		if err != nil {
			t.Fatal(err)
		}
		if got := f.Match(c.cell); got != c.want {
			t.Errorf("%s on %q = %v, want %v", c.filter, c.cell, got, c.want)
		}
	}
}

func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{"Team=Salisbury CIN", "a<=b", "x!=", "Date>=31/12/2025", "<", "==", "!"} {
		f.Add(s, "cell")
	}
	f.Fuzz(func(t *testing.T, s, cell string) {
		flt, err := ParseFilter(s)
		if err != nil {
			return
		}
		flt.Match(cell)
		if flt.Column == "" {
			t.Fatalf("%q parsed with an empty column", s)
		}
	})
}

// TestFilterPreparedAgrees checks that the prepared comparison of a parsed
// filter gives what the general comparison gives, on cells and values of
// every kind, ASCII and not.
func TestFilterPreparedAgrees(t *testing.T) {
	words := []string{"", "CP", "cp", "Cp ", "CLA", "cla", "Care Leaver", "CP-1", "C", "cP",
		"12", "12.0", "1e3", "-4", "NaN", "nan", "Inf", "0x10", "1_000",
		"2026-01-01", "2026-01-01 10:00:00", "2025-12-31", "01/01/2026",
		"Straße", "STRASSE", "straße", "É", "é", "e", "Ω", "ω", "K", "k", "\u212a", "ſ", "s", "İ", "i", "σ", "ς", "Σ",
		"cp\u0130", "CP\u212a", "abc\xff", "ABC\xff"}
	for _, v := range words {
		for _, op := range []string{"=", "!=", "<", "<=", ">", ">="} {
			f, err := ParseFilter("Col" + op + v)
			if err != nil {
				continue
			}
			general := f
			general.prepared = false
			for _, cell := range words {
				if got, want := f.Match(cell), general.Match(cell); got != want {
					t.Errorf("%s on %q: prepared %v, general %v", f, cell, got, want)
				}
			}
		}
	}
}
