// Package opt names the options of caseaudit's use cases independently of
// how a face spells them. The libraries (sample, audit) say which option a
// problem concerns by writing an opt.Name into the message; the command
// line spells it as a flag (--id-column), a scheduled run (caseaudit run)
// as the key of its configuration file (id_column). A message is spelled
// once, where it is printed (Spell).
package opt

import "strings"

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
	Audit         Name = "audit_name"
	Grow          Name = "grow"
	Out           Name = "out"
	Store         Name = "store"
	Reason        Name = "reason"
	Input         Name = "input"
	TrailOnly     Name = "trail_only"
	Compare       Name = "compare"
	Cases         Name = "cases"
	IncludeNames  Name = "include_names"
	By            Name = "by"
	Auditors      Name = "auditors"
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
	NewAuditor    Name = "new_auditor"
	DateOrder     Name = "date_order"
	Marking       Name = "marking"

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
	OwnerColumn:  "follow_up.owner_column",
	Out:          "outputs.workbook",
}

const open, close = "\uE000", "\uE001"

// String is the option as a marker that Spell turns into a flag or a key.
func (n Name) String() string { return open + string(n) + close }

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
	// Keys spells options as configuration keys: id_column.
	Keys
)

// Spell replaces every option marker in msg with the option's spelling.
func Spell(msg string, st Style) string {
	if !strings.Contains(msg, open) {
		return msg
	}
	var b strings.Builder
	for {
		i := strings.Index(msg, open)
		if i < 0 {
			break
		}
		j := strings.Index(msg[i:], close)
		if j < 0 {
			break
		}
		b.WriteString(msg[:i])
		n := Name(msg[i+len(open) : i+j])
		if st == Keys {
			b.WriteString(n.Key())
		} else {
			b.WriteString(n.Flag())
		}
		msg = msg[i+j+len(close):]
	}
	b.WriteString(msg)
	return b.String()
}
