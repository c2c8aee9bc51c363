// Package colname is caseaudit's one way to match a column name a person
// gives (in a flag, a config file, a form) to the column names of an export
// or an audit, and its one privacy policy: which columns hold personal
// details that outputs leave out unless asked.
//
// Matching, in order:
//   - exact: ignoring case, surrounding spaces and runs of inner spaces
//     ("allocated  worker" is "Allocated Worker"); the first of duplicates;
//   - loose: letters and digits only ("Allocated-Worker", "allocated_worker"
//     and "AllocatedWorker" are "Allocated Worker"), when exactly one
//     distinct column name has that key.
package colname

import (
	"slices"
	"strings"
	"unicode"
)

// Norm is a column name for exact matching: lower case, spaces collapsed.
func Norm(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

// Key is a column name for loose matching: letters and digits only, lower
// case ("Case No." -> "caseno").
func Key(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// Match returns the index in names of the column that name denotes, or -1:
// the first exact match, else the loose match when exactly one distinct
// name has name's key (two different names with the same key, such as
// "Case-Ref" and "Case Ref.", are ambiguous: -1).
func Match(names []string, name string) int {
	n := Norm(name)
	if n == "" {
		return -1
	}
	for i, h := range names {
		if Norm(h) == n {
			return i
		}
	}
	k := Key(name)
	if k == "" {
		return -1
	}
	found, distinct := -1, ""
	for i, h := range names {
		if Key(h) != k {
			continue
		}
		if found < 0 {
			found, distinct = i, Norm(h)
		} else if Norm(h) != distinct {
			return -1
		}
	}
	return found
}

// Same reports whether two column names denote the same column on their
// own (exact or loose match).
func Same(a, b string) bool { return Match([]string{a}, b) == 0 }

// Personal reports whether a column holds personal details of the person a
// case is about, which outputs leave out unless asked (--include-names):
// names (but not a team's, worker's or service's), dates of birth,
// addresses, postcodes, contact details and national identifiers.
func Personal(column string) bool {
	ws := strings.FieldsFunc(strings.ToLower(column), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	has := func(w ...string) bool {
		for _, x := range ws {
			if slices.Contains(w, x) {
				return true
			}
		}
		return false
	}
	joined := strings.Join(ws, "")
	for _, s := range personalParts {
		if strings.Contains(joined, s) {
			return true
		}
	}
	if has("name", "names", "alias", "aka") {
		// "Team Name", "Worker Name", "Service Name" … name an organisation
		// or member of staff, not the person the case is about.
		return !has(staffWords...)
	}
	return false
}

// PersonName reports whether a column holds the name of the person a case
// is about (what --include-names adds to a referral sheet): a Personal
// column that is a name, not a date of birth or an address.
func PersonName(column string) bool {
	if !Personal(column) {
		return false
	}
	k := Key(column)
	for _, s := range []string{"name", "alias", "aka"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Staff reports whether a column names a member of staff — the allocated
// worker, a team manager, a practitioner — whom --no-staff-names leaves
// out; a team's or service's name is not a person's.
func Staff(column string) bool {
	for _, w := range strings.FieldsFunc(strings.ToLower(column), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		switch w {
		case "worker", "caseworker", "keyworker", "practitioner", "manager", "supervisor", "auditor", "moderator",
			"iro", "officer", "staff", "sw", "clinician", "nurse", "therapist":
			return true
		}
	}
	return false
}

var personalParts = []string{"forename", "surname", "firstname", "lastname", "givenname", "familyname", "fullname",
	"middlename", "birth", "dob", "postcode", "postalcode", "zipcode", "address", "email", "phone", "mobile",
	"nhsnumber", "nino", "nationalinsurance", "upn"}

var staffWords = []string{"team", "worker", "service", "school", "organisation", "organization", "unit", "office",
	"locality", "auditor", "manager", "practitioner", "staff", "sheet", "file", "provider", "agency"}

// Index returns the index in names of the column named name, matched
// exactly but for case and surrounding spaces, or -1.
func Index(names []string, name string) int {
	name = strings.TrimSpace(name)
	for i, c := range names {
		if strings.EqualFold(strings.TrimSpace(c), name) {
			return i
		}
	}
	return -1
}
