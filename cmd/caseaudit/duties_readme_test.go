package main

import (
	"os"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
)

// dutiesMarkdown is the README's duties table as audit.DutyTable states it.
func dutiesMarkdown() string {
	var b strings.Builder
	b.WriteString("| to … | who may | the rule |\n|---|---|---|\n")
	for _, d := range audit.DutyTable() {
		var who []string
		for _, r := range audit.Roles {
			if audit.MayDo(r, d.Duty) {
				who = append(who, string(r))
			}
		}
		b.WriteString("| " + d.What + " | " + strings.Join(who, ", ") + " | " + d.Rule + " |\n")
	}
	return b.String()
}

// TestReadmeDutiesTable: the README's "Who may do what" table is the one the
// use cases enforce (go test ./cmd/caseaudit -run TestReadmeDutiesTable -v
// prints the table to paste after a deliberate change).
func TestReadmeDutiesTable(t *testing.T) {
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	want := dutiesMarkdown()
	if !strings.Contains(string(b), want) {
		t.Errorf("the README's duties table differs from audit.DutyTable(); it should read:\n%s", want)
	}
}
