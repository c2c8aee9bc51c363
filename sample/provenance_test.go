package sample

import (
	"strings"
	"testing"
	"time"
)

// A provenance written before the executable's SHA-256 was recorded (the
// stored bytes of an earlier caseaudit) still reads, describes itself
// without the line, and writes back without the key; one with it keeps it.
func TestProvenanceToolSHA256(t *testing.T) {
	old := `{"schema":"caseaudit-provenance/1","tool_version":"(devel)","drawn":"2026-07-01T09:00:00Z","seed":"42",` +
		`"export":{"path":"cases.xlsx","abs_path":"C:\\Users\\qa\\cases.xlsx","sha256":"ab","format":"xlsx","sheet":"Cases","header_row":1,"id_column":"Case Reference"},` +
		`"filters":[],"size":3,"counts":{"rows":10,"blank_rows":0,"footer_rows":0,"duplicate_rows":0,"distinct_ids":10,"filtered_out":0,"excluded":0,"population":10},"columns":[]}`
	p, err := ParseProvenance([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if p.ToolSHA256 != "" {
		t.Errorf("an old provenance has ToolSHA256 %q", p.ToolSHA256)
	}
	b, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "tool_sha256") {
		t.Errorf("an old provenance written back gains tool_sha256: %s", b)
	}
	for _, l := range p.Describe() {
		if l[0] == "Tool SHA-256" {
			t.Errorf("an old provenance describes a tool SHA-256: %q", l[1])
		}
	}

	sum := strings.Repeat("0f", 32)
	p.ToolVersion, p.ToolSHA256, p.Drawn = "1.2.0", sum, time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	b, err = p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"tool_sha256":"`+sum+`"`) {
		t.Errorf("the JSON lacks tool_sha256: %s", b)
	}
	q, err := ParseProvenance(b)
	if err != nil {
		t.Fatal(err)
	}
	if q.ToolSHA256 != sum {
		t.Errorf("read back ToolSHA256 %q, want %q", q.ToolSHA256, sum)
	}
	var lines []string
	for _, l := range q.Describe() {
		lines = append(lines, l[0]+": "+l[1])
	}
	got := strings.Join(lines, "\n")
	if !strings.Contains(got, "Tool: caseaudit 1.2.0\nTool SHA-256: "+sum+"\nDrawn (UTC): 2026-07-01 09:00:00") {
		t.Errorf("Describe:\n%s", got)
	}
}
