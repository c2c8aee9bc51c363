package audit

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/store"
)

var governance = Person{Login: "ig", Name: "I. Officer", Roles: []Role{Governance}}

// redactionSuite records a finding with a note naming a child, redacts it,
// and checks what every reader and verify then see; it runs on each backend.
func redactionSuite(t *testing.T, s *Store) {
	ctx := context.Background()
	const note = "Jayden Smith"
	mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03", Note: note})
	h, err := s.History(ctx, "a", "CR-0000002")
	if err != nil || len(h) != 1 || !strings.Contains(string(h[0].Payload), note) {
		t.Fatalf("history before redaction: %v %v", h, err)
	}
	seq := h[0].Seq

	auditor := Person{Login: "ak", Name: "A. Khan", Roles: []Role{Auditor}}
	if _, err := s.Redact(ctx, RedactRequest{Audit: "a", Entry: seq, Reason: "wrong child", Person: auditor}); !errors.Is(err, ErrDuty) {
		t.Fatalf("an auditor's redaction: %v, want a duty refusal", err)
	}
	r, err := s.Redact(ctx, RedactRequest{Audit: "a", Entry: seq, Reason: "wrong child", Person: governance})
	if err != nil {
		t.Fatal(err)
	}
	if r.InPlace || len(r.Fields) != 1 || r.Fields[0] != "note" || r.By != "I. Officer" {
		t.Errorf("redaction: %+v", r)
	}
	h, err = s.History(ctx, "a", "CR-0000002")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(h[0].Payload), note) || !strings.Contains(string(h[0].Payload), "[redacted on 2026-") {
		t.Errorf("history after redaction: %s", h[0].Payload)
	}
	fs, err := s.Findings(ctx, "a", false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		if f.Case == "CR-0000002" && (!strings.HasPrefix(f.Note, "[redacted on ") || f.Grade != Good) {
			t.Errorf("the finding after redaction: note %q grade %q", f.Note, f.Grade)
		}
	}
	v, err := s.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || len(v.Redactions) != 1 || v.Redactions[0].Entry != seq || v.Redactions[0].InPlace || v.Redactions[0].Reason != "wrong child" {
		t.Fatalf("verify after redaction: ok %v, problems %v, redactions %+v", v.OK, v.Problems, v.Redactions)
	}
	// Redacted again (another reason, even): nothing written, and the
	// redaction that stands is the answer.
	before, err := s.Trail(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	again, err := s.Redact(ctx, RedactRequest{Audit: "a", Entry: seq, Reason: "again", Person: governance})
	if err != nil {
		t.Fatalf("a second redaction of the same text: %v", err)
	}
	if again.Changed || again.Seq != r.Seq || again.Reason != "wrong child" || again.By != "I. Officer" || !again.At.Equal(r.At) || len(again.Fields) != 1 {
		t.Errorf("a second redaction: %+v; want the first (%+v), unchanged", again, r)
	}
	if after, err := s.Trail(ctx, "a"); err != nil || len(after) != len(before) {
		t.Errorf("a second redaction wrote: %d entries before, %d after (%v)", len(before), len(after), err)
	}
	// The store no longer holds the note anywhere a query can reach.
	var n int
	if err := s.st.DB().QueryRow("SELECT count(*) FROM trail_text WHERE text LIKE '%Jayden%' OR salt IS NOT NULL AND seq = $1", seq).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d text rows still hold the note or its salt (%v)", n, err)
	}
	if err := s.st.DB().QueryRow("SELECT count(*) FROM trail WHERE payload LIKE '%Jayden%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d trail rows hold the note (%v)", n, err)
	}
	// New entries follow the redaction as before.
	mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03", Note: "seen at home"})
	mustVerify(t, s, "a")
}

func TestRedactionKeepsVerify(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		s, _ := openAt(t, where, "QA Officer")
		if _, err := s.CreateAudit(context.Background(), testAudit("a"), testCases(5)); err != nil {
			t.Fatal(err)
		}
		redactionSuite(t, s)
	})
	// On PostgreSQL a QA login of its own, not the owner, redacts through
	// its grants, and the triggers let it erase and nothing else.
	t.Run("postgres-qa-login", func(t *testing.T) {
		where := pgStore(t)
		owner, _ := openAt(t, where, "QA Officer")
		if _, err := owner.CreateAudit(context.Background(), testAudit("a"), testCases(5)); err != nil {
			t.Fatal(err)
		}
		qa, _ := pgLogin(t, where, store.GroupQA)
		s, _ := openAt(t, qa, "QA Officer")
		redactionSuite(t, s)
		if err := rawExec(s, "UPDATE trail_text SET text = 'x'"); err == nil {
			t.Error("a QA login edited a text")
		}
		if err := rawExec(s, "DELETE FROM trail_text"); err == nil {
			t.Error("a QA login deleted texts")
		}
	})
}

// A redacted commitment does not give away a short note: the obvious
// guesses (first name and surname from common lists, hashed as they are,
// and under the commitment's construction with no salt) match nothing.
func TestCommitmentHidesTwoWordNote(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 3)
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03", Note: "Lily Taylor"})
	if _, err := s.Redact(ctx, RedactRequest{Audit: "a", Entry: 2, Reason: "names a child", Person: governance}); err != nil {
		t.Fatal(err)
	}
	es, err := s.Trail(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	commit := es[1].Commitments()["note"]
	if len(commit) != 64 {
		t.Fatalf("the finding's commitment: %q (%s)", commit, es[1].Hashed())
	}
	first := []string{"Lily", "Oliver", "Isla", "Noah", "Jack", "Freya", "Maya", "Oscar", "Aoife", "Chloé", "Jayden"}
	last := []string{"Taylor", "Smith", "Khan", "Patel", "Evans", "Davies", "Roberts", "Jones", "Brown", "Wilson"}
	tried := 0
	for _, f := range first {
		for _, l := range last {
			for _, guess := range []string{f + " " + l, strings.ToLower(f + " " + l), l + ", " + f} {
				plain := sha256.Sum256([]byte(guess))
				unsalted, _ := store.TextCommit("", "note", guess)
				zero, _ := store.TextCommit(strings.Repeat("00", 32), "note", guess)
				for _, h := range []string{hex.EncodeToString(plain[:]), unsalted, zero} {
					tried++
					if h == commit {
						t.Fatalf("the guess %q reveals the redacted note", guess)
					}
				}
			}
		}
	}
	if tried < 900 {
		t.Fatalf("only %d guesses tried", tried)
	}
	// And the commitment did bind the text: with the salt it matched.
	var salt sql.NullString
	if err := s.st.DB().QueryRow("SELECT salt FROM trail_text WHERE seq = 2").Scan(&salt); err != nil || salt.Valid {
		t.Errorf("the salt survived the redaction: %v %v", salt, err)
	}
}

// Held text that is edited, or erased without a redaction entry, fails
// verify and is named.
func TestTextTamperFailsVerify(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 3)
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03", Note: "seen at school"})
	mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03", Note: "seen at home"})
	db := s.st.DB()
	if _, err := db.Exec("UPDATE trail_text SET text = 'not seen' WHERE seq = 2"); err == nil {
		t.Fatal("the trigger let a text be edited")
	}
	for _, q := range []string{"DROP TRIGGER trail_text_erase_only", "DROP TRIGGER trail_text_no_delete",
		"UPDATE trail_text SET text = 'not seen' WHERE seq = 2", "DELETE FROM trail_text WHERE seq = 3"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	v, err := s.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(v.Problems, "\n")
	if v.OK || !strings.Contains(got, `text "note" of entry 2`) || !strings.Contains(got, "does not match its commitment") ||
		!strings.Contains(got, `text "note" of entry 3`) || !strings.Contains(got, "missing") {
		t.Errorf("verify after tampering: %v", v.Problems)
	}
}

// An entry of a store written by the previous release hashes its note
// itself: it can be redacted, verify then passes and says its hash stands
// as recorded, and the store takes new entries, committed, after it.
func TestRedactPreviousReleaseEntry(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := os.ReadFile(filepath.Join("testdata", "store-v1", "caseaudit.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "caseaudit.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	s, err := Open(ctx, path, Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const name = "2026-06 monthly"
	mustVerify(t, s, name)
	es, err := s.Trail(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if es[2].Kind != KindFinding || !strings.Contains(string(es[2].Payload), "Invented note 1") {
		t.Fatalf("entry 3 of the fixture: %s %s", es[2].Kind, es[2].Payload)
	}
	r, err := s.Redact(ctx, RedactRequest{Audit: name, Entry: 3, Reason: "names a child", Person: governance})
	if err != nil {
		t.Fatal(err)
	}
	if !r.InPlace || !strings.Contains(r.Sentence(), "can no longer be re-checked") {
		t.Errorf("redaction of an old entry: %+v, %q", r, r.Sentence())
	}
	if again, err := s.Redact(ctx, RedactRequest{Audit: name, Entry: 3, Reason: "names a child", Person: governance}); err != nil ||
		again.Changed || again.Seq != r.Seq || !again.InPlace {
		t.Errorf("an old entry redacted again: %+v, %v; want entry %d standing, unchanged", again, err, r.Seq)
	}
	v, err := s.Verify(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || len(v.Redactions) != 1 || !v.Redactions[0].InPlace {
		t.Fatalf("verify after redacting an old entry: %v %+v", v.Problems, v.Redactions)
	}
	var n int
	if err := s.st.DB().QueryRow("SELECT count(*) FROM trail WHERE payload LIKE '%Invented note 1\"%'").Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows still hold the old note (%v)", n, err)
	}
	// Any later change to the redacted payload is caught: the redaction
	// entry holds the redacted payload's hash.
	if _, err := s.st.DB().Exec(`UPDATE trail SET payload = replace(payload, '"Good"', '"Inadequate"') WHERE audit_id = 1 AND seq = 3`); err != nil {
		t.Fatal(err)
	}
	if v, _ := s.Verify(ctx, name); v.OK {
		t.Error("a change to a redacted old entry passed verify")
	}
	// Other entries cannot be changed in place.
	if _, err := s.st.DB().Exec(`UPDATE trail SET payload = '{}' WHERE audit_id = 1 AND seq = 4`); err == nil {
		t.Error("the trigger let an unredacted entry change")
	}
}

// A finding needing immediate attention copies its note into the follow-up
// action it opens; redacting the finding erases the copy too, so no text of
// the note is left anywhere in the store.
func TestRedactionTakesTheActionsCopy(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "QA Officer")
		if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(5)); err != nil {
			t.Fatal(err)
		}
		const note = "Child not seen; Lucy Smith at 4 High Street"
		mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-03", Note: note})
		h, err := s.History(ctx, "a", "CR-0000003")
		if err != nil || len(h) != 2 || h[1].Kind != KindActionOpen {
			t.Fatalf("history: %v %v", h, err)
		}
		r, err := s.Redact(ctx, RedactRequest{Audit: "a", Entry: h[0].Seq, Reason: "names a child", Person: governance})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Also) != 1 || r.Also[0] != h[1].Seq || !strings.Contains(r.Sentence(), "the copy in entry") {
			t.Fatalf("redaction: %+v (%s)", r, r.Sentence())
		}
		h, err = s.History(ctx, "a", "CR-0000003")
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range h {
			if strings.Contains(string(e.Payload), "Lucy") {
				t.Errorf("entry %d (%s) still holds the note: %s", e.Seq, e.Kind, e.Payload)
			}
		}
		var held int
		if err := s.st.DB().QueryRow("SELECT count(*) FROM trail_text WHERE text LIKE '%Lucy%'").Scan(&held); err != nil || held != 0 {
			t.Errorf("texts still holding the note: %d (%v)", held, err)
		}
		mustVerify(t, s, "a")
	})
}
