package audit

import (
	"context"
	"database/sql"
	"errors"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// rawAs connects to the server as the login a store URL names, outside
// caseaudit (as psql would): statements name the schema themselves.
func rawAs(t *testing.T, where string) *sql.DB {
	t.Helper()
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("schema")
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

// The group roles are the store's own: a login that is an auditor of
// store A is refused in store B, whose people list is empty (so only the
// roles decide), through the use cases and through raw SQL; even given
// table privileges in B by mistake, the database refuses its entries,
// because it is not a member of B's roles. A member of the server-wide
// caseaudit_auditor of before is nobody in B either.
func TestPostgresRolesArePerStore(t *testing.T) {
	ctx := context.Background()
	a, b := pgStore(t), pgStore(t)
	schemaB := schemaOf(t, b)
	qaBURL, _ := pgLogin(t, b, store.GroupQA)
	qaB, _ := openAt(t, qaBURL, "Q. Lead")
	if _, err := qaB.CreateAudit(ctx, testAudit("o"), testCases(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := qaB.Allocate(ctx, "o", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	audAURL, audA := pgLogin(t, a, store.GroupAuditor)
	// In A she records.
	qaAURL, _ := pgLogin(t, a, store.GroupQA)
	qaA, _ := openAt(t, qaAURL, "Q. Lead")
	if _, err := qaA.CreateAudit(ctx, testAudit("o"), testCases(3)); err != nil {
		t.Fatal(err)
	}
	if _, err := qaA.Allocate(ctx, "o", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	inA, _ := openAt(t, audAURL, "B. Evans")
	if _, err := inA.Record(ctx, "o", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"}); err != nil {
		t.Fatalf("the auditor in her own store: %v", err)
	}

	// In B: through the use cases, refused on opening.
	inB := withParam(t, audAURL, "schema", schemaB)
	if s, err := Open(ctx, inB, Options{Actor: "B. Evans"}); !errors.Is(err, ErrDuty) || !strings.Contains(err.Error(), "(no role in this store) may not use it: only a member of the store's auditor, QA or information governance role reads or writes a store; its administrator makes the login a member of one") {
		s.Close()
		t.Errorf("an auditor of A opening B: %v", err)
	}
	// Through raw SQL: nothing to read, nothing to write.
	raw := rawAs(t, inB)
	for _, q := range []string{
		"SELECT count(*) FROM " + quoteIdent(schemaB) + ".trail",
		"INSERT INTO " + quoteIdent(schemaB) + ".trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash) VALUES (1, 3, 'finding', 'CR-0000001', 'B. Evans', '', '{}', '', '')",
	} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("an auditor of A in B: %.60s: %v", q, err)
		}
	}
	// Privileges granted to her login directly, by mistake: she can open
	// B and read it, but the database refuses her findings, as she is not
	// a member of B's roles.
	admin := pgAdmin(t)
	for _, q := range []string{
		"GRANT USAGE ON SCHEMA " + quoteIdent(schemaB) + " TO " + quoteIdent(audA),
		"GRANT SELECT ON ALL TABLES IN SCHEMA " + quoteIdent(schemaB) + " TO " + quoteIdent(audA),
		"GRANT INSERT ON " + quoteIdent(schemaB) + ".trail, " + quoteIdent(schemaB) + ".trail_text TO " + quoteIdent(audA),
		"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA " + quoteIdent(schemaB) + " TO " + quoteIdent(audA),
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	s, _ := openAt(t, inB, "B. Evans")
	_, err := s.Record(ctx, "o", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
	if !errors.Is(err, ErrDuty) || !strings.Contains(err.Error(), "may not record entries of kind finding in this store; that needs the role "+storeRole(t, b, store.GroupAuditor)) {
		t.Errorf("an auditor of A recording in B with table privileges: %v", err)
	}
	es, _ := qaB.Trail(ctx, "o")
	last := es[len(es)-1]
	payload := `{"grade":"Good","immediate":false}`
	at := store.FormatTime(time.Now())
	h, _ := entryHash(last.Hash, "o", last.Seq+1, KindFinding, "CR-0000001", "B. Evans", audA, at, []byte(payload))
	_, err = raw.Exec("INSERT INTO "+quoteIdent(schemaB)+".trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES (1, $1, 'finding', 'CR-0000001', 'B. Evans', $2, $3, $4, $5, $6)",
		last.Seq+1, at, payload, last.Hash, h, audA)
	if err == nil || !strings.Contains(err.Error(), "may not record entries of kind finding in this store") {
		t.Errorf("a well-formed finding inserted in B by an auditor of A: %v", err)
	}
	// A member of the server-wide role of before.
	admin.Exec("CREATE ROLE caseaudit_auditor NOLOGIN") // shared by every test; never dropped
	oldURL, old := pgLogin(t, b, store.GroupQA)
	if _, err := admin.Exec("REVOKE " + quoteIdent(storeRole(t, b, store.GroupQA)) + " FROM " + quoteIdent(old)); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("GRANT caseaudit_auditor TO " + quoteIdent(old)); err != nil {
		t.Fatal(err)
	}
	if s, err := Open(ctx, oldURL, Options{Actor: "O. Ld"}); !errors.Is(err, ErrDuty) {
		s.Close()
		t.Errorf("a member of caseaudit_auditor opening a store: %v", err)
	}
	if r, err := qaB.Verify(ctx, "o"); err != nil || !r.OK {
		t.Errorf("B after the refusals: %+v %v", r, err)
	}
}

// Redaction on PostgreSQL is information governance's (a role of the
// store's own, distinct from QA: it reads and redacts, and records nothing
// else) or QA's; an auditor is refused by the database itself, through the
// use case and through raw SQL, even given the privileges by mistake, and
// so is a member of the governance role whom the people list makes only
// an auditor.
func TestPostgresGovernanceRedacts(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	schema := schemaOf(t, where)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	audURL, audRole := pgLogin(t, where, store.GroupAuditor)
	govURL, govRole := pgLogin(t, where, store.GroupGovernance)
	gov2URL, gov2Role := pgLogin(t, where, store.GroupGovernance)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	aud, _ := openAt(t, audURL, "B. Evans")
	gov, _ := openAt(t, govURL, "I. Officer")
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	var seqs []int
	for i, c := range []string{"CR-0000001", "CR-0000002", "CR-0000003"} {
		r, err := aud.Record(ctx, "a", Finding{Case: c, Auditor: "B. Evans", Grade: Good, Date: "2026-07-01", Note: "Child X at 3 Elm Road " + string(rune('a'+i))})
		if err != nil {
			t.Fatal(err)
		}
		seqs = append(seqs, r.Entry.Seq)
	}
	officer := Person{Login: govRole, Name: "I. Officer", Roles: []Role{Governance}}
	// Without a people list, the store's roles decide.
	if _, err := gov.Redact(ctx, RedactRequest{Audit: "a", Entry: seqs[0], Reason: "names a child", Person: officer}); err != nil {
		t.Fatalf("governance redacting: %v", err)
	}
	// Governance records nothing else.
	if _, err := gov.Record(ctx, "a", Finding{Case: "CR-0000004", Auditor: "I. Officer", Grade: Good, Date: "2026-07-01", NewAuditor: true}); !errors.Is(err, ErrDuty) {
		t.Errorf("governance recording a finding: %v", err)
	}
	if _, err := gov.CreateAudit(ctx, testAudit("mine"), testCases(2)); !errors.Is(err, ErrDuty) {
		t.Errorf("governance drawing an audit: %v", err)
	}
	// An auditor claiming the governance role: the use case lets the
	// claim through (no people list), the database does not.
	claim := Person{Login: audRole, Name: "B. Evans", Roles: []Role{Governance}}
	if _, err := aud.Redact(ctx, RedactRequest{Audit: "a", Entry: seqs[1], Reason: "r", Person: claim}); !errors.Is(err, ErrDuty) {
		t.Errorf("an auditor redacting: %v", err)
	}
	raw := rawAs(t, audURL)
	S := quoteIdent(schema)
	for _, q := range []string{
		"UPDATE " + S + ".trail_text SET salt = NULL, text = NULL, redacted_at = '2026-07-02T00:00:00.000000000Z'",
		"INSERT INTO " + S + ".trail_redaction (audit_id, seq, at) VALUES (1, 3, '2026-07-02T00:00:00.000000000Z')",
		"UPDATE " + S + ".trail SET payload = '{}' WHERE seq = 3",
	} {
		if _, err := raw.Exec(q); err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("an auditor: %.60s: %v", q, err)
		}
	}
	es, _ := qa.Trail(ctx, "a")
	last := es[len(es)-1]
	payload := `{"entry":4,"fields":["note"],"reason":"r"}`
	at := store.FormatTime(time.Now())
	h, _ := entryHash(last.Hash, "a", last.Seq+1, KindRedaction, "CR-0000002", "B. Evans", audRole, at, []byte(payload))
	if _, err := raw.Exec("INSERT INTO "+S+".trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES (1, $1, 'redaction', 'CR-0000002', 'B. Evans', $2, $3, $4, $5, $6)",
		last.Seq+1, at, payload, last.Hash, h, audRole); err == nil || !strings.Contains(err.Error(), "may not record entries of kind redaction") {
		t.Errorf("an auditor appending a redaction entry: %v", err)
	}
	// Given the privilege to erase by mistake: the database still refuses.
	if _, err := pgAdmin(t).Exec("GRANT UPDATE ON " + S + ".trail_text TO " + quoteIdent(audRole)); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("UPDATE " + S + ".trail_text SET salt = NULL, text = NULL, redacted_at = '2026-07-02T00:00:00.000000000Z'"); err == nil || !strings.Contains(err.Error(), "may not redact free text") {
		t.Errorf("an auditor with UPDATE on trail_text erasing: %v", err)
	}
	if _, err := pgAdmin(t).Exec("REVOKE UPDATE ON " + S + ".trail_text FROM " + quoteIdent(audRole)); err != nil {
		t.Fatal(err)
	}

	// With a people list, the login's roles in it decide: a member of the
	// governance role listed only as an auditor may not redact.
	for _, p := range []Person{
		{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		{Login: audRole, Name: "B. Evans", Roles: []Role{Auditor}},
		{Login: govRole, Name: "I. Officer", Roles: []Role{Governance}},
		{Login: gov2Role, Name: "G. Two", Roles: []Role{Auditor}},
	} {
		if _, err := qa.AddPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	raw2 := rawAs(t, gov2URL)
	if _, err := raw2.Exec("UPDATE " + S + ".trail_text SET salt = NULL, text = NULL, redacted_at = '2026-07-02T00:00:00.000000000Z'"); err == nil || !strings.Contains(err.Error(), "(roles: auditor) may not redact free text") {
		t.Errorf("a governance member listed as an auditor erasing: %v", err)
	}
	g2, _ := openAt(t, gov2URL, "G. Two")
	if _, err := g2.Redact(ctx, RedactRequest{Audit: "a", Entry: seqs[1], Reason: "r", Person: Person{Login: gov2Role, Name: "G. Two", Roles: []Role{Governance}}}); !errors.Is(err, ErrDuty) {
		t.Errorf("a governance member listed as an auditor redacting: %v", err)
	}
	if _, err := gov.Redact(ctx, RedactRequest{Audit: "a", Entry: seqs[1], Reason: "names a parent", Person: officer}); err != nil {
		t.Errorf("the listed governance officer redacting: %v", err)
	}
	r, err := qa.Verify(ctx, "a")
	if err != nil || !r.OK {
		t.Fatalf("verify after the redactions and refusals: %+v %v", r, err)
	}
	fs, err := qa.Findings(ctx, "a", false)
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, f := range fs {
		if strings.HasPrefix(f.Note, "Child X") {
			held++
		}
	}
	if held != 1 {
		t.Errorf("%d notes still held after two redactions of three; want 1", held)
	}
}
