package opt

import (
	"fmt"
	"testing"
)

func TestSpell(t *testing.T) {
	msg := fmt.Sprintf("check %s, %s and %s; or give %s", Sheet, HeaderRow, IDColumn, Store)
	if got, want := Spell(msg, Flags), "check --sheet, --header-row and --id-column; or give --db"; got != want {
		t.Errorf("Flags: %q, want %q", got, want)
	}
	if got, want := Spell(msg, Keys), "check sheet, header_row and id_column; or give store"; got != want {
		t.Errorf("Keys: %q, want %q", got, want)
	}
	if got := Spell("no options here", Flags); got != "no options here" {
		t.Errorf("plain text changed: %q", got)
	}
	// A marker cut short is left as it is rather than lost.
	if got := Spell("x "+open+"sheet", Flags); got != "x "+open+"sheet" {
		t.Errorf("cut marker: %q", got)
	}
	if got, want := Spell(fmt.Sprint(Where, " ", Exclude, " ", WorkerColumn), Keys), "filters exclude_audited_within conflicts.worker_column"; got != want {
		t.Errorf("keys: %q, want %q", got, want)
	}
}
