package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ZeroHash is the previous hash of an audit's first entry.
var ZeroHash = strings.Repeat("0", 64)

// Hash is the hash of an entry of the named audit's trail whose number is
// seq (Entry.Seq need not be): SHA-256(prev || E), where prev is the 32
// bytes of e.PrevHash and E is the canonical JSON object
// {"actor","at","audit","case","entered_by","kind","payload","seq"} of
// the entry, with "at" as stored (FormatTime) and "payload" the stored
// canonical payload. "entered_by" is left out when empty, so entries
// recorded before it existed hash as they always did; the chain vouches
// for who entered every later entry. It is the one place an entry's
// content is hashed.
func Hash(auditName string, seq int, e Entry) (string, error) {
	prev, err := hex.DecodeString(e.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("malformed previous hash %q", e.PrevHash)
	}
	payload := e.Hashed()
	if !json.Valid(payload) {
		return "", fmt.Errorf("payload is not JSON")
	}
	// The object is written out key by key, in sorted order, with the
	// payload as stored: for a stored canonical payload this is exactly
	// the canonical encoding of the whole entry, and it is what the
	// PostgreSQL store computes to check each entry as it is inserted
	// (entry_hash in pg_schema.go), byte for byte.
	var b bytes.Buffer
	field := func(key, value string) error {
		v, err := CanonicalJSON(value)
		if err != nil {
			return err
		}
		b.WriteString(`"` + key + `":`)
		b.Write(v)
		b.WriteByte(',')
		return nil
	}
	b.WriteByte('{')
	for _, kv := range [][2]string{{"actor", e.Actor}, {"at", FormatTime(e.At)}, {"audit", auditName}, {"case", e.Case}} {
		if err := field(kv[0], kv[1]); err != nil {
			return "", err
		}
	}
	if e.EnteredBy != "" {
		if err := field("entered_by", e.EnteredBy); err != nil {
			return "", err
		}
	}
	if err := field("kind", e.Kind); err != nil {
		return "", err
	}
	b.WriteString(`"payload":`)
	b.Write(payload)
	b.WriteString(`,"seq":` + strconv.Itoa(seq) + "}")
	h := sha256.New()
	h.Write(prev)
	h.Write(b.Bytes())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Draft is an entry to append: the store numbers it, says who entered
// it, encodes its payload canonically and chains it.
type Draft struct {
	Kind  string
	Case  string
	Actor string
	// At dates the entry; zero dates it by the transaction's clock
	// (Tx.Now: the server's, on PostgreSQL), read after the chain's lock
	// is held. Only an injected clock (a test's, a demonstration's) gives
	// one.
	At      time.Time
	Payload any // encoded as canonical JSON
	// Text names the payload's free-text fields ("note", "answers/q3",
	// "answers/*" for every key of an object): committed by a salted hash
	// and stored beside the entry, so they can be erased (see text.go).
	Text []string
}

// Chain returns the chain of the audit with this id and name, locking the
// audit; every call for one audit within a transaction returns the same
// chain.
func (w *WriteTx) Chain(ctx context.Context, auditID int64, auditName string) (*Chain, error) {
	if c := w.w.chains[auditID]; c != nil {
		return c, nil
	}
	if err := w.lock(ctx, auditID); err != nil {
		return nil, err
	}
	c := &Chain{w: w, auditID: auditID, name: auditName, head: ZeroHash}
	if p := w.prefetchedFor(auditID); p != nil {
		if p.headSeq > 0 {
			c.seq, c.head = p.headSeq, p.headHash
		}
		w.w.chains[auditID] = c
		return c, nil
	}
	err := w.tx.QueryRowContext(ctx, "SELECT seq, hash FROM trail WHERE audit_id = $1 ORDER BY seq DESC LIMIT 1", auditID).Scan(&c.seq, &c.head)
	if err != nil && err != sql.ErrNoRows {
		return nil, err
	}
	w.w.chains[auditID] = c
	return c, nil
}

// Append adds one entry after the chain's head and returns it as stored.
func (c *Chain) Append(ctx context.Context, d Draft) (Entry, error) {
	if err := checkText("case ID", d.Case); err != nil {
		return Entry{}, err
	}
	if err := c.w.checkEntry(d.Actor); err != nil {
		return Entry{}, err
	}
	if err := checkText("", d.Payload); err != nil {
		return Entry{}, err
	}
	p, err := CanonicalJSON(d.Payload)
	if err != nil {
		return Entry{}, fmt.Errorf("encoding a %s entry: %w", d.Kind, err)
	}
	stored, texts, err := splitTexts(p, d.Text)
	if err != nil {
		return Entry{}, fmt.Errorf("encoding a %s entry: %w", d.Kind, err)
	}
	if d.At.IsZero() {
		d.At = c.w.Now() // after the chain's lock: see Tx.Now
	}
	at := FormatTime(d.At)
	e := Entry{Seq: c.seq + 1, Kind: d.Kind, Case: d.Case, Actor: d.Actor, EnteredBy: c.w.EnteredBy(),
		At: ParseTime(at), Payload: p, PrevHash: c.head}
	if texts != nil {
		e.Stored, e.Texts = stored, texts
		// Readers see the payload as it reads back from the store.
		if e.Payload, err = mergeTexts(stored, texts); err != nil {
			return Entry{}, err
		}
	}
	if e.Hash, err = Hash(c.name, e.Seq, e); err != nil {
		return Entry{}, err
	}
	if _, err := c.w.tx.ExecContext(ctx,
		"INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)",
		c.auditID, e.Seq, e.Kind, e.Case, e.Actor, at, string(stored), e.PrevHash, e.Hash, e.EnteredBy); err != nil {
		return Entry{}, err
	}
	if err := c.insertTexts(ctx, e.Seq, texts); err != nil {
		return Entry{}, err
	}
	c.seq, c.head = e.Seq, e.Hash
	if p := c.w.prefetchedFor(c.auditID); p != nil {
		p.appended(e)
	}
	return e, nil
}

// Entries returns the entries of an audit's trail that f chooses, in order.
// Every write reads some, under the audit's lock, so it takes few round
// trips: whether an entry was redacted in place comes with it, and the
// texts are read only when an entry read has any. A read transaction reads
// an audit's whole trail the first time any kinds of it are asked for and
// answers every later call for that audit from it; one case's entries are
// read alone unless the trail is already held. Entries read in a read
// transaction may be shared with its other callers: callers must not
// change them.
func (t *Tx) Entries(ctx context.Context, auditID int64, f Filter) ([]Entry, error) {
	if p := t.prefetchedFor(auditID); p != nil && p.covers(f) {
		return p.chosen(f), nil
	}
	if t.w != nil {
		return t.entries(ctx, auditID, f)
	}
	all, ok := t.trails[auditID]
	if !ok {
		if f.Case != "" || t.held >= maxHeld {
			return t.entries(ctx, auditID, f)
		}
		var err error
		if all, err = t.entries(ctx, auditID, Filter{}); err != nil {
			return nil, err
		}
		t.hold(auditID, all)
	}
	// A view asks a held trail for some kinds several times per audit:
	// counted first, so the answer is one allocation, and the whole trail
	// is shared rather than copied.
	n := 0
	for _, e := range all {
		if f.matches(e) {
			n++
		}
	}
	switch n {
	case 0:
		return nil, nil
	case len(all):
		return slices.Clip(all), nil
	}
	out := make([]Entry, 0, n)
	for _, e := range all {
		if f.matches(e) {
			out = append(out, e)
		}
	}
	return out, nil
}

// maxHeld bounds the entries a read transaction holds (Entries,
// HoldAudits), so that a command going through every audit of a large
// store (verify, copy, a trend over decades) keeps its memory flat: past
// it, trails are read each time as they were before anything was held.
// 100,000 entries are some tens of megabytes, and decades of monthly
// audits of 120 cases.
const maxHeld = 100_000

// hold keeps an audit's whole trail for the rest of the read transaction
// while the bound allows; it reports whether it did.
func (t *Tx) hold(auditID int64, all []Entry) bool {
	if t.held+len(all) > maxHeld {
		t.held = maxHeld // hold no more: the next trails would not fit either
		return false
	}
	if t.trails == nil {
		t.trails = map[int64][]Entry{}
	}
	t.trails[auditID] = all
	t.held += len(all)
	return true
}

// entries reads the entries of an audit's trail that f chooses.
func (t *Tx) entries(ctx context.Context, auditID int64, f Filter) ([]Entry, error) {
	byAudit, err := t.readTrails(ctx, []int64{auditID}, f)
	return byAudit[auditID], err
}

// HoldAudits reads the whole trails of the audits ids in two queries (the
// entries, then their texts) and their sampled case IDs in a third, and
// holds them for the rest of this read transaction, as Entries holds one
// trail at a time: a view over many audits (the trend) then costs three
// round trips to a server per 100 audits, not three per audit. Past
// maxHeld entries it holds no more, and the rest are read one by one. In a
// write transaction it does nothing.
func (t *Tx) HoldAudits(ctx context.Context, ids []int64) error {
	if t.w != nil {
		return nil
	}
	var need, casesOnly []int64 // whole trails to read; held trails without their case IDs
	for _, id := range ids {
		_, held := t.trails[id]
		_, known := t.caseIDs[id]
		switch {
		case !held:
			need = append(need, id)
		case !known:
			casesOnly = append(casesOnly, id)
		}
	}
	if t.caseIDs == nil {
		t.caseIDs = map[int64][]string{}
	}
	for len(casesOnly) > 0 {
		n := min(len(casesOnly), 100)
		cases, err := t.readCaseIDs(ctx, casesOnly[:n])
		if err != nil {
			return err
		}
		for _, id := range casesOnly[:n] {
			t.caseIDs[id] = cases[id]
		}
		casesOnly = casesOnly[n:]
	}
	// In chunks, well within either database's limit on parameters, until
	// the bound on what is held is reached.
	for len(need) > 0 && t.held < maxHeld {
		n := min(len(need), 100)
		byAudit, err := t.readTrails(ctx, need[:n], Filter{})
		if err != nil {
			return err
		}
		cases, err := t.readCaseIDs(ctx, need[:n])
		if err != nil {
			return err
		}
		for _, id := range need[:n] {
			if t.hold(id, byAudit[id]) {
				t.caseIDs[id] = cases[id]
			}
		}
		need = need[n:]
	}
	return nil
}

// readTrails reads the entries of the audits ids that f chooses, by audit,
// each audit's in order.
func (t *Tx) readTrails(ctx context.Context, ids []int64, f Filter) (map[int64][]Entry, error) {
	var args []any
	param := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	var ps []string
	for _, id := range ids {
		ps = append(ps, param(id))
	}
	where := " WHERE trail.audit_id IN (" + strings.Join(ps, ", ") + ")"
	if f.Case != "" {
		where += " AND case_id = " + param(f.Case)
	}
	if len(f.Kinds) > 0 {
		var ks []string
		for _, k := range f.Kinds {
			ks = append(ks, param(k))
		}
		where += " AND kind IN (" + strings.Join(ks, ", ") + ")"
	}
	query := "SELECT trail.audit_id, trail.seq, kind, case_id, actor, entered_by, trail.at, payload, prev_hash, hash, r.at FROM trail" +
		" LEFT JOIN trail_redaction r ON r.audit_id = trail.audit_id AND r.seq = trail.seq" + where + t.orderedBy("trail.audit_id, trail.seq")
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64][]Entry{}
	withTexts := false
	// One set of scan targets for every row: a view reads thousands.
	var r Entry
	var id int64
	var at, payload string
	var redacted sql.NullString
	dest := []any{&id, &r.Seq, &r.Kind, &r.Case, &r.Actor, &r.EnteredBy, &at, &payload, &r.PrevHash, &r.Hash, &redacted}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		e := r
		e.At = ParseTime(at)
		e.Payload = json.RawMessage(payload)
		if redacted.Valid {
			e.RedactedInPlace = ParseTime(redacted.String)
		}
		withTexts = withTexts || strings.Contains(payload, `"`+TextCommitKey+`"`)
		out[id] = append(out[id], e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if !t.sorts() {
		for _, es := range out {
			inOrder(es, func(a, b *Entry) int { return cmp.Compare(a.Seq, b.Seq) })
		}
	}
	if !withTexts {
		return out, nil
	}
	texts, err := t.texts(ctx, where, args, len(ids), f.Case == "" && len(f.Kinds) == 0)
	if err != nil {
		return nil, err
	}
	byAudit := map[int64][]entryText{}
	for len(texts) > 0 {
		id, n := texts[0].audit, 1
		for n < len(texts) && texts[n].audit == id {
			n++
		}
		byAudit[id], texts = texts[:n], texts[n:]
	}
	for id, es := range out { // every audit's: a commitment whose text is gone reads as missing
		if err := attachTexts(es, textsBySeq(byAudit[id]), t.leaveOut); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// Actors returns the names entries of the given kinds of an audit's trail
// are recorded under, each once, in the order each first appears: what
// checking a name against the audit's auditors needs, read without the
// entries' payloads and texts, so that it stays cheap as the trail grows.
func (t *Tx) Actors(ctx context.Context, auditID int64, kinds ...string) ([]string, error) {
	if p := t.prefetchedFor(auditID); p != nil && len(p.p.ActorKinds) > 0 && sameKinds(kinds, p.p.ActorKinds) {
		return slices.Clone(p.actors), nil
	}
	args := []any{auditID}
	var ps []string
	for _, k := range kinds {
		args = append(args, k)
		ps = append(ps, fmt.Sprintf("$%d", len(args)))
	}
	rows, err := t.tx.QueryContext(ctx, "SELECT actor FROM trail WHERE audit_id = $1 AND kind IN ("+strings.Join(ps, ", ")+
		") GROUP BY actor ORDER BY min(seq)", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// Head returns the number of entries in an audit's trail and the hash of
// its last entry ("" when it has none).
func (t *Tx) Head(ctx context.Context, auditID int64) (n int, hash string, err error) {
	if err := t.tx.QueryRowContext(ctx, "SELECT count(*) FROM trail WHERE audit_id = $1", auditID).Scan(&n); err != nil {
		return 0, "", err
	}
	err = t.tx.QueryRowContext(ctx, "SELECT hash FROM trail WHERE audit_id = $1 ORDER BY seq DESC LIMIT 1", auditID).Scan(&hash)
	if err == sql.ErrNoRows {
		err = nil
	}
	return n, hash, err
}

// CheckChain re-walks an audit's trail (entries in the order stored) and
// names every entry edited, inserted, deleted, moved or renumbered: each
// entry must hash to its stored hash and follow the entry before it. A
// chain without a secret shows every change made behind the store's back
// unless the editor also recomputed every later hash; comparing the last
// hash with a copy kept elsewhere catches that too.
func CheckChain(auditName string, es []Entry) (problems []string) {
	add := func(format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
	}
	hashes := map[string]int{} // stored hash → seq
	for _, e := range es {
		hashes[e.Hash] = e.Seq
	}
	prevSeq := 0
	for i, e := range es {
		h, err := Hash(auditName, e.Seq, e)
		switch {
		case !e.RedactedInPlace.IsZero():
			// Redacted in place: its hash stands as recorded (the caller
			// says so, and checks a redaction entry vouches for it).
		case err != nil:
			add("%s is damaged: %v", Describe(e), err)
		case h != e.Hash:
			if was := renumberedFrom(auditName, e); was > 0 {
				add("%s was renumbered: it was entry %d (entries were inserted or deleted before it)", Describe(e), was)
			} else {
				add("%s was edited: its content does not match its hash", Describe(e))
			}
		}
		if e.Seq != prevSeq+1 {
			if e.Seq-prevSeq == 2 {
				add("entry %d is missing (deleted)", prevSeq+1)
			} else {
				add("entries %d to %d are missing (deleted)", prevSeq+1, e.Seq-1)
			}
		}
		want := ZeroHash
		if i > 0 {
			want = es[i-1].Hash
		}
		if e.PrevHash != want {
			switch j, ok := hashes[e.PrevHash]; {
			case i >= 2 && e.PrevHash == es[i-2].Hash:
				add("%s was inserted: entry %d follows entry %d directly", Describe(es[i-1]), e.Seq, es[i-2].Seq)
			case i == 1 && e.PrevHash == ZeroHash:
				add("%s was inserted before the first entry", Describe(es[0]))
			case ok:
				add("entry %d should follow entry %d but follows entry %d: entries were moved", e.Seq, es[i-1].Seq, j)
			case e.Seq == prevSeq+1:
				add("an entry before entry %d was deleted or edited: entry %d's previous hash matches no entry", e.Seq, e.Seq)
			}
		}
		prevSeq = e.Seq
	}
	return problems
}

// renumberedFrom returns the entry number under which e's content matches
// its hash, when that is a nearby number other than e.Seq; 0 otherwise.
func renumberedFrom(name string, e Entry) int {
	for d := 1; d <= 10; d++ {
		for _, seq := range []int{e.Seq - d, e.Seq + d} {
			if seq < 1 {
				continue
			}
			if h, err := Hash(name, seq, e); err == nil && h == e.Hash {
				return seq
			}
		}
	}
	return 0
}
