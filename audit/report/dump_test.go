package report

import (
	"archive/zip"
	"bytes"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// dumpXLSX renders a workbook as text for a golden file: every sheet's raw
// cell values (tab-separated) and, per chart, its kind, grouping and series
// references.
func dumpXLSX(t *testing.T, b []byte) string {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the workbook does not open: %v", err)
	}
	defer f.Close()
	var out strings.Builder
	for _, s := range f.GetSheetList() {
		fmt.Fprintf(&out, "== sheet %s\n", s)
		rows, err := f.GetRows(s, excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			fmt.Fprintln(&out, strings.Join(r, "\t"))
		}
	}
	for _, c := range chartXML(t, b) {
		fmt.Fprintf(&out, "== %s\n%s\n", c.name, describeChart(c.xml))
	}
	return out.String()
}

type namedXML struct {
	name string
	xml  string
}

func chartXML(t *testing.T, b []byte) []namedXML {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	var out []namedXML
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/charts/chart") {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			out = append(out, namedXML{f.Name, string(data)})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].name < out[j].name })
	return out
}

var (
	// excelize writes the chart namespace as the default one; other
	// writers use the c: prefix.
	reKind     = regexp.MustCompile(`<(?:c:)?(lineChart|barChart|bar3DChart|areaChart)>`)
	reGrouping = regexp.MustCompile(`<(?:c:)?grouping val="([a-zA-Z]+)"`)
	reTitle    = regexp.MustCompile(`<a:t>([^<]+)</a:t>`)
	reRef      = regexp.MustCompile(`<(?:c:)?val><(?:c:)?numRef><(?:c:)?f>([^<]+)</(?:c:)?f>`)
)

func describeChart(x string) string {
	var parts []string
	if m := reKind.FindStringSubmatch(x); m != nil {
		parts = append(parts, "kind "+m[1])
	}
	if m := reGrouping.FindStringSubmatch(x); m != nil {
		parts = append(parts, "grouping "+m[1])
	}
	if m := reTitle.FindStringSubmatch(x); m != nil {
		parts = append(parts, "title "+m[1])
	}
	for _, m := range reRef.FindAllStringSubmatch(x, -1) {
		parts = append(parts, "values "+m[1])
	}
	return strings.Join(parts, "\n")
}
