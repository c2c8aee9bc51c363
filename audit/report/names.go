package report

import (
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
)

// NamesNote says precisely who the report names, for its footer: children
// never (cases go by ID; their personal details only with --include-names),
// and members of staff only where shown — the columns naming them and the
// auditors and moderators — with how to leave them out.
func (r *Report) NamesNote() string {
	var b strings.Builder
	b.WriteString("Children are never named here: cases go by their ID")
	var personal, staff []string
	for _, c := range r.Columns {
		switch {
		case Personal(c):
			personal = append(personal, c)
		case colname.Staff(c):
			staff = append(staff, c)
		}
	}
	if len(personal) > 0 {
		b.WriteString("; their personal details (" + strings.Join(personal, ", ") + ") are shown because --include-names was given")
	}
	b.WriteString(". ")
	var who []string
	if len(staff) > 0 {
		who = append(who, "the "+strings.Join(staff, ", ")+" "+plural(len(staff), "column", "columns"))
	}
	auditors, moderators := false, false
	for _, c := range r.AllCases {
		auditors = auditors || c.Auditor != ""
		moderators = moderators || c.Moderator != ""
	}
	for _, w := range r.Withdrawn {
		auditors = auditors || w.By != ""
	}
	if auditors {
		who = append(who, "the auditors")
	}
	if moderators {
		who = append(who, "the moderators")
	}
	switch {
	case len(who) > 0:
		b.WriteString("Staff are named where shown: " + joinAnd(who) + "; --no-staff-names leaves them out.")
	case r.opts.NoStaffNames:
		b.WriteString("No member of staff is named (--no-staff-names).")
	default:
		b.WriteString("No member of staff is named.")
	}
	return b.String()
}

// joinAnd joins items as a list in a sentence: "a, b and c".
func joinAnd(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}
