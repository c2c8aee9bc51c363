package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The people list of a store: who may write to it (a login), under what
// name, with what roles. It is kept as an append-only, hash-chained list
// of changes (table person_change, schema version 4): a person added (or
// given new roles or a new name: added again) or removed. The current list
// is a fold of the changes, which the audit package makes; the store only
// numbers, chains and checks them, as it does an audit's trail.

// The operations of a PersonChange.
const (
	PersonAdd    = "add"
	PersonRemove = "remove"
)

// peopleLockID is the lock that serialises changes to the people list (an
// audit id no audit has: ids start at 1).
const peopleLockID = 0

// PersonHash is the hash of a change numbered seq: SHA-256(prev || C) where
// C is the canonical JSON object {"at","entered_by","login","name","op",
// "roles","seq"}.
func PersonHash(seq int, c PersonChange) (string, error) {
	prev, err := hex.DecodeString(c.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("malformed previous hash %q", c.PrevHash)
	}
	roles := c.Roles
	if roles == nil {
		roles = []string{}
	}
	b, err := CanonicalJSON(map[string]any{"at": FormatTime(c.At), "entered_by": c.EnteredBy, "login": c.Login,
		"name": c.Name, "op": c.Op, "roles": roles, "seq": seq})
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(prev)
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// PersonChanges returns every change to the people list, oldest first.
func (t *Tx) PersonChanges(ctx context.Context) ([]PersonChange, error) {
	if t.w != nil && t.w.pre != nil && t.w.pre.p.People {
		return slices.Clone(t.w.pre.people), nil
	}
	rows, err := t.tx.QueryContext(ctx, "SELECT seq, op, login, name, roles, at, entered_by, prev_hash, hash FROM person_change ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PersonChange
	for rows.Next() {
		var c PersonChange
		var roles, at string
		if err := rows.Scan(&c.Seq, &c.Op, &c.Login, &c.Name, &roles, &at, &c.EnteredBy, &c.PrevHash, &c.Hash); err != nil {
			return nil, err
		}
		if roles != "" {
			c.Roles = strings.Split(roles, ",")
		}
		c.At = ParseTime(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// AppendPersonChange appends a change to the people list after its head
// and returns it as stored. EnteredBy is who the store records as acting.
// A zero at dates it as Draft.At says.
func (w *WriteTx) AppendPersonChange(ctx context.Context, op, login, name string, roles []string, at time.Time) (PersonChange, error) {
	for _, f := range [][2]string{{"login", login}, {"name", name}, {enteredByField, w.EnteredBy()}} {
		if err := checkText(f[0], f[1]); err != nil {
			return PersonChange{}, err
		}
	}
	w.dropPrefetched()
	if err := w.lock(ctx, peopleLockID); err != nil {
		return PersonChange{}, err
	}
	c := PersonChange{Op: op, Login: login, Name: name, Roles: roles, EnteredBy: w.EnteredBy(), PrevHash: ZeroHash}
	err := w.tx.QueryRowContext(ctx, "SELECT seq, hash FROM person_change ORDER BY seq DESC LIMIT 1").Scan(&c.Seq, &c.PrevHash)
	if err != nil && err != sql.ErrNoRows {
		return PersonChange{}, err
	}
	c.Seq++
	if at.IsZero() {
		at = w.Now() // after the list's lock: see Tx.Now
	}
	c.At = ParseTime(FormatTime(at))
	if c.Hash, err = PersonHash(c.Seq, c); err != nil {
		return PersonChange{}, err
	}
	if _, err := w.tx.ExecContext(ctx,
		"INSERT INTO person_change (seq, op, login, name, roles, at, entered_by, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
		c.Seq, c.Op, c.Login, c.Name, strings.Join(c.Roles, ","), FormatTime(c.At), c.EnteredBy, c.PrevHash, c.Hash); err != nil {
		return PersonChange{}, err
	}
	return c, nil
}

// CheckPeopleChain re-walks the people list's chain and names each change
// that was edited, inserted or deleted behind caseaudit's back.
func CheckPeopleChain(cs []PersonChange) (problems []string) {
	prev := ZeroHash
	for i, c := range cs {
		if c.Seq != i+1 {
			problems = append(problems, fmt.Sprintf("people list: change %d is numbered %d (a change was deleted or inserted)", i+1, c.Seq))
		}
		if c.PrevHash != prev {
			problems = append(problems, fmt.Sprintf("people list: change %d (%s %s) does not follow change %d", c.Seq, c.Op, c.Login, c.Seq-1))
		}
		h, err := PersonHash(c.Seq, c)
		if err != nil || h != c.Hash {
			problems = append(problems, fmt.Sprintf("people list: change %d (%s %s) was altered after it was made", c.Seq, c.Op, c.Login))
		}
		prev = c.Hash
	}
	return problems
}

// readPeopleToCopy reads a store's people list for a copy, refusing one
// whose chain is broken (a copy keeps changes as they are).
func readPeopleToCopy(ctx context.Context, t *Tx, path string) ([]PersonChange, error) {
	cs, err := t.PersonChanges(ctx)
	if err != nil {
		return nil, err
	}
	if ps := CheckPeopleChain(cs); len(ps) > 0 {
		return nil, fmt.Errorf("the people list of %s does not verify (%s); a copy keeps it as it is, so mend the store first", path, strings.Join(ps, "; "))
	}
	return cs, nil
}

// copyPeople writes a people list's changes, hashes and all, into a store
// whose list is empty.
func copyPeople(ctx context.Context, w *WriteTx, cs []PersonChange) error {
	var n int
	if err := w.tx.QueryRowContext(ctx, "SELECT count(*) FROM person_change").Scan(&n); err != nil {
		return err
	}
	if n > 0 && len(cs) > 0 {
		return fmt.Errorf("the store %s already has a people list; copy into a new, empty store", w.s.path)
	}
	for _, c := range cs {
		if _, err := w.tx.ExecContext(ctx,
			"INSERT INTO person_change (seq, op, login, name, roles, at, entered_by, prev_hash, hash) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
			c.Seq, c.Op, c.Login, c.Name, strings.Join(c.Roles, ","), FormatTime(c.At), c.EnteredBy, c.PrevHash, c.Hash); err != nil {
			return fmt.Errorf("copying the people list: %w", err)
		}
	}
	return nil
}
