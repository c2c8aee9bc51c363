package textsafe

import (
	"bytes"
	"testing"
)

func TestWriterInert(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, false)
	w.Write([]byte("CR-1\x1b[2J\tnote\r\nZoë \x9b31m" + Bold + "x" + Plain + "\xff\n"))
	want := "CR-1\uFFFD[2J\tnote\uFFFD\nZoë \uFFFD31mx\uFFFD\n"
	if got := b.String(); got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestWriterColour(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, true)
	w.Write([]byte(Bold + "flagged" + Plain + " \x1b[31mred"))
	if got, want := b.String(), "\x1b[1mflagged\x1b[0m \uFFFD[31mred"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

// A rune cut between two writes is written whole, once.
func TestWriterSplitRune(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, false)
	s := []byte("Zoë Müller ✓")
	for i := range s {
		w.Write(s[i : i+1])
	}
	w.Flush()
	if got := b.String(); got != string(s) {
		t.Errorf("got %q, want %q", got, s)
	}
	b.Reset()
	w.Write([]byte("a\xe2\x9c")) // cut short and never finished
	w.Flush()
	if got := b.String(); got != "a\uFFFD" {
		t.Errorf("unfinished rune: got %q", got)
	}
}

func TestOneLine(t *testing.T) {
	if got := OneLine("a\nb\tc\rd\x1b"); got != "a b c d\x1b" {
		t.Errorf("got %q", got)
	}
}
