package report

// What every view is made of: sections of key-value lines and tables,
// with the small wordings they share. The views (view.go, the trend and
// calibration views) build them; every renderer (text, Markdown, HTML,
// xlsx) writes them.

import "github.com/caseaudit/caseaudit/internal/rate"

type kv struct{ K, V string }

type tbl struct {
	Header []string
	Rows   [][]string
	Right  []bool // right-aligned (numeric) columns
	// Heat names the heat-map band of each cell ("red", "amber", "green" or
	// ""), row by row; nil for a plain table.
	Heat [][]string
}

type section struct {
	Title string
	Intro string // a sentence above the lines
	Lines []kv
	Table *tbl
	// Extra tables after the first, each with a caption.
	More []captioned
	// Bullets are sentences listed after everything else.
	Bullets []string
}

type captioned struct {
	Caption string
	Table   *tbl
	Note    string // a line under the table (a heat map's legend)
}

func shareOf(k, n int) string {
	if n == 0 {
		return "—"
	}
	return rate.Fraction(k, n, 1, rate.Nearest)
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func yesNoPtr(b *bool) string {
	if b == nil {
		return ""
	}
	return yesNo(*b)
}

func methodName(m string) string {
	if m == MethodWilson {
		return "Wilson score"
	}
	return "Clopper–Pearson, exact"
}

// toolLine names the caseaudit that made a report, for an inspector: its
// version and the SHA-256 of its executable (which a release's
// checksums.txt lists); "" when neither is known.
func toolLine(version, sha string) string {
	switch {
	case version == "" && sha == "":
		return ""
	case sha == "":
		return "caseaudit " + version
	case version == "":
		return "caseaudit, executable SHA-256 " + sha
	}
	return "caseaudit " + version + ", executable SHA-256 " + sha
}
