package audit

import (
	"context"
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

// People returns the store's people list, by login; empty when the store
// has none.
func (s *Store) People(ctx context.Context) ([]Person, error) {
	var out []Person
	err := s.read(ctx, "reading the people list of", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		out = sortedPeople(peopleOf(cs))
		return nil
	})
	return out, err
}

// VerifyPeople re-walks the people list's chain: the problems found, none
// when it is as caseaudit wrote it.
func (s *Store) VerifyPeople(ctx context.Context) ([]string, error) {
	var problems []string
	err := s.read(ctx, "verifying", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		problems = store.CheckPeopleChain(cs)
		return nil
	})
	return problems, err
}

// Login is who the store takes to be acting: the login on PostgreSQL, the
// OS login or --user on SQLite.
func (s *Store) Login() string { return s.st.EnteredBy() }

// AddPerson adds a person to the people list, or changes the name or roles
// of one already on it. Only QA manages people; the first person added
// must have the qa role and be the login acting, so that the list never
// locks its own maker out.
func (s *Store) AddPerson(ctx context.Context, p Person) (Person, error) {
	p.Login = strings.TrimSpace(p.Login)
	p.Name = strings.Join(strings.Fields(p.Name), " ")
	if p.Login == "" {
		return Person{}, fmt.Errorf("a person needs a login (the OS login on SQLite, the database login on PostgreSQL)")
	}
	if strings.ContainsAny(p.Login, ",\n\r\t") {
		return Person{}, fmt.Errorf("the login %q holds a comma or a line break; give the login as the system spells it", p.Login)
	}
	if p.Name == "" {
		return Person{}, fmt.Errorf("give the person's name with --name (e.g. --name \"B. Evans\"): it is how findings and allocations name her")
	}
	if len(p.Roles) == 0 {
		return Person{}, fmt.Errorf("give the person's roles with --role (qa, auditor, moderator, manager, governance)")
	}
	err := s.write(ctx, "changing the people list of", func(tx *store.WriteTx) error {
		s.attempt(DutyPeople, CaseFacts{})
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		if len(people) == 0 {
			if !p.Has(QA) {
				return &DutyError{Duty: DutyPeople, Person: Person{Login: s.Login()}, Rule: duties[DutyPeople].rule,
					Reason: refusalf("the first person on a store's people list must have the qa role (add yourself first: caseaudit people add %s --name NAME --role qa)", s.Login())}
			}
			if p.Login != s.Login() {
				return &DutyError{Duty: DutyPeople, Person: Person{Login: s.Login()}, Rule: duties[DutyPeople].rule,
					Reason: refusalf("the first person on a store's people list is the QA lead adding herself (the login acting is %s, not %s), so that the list never locks its maker out", s.Login(), p.Login)}
			}
		} else {
			if err := mayIn(people, s.Login(), DutyPeople, CaseFacts{}); err != nil {
				return err
			}
			for login, q := range people {
				if login != p.Login && sameName(q.Name, p.Name) {
					return fmt.Errorf("the name %q is already login %s's on the people list; names tie findings to people, so give %s a name of her own (e.g. with her other initials)", q.Name, login, p.Login)
				}
			}
		}
		rs := make([]string, len(p.Roles))
		for i, r := range p.Roles {
			rs[i] = string(r)
		}
		_, err = tx.AppendPersonChange(ctx, store.PersonAdd, p.Login, p.Name, rs, s.now())
		return err
	})
	return p, err
}

// RemovePerson takes a login off the people list: from then on it may do
// nothing in the store. QA cannot remove the last QA person.
func (s *Store) RemovePerson(ctx context.Context, login string) (Person, error) {
	login = strings.TrimSpace(login)
	var gone Person
	err := s.write(ctx, "changing the people list of", func(tx *store.WriteTx) error {
		s.attempt(DutyPeople, CaseFacts{})
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		if err := mayIn(people, s.Login(), DutyPeople, CaseFacts{}); err != nil {
			return err
		}
		p, ok := people[login]
		if !ok {
			return errorf(ErrNotFound, "%s is not on the people list of %s; see caseaudit people list", login, s.Path())
		}
		if p.Has(QA) {
			qa := 0
			for _, q := range people {
				if q.Has(QA) {
					qa++
				}
			}
			if qa == 1 {
				return fmt.Errorf("%s is the only person with the qa role; add another QA person first (caseaudit people add LOGIN --name NAME --role qa), so that someone may still manage the store", login)
			}
		}
		gone = p
		_, err = tx.AppendPersonChange(ctx, store.PersonRemove, login, "", nil, s.now())
		return err
	})
	return gone, err
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

// may checks, within a transaction, that the person acting may do d on a
// case with facts c (see mayIn).
func (s *Store) may(ctx context.Context, tx *store.Tx, d Duty, c CaseFacts) error {
	s.attempt(d, c)
	cs, err := tx.PersonChanges(ctx)
	if err != nil {
		return err
	}
	return mayIn(peopleOf(cs), s.Login(), d, c)
}

// actorIn is the name an entry the person acting makes herself is recorded
// under: her name on the people list, else the name the store was opened
// with. On PostgreSQL the store is opened with the operating system's
// login, which says nothing of the database login that acts; the list
// says who that is.
func (s *Store) actorIn(ctx context.Context, tx *store.Tx) (string, error) {
	cs, err := tx.PersonChanges(ctx)
	if err != nil {
		return "", err
	}
	if p, ok := peopleOf(cs)[s.Login()]; ok && p.Name != "" {
		return p.Name, nil
	}
	return s.actor, nil
}

// MayDo checks that the person acting may do d where no case decides it
// (drawing, signing off, closing an action), so that a command can refuse
// before it does any work; the use case checks again when it writes.
func (s *Store) MayDo(ctx context.Context, d Duty) error {
	return s.read(ctx, "reading the people list of", func(tx *store.Tx) error {
		return s.may(ctx, tx, d, CaseFacts{})
	})
}

// Acting returns the person acting as the people list knows her, and
// whether the store has a people list at all.
func (s *Store) Acting(ctx context.Context) (Person, bool, error) {
	var p Person
	var listed bool
	err := s.read(ctx, "reading the people list of", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		listed = len(people) > 0
		var ok bool
		if p, ok = people[s.Login()]; !ok {
			p = Person{Login: s.Login()}
		}
		return nil
	})
	return p, listed, err
}
