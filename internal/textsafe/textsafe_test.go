package textsafe

import "testing"

func TestCSVCell(t *testing.T) {
	cases := map[string]string{
		"=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")",
		"+44 1234":                 "'+44 1234",
		"-cmd":                     "'-cmd",
		"@SUM(A1)":                 "'@SUM(A1)",
		"\tx":                      "'\tx",
		"\rx":                      "'\rx",
		"-12.5":                    "-12.5",
		"+3":                       "+3",
		"Salisbury CIN":            "Salisbury CIN",
		"":                         "",
		"CR-0000001":               "CR-0000001",
	}
	for in, want := range cases {
		if got := CSVCell(in); got != want {
			t.Errorf("CSVCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerminal(t *testing.T) {
	cases := map[string]string{
		"plain Zoë":          "plain Zoë",
		"\x1b[31mred\x1b[0m": "\uFFFD[31mred\uFFFD[0m",
		"\x1b[2J":            "\uFFFD[2J",
		"line1\nline2":       "line1 line2",
		"bell\a":             "bell\uFFFD",
		"c1 \u009b31m":       "c1 \uFFFD31m",
		"bad \xff utf8":      "bad \uFFFD utf8",
		"del\x7f":            "del\uFFFD",
	}
	for in, want := range cases {
		if got := Terminal(in); got != want {
			t.Errorf("Terminal(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTerminalText(t *testing.T) {
	cases := map[string]string{
		"a,b\nCR-1,\"two\nlines\"\n":   "a,b\nCR-1,\"two\nlines\"\n",
		"x\ty":                         "x\ty",
		"CR-\x1b[31m1\x1b]0;title\x07": "CR-\uFFFD[31m1\uFFFD]0;title\uFFFD",
		"a\r\nb":                       "a\uFFFD\nb",
		"\u009b2J":                     "\uFFFD2J",
		"bad \xff byte":                "bad \uFFFD byte",
		"Chloé Williams":               "Chloé Williams",
	}
	for in, want := range cases {
		if got := TerminalText(in); got != want {
			t.Errorf("TerminalText(%q) = %q, want %q", in, got, want)
		}
	}
}
