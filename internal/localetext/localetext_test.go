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

// UTF-8, no codeset named, C and POSIX: the writer is w itself.
func TestWriterLeavesUTF8(t *testing.T) {
	var b bytes.Buffer
	for _, loc := range []string{"en_GB.UTF-8", "C.utf8", "en_GB", "C", "POSIX", ""} {
		if w := Writer(&b, env(map[string]string{"LC_ALL": loc})); w != &b {
			t.Errorf("%q: wrapped", loc)
		}
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
