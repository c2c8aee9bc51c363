package opt

import (
	"context"
	"errors"
	"fmt"
	"testing"
)

func TestErrorfSpelling(t *testing.T) {
	err := Errorf("check %s, %s and %s; or give %s", Sheet, HeaderRow, IDColumn, Store)
	if got, want := err.Error(), "check sheet, header_row and id_column; or give store"; got != want {
		t.Errorf("Error: %q, want %q", got, want)
	}
	if got, want := Spell(err, Flags), "check --sheet, --header-row and --id-column; or give --db"; got != want {
		t.Errorf("Flags: %q, want %q", got, want)
	}
	if got, want := Spell(err, Keys), "check sheet, header_row and id_column; or give store"; got != want {
		t.Errorf("Keys: %q, want %q", got, want)
	}
	var e *Error
	if !errors.As(err, &e) || e.Option != Sheet {
		t.Errorf("the error's option: %+v", e)
	}
	if got, want := Spell(Errorf("%s %s %s", Where, Exclude, WorkerColumn), Keys), "filters exclude_audited_within conflicts.worker_column"; got != want {
		t.Errorf("keys: %q, want %q", got, want)
	}
	if got, want := Spell(Errorf("%s %s %s", Where, Exclude, WorkerColumn), Flags), "--where --exclude-audited-within --worker-column"; got != want {
		t.Errorf("flags: %q, want %q", got, want)
	}
}

// A library caller printing an error sees no marker characters and the
// option by its key; the face spells it as a flag.
func TestGrowMessage(t *testing.T) {
	err := Errorf("%s must be a positive number", Grow)
	if got := err.Error(); got != "grow must be a positive number" {
		t.Errorf("Error() = %q", got)
	}
	if got := Spell(err, Flags); got != "--grow must be a positive number" {
		t.Errorf("Flags = %q", got)
	}
}

func TestSpellThroughWrapping(t *testing.T) {
	inner := Errorf("%s %q: use , ; | or tab", Delimiter, ":")
	// fmt.Errorf's wrapper holds the inner text: it is spelled in place.
	outer := fmt.Errorf("reading x.csv: %w", inner)
	if got, want := Spell(outer, Flags), `reading x.csv: --delimiter ":": use , ; | or tab`; got != want {
		t.Errorf("wrapped: %q, want %q", got, want)
	}
	// An *Error wrapping an *Error spells both.
	both := Errorf("%s: %w", Exclude, inner)
	if got, want := Spell(both, Flags), `--exclude-audited-within: --delimiter ":": use , ; | or tab`; got != want {
		t.Errorf("nested: %q, want %q", got, want)
	}
	if !errors.Is(Errorf("%s: %w", Seed, context.Canceled), context.Canceled) {
		t.Error("%w does not wrap")
	}
	// Plain errors and plain text are left as they are.
	if got := Spell(errors.New("no options here"), Flags); got != "no options here" {
		t.Errorf("plain: %q", got)
	}
	if got := Spell(nil, Flags); got != "" {
		t.Errorf("nil: %q", got)
	}
}

func TestText(t *testing.T) {
	tail := Sprintf(", or choose the sheet with %s", Sheet)
	h := Sprintf("name the ID column with %s %q%s", IDColumn, "Case Ref", tail)
	if got, want := h.String(), `name the ID column with id_column "Case Ref", or choose the sheet with sheet`; got != want {
		t.Errorf("String: %q, want %q", got, want)
	}
	if got, want := h.Spell(Flags), `name the ID column with --id-column "Case Ref", or choose the sheet with --sheet`; got != want {
		t.Errorf("Flags: %q, want %q", got, want)
	}
	if got := Plain("50% done").Spell(Flags); got != "50% done" {
		t.Errorf("Plain: %q", got)
	}
	if !(Text{}).IsZero() || Plain("").IsZero() {
		t.Error("IsZero")
	}
}
