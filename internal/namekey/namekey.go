// Package namekey is how caseaudit tells whether two names are one
// person's (or one team's): the one rule the duties table, allocation,
// follow-up owners and the PostgreSQL store's guards all compare names by.
//
// Two names are one when their keys are equal. A key is the name with any
// run of white space (unicode.IsSpace, as strings.Fields splits) counted
// as one space and none at either end, and each letter put in upper case
// and then in lower case, by Unicode's simple one-to-one mappings
// (unicode.ToUpper, unicode.ToLower). Upper then lower, rather than lower
// alone, makes one letter of every letter's case forms: Greek final sigma
// ς is σ (both upper-case to Σ), long s ſ is s, the Kelvin sign K is k,
// and the Turkish dotless ı and dotted İ are i, so that "İLKAY YILDIZ"
// from a case-management export, "İlkay Yıldız" as she spells it and
// "Ilkay Yildiz" as a keyboard without Turkish letters types it are one
// person. It merges every pair strings.EqualFold does, and those dotted
// and dotless i, which EqualFold keeps apart; no mapping changes a
// name's length, and none depends on a locale.
//
// Separation of duties errs towards the same person: two names taken for
// one at worst keep someone from moderating a case that was not hers,
// which QA sees and resolves; two taken for two would let an auditor
// moderate her own case.
//
// PostgreSQL's lower(upper(x)) in a libc UTF-8 locale (C.UTF-8, en_GB.UTF-8
// and the like) gives the same key for every code point; an ICU collation
// does not (it maps ß to SS and İ to i̇, and cases Σ by its place in a
// word), which is why the store's guards ask it in the database's default
// collation and store init checks that default first.
package namekey

import (
	"strings"
	"unicode"
)

// Key is the name as names are compared: white space collapsed, each
// letter upper- then lower-cased.
func Key(name string) string {
	var b strings.Builder
	b.Grow(len(name))
	for i, w := range strings.Fields(name) {
		if i > 0 {
			b.WriteByte(' ')
		}
		for _, r := range w {
			b.WriteRune(Fold(r))
		}
	}
	return b.String()
}

// Fold is one letter as Key puts it: upper case, then lower case.
func Fold(r rune) rune { return unicode.ToLower(unicode.ToUpper(r)) }

// Same reports whether a and b are one person's (or one team's) name.
func Same(a, b string) bool {
	if a == b {
		return true
	}
	return Key(a) == Key(b)
}

// Probe is a word of letters whose key a database's lower(upper(...)) may
// get wrong: É, Δ and Ж, which a C locale leaves in capitals, and the
// letters whose case forms only a simple one-to-one mapping makes one
// (final sigma, long s, dotless and dotted I, sharp s and its capital,
// the Kelvin sign, the micro sign). Store init asks the database for its
// key (see audit/store), and the guards compare names only where the
// answer is Key(Probe).
const Probe = "ÉΔЖςſıİßẞKµ"

// Spellings tallies how a set of names spells each person, so that a view
// grouping people by Key shows each under one spelling: the one most used,
// and of spellings used as often the latest added. Whitespace is
// collapsed first, so "A.  Khan" and "A. Khan" are one spelling. The zero
// value is ready to use.
type Spellings struct {
	n    int
	seen map[string]map[string]spelling // key → spelling → use
}

type spelling struct{ uses, last int }

// Add counts one use of name.
func (s *Spellings) Add(name string) {
	name = strings.Join(strings.Fields(name), " ")
	k := Key(name)
	if s.seen == nil {
		s.seen = map[string]map[string]spelling{}
	}
	if s.seen[k] == nil {
		s.seen[k] = map[string]spelling{}
	}
	s.n++
	u := s.seen[k][name]
	s.seen[k][name] = spelling{uses: u.uses + 1, last: s.n}
}

// Of returns the spelling shown for name's person, and false when no name
// of that person was added.
func (s *Spellings) Of(name string) (string, bool) {
	best, b := "", spelling{}
	for sp, u := range s.seen[Key(name)] {
		if u.uses > b.uses || u.uses == b.uses && u.last > b.last {
			best, b = sp, u
		}
	}
	return best, b.uses > 0
}
