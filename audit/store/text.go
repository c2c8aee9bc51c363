package store

import (
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// Free text in a trail entry (notes, reasons, responses, free-text answers)
// names children, parents and addresses, and may have to be erased while
// the trail must still verify. So an entry's free text is not hashed as
// itself: the stored payload carries, under TextCommitKey, one commitment
// per text field, SHA-256 over a random salt, the field's path and the
// text; the text and its salt live beside the entry in the table
// trail_text. Erasing the text and the salt (Redact) leaves the commitment,
// which the chain still vouches for, and which reveals nothing of a short
// note: without the 32-byte salt, guessing the text means guessing the salt.
// Anyone holding the store recomputes every hash from the stored payload
// and re-checks every text not erased against its commitment.

// saltSize is the size of a text's salt in bytes.
const saltSize = 32

// Check reports whether a text still held matches its commitment.
func (t Text) Check() bool {
	salt, err := hex.DecodeString(t.Salt)
	if err != nil || len(salt) != saltSize {
		return false
	}
	want, err := hex.DecodeString(t.Commit)
	if err != nil {
		return false
	}
	got := textCommit(salt, t.Field, t.Text)
	return subtle.ConstantTimeCompare(got, want) == 1
}

// TextCommit returns the hex commitment to text in the named field under
// the salt (hex): SHA-256("caseaudit text\x00" || salt || field || "\x00"
// || text). Exported so that the commitment can be recomputed by anyone.
func TextCommit(saltHex, field, text string) (string, error) {
	salt, err := hex.DecodeString(saltHex)
	if err != nil {
		return "", fmt.Errorf("malformed salt: %w", err)
	}
	return hex.EncodeToString(textCommit(salt, field, text)), nil
}

func textCommit(salt []byte, field, text string) []byte {
	h := sha256.New()
	h.Write([]byte("caseaudit text\x00"))
	h.Write(salt)
	h.Write([]byte(field))
	h.Write([]byte{0})
	h.Write([]byte(text))
	return h.Sum(nil)
}

// splitTexts takes the text fields out of an encoded payload and puts
// their commitments in under TextCommitKey. fields are paths: "note", or
// "answers/q3" for a key of an object; absent or empty fields are left as
// they are (nothing to erase). It returns the payload to store and hash.
func splitTexts(payload []byte, fields []string) ([]byte, []Text, error) {
	if len(fields) == 0 {
		return payload, nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, nil, fmt.Errorf("free text needs an object payload: %w", err)
	}
	if _, ok := m[TextCommitKey]; ok {
		return nil, nil, fmt.Errorf("the payload already has a %q key", TextCommitKey)
	}
	var texts []Text
	commits := map[string]any{}
	take := func(obj map[string]any, key, path string) error {
		s, ok := obj[key].(string)
		if !ok || s == "" {
			return nil
		}
		salt := make([]byte, saltSize)
		if _, err := rand.Read(salt); err != nil {
			return err
		}
		t := Text{Field: path, Salt: hex.EncodeToString(salt), Text: s, Commit: hex.EncodeToString(textCommit(salt, path, s))}
		texts = append(texts, t)
		commits[path] = t.Commit
		delete(obj, key)
		return nil
	}
	for _, f := range fields {
		parent, key, nested := strings.Cut(f, "/")
		if !nested {
			if err := take(m, f, f); err != nil {
				return nil, nil, err
			}
			continue
		}
		obj, ok := m[parent].(map[string]any)
		if !ok {
			continue
		}
		keys := []string{key}
		if key == "*" {
			keys = keys[:0]
			for k := range obj {
				keys = append(keys, k)
			}
			sort.Strings(keys)
		}
		for _, k := range keys {
			if err := take(obj, k, parent+"/"+k); err != nil {
				return nil, nil, err
			}
		}
		if len(obj) == 0 {
			delete(m, parent)
		}
	}
	if len(texts) == 0 {
		return payload, nil, nil
	}
	m[TextCommitKey] = commits
	out, err := CanonicalJSON(m)
	return out, texts, err
}

// mergeTexts puts an entry's texts back into its stored payload, each
// erased one as RedactedMark, so that readers decode the payload as it was
// written. A commitment with no text row at all (deleted behind the
// store's back) reads as "[text missing]"; Verify names it.
func mergeTexts(stored []byte, texts []Text) ([]byte, error) {
	if ms, ok := topMembers(stored); ok {
		if out, ok := spliceTexts(stored, ms, commitsIn(stored, ms), texts); ok {
			return out, nil
		}
	}
	return decodeMergeTexts(stored, texts, nil)
}

// decodeMergeTexts is mergeTexts for any payload: decoded, merged and
// encoded again.
func decodeMergeTexts(stored []byte, texts []Text, leaveOut []string) ([]byte, error) {
	var m map[string]any
	if err := json.Unmarshal(stored, &m); err != nil {
		return nil, err
	}
	commits, _ := m[TextCommitKey].(map[string]any)
	delete(m, TextCommitKey)
	byField := map[string]Text{}
	for _, t := range texts {
		byField[t.Field] = t
	}
	for field := range commits {
		if slices.Contains(leaveOut, field) {
			continue
		}
		v := "[text missing]"
		if t, ok := byField[field]; ok {
			v = t.Text
			if t.Redacted() {
				v = RedactedMark(t.RedactedAt)
			}
		}
		parent, key, nested := strings.Cut(field, "/")
		if !nested {
			m[field] = v
			continue
		}
		obj, ok := m[parent].(map[string]any)
		if !ok {
			obj = map[string]any{}
			m[parent] = obj
		}
		obj[key] = v
	}
	return CanonicalJSON(m)
}

// Commitments returns the text commitments an entry's hashed payload
// holds, by field.
func (e Entry) Commitments() map[string]string {
	return commitsOf(e.Hashed())
}

// Hashed is the payload as stored and hashed: with free text replaced by
// its commitments.
func (e Entry) Hashed() json.RawMessage {
	if e.Stored != nil {
		return e.Stored
	}
	return e.Payload
}

// insertTexts stores an entry's texts beside it.
func (c *Chain) insertTexts(ctx context.Context, seq int, texts []Text) error {
	for _, t := range texts {
		if _, err := c.w.tx.ExecContext(ctx,
			"INSERT INTO trail_text (audit_id, seq, field, salt, text) VALUES ($1,$2,$3,$4,$5)",
			c.auditID, seq, t.Field, t.Salt, t.Text); err != nil {
			return err
		}
	}
	return nil
}

// texts reads the texts of the entries of the trail that where (a WHERE
// clause on trail, with its args, whose first nAudits are the audits' ids)
// chooses, in the order of audit, entry number and field; only those, so
// that reading one case's entries stays as cheap as it was. Whole trails
// (whole) take them in the order of trail_text's key, with no subquery and
// no sort. The fields t leaves out (WithoutTexts) are not read.
func (t *Tx) texts(ctx context.Context, where string, args []any, nAudits int, whole bool) ([]entryText, error) {
	from := "FROM trail_text WHERE (audit_id, seq) IN (SELECT audit_id, seq FROM trail" + where + ")"
	if whole {
		ps := make([]string, nAudits)
		for i := range ps {
			ps[i] = fmt.Sprintf("$%d", i+1)
		}
		from = "FROM trail_text WHERE audit_id IN (" + strings.Join(ps, ", ") + ")"
		args = args[:nAudits]
	}
	if len(t.leaveOut) > 0 {
		args = slices.Clone(args)
		ps := make([]string, len(t.leaveOut))
		for i, f := range t.leaveOut {
			args = append(args, f)
			ps[i] = fmt.Sprintf("$%d", len(args))
		}
		from += " AND field NOT IN (" + strings.Join(ps, ", ") + ")"
	}
	query := "SELECT audit_id, seq, field, salt, text, redacted_at " + from + t.orderedBy("audit_id, seq, field")
	rows, err := t.tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []entryText
	var r entryText // one set of scan targets for every row
	var salt, text, at sql.NullString
	dest := []any{&r.audit, &r.seq, &r.text.Field, &salt, &text, &at}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		x := r
		x.text.Salt, x.text.Text = salt.String, text.String
		if at.Valid {
			x.text.RedactedAt = ParseTime(at.String)
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !t.sorts() {
		inOrder(out, func(a, b *entryText) int {
			return cmp.Or(cmp.Compare(a.audit, b.audit), cmp.Compare(a.seq, b.seq), strings.Compare(a.text.Field, b.text.Field))
		})
	}
	return out, nil
}

// entryText is a text as Tx.texts reads it: with the audit and entry it
// belongs to.
type entryText struct {
	audit int64
	seq   int
	text  Text
}

// textsBySeq answers, for entry numbers asked in increasing order, the
// texts of that entry among ts (one audit's, in the order Tx.texts reads
// them), each entry's by field: a walk along both, where a map of maps
// would cost more than the splicing it feeds.
func textsBySeq(ts []entryText) func(seq int) []Text {
	i := 0
	return func(seq int) []Text {
		for i < len(ts) && ts[i].seq < seq {
			i++
		}
		j := i
		for j < len(ts) && ts[j].seq == seq {
			j++
		}
		if j == i {
			return nil
		}
		out := make([]Text, j-i)
		for k := range out {
			out[k] = ts[i+k].text
		}
		i = j
		return out
	}
}

// attachTexts gives each entry with commitments its texts (textsOf, asked
// in the order of es) and its merged payload; the fields leaveOut names
// are left out of it (see Tx.WithoutTexts), and textsOf gives none of
// theirs.
func attachTexts(es []Entry, textsOf func(seq int) []Text, leaveOut []string) error {
	for i := range es {
		e := &es[i]
		if !bytes.Contains(e.Payload, commitKeyQuoted) {
			continue
		}
		if len(leaveOut) > 0 {
			if cut, ok := cutCommits(e.Payload, leaveOut); ok {
				e.Stored, e.Payload = e.Payload, cut
				continue
			}
		}
		ms, ok := topMembers(e.Payload)
		var commits []commit
		if ok {
			commits = commitsIn(e.Payload, ms)
		} else {
			for f, c := range commitsOf(e.Payload) {
				commits = append(commits, commit{f, c})
			}
		}
		if len(commits) == 0 {
			continue
		}
		if len(leaveOut) > 0 {
			commits = slices.DeleteFunc(commits, func(c commit) bool { return slices.Contains(leaveOut, c.field) })
		}
		ts := textsOf(e.Seq)
		for j := range ts {
			ts[j].Commit = lookup(commits, ts[j].Field)
		}
		e.Texts = ts
		var merged []byte
		if ok && len(commits) > 0 {
			merged, ok = spliceTexts(e.Payload, ms, commits, ts)
		}
		var err error
		if !ok || len(commits) == 0 {
			merged, err = decodeMergeTexts(e.Payload, ts, leaveOut)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", Describe(*e), err)
		}
		e.Stored, e.Payload = e.Payload, merged
	}
	return nil
}

// EraseTexts erases the named texts of an entry (all of them when fields
// is empty): their text and salt are set to NULL, and when.
func (w *WriteTx) EraseTexts(ctx context.Context, auditID int64, seq int, fields []string, at time.Time) (int, error) {
	w.dropPrefetched()
	q := "UPDATE trail_text SET salt = NULL, text = NULL, redacted_at = $3 WHERE audit_id = $1 AND seq = $2 AND redacted_at IS NULL"
	args := []any{auditID, seq, FormatTime(at)}
	if len(fields) > 0 {
		var ps []string
		for _, f := range fields {
			args = append(args, f)
			ps = append(ps, fmt.Sprintf("$%d", len(args)))
		}
		q += " AND field IN (" + strings.Join(ps, ", ") + ")"
	}
	res, err := w.tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// RedactLegacy replaces the payload of an entry written before free text
// was committed by a salted hash: its text can only be erased by changing
// the payload its hash was computed over, so from then on the entry's hash
// stands as recorded and cannot be re-checked. The store records that it
// did so (trail_redaction), and only such an entry's payload may change.
func (w *WriteTx) RedactLegacy(ctx context.Context, auditID int64, seq int, payload []byte, at time.Time) error {
	w.dropPrefetched()
	if _, err := w.tx.ExecContext(ctx, "INSERT INTO trail_redaction (audit_id, seq, at) VALUES ($1,$2,$3)", auditID, seq, FormatTime(at)); err != nil {
		return err
	}
	_, err := w.tx.ExecContext(ctx, "UPDATE trail SET payload = $3 WHERE audit_id = $1 AND seq = $2", auditID, seq, string(payload))
	return err
}
