package audit

import (
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Separation of duties. Each person who writes to a store has one or more
// roles; each thing done to an audit is a duty that some roles may do, and
// some duties further depend on the case (an auditor records only the cases
// allocated to her; a moderator is never the case's own auditor nor its
// allocated worker). The table below is the single statement of the rules:
// the use cases consult it for both backends, the README prints it, and the
// PostgreSQL triggers enforce the same table for anyone who connects with
// their own login.

// Role is what a person does in a store.
type Role string

// The roles.
const (
	// QA draws, grows and withdraws samples, allocates, draws moderation
	// samples, closes follow-up actions, signs off, and manages people; QA
	// may also record and moderate (the trail says who entered what).
	QA Role = "qa"
	// Auditor records and imports findings on the cases allocated to her,
	// and moderates cases that are not her own.
	Auditor Role = "auditor"
	// Moderator re-grades cases drawn for moderation that are not her own,
	// and records nothing else.
	Moderator Role = "moderator"
	// Manager owns follow-up actions (a team manager) and responds to them.
	Manager Role = "manager"
	// Governance is the information-governance officer: redaction and
	// retention.
	Governance Role = "governance"
)

// Roles lists the roles in the order help and the README show them.
var Roles = []Role{QA, Auditor, Moderator, Manager, Governance}

// ParseRole reads a role as people write it ("QA", "auditor", "IG").
func ParseRole(s string) (Role, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "qa", "qa officer", "qa lead":
		return QA, nil
	case "auditor":
		return Auditor, nil
	case "moderator":
		return Moderator, nil
	case "manager", "team manager":
		return Manager, nil
	case "governance", "ig", "information governance":
		return Governance, nil
	}
	return "", fmt.Errorf("%q is not a role; a role is one of qa, auditor, moderator, manager, governance", s)
}

// Duty is one thing done to an audit or a store.
type Duty string

// The duties.
const (
	DutyDraw           Duty = "draw"
	DutyGrow           Duty = "grow"
	DutyWithdraw       Duty = "withdraw"
	DutyAllocate       Duty = "allocate"
	DutyModerationDraw Duty = "moderation-draw"
	DutyRecord         Duty = "record"
	DutyModerate       Duty = "moderate"
	DutyRespond        Duty = "respond"
	DutyClose          Duty = "close"
	DutySignOff        Duty = "sign-off"
	DutyPeople         Duty = "people"
	DutyOwners         Duty = "owners"
	DutyRedact         Duty = "redact"
	DutyRetention      Duty = "retention"
	DutyLookUp         Duty = "look-up"
)

// Person is someone who may write to a store: a login mapped to a name and
// roles by the store's people list.
type Person struct {
	Login string
	Name  string
	Roles []Role
}

// Has reports whether p holds role r.
func (p Person) Has(r Role) bool {
	for _, x := range p.Roles {
		if x == r {
			return true
		}
	}
	return false
}

// is reports whether a name, as the trail records it, is p's: her name or
// her login, case and spacing aside.
func (p Person) is(name string) bool {
	return p.Name != "" && sameName(name, p.Name) || p.Login != "" && sameName(name, p.Login)
}

// CaseFacts is what a duty's rule may need to know of the case it touches.
type CaseFacts struct {
	// AllocatedTo is the auditor the case is allocated to ("" when it is
	// not allocated).
	AllocatedTo string
	// Auditor is who recorded the case's finding ("" before any).
	Auditor string
	// Audited is everyone who recorded a finding on the case, a finding
	// since corrected included, in the order of their first; nil when
	// Auditor alone is known. A moderator is none of them: she audited
	// the case, whoever corrected her finding after.
	Audited []string
	// Worker is the case's allocated social worker, where the export's
	// worker column is known.
	Worker string
	// Moderator is who recorded the case's moderation finding ("" before
	// any).
	Moderator string
	// Owner is the owner of the follow-up action touched ("" when none).
	Owner string
	// OwnerIsTeam: Owner is the case's team itself, left to own the action
	// because the team has no manager set; no person is named by it.
	OwnerIsTeam bool
	// For is the name the entry is recorded under (a finding's auditor, a
	// moderation's moderator); "" when the entry names only who acts.
	For string
}

// audited is everyone who recorded a finding on the case (Audited, or
// Auditor alone when that is all the facts say).
func (c CaseFacts) audited() []string {
	if c.Audited != nil {
		return c.Audited
	}
	if c.Auditor != "" {
		return []string{c.Auditor}
	}
	return nil
}

// duty is one row of the table.
type duty struct {
	what  string // what the duty is, as a refusal says it ("close a follow-up action")
	roles []Role // who may do it at all
	rule  string // the rule, as the README states it
	// caseRule refuses what the roles allow but the case does not; nil
	// when the roles say all.
	caseRule func(p Person, c CaseFacts) string
	// who names precisely who may do it on this case ("only A. Khan or QA
	// (Q. Lead) may record it"); nil when the roles say all, and the
	// refusal names the people holding them.
	who func(c CaseFacts, r Roster) string
}

var duties = map[Duty]duty{
	DutyDraw:           {what: "draw an audit's sample", roles: []Role{QA}, rule: "only QA draws a sample"},
	DutyGrow:           {what: "grow a sample", roles: []Role{QA}, rule: "only QA grows a sample"},
	DutyWithdraw:       {what: "withdraw a case", roles: []Role{QA}, rule: "only QA withdraws a case"},
	DutyAllocate:       {what: "allocate cases", roles: []Role{QA}, rule: "only QA allocates and re-allocates cases"},
	DutyModerationDraw: {what: "draw a moderation sample", roles: []Role{QA}, rule: "only QA draws a moderation sample"},
	DutyRecord: {what: "record a finding", roles: []Role{QA, Auditor},
		rule: "an auditor records findings only on the cases allocated to her, under her own name; QA may record for anyone",
		caseRule: func(p Person, c CaseFacts) string {
			if p.Has(QA) {
				return ""
			}
			if c.For != "" && !p.is(c.For) {
				return refusalf("an auditor records findings under her own name, not %s's", c.For)
			}
			if c.AllocatedTo == "" {
				return refusalf("the case is not allocated to anyone yet; an auditor records only the cases allocated to her")
			}
			if !p.is(c.AllocatedTo) {
				return refusalf("the case is allocated to %s; an auditor records only the cases allocated to her", c.AllocatedTo)
			}
			return ""
		},
		who: func(c CaseFacts, r Roster) string {
			if c.AllocatedTo == "" {
				return refusalf("only %s may record it until QA allocates it", r.qa())
			}
			return refusalf("only %s may record it", r.orQA(c.AllocatedTo))
		}},
	DutyModerate: {what: "moderate a case", roles: []Role{QA, Auditor, Moderator},
		rule: "a moderator is never the case's own auditor (whoever recorded a finding on it, one since corrected included) nor its allocated worker, moderates under her own name, and only she or QA corrects her moderation",
		caseRule: func(p Person, c CaseFacts) string {
			if c.For != "" && !p.is(c.For) && !p.Has(QA) {
				return refusalf("a moderator moderates under her own name, not %s's", c.For)
			}
			if c.Moderator != "" && !p.Has(QA) && !p.is(c.Moderator) {
				return refusalf("%s moderated the case; a moderation is corrected only by its moderator or QA", c.Moderator)
			}
			mod := p
			if c.For != "" && !p.is(c.For) {
				mod = Person{Name: c.For}
			}
			name := mod.Name
			if name == "" {
				name = mod.Login
			}
			switch {
			case slices.ContainsFunc(c.audited(), mod.is):
				return refusalf("%s audited the case; a moderator is never the case's own auditor", name)
			case c.AllocatedTo != "" && mod.is(c.AllocatedTo):
				return refusalf("the case is allocated to %s; a moderator is never the case's own auditor", name)
			case c.Worker != "" && mod.is(c.Worker):
				return refusalf("%s is the case's allocated worker; a moderator never moderates her own case work", name)
			}
			return ""
		},
		who: func(c CaseFacts, r Roster) string {
			if c.Moderator != "" && r != nil {
				return refusalf("only %s may correct its moderation", r.orQA(c.Moderator))
			}
			var near []string // who may not: the case's own auditors and worker
			for _, n := range append(slices.Clone(c.audited()), c.AllocatedTo, c.Worker) {
				if n != "" && !slices.ContainsFunc(near, func(x string) bool { return sameName(x, n) }) {
					near = append(near, n)
				}
			}
			if r == nil {
				if len(near) == 0 {
					return ""
				}
				return refusalf("only someone other than %s may moderate it", andList(near))
			}
			var may []string
			for _, p := range r {
				if !p.Has(QA) && !p.Has(Auditor) && !p.Has(Moderator) {
					continue
				}
				if slices.ContainsFunc(near, p.is) {
					continue
				}
				may = append(may, p.Name)
			}
			if len(may) == 0 {
				return refusalf("no one on the people list may moderate it (everyone who moderates audited it or works on it); QA adds a moderator with caseaudit people add")
			}
			return refusalf("only %s may moderate it", words.Or(may))
		}},
	DutyRespond: {what: "respond to a follow-up action", roles: []Role{QA, Manager},
		rule: "QA, or the person who owns the action, enters its response",
		caseRule: func(p Person, c CaseFacts) string {
			if p.Has(QA) {
				return ""
			}
			if c.Owner == "" {
				return refusalf("the action has no owner yet; only its owner or QA responds")
			}
			if !p.is(c.Owner) && c.OwnerIsTeam {
				return refusalf("the action is owned by the team %s, which has no manager set; only the team's manager or QA responds", c.Owner)
			}
			if !p.is(c.Owner) {
				return refusalf("the action is owned by %s; only its owner or QA responds", c.Owner)
			}
			return ""
		},
		who: func(c CaseFacts, r Roster) string {
			if c.Owner == "" {
				return refusalf("only %s may respond to it until it has an owner", r.qa())
			}
			if c.OwnerIsTeam {
				// A team is no person: its manager, once QA sets one, owns
				// the action (ownerByTeam), and QA may respond meanwhile.
				return refusalf("only %s's team manager (none is set: QA sets one with caseaudit owners set) or %s may respond to it", c.Owner, r.qa())
			}
			return refusalf("only %s may respond to it", r.orQA(c.Owner))
		}},
	DutyClose:     {what: "close a follow-up action", roles: []Role{QA}, rule: "only QA closes a follow-up action"},
	DutySignOff:   {what: "sign off an audit", roles: []Role{QA}, rule: "only QA signs off an audit"},
	DutyPeople:    {what: "manage the people list", roles: []Role{QA}, rule: "only QA manages people (logins, names, roles)"},
	DutyOwners:    {what: "set a team's manager", roles: []Role{QA}, rule: "only QA sets the team managers who own follow-up actions"},
	DutyRedact:    {what: "redact a trail entry's text", roles: []Role{QA, Governance}, rule: "only QA or information governance redacts"},
	DutyRetention: {what: "apply retention", roles: []Role{QA, Governance}, rule: "only QA or information governance sets retention and retires audits"},
	DutyLookUp: {what: "look up everything held about a case", roles: []Role{QA, Governance, Auditor},
		rule: "QA and information governance look up any case; an auditor only her own cases (allocated to her, or audited by her)",
		caseRule: func(p Person, c CaseFacts) string {
			if p.Has(QA) || p.Has(Governance) {
				return ""
			}
			if c.AllocatedTo != "" && p.is(c.AllocatedTo) || c.Auditor != "" && p.is(c.Auditor) {
				return ""
			}
			return "the case is not hers: an auditor looks up only the cases allocated to her or audited by her"
		},
		// Whoever may look up any case: not the other auditors, who may
		// look up only their own.
		who: func(c CaseFacts, r Roster) string {
			if n := r.names(QA, Governance); len(n) > 0 {
				return "ask " + words.Or(n)
			}
			return refusalf("ask a person with the qa or the governance role")
		}},
}

// refusalf words part of a refusal: the reason a case's rule refuses, or
// who may do it. (The table of messages lists each format given to it.)
func refusalf(format string, a ...any) string { return fmt.Sprintf(format, a...) }

// Roster is the people list as a refusal names people from it: in login
// order; nil when the store has none.
type Roster []Person

// names lists, in order, the names of the people holding any of roles.
func (r Roster) names(roles ...Role) []string {
	var out []string
	for _, p := range r {
		if slices.ContainsFunc(roles, p.Has) {
			out = append(out, p.Name)
		}
	}
	return out
}

// qa names QA as a refusal says it: "QA (Q. Lead)", or "QA" when the
// people list is not known.
func (r Roster) qa() string {
	if n := r.names(QA); len(n) > 0 {
		return "QA (" + words.Or(n) + ")"
	}
	return "QA"
}

// orQA names who may do it as "name or QA", each person once: "A. Khan
// or QA (Q. Lead)"; when name is on QA herself, QA's others ("J. Smith or
// QA (Q. Admin)"), or "QA (J. Smith)" when she is QA's only member.
func (r Roster) orQA(name string) string {
	var others []string
	isQA := false
	for _, n := range r.names(QA) {
		if sameName(n, name) {
			isQA = true
		} else {
			others = append(others, n)
		}
	}
	switch {
	case isQA && len(others) == 0:
		return "QA (" + name + ")"
	case len(others) == 0:
		return name + " or QA"
	}
	return name + " or QA (" + words.Or(others) + ")"
}

// ErrDuty: a person tried what their roles, or the case, do not allow.
var ErrDuty = store.ErrDuty

// DutyError is a refusal: who tried what, the rule, and who may do it.
type DutyError struct {
	Duty   Duty
	Person Person
	Rule   string // the rule that refuses it
	Reason string // what about this case makes the rule refuse ("" when the role alone does)
	// Who says who may do it instead, as precisely as the case and the
	// people list allow ("ask Q. Lead"; "only A. Khan or QA (Q. Lead) may
	// record it"); "" when the reason already says what to do.
	Who string
	// Guard is the reason the store's database gave, when its own guards
	// refused what caseaudit's check let through (see refusedBy).
	Guard string
}

func (e *DutyError) Error() string {
	d := duties[e.Duty]
	who := e.Person.Name
	if who == "" {
		who = e.Person.Login
	}
	roles := "no role in this store"
	if len(e.Person.Roles) > 0 {
		rs := make([]string, len(e.Person.Roles))
		for i, r := range e.Person.Roles {
			rs[i] = string(r)
		}
		roles = strings.Join(rs, ", ")
	}
	msg := fmt.Sprintf("refused: %s (%s) may not %s: ", who, roles, d.what)
	if e.Reason != "" {
		msg += e.Reason
	} else {
		msg += e.Rule
	}
	if e.Who != "" {
		msg += "; " + e.Who
	}
	if e.Guard != "" {
		msg += "; the store's database refused it: " + e.Guard
	}
	return msg
}

// Is makes errors.Is(err, ErrDuty) true.
func (e *DutyError) Is(target error) bool { return target == ErrDuty }

// Allowed decides whether p may do d on a case with facts c. It returns
// nil or a *DutyError. people, when not nil, is the store's people list,
// from which the refusal names who may do it.
func Allowed(p Person, d Duty, c CaseFacts, people Roster) error {
	row, ok := duties[d]
	if !ok {
		return fmt.Errorf("duty %q is not in the duties table", d)
	}
	refuse := func(reason string) error {
		return &DutyError{Duty: d, Person: p, Rule: row.rule, Reason: reason, Who: whoMay(d, c, people)}
	}
	allowed := false
	for _, r := range row.roles {
		if p.Has(r) {
			allowed = true
		}
	}
	if !allowed {
		return refuse("")
	}
	if row.caseRule != nil {
		if reason := row.caseRule(p, c); reason != "" {
			return refuse(reason)
		}
	}
	return nil
}

// MayDo reports whether holding role r lets a person do d on some case
// (the case rules aside): the table the README prints.
func MayDo(r Role, d Duty) bool {
	for _, x := range duties[d].roles {
		if x == r {
			return true
		}
	}
	return false
}

// DutyRow is one duty as the README's table shows it.
type DutyRow struct {
	Duty Duty
	What string
	Rule string
}

// DutyTable lists every duty in the order the README shows them.
func DutyTable() []DutyRow {
	order := []Duty{DutyDraw, DutyGrow, DutyWithdraw, DutyAllocate, DutyModerationDraw, DutyRecord,
		DutyModerate, DutyRespond, DutyClose, DutySignOff, DutyPeople, DutyOwners, DutyRedact, DutyRetention, DutyLookUp}
	out := make([]DutyRow, len(order))
	for i, d := range order {
		out[i] = DutyRow{Duty: d, What: duties[d].what, Rule: duties[d].rule}
	}
	return out
}

// sameName compares people's names as the trail records them: case and
// spacing aside, by the one rule every name is compared by (namekey).
func sameName(a, b string) bool { return namekey.Same(a, b) }

func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// whoMay says who may do d on a case with facts c: the case's own rule
// where the duty has one, else the people whose roles allow it (or, with
// no people list, the roles).
func whoMay(d Duty, c CaseFacts, people Roster) string {
	row := duties[d]
	if row.who != nil {
		return row.who(c, people)
	}
	if n := people.names(row.roles...); len(n) > 0 {
		return "ask " + words.Or(n)
	}
	rs := make([]string, len(row.roles))
	for i, r := range row.roles {
		rs[i] = "a person with the " + string(r) + " role"
	}
	return "ask " + words.Or(rs)
}

// caseFactsOf is findingFacts from what it read: the audit's latest
// allocation al (nil before any), the case sc (needed only when al names
// a worker column), everyone who recorded a finding on the case, in the
// order of their first (auditors, the latest finding's auditor among
// them), and who recorded its latest moderation (moderator). verify
// replays the trail through it too.
func caseFactsOf(a *Audit, al *Allocation, sc *SampledCase, f Finding, auditors []string, latest, moderator string) CaseFacts {
	c := CaseFacts{For: f.Auditor, Moderator: moderator}
	if al != nil {
		for _, x := range al.Assigned {
			if x.Case == f.Case {
				c.AllocatedTo = x.Auditor
			}
		}
		if al.Rules.WorkerField != "" && sc != nil {
			if i := colname.Index(a.Columns, al.Rules.WorkerField); i >= 0 && i < len(sc.Fields) {
				c.Worker = sc.Fields[i]
			}
		}
	}
	if f.Moderation {
		c.Auditor, c.Audited = latest, slices.Clone(auditors)
		if c.Audited == nil {
			c.Audited = []string{}
		}
	}
	return c
}

// addAuditor adds who recorded a finding on a case to those before her,
// each name once as first spelled.
func addAuditor(auditors []string, name string) []string {
	if name == "" || slices.ContainsFunc(auditors, func(x string) bool { return sameName(x, name) }) {
		return auditors
	}
	return append(auditors, name)
}

// actionFacts is what the duties table knows of an action owned by owner
// (after assignByTeam) on a case of team ("" when the audit has no team
// column): an unassigned action is no one's, so only QA responds to it,
// and one still owned by its case's team (which has no manager) names a
// team, not a person.
func actionFacts(owner, team string) CaseFacts {
	if owner == Unassigned {
		owner = ""
	}
	return CaseFacts{Owner: owner, OwnerIsTeam: owner != "" && team != "" && normTeam(owner) == normTeam(team)}
}
