package sample

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Spec says how to draw a sample from an export: the use case "draw" of the
// command `caseaudit sample` and of a scheduled run, as a library.
type Spec struct {
	Export string             // the export's path, as the user gave it
	Open   export.OpenOptions // how to read it (zero: detect everything)
	Seed   string             // the seed (required; see NewSeed)

	// Size is the number of cases to draw; or Share, above 0, draws that
	// share of the population (0.05 for five percent), rounded up.
	Size  int
	Share float64

	Where         []string // filters as written, e.g. "Legal Status=CP"; combined with AND
	Strata        string   // column to stratify by; "" for none
	Allocation    string   // Proportional (default) or Equal
	MinPerStratum int

	// Columns are the columns kept with every sampled case and shown in
	// outputs; nil means DefaultColumns. Extra columns are kept too (when
	// the export has them: allocation and follow-up rules name them).
	Columns []string
	Extra   []string
	Strict  bool // duplicate IDs are an error

	// Exclude, when set, leaves these IDs out of the population; Rule says
	// why in words (recorded with the IDs actually left out) and Within the
	// period of the rule as given.
	Exclude       map[string]bool
	ExcludeRule   string
	ExcludeWithin string

	// ToolVersion and ToolSHA256 identify the caseaudit drawing the
	// sample (its version and the SHA-256 of its executable).
	ToolVersion string
	ToolSHA256  string
	Now         time.Time      // when the sample is drawn (recorded, UTC)
	Progress    func(rows int) // optional, every 65,536 rows

	// SHA256 is the export's SHA-256 when the caller has just computed it;
	// otherwise Draw hashes the file while reading it.
	SHA256 string

	// Factors, when set, measures factors in the same read and records
	// them, for the sampled cases and the population, in the provenance
	// (Provenance.Factors). See FactorRecorder.
	Factors FactorRecorder
}

// Drawn is a drawn sample with its population and provenance. Close it
// when done: the population keeps the export open to read the fields of
// cases a larger Select may need.
type Drawn struct {
	Table      *export.Table
	Population *Population
	Sample     *Sample
	Provenance Provenance
}

// Close closes the export.
func (d *Drawn) Close() error {
	if d == nil || d.Table == nil {
		return nil
	}
	return d.Table.Close()
}

// DefaultColumns are kept with each case when Spec.Columns is nil, those
// the export has: its team, allocated worker and legal status, never a
// person's name or date of birth.
var DefaultColumns = [][]string{
	{"Team", "Team Name", "Allocated Team", "Team Allocated"},
	{"Allocated Worker", "Worker", "Social Worker", "Allocated Social Worker", "Key Worker", "Case Worker"},
	{"Legal Status", "Legal status category"},
}

// defaultColumns picks DefaultColumns from a table's header.
func defaultColumns(t *export.Table) []string {
	var out []string
	for _, alts := range DefaultColumns {
		for _, name := range alts {
			if i := colname.Match(t.Header, name); i >= 0 && i != t.IDIndex {
				out = append(out, t.Header[i])
				break
			}
		}
	}
	return out
}

// FindColumn returns the header of the first of names the table has, or "".
func FindColumn(t *export.Table, names ...string) string {
	for _, n := range names {
		if i := colname.Match(t.Header, n); i >= 0 && i != t.IDIndex {
			return t.Header[i]
		}
	}
	return ""
}

// Check reports the first mistake in a spec that needs no file: they are
// the caller's usage errors. (The seed may still be missing: Draw needs it.)
func (s *Spec) Check() error {
	if ps := s.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Problems lists every mistake Check reports, each naming its option.
func (s *Spec) Problems() []error {
	var ps []error
	switch {
	case s.Size < 0:
		ps = append(ps, opt.Errorf("%s must be a positive number", opt.Size))
	case s.Size > 0 && s.Share > 0:
		ps = append(ps, opt.Errorf("give %s N or %s P, not both", opt.Size, opt.Percent))
	case s.Size == 0 && s.Share <= 0:
		ps = append(ps, opt.Errorf("give either %s N or %s P", opt.Size, opt.Percent))
	}
	switch s.Allocation {
	case "", Proportional, Equal:
	default:
		ps = append(ps, opt.Errorf("%s %q: use proportional or equal", opt.Allocation, s.Allocation))
	}
	if s.MinPerStratum < 0 {
		ps = append(ps, opt.Errorf("%s must not be negative", opt.MinPerStratum))
	}
	if s.MinPerStratum > 0 && s.Strata == "" {
		ps = append(ps, opt.Errorf("%s needs %s", opt.MinPerStratum, opt.Strata))
	}
	for _, w := range s.Where {
		if _, err := ParseFilter(w); err != nil {
			ps = append(ps, opt.Errorf("%s: %w", opt.Where, err))
		}
	}
	return ps
}

// Draw reads the export and draws the sample the spec describes, with its
// provenance. The caller closes the result.
func Draw(ctx context.Context, s Spec) (*Drawn, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	if s.Seed == "" {
		return nil, opt.Errorf("a sample needs a seed (%s; NewSeed makes one)", opt.Seed)
	}
	var filters []Filter
	for _, w := range s.Where {
		f, _ := ParseFilter(w) // checked above
		filters = append(filters, f)
	}
	t, err := export.Open(ctx, s.Export, s.Open)
	if err != nil {
		return nil, err
	}
	// The export's SHA-256, for the provenance: taken from the very bytes
	// the reading parses when it can (a csv file in memory), else hashed
	// from the file in the moments the reading leaves free.
	var fh *FileHasher
	var idle func() bool
	var digest *export.Digest
	if s.SHA256 == "" {
		if t.Digests() {
			digest = &export.Digest{Hash: sha256.New()}
		} else {
			fh = NewFileHasher(s.Export)
			defer fh.Close()
			idle = fh.Step
		}
	}
	d := &Drawn{Table: t}
	ok := false
	defer func() {
		if !ok {
			t.Close()
		}
	}()
	cols := s.Columns
	if cols == nil {
		cols = defaultColumns(t)
	}
	cols = withColumns(t, cols, s.Extra...)
	var exclude func(string) bool
	if s.Exclude != nil {
		exclude = func(id string) bool { return s.Exclude[id] }
	}
	lo := LoadOptions{
		Seed: s.Seed, Fields: cols, Where: filters, Strata: s.Strata, Strict: s.Strict,
		Exclude: exclude, Progress: s.Progress, MaxSample: s.Size, Idle: idle, Digest: digest,
	}
	if s.Factors != nil {
		if err := s.Factors.Start(t); err != nil {
			return nil, err
		}
		lo.Observer = s.Factors
	}
	pop, err := Load(ctx, t, lo)
	if err != nil {
		return nil, err
	}
	if pop.Len() == 0 && len(filters) > 0 && pop.Distinct > 0 {
		return nil, explainNoMatch(ctx, t, filters)
	}
	sum := s.SHA256
	switch {
	case fh != nil:
		if sum, err = fh.Sum(); err != nil {
			return nil, err
		}
	case digest != nil && digest.Done:
		sum = hex.EncodeToString(digest.Hash.Sum(nil))
	case digest != nil:
		if sum, err = FileSHA256(s.Export); err != nil {
			return nil, err
		}
	}
	size := s.Size
	sizeRule := ""
	if s.Share > 0 {
		if size, err = SizeForShare(s.Share, pop.Len()); err != nil {
			return nil, err
		}
		sizeRule = rate.Exact(s.Share) + " of the population, rounded up"
	}
	smp, err := pop.Select(SelectOptions{Size: size, Allocation: s.Allocation, MinPerStratum: s.MinPerStratum})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", s.Export, err)
	}
	abs, err := filepath.Abs(s.Export)
	if err != nil {
		abs = s.Export
	}
	p := Provenance{
		Schema: ProvenanceSchema, ToolVersion: s.ToolVersion, ToolSHA256: s.ToolSHA256, Drawn: s.Now.UTC(), Seed: s.Seed,
		Export: Source{Path: s.Export, AbsPath: abs, SHA256: sum, Format: t.Format, Sheet: t.Sheet,
			HeaderRow: t.HeaderRow, IDColumn: t.Header[t.IDIndex], Delimiter: s.Open.Delimiter, Encoding: s.Open.Encoding},
		Size: size, SizeRule: sizeRule, Strict: s.Strict,
		Counts: Counts{Rows: pop.Rows, Blank: pop.Blank, Footers: pop.Footers, Duplicates: pop.Duplicates,
			Distinct: pop.Distinct, FilteredOut: pop.FilteredOut, Excluded: pop.Excluded, Population: pop.Len()},
		Columns: append([]string{}, pop.Fields...),
	}
	for _, f := range filters {
		p.Filters = append(p.Filters, f.String())
	}
	if pop.Strata != "" {
		p.Strata = &StrataRule{Column: pop.Strata, Allocation: smp.Allocation, MinPerStratum: s.MinPerStratum,
			Strata: slices.Clone(smp.Strata)}
	}
	if s.Exclude != nil {
		p.Exclusion = &Exclusion{Rule: s.ExcludeRule, Within: s.ExcludeWithin, IDs: slices.Clone(pop.ExcludedIDs)}
	}
	if s.Factors != nil {
		if p.Factors, err = s.Factors.Record(smp.Cases); err != nil {
			return nil, err
		}
	}
	p.normalise()
	d.Population, d.Sample, d.Provenance = pop, smp, p
	ok = true
	return d, nil
}

// withColumns adds the named columns (when the table has them and they are
// not already there) to cols.
func withColumns(t *export.Table, cols []string, names ...string) []string {
	for _, n := range names {
		if n == "" {
			continue
		}
		i := colname.Match(t.Header, n)
		if i < 0 {
			continue // a rule naming a missing column is reported by its owner
		}
		found := false
		for _, c := range cols {
			if colname.Match(t.Header, c) == i {
				found = true
			}
		}
		if !found {
			cols = append(slices.Clip(cols), t.Header[i])
		}
	}
	return cols
}

// RederiveOptions say how to re-derive a recorded sample.
type RederiveOptions struct {
	// Size is the number of cases to draw again (a grown sample's current
	// size); 0 means the provenance's Size.
	Size     int
	Progress func(rows int)
	// SHA256 is the file's SHA-256 when the caller has computed it.
	SHA256 string
	// Columns are read for the drawn cases (default: the provenance's), to
	// see whether the recorded cases' fields still hold.
	Columns []string
	// Factors measures the factors again when the provenance recorded
	// some (see FactorRecorder); Rederive refuses such a provenance without
	// it, so that a comparison never passes over the factors unchecked.
	// Make it from the recorded spec (profile.NewRecorder(p.Factors.Spec)).
	Factors FactorRecorder
}

// Rederive draws a recorded sample again from an export, with the
// provenance's seed, filters, exclusions, strata and allocation. The export
// may be the recorded file, a copy elsewhere, or the same data saved in the
// other format: the recorded sheet applies only to a workbook, and the
// recorded header row and csv options only to the very same file (the same
// SHA-256); otherwise the header row is found again by the recorded ID
// column's name. Compare the result with the recorded cases (Compare).
func Rederive(ctx context.Context, p *Provenance, path string, o RederiveOptions) (*Drawn, error) {
	sum := o.SHA256
	if sum == "" {
		var err error
		if sum, err = FileSHA256(path); err != nil {
			return nil, err
		}
	}
	same := sum == p.Export.SHA256
	open := export.OpenOptions{IDColumn: p.Export.IDColumn}
	if same {
		open.HeaderRow, open.Delimiter, open.Encoding = p.Export.HeaderRow, p.Export.Delimiter, p.Export.Encoding
	}
	if p.Export.Sheet != "" {
		format, err := export.FormatOf(path, open)
		if err != nil {
			return nil, err
		}
		if format == export.FormatXLSX {
			open.Sheet = p.Export.Sheet
		}
	}
	size := o.Size
	if size <= 0 {
		size = p.Size
	}
	s := Spec{
		Export: path, Open: open, Seed: p.Seed, Size: size, Where: p.Filters, Strict: p.Strict,
		Columns: p.Columns, ToolVersion: p.ToolVersion, ToolSHA256: p.ToolSHA256, Now: p.Drawn, Progress: o.Progress, SHA256: sum,
	}
	if o.Columns != nil {
		s.Columns = o.Columns
	}
	if p.Stratified() {
		s.Strata, s.Allocation, s.MinPerStratum = p.Strata.Column, p.Strata.Allocation, p.Strata.MinPerStratum
	}
	if p.Factors != nil {
		if o.Factors == nil {
			return nil, fmt.Errorf("the sample recorded factors (%s): re-deriving it needs a factor recorder", p.Factors.Describe())
		}
		s.Factors = o.Factors
	}
	if p.Exclusion != nil {
		s.Exclude = p.ExcludedSet()
		if s.Exclude == nil {
			s.Exclude = map[string]bool{}
		}
		s.ExcludeRule, s.ExcludeWithin = p.Exclusion.Rule, p.Exclusion.Within
	}
	return Draw(ctx, s)
}

// FileSHA256 returns the hex SHA-256 of a file's bytes.
func FileSHA256(path string) (string, error) { return NewFileHasher(path).Sum() }

// FileHasher computes a file's SHA-256 a piece at a time. Its Step is
// given to Load (or any reader of rows) as the idle work: the file is
// hashed in the moments the ticket maker waits for rows, rather than by a
// third goroutine taking turns with the reader on two cores.
type FileHasher struct {
	path string
	f    *os.File
	h    hash.Hash
	buf  []byte
	err  error
	done bool
}

func NewFileHasher(path string) *FileHasher {
	fh := &FileHasher{path: path, h: sha256.New(), buf: make([]byte, 64<<10)}
	fh.f, fh.err = os.Open(path)
	fh.done = fh.err != nil
	return fh
}

// Step hashes the next 64 KB and reports whether any is left.
func (fh *FileHasher) Step() bool {
	if fh.done {
		return false
	}
	n, err := fh.f.Read(fh.buf)
	fh.h.Write(fh.buf[:n])
	if err != nil {
		fh.done = true
		if err != io.EOF {
			fh.err = err
		}
	}
	return !fh.done
}

// Sum hashes what is left and returns the file's SHA-256 in hex.
func (fh *FileHasher) Sum() (string, error) {
	if fh.f == nil {
		if errors.Is(fh.err, os.ErrNotExist) {
			return "", &export.InputError{Path: fh.path, Msg: "the file is not there", Err: fh.err}
		}
		return "", fh.err // os.Open's error names the file
	}
	for fh.Step() {
	}
	fh.f.Close()
	fh.f = nil
	if fh.err != nil {
		return "", fmt.Errorf("%s: %w", fh.path, fh.err)
	}
	return hex.EncodeToString(fh.h.Sum(nil)), nil
}

// Close releases the file when the hash is not wanted after all.
func (fh *FileHasher) Close() {
	if fh.f != nil {
		fh.f.Close()
	}
}

// NewSeed returns 20 random decimal digits from the operating system's
// random source: a seed nobody chose.
func NewSeed() (string, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil))
	if err != nil {
		return "", fmt.Errorf("cannot make a random seed: %w", err)
	}
	return fmt.Sprintf("%020s", n.String()), nil
}

// explainNoMatch says why filters leave no case: the first filter no row
// meets, with the values its column holds; or that no row meets them all
// together. It reads the filter columns once more (only on this path).
func explainNoMatch(ctx context.Context, t *export.Table, filters []Filter) error {
	cols := make([]int, len(filters))
	for i, f := range filters {
		c, err := t.ColumnIndex(f.Column)
		if err != nil {
			return err
		}
		cols[i] = c
	}
	matched := make([]int, len(filters))
	values := make([]map[string]int, len(filters))
	for i := range values {
		values[i] = map[string]int{}
	}
	err := t.Rows(ctx, cols, func(r export.Row) error {
		if r.Blank {
			return nil
		}
		for i, f := range filters {
			v := strings.TrimSpace(r.Cells[i])
			if f.Match(v) {
				matched[i]++
			}
			if len(values[i]) < 1000 || values[i][v] > 0 {
				values[i][strings.Clone(v)]++
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for i, f := range filters {
		if matched[i] > 0 {
			continue
		}
		type vc struct {
			v string
			n int
		}
		var vs []vc
		for v, n := range values[i] {
			vs = append(vs, vc{v, n})
		}
		slices.SortFunc(vs, func(a, b vc) int {
			if a.n != b.n {
				return b.n - a.n
			}
			return strings.Compare(a.v, b.v)
		})
		var list []string
		for j, x := range vs {
			if j == 12 {
				list = append(list, fmt.Sprintf("and %d more", len(vs)-12))
				break
			}
			v := x.v
			if v == "" {
				v = "(blank)"
			}
			list = append(list, fmt.Sprintf("%q (%s)", v, words.Thousands(x.n)))
		}
		return (&export.InputError{Path: t.Path, Sheet: t.Sheet, Column: t.Header[cols[i]],
			Msg: fmt.Sprintf("no row meets the filter %s; the column holds %s", f, strings.Join(list, ", "))}).
			WithHint(opt.Sprintf("check the value given to %s", opt.Where))
	}
	return (&export.InputError{Path: t.Path, Sheet: t.Sheet,
		Msg: fmt.Sprintf("each filter is met by some rows, but no row meets them all together (%s)", strings.Join(filterTexts(filters), " AND "))}).
		WithHint(opt.Sprintf("check the conditions given to %s", opt.Where))
}

func filterTexts(fs []Filter) []string {
	out := make([]string, len(fs))
	for i, f := range fs {
		out[i] = f.String()
	}
	return out
}

// Next returns the case a withdrawn case of the stratum gives way to: the
// case of that stratum (of the whole population when it is not
// stratified) with the smallest ticket that taken does not hold, with its
// fields; ok is false when the stratum has no other case. It is the
// consistent sampler's next ticket, so anyone holding the export and the
// seed finds the same replacement.
func (p *Population) Next(ctx context.Context, stratum string, taken func(id string) bool) (s Selected, ok bool, err error) {
	for i := 0; i < p.units.n; i++ {
		u := p.units.at(i)
		if p.Strata != "" && p.stratumName[p.stratumOf(u)] != stratum {
			continue
		}
		if taken(p.id(u)) {
			continue
		}
		s = Selected{Ticket: p.Ticket(i), Case: p.Case(i)}
		cases := []Selected{s}
		if err := p.fillFields(ctx, cases); err != nil {
			return Selected{}, false, err
		}
		return cases[0], true, nil
	}
	return Selected{}, false, nil
}
