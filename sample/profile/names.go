package profile

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/textdist"
)

// Worker names as people write them. One worker appears in an export as
// "Mohammad Patel", "Patel, Mohammad" and "mohammad  patel": NameKey makes
// those one. "M. Patel" may be the same person or another Patel: that is
// for the QA officer to say, so it is offered (Suspects), never merged; a
// worker-aliases file (ReadAliases) records the answer.

// NameKey is the form in which worker names are compared: trimmed, inner
// spaces collapsed, lower-cased, and "Surname, Forename" turned round to
// "forename surname" (one comma, with words on both sides).
func NameKey(s string) string {
	t := strings.ToLower(strings.Join(strings.Fields(s), " "))
	if a, b, ok := strings.Cut(t, ","); ok && !strings.Contains(b, ",") {
		a, b = strings.TrimSpace(a), strings.TrimSpace(b)
		if a != "" && b != "" {
			t = b + " " + a
		}
	}
	return t
}

// plainKey is how names were compared before "Surname, Forename" was read
// as "Forename Surname": ignoring case and repeated spaces only. A
// provenance recorded then re-derives with it (Spec.PlainNames).
func plainKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// Aliases maps worker names, as an export spells them, to the person each
// is: read from a worker-aliases file by ReadAliases.
type Aliases struct {
	// Names maps a name (as NameKey leaves it) to the person, as written
	// in the file's second column. A person may be written as unallocated
	// ("Unallocated", "Vacant"): the name is then no worker.
	Names map[string]string
	// SHA256 is the file's SHA-256, recorded with a sample.
	SHA256 string
}

// MaxAliases bounds a worker-aliases file.
const MaxAliases = 100_000

// ErrAliases is wrapped by every error of ReadAliases.
var ErrAliases = errors.New("worker aliases")

// ReadAliases reads a worker-aliases file: a csv of two columns, a name as
// the export spells it and the person it is ("M. Patel,Mohammad Patel"). A
// first row naming the columns (its cells holding "name", "alias",
// "worker" or "person") is a header. Names are compared as NameKey
// compares them; a person may itself be named on the left (the chain is
// followed); a name given two different persons, or a loop, is an error
// naming the line.
func ReadAliases(path string) (*Aliases, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%w: %s: the file is not there", ErrAliases, path)
		}
		return nil, fmt.Errorf("%w: %v", ErrAliases, err)
	}
	sum := sha256.Sum256(b)
	a, err := ParseAliases(path, b)
	if err != nil {
		return nil, err
	}
	a.SHA256 = hex.EncodeToString(sum[:])
	return a, nil
}

// ParseAliases reads a worker-aliases file's bytes (see ReadAliases); path
// names it in errors. SHA256 is left to the caller.
func ParseAliases(path string, b []byte) (*Aliases, error) {
	bad := func(line int, why string) error {
		return fmt.Errorf("%w: %s line %d: %s; write two columns, the name as the export spells it and the person, e.g. \"Patel, M,Mohammad Patel\" quoted as csv: \"\"\"Patel, M\"\",Mohammad Patel\"", ErrAliases, path, line, why)
	}
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(b) {
		return nil, fmt.Errorf("%w: %s is not UTF-8 text; save it as CSV UTF-8", ErrAliases, path)
	}
	r := csv.NewReader(bytes.NewReader(b))
	r.FieldsPerRecord = -1
	r.TrimLeadingSpace = true
	a := &Aliases{Names: map[string]string{}}
	lineOf := map[string]int{}
	for first := true; ; first = false {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		line, _ := r.FieldPos(0)
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, bad(pe.Line, pe.Err.Error())
			}
			return nil, fmt.Errorf("%w: %s: %v", ErrAliases, path, err)
		}
		for len(rec) > 0 && strings.TrimSpace(rec[len(rec)-1]) == "" {
			rec = rec[:len(rec)-1]
		}
		if len(rec) == 0 {
			continue
		}
		if first && aliasHeader(rec) {
			continue
		}
		if len(rec) != 2 {
			return nil, bad(line, fmt.Sprintf("%d columns", len(rec)))
		}
		name, person := strings.Join(strings.Fields(rec[0]), " "), strings.Join(strings.Fields(rec[1]), " ")
		if name == "" || person == "" {
			return nil, bad(line, "a blank name")
		}
		k := NameKey(name)
		if was, ok := a.Names[k]; ok {
			if NameKey(was) != NameKey(person) {
				return nil, bad(line, fmt.Sprintf("%q is already %q (line %d)", name, was, lineOf[k]))
			}
			continue
		}
		if len(a.Names) >= MaxAliases {
			return nil, bad(line, fmt.Sprintf("more than %d names", MaxAliases))
		}
		a.Names[k] = person
		lineOf[k] = line
	}
	// Follow chains (A is B, B is C: A is C); a loop is an error, named by
	// its first line.
	keys := make([]string, 0, len(a.Names))
	for k := range a.Names {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y string) int { return lineOf[x] - lineOf[y] })
	for _, k := range keys {
		seen := []string{k}
		p := a.Names[k]
		for {
			pk := NameKey(p)
			if pk == seen[len(seen)-1] {
				break // a person named as themself
			}
			next, ok := a.Names[pk]
			if !ok {
				break
			}
			if slices.Contains(seen, pk) {
				return nil, fmt.Errorf("%w: %s line %d: the names go round in a loop (%s); name each person once, on the right",
					ErrAliases, path, lineOf[k], strings.Join(append(seen, pk), " → "))
			}
			seen = append(seen, pk)
			p = next
		}
		a.Names[k] = p
	}
	return a, nil
}

func aliasHeader(rec []string) bool {
	for _, c := range rec {
		for _, w := range words(c) {
			switch w {
			case "name", "names", "alias", "aliases", "worker", "person", "spelling", "export":
				return true
			}
		}
	}
	return false
}

// Suspect is a worker name the QA officer should look at: maybe the same
// person as another name, or not a person at all.
type Suspect struct {
	Worker string `json:"worker"`
	Cases  int    `json:"cases"`
	// Kind is "possible_duplicate" (close to Like) or "placeholder" (reads
	// like "leaving", "agency", "TBC" rather than a person).
	Kind string `json:"kind"`
	// Like is the name it may be, with its caseload ("" for a placeholder);
	// Why says what is alike ("initial", "spelling", "placeholder word").
	Like      string `json:"like,omitempty"`
	LikeCases int    `json:"like_cases,omitempty"`
	Why       string `json:"why"`
}

// Kinds of Suspect.
const (
	SuspectDuplicate   = "possible_duplicate"
	SuspectPlaceholder = "placeholder"
)

// placeholderWords mark a worker cell that names a situation rather than a
// person ("Social worker leaving", "Agency worker TBC").
var placeholderWords = map[string]bool{
	"leaving": true, "left": true, "leaver": true, "tbc": true, "tba": true, "vacant": true, "vacancy": true,
	"agency": true, "locum": true, "temp": true, "temporary": true, "cover": true, "covering": true, "duty": true,
	"awaiting": true, "pending": true, "unknown": true, "unallocated": true, "reallocation": true, "transfer": true,
	"desk": true, "pool": true,
}

// MaxSuspects bounds the suspects listed (all are counted).
const MaxSuspects = 200

// suspects finds the names to confirm among workers (display names with
// their caseloads): placeholders, and names of one case that are close to
// another name — the same surname with a matching initial ("M. Patel",
// "Mohammad Patel"), or the same surname or forename spelled within two
// letters ("Mohammed Patel", "Mohammad Patel"). Names that differ only as
// NameKey ignores are one worker already and never reach here.
func suspects(shown []string, loads []int) []Suspect {
	type entry struct {
		name  string
		key   string
		cases int
		toks  []string
	}
	var es []entry
	bySurname, byForename := map[string][]int{}, map[string][]int{}
	for i, n := range shown {
		if i >= len(loads) || loads[i] == 0 {
			continue
		}
		k := NameKey(n)
		toks := strings.FieldsFunc(k, func(r rune) bool { return !unicode.IsLetter(r) && r != '\'' && r != '-' })
		e := entry{name: n, key: k, cases: loads[i], toks: toks}
		es = append(es, e)
		if len(toks) > 0 {
			bySurname[toks[len(toks)-1]] = append(bySurname[toks[len(toks)-1]], len(es)-1)
			byForename[toks[0]] = append(byForename[toks[0]], len(es)-1)
		}
	}
	var out []Suspect
	for i, e := range es {
		place := false
		for _, w := range words(e.key) {
			if placeholderWords[w] {
				place = true
				break
			}
		}
		if place {
			out = append(out, Suspect{Worker: e.name, Cases: e.cases, Kind: SuspectPlaceholder, Why: "reads like a placeholder, not a person"})
			continue
		}
		if len(e.toks) == 0 {
			continue
		}
		best, why := -1, ""
		consider := func(j int, w string) {
			if j == i || (best >= 0 && es[j].cases <= es[best].cases) {
				return
			}
			best, why = j, w
		}
		for _, j := range bySurname[e.toks[len(e.toks)-1]] {
			o := es[j]
			if len(o.toks) < 2 || len(e.toks) < 2 {
				continue
			}
			a, b := e.toks[0], o.toks[0]
			switch {
			case initialOf(a, b) || initialOf(b, a):
				consider(j, "the same surname and initial")
			case e.cases == 1 && close2(a, b):
				consider(j, "the same surname, a forename spelled alike")
			}
		}
		if e.cases == 1 && len(e.toks) >= 2 {
			for _, j := range byForename[e.toks[0]] {
				o := es[j]
				if len(o.toks) >= 2 && close2(e.toks[len(e.toks)-1], o.toks[len(o.toks)-1]) {
					consider(j, "the same forename, a surname spelled alike")
				}
			}
		}
		if best >= 0 {
			o := es[best]
			// Offer the smaller name as possibly the larger one; a pair
			// of equal caseloads is listed once.
			if o.cases > e.cases || (o.cases == e.cases && o.key > e.key) {
				out = append(out, Suspect{Worker: e.name, Cases: e.cases, Kind: SuspectDuplicate, Like: o.name, LikeCases: o.cases, Why: why})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Suspect) int {
		if a.Kind != b.Kind {
			return strings.Compare(a.Kind, b.Kind)
		}
		return strings.Compare(strings.ToLower(a.Worker), strings.ToLower(b.Worker))
	})
	return out
}

// initialOf reports whether a is an initial ("m", "m.") of the longer b.
func initialOf(a, b string) bool {
	a = strings.TrimSuffix(a, ".")
	return utf8.RuneCountInString(a) == 1 && utf8.RuneCountInString(b) > 1 && strings.HasPrefix(b, a)
}

// close2 reports whether two words of four letters or more differ by at
// most two letters (Levenshtein distance), but are not the same.
func close2(a, b string) bool {
	if a == b || utf8.RuneCountInString(a) < 4 || utf8.RuneCountInString(b) < 4 {
		return false
	}
	if d := utf8.RuneCountInString(a) - utf8.RuneCountInString(b); d > 2 || d < -2 {
		return false
	}
	return textdist.Levenshtein(a, b) <= 2
}
