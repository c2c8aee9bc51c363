package shellarg

import (
	"os/exec"
	"testing"
)

// TestQuoteRoundTrips: sh reads each quoted word back as the word itself.
func TestQuoteRoundTrips(t *testing.T) {
	words := []string{"", "plain-2026.xlsx", "2026-07 monthly", `it's "July"`, "cost $5", "a`b`", `back\slash`,
		"bang!", "tab\there", "line\nbreak", "é 7", "*.xlsx", "~user", "a;b", "x&y", "(z)", "'"}
	sh, err := exec.LookPath("sh")
	if err != nil {
		t.Skip("no sh")
	}
	for _, w := range words {
		out, err := exec.Command(sh, "-c", `printf '%s' `+Quote(w)).Output()
		if err != nil {
			t.Errorf("%q quoted as %s: %v", w, Quote(w), err)
			continue
		}
		if string(out) != w {
			t.Errorf("%q quoted as %s reads back as %q", w, Quote(w), out)
		}
	}
	if got := Quote("2026-07 monthly"); got != `"2026-07 monthly"` {
		t.Errorf("got %s", got)
	}
	if got := Quote("2026-07.xlsx"); got != "2026-07.xlsx" {
		t.Errorf("got %s", got)
	}
}
