package export

import (
	"bytes"
	"strings"
)

// CaseID is a case ID as every reader takes it from its cell: without the
// spaces around it. Nothing else is changed: IDs are compared exactly
// (letter case included), because a case's ticket is the hash of these
// bytes, and "cr-1" and "CR-1" are two cases to the sampler. Whatever
// matches an ID typed by a person against the IDs of an export or a store
// starts from this.
func CaseID(cell string) string { return strings.TrimSpace(cell) }

// caseIDBytes is CaseID for a cell's bytes.
func caseIDBytes(cell []byte) []byte { return bytes.TrimSpace(cell) }
