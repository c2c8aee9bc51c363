package store

import "sort"

// sorts reports whether the database puts a read of many rows in the
// order of their key (orderedBy): SQLite, which reads them in its index's
// order anyway. PostgreSQL would sort them all before sending the first:
// the trails of a hundred audits are megabytes, a sort that spills to disk
// while the planner has no statistics of a store's new tables. Its rows
// are put in order as they arrive instead (inOrder), which costs a look
// when they come in order, as rows written in order mostly do.
func (t *Tx) sorts() bool { return t.s.b.kind() != "postgres" }

// orderedBy is the ORDER BY clause of a read of many rows by the key
// cols where the database sorts them (sorts), else "".
func (t *Tx) orderedBy(cols string) string {
	if !t.sorts() {
		return ""
	}
	return " ORDER BY " + cols
}

// inOrder sorts xs by c, unless they are in order already; c is given
// pointers, as entries are too large to copy twice a comparison.
func inOrder[T any](xs []T, c func(a, b *T) int) {
	for i := 1; i < len(xs); i++ {
		if c(&xs[i-1], &xs[i]) > 0 {
			sort.SliceStable(xs, func(i, j int) bool { return c(&xs[i], &xs[j]) < 0 })
			return
		}
	}
}
