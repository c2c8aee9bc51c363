package audit

import (
	"fmt"
	"sort"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

// The people list ties logins to people and their roles, per store. QA
// manages it (caseaudit people add/remove). With no people list a store
// behaves as a one-person store: no duty is checked (on PostgreSQL the
// database's group roles still decide what a login may append). Once the
// list holds anyone, every use case that writes checks the person acting —
// the login (PostgreSQL's session_user; on SQLite the OS login or --user)
// — against the duties table, and a login not on the list may do nothing.

// ParseRoles reads a comma-separated list of roles ("auditor,moderator").
func ParseRoles(s string) ([]Role, error) {
	var out []Role
	seen := map[Role]bool{}
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		r, err := ParseRole(part)
		if err != nil {
			return nil, err
		}
		if !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no role given; a role is one of qa, auditor, moderator, manager, governance")
	}
	sort.Slice(out, func(i, j int) bool { return roleOrder(out[i]) < roleOrder(out[j]) })
	return out, nil
}

func roleOrder(r Role) int {
	for i, x := range Roles {
		if x == r {
			return i
		}
	}
	return len(Roles)
}

// peopleOf folds the people list's changes into the current list, by login.
func peopleOf(cs []store.PersonChange) map[string]Person {
	out := map[string]Person{}
	for _, c := range cs {
		switch c.Op {
		case store.PersonAdd:
			p := Person{Login: c.Login, Name: c.Name}
			for _, r := range c.Roles {
				p.Roles = append(p.Roles, Role(r))
			}
			out[c.Login] = p
		case store.PersonRemove:
			delete(out, c.Login)
		}
	}
	return out
}

// sortedPeople lists people by login.
func sortedPeople(m map[string]Person) []Person {
	out := make([]Person, 0, len(m))
	for _, p := range m {
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Login < out[j].Login })
	return out
}

// mayIn checks that the login may do d on a case with facts c, by the
// people list people; an empty list allows everything.
func mayIn(people map[string]Person, login string, d Duty, c CaseFacts) error {
	if len(people) == 0 {
		return nil
	}
	p, ok := people[login]
	if !ok {
		p = Person{Login: login}
	}
	return Allowed(p, d, c, Roster(sortedPeople(people)))
}

// recordAllowed decides whether login may record finding f on a case with
// facts, by the people list people (empty: a one-person store).
func recordAllowed(people map[string]Person, login string, f Finding, facts CaseFacts) error {
	d := DutyRecord
	if f.Moderation {
		d = DutyModerate
	}
	if len(people) == 0 {
		if !f.Moderation {
			return nil
		}
		// Even in a one-person store a moderation is never made under the
		// name of the case's own auditor or allocated worker: the rule is
		// about the names the trail records, which need no people list.
		// Who corrects a moderation is a duty of people, which only a
		// list names.
		facts.Moderator = ""
		return Allowed(Person{Name: f.Auditor, Roles: []Role{Moderator}}, DutyModerate, facts, nil)
	}
	return mayIn(people, login, d, facts)
}
