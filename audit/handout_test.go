package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// The marking, contact and return date given when a sample is recorded are
// kept in its first trail entry: read back, carried by every workbook
// written later (the moderators' too), inside the hash chain (an edit is
// found by verify); an audit recorded without them has none.
func TestHandoutKeptWithTheAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	export := synthExport(t, dir, "cases.csv", 800)
	h := Handout{Marking: "OFFICIAL-SENSITIVE", Contact: "Q. Officer, 01225 000000", ReturnBy: "2026-07-24"}
	res, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "handout", 30, clock.now()), Name: "July",
		Auditors: []string{"A. Khan", "B. Evans"}, Handout: h})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	if got, err := st.Handout(ctx, "July"); err != nil || got != h {
		t.Fatalf("Handout = %+v, %v; want %+v", got, err, h)
	}
	for _, o := range []WorkbookOptions{{}, {Auditor: "B. Evans"}, {Outstanding: true}} {
		spec, err := st.Workbook(ctx, "July", o)
		if err != nil {
			t.Fatal(err)
		}
		if spec.Marking != h.Marking || spec.Contact != h.Contact || spec.ReturnBy != h.ReturnBy {
			t.Errorf("workbook %+v carries %q %q %q", o, spec.Marking, spec.Contact, spec.ReturnBy)
		}
	}
	if v, err := Verify(ctx, st, VerifyRequest{Name: "July", Export: export}); err != nil || !v.OK() {
		t.Fatalf("verify: %v %v", err, v.Problems(0))
	}
	plain, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "plain", 10, clock.now()), Name: "Plain"})
	if err != nil {
		t.Fatal(err)
	}
	plain.Close()
	if got, err := st.Handout(ctx, "Plain"); err != nil || !got.IsZero() {
		t.Errorf("an audit recorded without a handout: %+v, %v", got, err)
	}
	// The handout is in the hash chain: changing the marking is an edit.
	sqlExec(t, st, "DROP TRIGGER trail_no_update")
	sqlExec(t, st, `UPDATE trail SET payload = replace(payload, '"OFFICIAL-SENSITIVE"', '"OFFICIAL"') WHERE kind = 'sample'`)
	v, err := Verify(ctx, st, VerifyRequest{Name: "July", Export: export})
	if err != nil {
		t.Fatal(err)
	}
	if v.OK() {
		t.Error("verify passed after the recorded marking was edited")
	}
}

// An audit recorded before the handout was kept (the store-v1 fixture)
// opens with none, and its workbook is written without one.
func TestHandoutOfAnOlderAudit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "store-v1", "caseaudit.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "caseaudit.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if h, err := st.Handout(ctx, "2026-07 monthly"); err != nil || !h.IsZero() {
		t.Errorf("Handout = %+v, %v", h, err)
	}
	if spec, err := st.Workbook(ctx, "2026-07 monthly", WorkbookOptions{}); err != nil || spec.Marking != "" || len(spec.Cases) == 0 {
		t.Errorf("workbook: %v, marking %q, %d cases", err, spec.Marking, len(spec.Cases))
	}
}

// The handout is read from the end of the draw's payload, where Go's
// encoder puts the map's last key; whatever does not fit that shape is
// decoded whole, so the answer is always the top-level key's.
func TestHandoutOfPayload(t *testing.T) {
	a := &Audit{Name: "July"}
	marked := Handout{Marking: "OFFICIAL-SENSITIVE", Contact: "qa@example.org"}
	encode := func(m map[string]any) []byte {
		b, err := json.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	// A case column named like the key, holding a marking-shaped object.
	cases := []map[string]any{{"Case Reference": "CR-0000001", "handout": map[string]string{"marking": "NOT THIS"}}}
	var longCases []map[string]any // more than the last 4 KB searched first
	for i := range 200 {
		longCases = append(longCases, map[string]any{"Case Reference": fmt.Sprintf("CR-%07d", i), "Team": "Chippenham CP"})
	}
	for _, c := range []struct {
		name    string
		payload []byte
		want    Handout
	}{
		{"as drawn, with a handout", encode(map[string]any{"audit": map[string]string{"name": "July"}, "cases": []string{"CR-0000001"}, "handout": marked}), marked},
		{"as drawn, without one", encode(map[string]any{"audit": map[string]string{"name": "July"}, "cases": []string{"CR-0000001"}}), Handout{}},
		{"a case column named handout, no handout", encode(map[string]any{"audit": map[string]string{}, "cases": cases}), Handout{}},
		{"a case column named handout, and a handout", encode(map[string]any{"audit": map[string]string{}, "cases": cases, "handout": marked}), marked},
		{"the handout not last, spaced", []byte(`{"handout" : {"marking": "OFFICIAL-SENSITIVE", "contact": "qa@example.org"}, "cases": [{"handout": {"marking": "NOT THIS"}}]}`), marked},
		{"a long draw, with a handout", encode(map[string]any{"audit": map[string]string{}, "cases": longCases, "handout": marked}), marked},
		{"a long draw, a case column named handout, no handout", encode(map[string]any{"audit": map[string]string{}, "cases": append(slices.Clone(cases), longCases...)}), Handout{}},
		{"a string holding the key's text", []byte(`{"audit": {"note": "see \"handout\": {}"}, "cases": []}`), Handout{}},
	} {
		got, err := handoutOf(a.Name, c.payload)
		if err != nil || got != c.want {
			t.Errorf("%s: got %+v, %v; want %+v", c.name, got, err, c.want)
		}
	}
	if _, err := handoutOf(a.Name, []byte(`{"cases": [}, "handout": {"marking": 1}`)); err == nil {
		t.Errorf("a damaged payload whose handout does not decode was read without an error")
	}
}
