package report

import (
	"bytes"
	"context"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/schema/schematest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	if strings.HasSuffix(name, ".json") {
		// The JSON documents follow their published schemas.
		v, err := schematest.Load()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := v.Document(got); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./audit/report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test ./audit/report -update rewrites it after a deliberate change)\n%s",
			name, firstDiff(string(want), string(got)))
	}
}

func firstDiff(want, got string) string {
	wl, gl := bytes.Split([]byte(want), []byte("\n")), bytes.Split([]byte(got), []byte("\n"))
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g []byte
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if !bytes.Equal(w, g) {
			return "line " + itoa(i+1) + ":\n want " + string(w) + "\n  got " + string(g)
		}
	}
	return ""
}

func itoa(n int) string { return string(appendInt(nil, n)) }

func appendInt(b []byte, n int) []byte {
	if n >= 10 {
		b = appendInt(b, n/10)
	}
	return append(b, byte('0'+n%10))
}

// TestGolden renders the fixed audit in every format. The figures in these
// files are asserted independently against the reference values in
// TestReportReferenceValues; the goldens pin the layout.
func TestGolden(t *testing.T) {
	st, _ := fixture(t)
	ctx := context.Background()
	r, err := Build(ctx, st, "2026-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	prev, err := Build(ctx, st, "2025-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		r    *Report
		f    Format
		o    RenderOptions
	}{
		{"report.txt", r, Table, RenderOptions{}},
		{"report-color.txt", r, Table, RenderOptions{Color: true}},
		{"report.md", r, Markdown, RenderOptions{}},
		{"report.csv", r, CSV, RenderOptions{}},
		{"cases.csv", r, CSV, RenderOptions{Cases: true}},
		{"report.json", r, JSON, RenderOptions{}},
		{"report.html", r, HTML, RenderOptions{}},
		{"previous.txt", prev, Table, RenderOptions{}},
		{"previous.json", prev, JSON, RenderOptions{}},
	} {
		var b bytes.Buffer
		var w io.Writer = &b
		if c.o.Color {
			w = textsafe.NewWriter(&b, true) // as on a terminal
		}
		if err := Render(w, c.r, c.f, c.o); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		golden(t, c.name, b.Bytes())
	}
	tr, err := BuildTrend(ctx, st, fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		f    Format
	}{{"trend.txt", Table}, {"trend.md", Markdown}, {"trend.csv", CSV}, {"trend.json", JSON}} {
		var b bytes.Buffer
		if err := RenderTrend(&b, tr, c.f, RenderOptions{}); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		golden(t, c.name, b.Bytes())
	}
	var x bytes.Buffer
	if err := WriteXLSX(&x, r); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.xlsx.txt", []byte(dumpXLSX(t, x.Bytes())))
}
