// Package opt names the options of caseaudit's use cases independently of
// how a face spells them. The libraries (sample, audit) keep the options a
// message names as data (Errorf, Sprintf): printed as it is, a message names
// each option by its configuration key ("grow must be a positive number");
// the command line spells it as a flag (--grow), a scheduled run (caseaudit
// run) as the key of its configuration file. A message is spelled once,
// where it is printed (Spell).
package opt

import (
	"errors"
	"fmt"
	"strings"
)

// Name is an option, as the configuration file's key names it.
type Name string

// The options the libraries mention in their messages.
const (
	Sheet         Name = "sheet"
	HeaderRow     Name = "header_row"
	IDColumn      Name = "id_column"
	Delimiter     Name = "delimiter"
	Encoding      Name = "encoding"
	Password      Name = "password"
	Where         Name = "filters"
	Strata        Name = "strata"
	Allocation    Name = "allocation"
	MinPerStratum Name = "min_per_stratum"
	Size          Name = "size"
	Percent       Name = "percent"
	Strict        Name = "strict"
	Seed          Name = "seed"
	Columns       Name = "columns"
	Exclude       Name = "exclude_audited_within"
	ExcludeIDs    Name = "exclude" // a file of case IDs to leave out
	Audit         Name = "audit_name"
	Grow          Name = "grow"
	Out           Name = "out"
	Store         Name = "store"
	Reason        Name = "reason"
	Correct       Name = "correct"
	Keep          Name = "keep"
	Input         Name = "input"
	TrailOnly     Name = "trail_only"
	Compare       Name = "compare"
	Cases         Name = "cases"
	IncludeNames  Name = "include_names"
	By            Name = "by"
	Auditors      Name = "auditors"
	AuditorTeams  Name = "auditor_teams"
	WorkerColumn  Name = "worker_column"
	TeamColumn    Name = "team_column"
	OwnerColumn   Name = "owner_column"
	Moderation    Name = "moderation"
	Form          Name = "form"
	FailAbove     Name = "fail_above"
	SkipInvalid   Name = "skip_invalid"
	Force         Name = "force"
	FailOn        Name = "fail_on"
	Confidence    Name = "confidence"
	Method        Name = "method"
	NewAuditor    Name = "new_auditor"
	DateOrder     Name = "date_order"
	Marking       Name = "marking"
	Contact       Name = "contact"
	ReturnBy      Name = "return_by"
	TeamManagers  Name = "follow_up.team_managers"
	DueDays       Name = "follow_up.due_days"
	Period        Name = "period"
	LockTimeout   Name = "lock_timeout" // how long a write waits for another writer's lock
	DBTimeout     Name = "db_timeout"   // how long caseaudit waits for a PostgreSQL store to answer

	// The planning parameters that decide a sample size.
	Tolerable      Name = "plan.tolerable"
	PlanConfidence Name = "plan.confidence"
	Expected       Name = "plan.expected"
	Population     Name = "population"
	PlanMethod     Name = "plan.method"

	// The factors recorded with a sample (the face's profile options).
	Factors               Name = "factors"
	FactorsWorkerColumn   Name = "factors.worker_column"
	FactorsChangesColumn  Name = "factors.changes_column"
	FactorsTeamColumn     Name = "factors.team_column"
	FactorsCaseloadTarget Name = "factors.caseload_target"
	FactorsChangesAtLeast Name = "factors.changes_at_least"
	FactorsTimeliness     Name = "factors.timeliness"
	FactorsAsOf           Name = "factors.as_of"
	FactorsOpenWhen       Name = "factors.open_when"
	FactorsWorkerAliases  Name = "factors.worker_aliases"
)

// flags spells the options whose flag is not "--" + the key with dashes.
var flags = map[Name]string{
	Where:        "--where",
	Audit:        "--audit",
	Store:        "--db",
	Input:        "--input",
	Columns:      "--columns",
	Exclude:      "--exclude-audited-within",
	IncludeNames: "--include-names",
	FailOn:       "--on",
	AuditorTeams: "--auditor-team",
	DueDays:      "--due",
	TeamManagers: "--team-manager",

	Tolerable:      "--tolerable",
	PlanConfidence: "--confidence",
	Expected:       "--expected",
	PlanMethod:     "--method",

	Factors:               "--factors",
	FactorsWorkerColumn:   "--worker-column",
	FactorsChangesColumn:  "--changes-column",
	FactorsTeamColumn:     "--team-column",
	FactorsCaseloadTarget: "--caseload-target",
	FactorsChangesAtLeast: "--changes-at-least",
	FactorsTimeliness:     "--timeliness",
	FactorsAsOf:           "--as-of",
	FactorsOpenWhen:       "--open-when",
	FactorsWorkerAliases:  "--worker-aliases",
}

// keys spells the options whose configuration key is not the Name, or that
// a configuration file does not have (spelled as the flag, quoted).
var keys = map[Name]string{
	WorkerColumn: "conflicts.worker_column",
	TeamColumn:   "conflicts.team_column",
	AuditorTeams: "conflicts.auditor_teams",
	OwnerColumn:  "follow_up.owner_column",
	Out:          "outputs.workbook",
}

// String is the option's configuration key: how a message names it unless
// a face spells it otherwise.
func (n Name) String() string { return n.Key() }

// Flag is the option's command-line flag, e.g. "--id-column".
func (n Name) Flag() string {
	if f, ok := flags[n]; ok {
		return f
	}
	return "--" + strings.ReplaceAll(string(n), "_", "-")
}

// Key is the option's key in a configuration file, e.g. "id_column".
func (n Name) Key() string {
	if k, ok := keys[n]; ok {
		return k
	}
	return string(n)
}

// Style is how a face spells options.
type Style int

const (
	// Flags spells options as command-line flags: --id-column.
	Flags Style = iota
	// Keys spells options as configuration keys: id_column, as a message
	// prints when nobody spells it.
	Keys
)

// Spell is the option as st spells it.
func (n Name) Spell(st Style) string {
	if st == Flags {
		return n.Flag()
	}
	return n.Key()
}

// Text is a message, or part of one, that names options as data: made like
// fmt.Sprintf, with Name arguments where the options go.
type Text struct {
	format string
	args   []any
}

// Sprintf makes a Text. Arguments may be Names, Texts and errors (whose
// options are spelled too), and anything fmt prints.
func Sprintf(format string, args ...any) Text { return Text{format, args} }

// Plain is a Text naming no option.
func Plain(s string) Text { return Text{format: "%s", args: []any{s}} }

// IsZero reports whether t is empty.
func (t Text) IsZero() bool { return t.format == "" && len(t.args) == 0 }

// String is the text with its options named by their configuration keys.
func (t Text) String() string { return t.Spell(Keys) }

// Spell is the text with its options spelled as st spells them.
func (t Text) Spell(st Style) string {
	args := make([]any, len(t.args))
	for i, a := range t.args {
		switch v := a.(type) {
		case Name:
			args[i] = v.Spell(st)
		case Text:
			args[i] = v.Spell(st)
		case error:
			args[i] = Spell(v, st)
		default:
			args[i] = a
		}
	}
	// %w is only for errors; the arguments here are their messages.
	return fmt.Sprintf(strings.ReplaceAll(t.format, "%w", "%v"), args...)
}

// Option is the first option the text names ("" when none).
func (t Text) Option() Name {
	for _, a := range t.args {
		if n, ok := a.(Name); ok {
			return n
		}
	}
	return ""
}

// Error is a problem that names options as data. Option is the one it is
// about, for a caller that points at the field to correct.
type Error struct {
	Option Name
	Text   Text
	errs   []error // the errors the message wraps (%w)
}

// Errorf makes an *Error like fmt.Errorf: %w wraps an error (errors.Is and
// errors.As see it), Name arguments are options.
func Errorf(format string, args ...any) error {
	e := &Error{Text: Sprintf(format, args...)}
	e.Option = e.Text.Option()
	if strings.Contains(format, "%w") {
		for _, a := range args {
			if err, ok := a.(error); ok {
				e.errs = append(e.errs, err)
			}
		}
	}
	return e
}

func (e *Error) Error() string { return e.Text.String() }

// Spell is the message with its options spelled as st spells them.
func (e *Error) Spell(st Style) string { return e.Text.Spell(st) }

func (e *Error) Unwrap() []error { return e.errs }

// Speller is an error or message that names options as data.
type Speller interface {
	Spell(Style) string
}

// Spell is err's message with every option it names spelled as st spells
// them. A wrapping error that is not a Speller (fmt.Errorf's) holds the
// message of what it wraps: that part is spelled in place.
func Spell(err error, st Style) string {
	if err == nil {
		return ""
	}
	if s, ok := err.(Speller); ok {
		return s.Spell(st)
	}
	msg := err.Error()
	var inner []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		inner = []error{u.Unwrap()}
	case interface{ Unwrap() []error }:
		inner = u.Unwrap()
	}
	for _, e := range inner {
		if e == nil {
			continue
		}
		plain, spelt := e.Error(), Spell(e, st)
		if plain != spelt {
			msg = strings.Replace(msg, plain, spelt, 1)
		}
	}
	return msg
}

// As finds the first *Error in err's chain.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
