// Package schema holds the JSON Schemas (draft 2020-12) of every JSON
// document caseaudit writes, one file each, and their identifiers.
//
// Every document carries its schema's identifier as its first key,
// "$schema". The identifiers are URNs (urn:caseaudit:schema:NAME:VERSION):
// they name a layout, they do not locate it. caseaudit has no web site that
// could serve the files for as long as old outputs are kept, and an https
// address under a domain nobody owns would invite a fetch that fails or,
// worse, one that a stranger answers. The files are here, in the schema
// folder of the release that wrote the document, and each file's "$id" is
// the identifier.
//
// VERSION changes when a key is removed or renamed or changes meaning; a
// new optional key keeps it (the schemas list every key, so the schema file
// changes with it: tests refuse a key the schema does not list).
package schema

import (
	"embed"
	"strings"
)

// Files are the schema files, NAME.json.
//
//go:embed *.json
var Files embed.FS

const prefix = "urn:caseaudit:schema:"

// The identifiers of the documents, and of the provenance they share.
const (
	Actions     = prefix + "actions:2"
	Allocate    = prefix + "allocate:1"
	Audits      = prefix + "audits:1"
	Calibration = prefix + "calibration:2"
	Case        = prefix + "case:1"
	Form        = prefix + "form:1"
	History     = prefix + "history:1"
	Import      = prefix + "import:1"
	Log         = prefix + "log:1"
	Moderate    = prefix + "moderate:1"
	Owners      = prefix + "owners:1"
	People      = prefix + "people:1"
	SignOff     = prefix + "signoff:1"
	Plan        = prefix + "plan:1"
	Pooled      = prefix + "pooled:2"
	Profile     = prefix + "profile:1"
	Redact      = prefix + "redact:1"
	Provenance  = prefix + "provenance:1"
	Report      = prefix + "report:3"
	Retention   = prefix + "retention:1"
	Retire      = prefix + "retire:1"
	Sample      = prefix + "sample:1"
	Status      = prefix + "status:1"
	StoreInfo   = prefix + "store-info:1"
	Trend       = prefix + "trend:1"
	Verify      = prefix + "verify:1"
	Withdraw    = prefix + "withdraw:1"
)

// FileName is the file in Files holding the schema id names
// ("report.json" for urn:caseaudit:schema:report:3); "" for an identifier
// that is not caseaudit's.
func FileName(id string) string {
	rest, ok := strings.CutPrefix(id, prefix)
	if !ok {
		return ""
	}
	name, _, ok := strings.Cut(rest, ":")
	if !ok {
		return ""
	}
	return name + ".json"
}
