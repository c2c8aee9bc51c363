package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

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

// AddPerson adds a person to the people list, or changes the name or roles
// of one already on it. Only QA manages people; the first person added
// must have the qa role and be the login acting, so that the list never
// locks its own maker out.
func (s *Store) AddPerson(ctx context.Context, p Person) (Person, error) {
	c, err := s.SetPerson(ctx, p)
	return c.Person, err
}

// PersonSet is what SetPerson did: the person as the list now has her, and
// as it had her before (nil when she is new). Changed is false when the
// list already had her so, name and roles alike: nothing was appended.
type PersonSet struct {
	Person  Person
	Was     *Person
	Changed bool
}

// SetPerson is AddPerson, saying what it changed. The same person given
// again, as a set-up script run twice gives her, changes nothing: the
// list's chain is not lengthened by an entry that says what it already
// says.
func (s *Store) SetPerson(ctx context.Context, p Person) (PersonSet, error) {
	p.Login = strings.TrimSpace(p.Login)
	p.Name = strings.Join(strings.Fields(p.Name), " ")
	if p.Login == "" {
		return PersonSet{}, fmt.Errorf("a person needs a login (the OS login on SQLite, the database login on PostgreSQL)")
	}
	if strings.ContainsAny(p.Login, ",\n\r\t") {
		return PersonSet{}, fmt.Errorf("the login %q holds a comma or a line break; give the login as the system spells it", p.Login)
	}
	if p.Name == "" {
		return PersonSet{}, fmt.Errorf("give the person's name with --name (e.g. --name \"B. Evans\"): it is how findings and allocations name her")
	}
	if len(p.Roles) == 0 {
		return PersonSet{}, fmt.Errorf("give the person's roles with --role (qa, auditor, moderator, manager, governance)")
	}
	var out PersonSet
	err := s.write(ctx, "changing the people list of", func(tx *store.WriteTx) error {
		out = PersonSet{}
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
		if was, ok := people[p.Login]; ok {
			out.Was = &was
			if was.Name == p.Name && sameRoles(was.Roles, p.Roles) {
				out.Person = was
				return nil
			}
		}
		rs := make([]string, len(p.Roles))
		for i, r := range p.Roles {
			rs[i] = string(r)
		}
		out.Person, out.Changed = p, true
		_, err = tx.AppendPersonChange(ctx, store.PersonAdd, p.Login, p.Name, rs, s.stamp())
		return err
	})
	return out, err
}

// sameRoles reports whether a and b hold the same roles, in any order.
func sameRoles(a, b []Role) bool {
	if len(a) != len(b) {
		return false
	}
	for _, r := range a {
		if !slices.Contains(b, r) {
			return false
		}
	}
	return true
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
		_, err = tx.AppendPersonChange(ctx, store.PersonRemove, login, "", nil, s.stamp())
		return err
	})
	return gone, err
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
