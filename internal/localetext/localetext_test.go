package localetext

import (
	"bytes"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// LC_ALL wins over LC_CTYPE, which wins over LANG; empty values are not set.
func TestLocaleOrder(t *testing.T) {
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"LC_ALL": "en_GB.ISO-8859-1", "LC_CTYPE": "en_GB.UTF-8", "LANG": "C.UTF-8"}, "en_GB.ISO-8859-1"},
		{map[string]string{"LC_ALL": "", "LC_CTYPE": "de_DE.iso885915@euro", "LANG": "en_GB.UTF-8"}, "de_DE.iso885915@euro"},
		{map[string]string{"LANG": "fr_FR.UTF-8"}, "fr_FR.UTF-8"},
		{map[string]string{}, ""},
	} {
		if got := Locale(env(tc.env)); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.env, got, tc.want)
		}
	}
}

// What a Latin-1 terminal is sent: the bytes are ISO-8859-1 (é is 0xE9),
// with ASCII for the rules and dashes Latin-1 lacks, never Windows-1252's
// dashes at 0x96, which ISO-8859-1 leaves to control characters.
func TestWriterLatin1(t *testing.T) {
	for _, loc := range []string{"en_GB.iso88591", "en_GB.ISO-8859-1", "en_GB.ISO8859-1", "en_GB.latin1"} {
		var b bytes.Buffer
		w := Writer(&b, env(map[string]string{"LC_ALL": loc}))
		if _, err := w.Write([]byte("Élodie Müller – 3.1%–9.4% …\n─────\nDvořák → “ok” ✓ 日\n")); err != nil {
			t.Fatal(err)
		}
		want := "\xc9lodie M\xfcller - 3.1%-9.4% ...\n-----\nDvor\xe1k -> \"ok\" v ?\n"
		if got := b.String(); got != want {
			t.Errorf("%s:\n got %q\nwant %q", loc, got, want)
		}
	}
}

// Latin-9 has the euro sign where Latin-1 has the currency sign.
func TestWriterLatin9(t *testing.T) {
	var b bytes.Buffer
	Writer(&b, env(map[string]string{"LANG": "de_DE.ISO-8859-15@euro"})).Write([]byte("€5 ü"))
	if got, want := b.String(), "\xa45 \xfc"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// ASCII: accents dropped, the rest ?.
func TestWriterASCII(t *testing.T) {
	var b bytes.Buffer
	Writer(&b, env(map[string]string{"LC_CTYPE": "en_US.ANSI_X3.4-1968"})).Write([]byte("Zoë – Chloé ×"))
	if got, want := b.String(), "Zoe - Chloe x"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// UTF-8, a bare UTF-8 (macOS's ssh sends LC_CTYPE=UTF-8), and no locale
// set at all (cron without one, containers, Windows): the writer is w
// itself.
func TestWriterLeavesUTF8(t *testing.T) {
	var b bytes.Buffer
	for _, loc := range []string{"en_GB.UTF-8", "C.utf8", "C.UTF-8", "UTF-8", "utf8", ""} {
		if w := Writer(&b, env(map[string]string{"LC_ALL": loc})); w != &b {
			t.Errorf("%q: wrapped", loc)
		}
	}
	if w := Writer(&b, env(map[string]string{})); w != &b {
		t.Error("no locale set: wrapped")
	}
}

// C and POSIX set on purpose are ASCII, as glibc (Debian's 2.36: locale
// charmap says ANSI_X3.4-1968), musl and macOS make them; a name without a
// codeset is ASCII too: its set is in the system's locale database
// (Debian's en_GB is ISO-8859-1, and one not generated falls back to C),
// and ASCII is right on every terminal whatever it says. What caseaudit
// prints outside ASCII on a terminal becomes its ASCII look-alike.
func TestWriterCAndNoCodesetAreASCII(t *testing.T) {
	for _, e := range []map[string]string{
		{"LC_ALL": "C"}, {"LC_ALL": "POSIX"}, {"LANG": "C"}, {"LC_CTYPE": "POSIX", "LANG": "en_GB.UTF-8"},
		{"LANG": "en_GB"}, {"LC_ALL": "de_DE@euro"}, {"LC_CTYPE": "en_US", "LANG": "en_GB.UTF-8"},
	} {
		var b bytes.Buffer
		w := Writer(&b, env(e))
		if _, err := w.Write([]byte("0% – 16.9% (Clopper–Pearson) … ≤ 5 × 2 ≥ −1 — “Zoë” ─ a · b 3 † X² \n")); err != nil {
			t.Fatal(err)
		}
		if got, want := b.String(), "0% - 16.9% (Clopper-Pearson) ... <= 5 x 2 >= -1 - \"Zoe\" - a - b 3 + X^2 \n"; got != want {
			t.Errorf("%v:\n got %q\nwant %q", e, got, want)
		}
	}
	// A C.UTF-8 LC_ALL wins over a C LANG.
	var b bytes.Buffer
	if w := Writer(&b, env(map[string]string{"LC_ALL": "C.UTF-8", "LANG": "C"})); w != &b {
		t.Error("LC_ALL=C.UTF-8 over LANG=C: wrapped")
	}
}

// A character cut between two writes is written whole.
func TestWriterSplitRune(t *testing.T) {
	var b bytes.Buffer
	w := Writer(&b, env(map[string]string{"LC_ALL": "en_GB.ISO-8859-1"}))
	s := []byte("a–é")
	for i := range s {
		w.Write(s[i : i+1])
	}
	if got, want := b.String(), "a-\xe9"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}
