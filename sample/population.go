package sample

import (
	"cmp"
	"context"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
)

// LoadOptions say which rows of a Table make the population and what to
// keep of each case.
type LoadOptions struct {
	Seed    string   // the sampling seed: tickets are computed while reading
	Fields  []string // columns to keep for each case, by header name (shown in outputs)
	Where   []Filter // conditions, combined with AND
	Strata  string   // column whose values are the strata; "" for none
	Strict  bool     // duplicate IDs are an error rather than skipped
	Exclude func(id string) bool
	// Progress, when set, is called every 65,536 rows with the rows read so far.
	Progress func(rows int)
}

// Population is the set of distinct case IDs of an export that match the
// filters, each with its ticket key, source row, stratum and kept fields,
// in selection order (ticket ascending).
type Population struct {
	Path      string
	Format    string
	Sheet     string
	HeaderRow int
	Seed      string
	Fields    []string // the kept columns' header names, as in the export
	Strata    string   // the strata column's header name, "" for none
	Where     []Filter

	Rows       int // data rows holding a case ID (after blanks and footers)
	Blank      int // blank rows skipped
	Footers    int // rows without an ID, or whose ID cell reads Total/Count/Grand total
	Duplicates int // rows whose ID appeared on an earlier row (the first row is kept)
	// FirstDuplicates lists up to five duplicates, in row order.
	FirstDuplicates []Duplicate
	Distinct        int // distinct IDs before filters and exclusions
	FilteredOut     int // distinct IDs whose (first) row does not match the filters
	Excluded        int // distinct IDs left out by Exclude

	units       []unit // the population, in selection order
	stratumName []string
	arena       []byte // IDs and kept fields
	tk          *Ticketer
}

// Duplicate is a row whose case ID appeared on an earlier row.
type Duplicate struct {
	ID       string
	Row      int
	FirstRow int
}

type unit struct {
	key       uint64
	idOff     uint32
	idLen     uint32
	row       uint32
	stratum   uint32
	fieldsOff uint32
	flags     uint32
}

const unitNoMatch = 1 // the row does not satisfy the filters

// Case is one member of the population.
type Case struct {
	ID      string
	Row     int      // 1-based source row (the first row holding this ID)
	Stratum string   // "" when not stratified
	Fields  []string // the kept columns, in LoadOptions.Fields order
}

// Len returns the population size: distinct IDs after filters and exclusions.
func (p *Population) Len() int { return len(p.units) }

// Case returns the i-th case in selection order.
func (p *Population) Case(i int) Case {
	u := p.units[i]
	c := Case{ID: p.id(u), Row: int(u.row), Fields: p.fields(u)}
	if p.Strata != "" {
		c.Stratum = p.stratumName[u.stratum]
	}
	return c
}

// Ticket returns the full ticket of the i-th case.
func (p *Population) Ticket(i int) string { return p.tk.Ticket(p.id(p.units[i])) }

func (p *Population) id(u unit) string { return string(p.arena[u.idOff : u.idOff+u.idLen]) }

func (p *Population) fields(u unit) []string {
	out := make([]string, len(p.Fields))
	b := p.arena[u.fieldsOff:]
	for i := range out {
		n, k := binary.Uvarint(b)
		out[i] = string(b[k : k+int(n)])
		b = b[k+int(n):]
	}
	return out
}

// StratumSizes returns each stratum's population, strata in name order.
func (p *Population) StratumSizes() []Stratum {
	counts := make([]int, len(p.stratumName))
	for _, u := range p.units {
		counts[u.stratum]++
	}
	var out []Stratum
	for i, n := range counts {
		if n > 0 {
			out = append(out, Stratum{Name: p.stratumName[i], Population: n})
		}
	}
	slices.SortFunc(out, func(a, b Stratum) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// IsFooterID reports whether an ID cell reads like a totals line: Total,
// Grand total, Count, Sum (with anything after "total").
func IsFooterID(id string) bool {
	s := strings.ToLower(strings.TrimSpace(id))
	s = strings.TrimRight(s, ": ")
	return strings.HasPrefix(s, "total") || strings.HasPrefix(s, "grand total") ||
		s == "count" || s == "sum" || strings.HasPrefix(s, "count:")
}

// Load reads the table's data rows and builds the population.
func Load(ctx context.Context, t *Table, opts LoadOptions) (*Population, error) {
	p := &Population{
		Path: t.Path, Format: t.Format, Sheet: t.Sheet, HeaderRow: t.HeaderRow,
		Seed: opts.Seed, Where: opts.Where, tk: NewTicketer(opts.Seed),
	}
	// Columns to read: the ID, the kept fields, the strata, the filters.
	cols := []int{t.IDIndex}
	fieldAt := make([]int, len(opts.Fields))
	for i, name := range opts.Fields {
		c, err := t.ColumnIndex(name)
		if err != nil {
			return nil, err
		}
		p.Fields = append(p.Fields, t.Header[c])
		fieldAt[i] = len(cols)
		cols = append(cols, c)
	}
	strataAt := -1
	if opts.Strata != "" {
		c, err := t.ColumnIndex(opts.Strata)
		if err != nil {
			return nil, err
		}
		p.Strata = t.Header[c]
		strataAt = len(cols)
		cols = append(cols, c)
	}
	filterAt := make([]int, len(opts.Where))
	for i, f := range opts.Where {
		c, err := t.ColumnIndex(f.Column)
		if err != nil {
			return nil, err
		}
		filterAt[i] = len(cols)
		cols = append(cols, c)
	}

	stratumIndex := map[string]uint32{}
	var all []unit
	var lenBuf [binary.MaxVarintLen64]byte
	err := t.Rows(ctx, cols, func(r Row) error {
		if r.Blank {
			p.Blank++
			return nil
		}
		id := strings.TrimSpace(r.Cells[0])
		if id == "" || IsFooterID(id) {
			p.Footers++
			return nil
		}
		p.Rows++
		if opts.Progress != nil && p.Rows&0xffff == 0 {
			opts.Progress(p.Rows)
		}
		if len(p.arena) > 1<<32-1<<20 {
			return &InputError{Path: t.Path, Sheet: t.Sheet, Row: r.Num, Msg: "too much data to hold", Hint: "keep fewer --columns"}
		}
		u := unit{key: p.tk.Key(id), idOff: uint32(len(p.arena)), idLen: uint32(len(id)), row: uint32(r.Num)}
		p.arena = append(p.arena, id...)
		u.fieldsOff = uint32(len(p.arena))
		for _, at := range fieldAt {
			v := strings.TrimSpace(r.Cells[at])
			n := binary.PutUvarint(lenBuf[:], uint64(len(v)))
			p.arena = append(p.arena, lenBuf[:n]...)
			p.arena = append(p.arena, v...)
		}
		if strataAt >= 0 {
			name := strings.TrimSpace(r.Cells[strataAt])
			if name == "" {
				name = "(blank)"
			}
			si, ok := stratumIndex[name]
			if !ok {
				si = uint32(len(p.stratumName))
				stratumIndex[name] = si
				p.stratumName = append(p.stratumName, name)
			}
			u.stratum = si
		}
		for i, f := range opts.Where {
			if !f.Match(r.Cells[filterAt[i]]) {
				u.flags |= unitNoMatch
				break
			}
		}
		all = append(all, u)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if p.Rows == 0 {
		return nil, &InputError{Path: t.Path, Sheet: t.Sheet, Row: t.HeaderRow,
			Msg:  fmt.Sprintf("no case IDs below the header row in column %q", t.Header[t.IDIndex]),
			Hint: "check --sheet, --header-row and --id-column"}
	}

	// Selection order; equal IDs have equal keys, so duplicates end up side
	// by side, first row first.
	slices.SortFunc(all, func(a, b unit) int {
		if c := cmp.Compare(a.key, b.key); c != 0 {
			return c
		}
		ida, idb := p.id(a), p.id(b)
		if ida != idb {
			if ta, tb := p.tk.Ticket(ida), p.tk.Ticket(idb); ta != tb {
				return strings.Compare(ta, tb)
			}
			return strings.Compare(ida, idb)
		}
		return cmp.Compare(a.row, b.row)
	})
	var dups []Duplicate
	units := all[:0]
	for i := 0; i < len(all); i++ {
		u := all[i]
		first := u
		for i+1 < len(all) && all[i+1].key == u.key && p.id(all[i+1]) == p.id(u) {
			i++
			dups = append(dups, Duplicate{ID: p.id(u), Row: int(all[i].row), FirstRow: int(first.row)})
		}
		p.Distinct++
		switch {
		case first.flags&unitNoMatch != 0:
			p.FilteredOut++
		case opts.Exclude != nil && opts.Exclude(p.id(first)):
			p.Excluded++
		default:
			units = append(units, first)
		}
	}
	p.units = slices.Clip(units)
	p.Duplicates = len(dups)
	slices.SortFunc(dups, func(a, b Duplicate) int { return cmp.Compare(a.Row, b.Row) })
	if len(dups) > 0 && opts.Strict {
		d := dups[0]
		return nil, &InputError{Path: t.Path, Sheet: t.Sheet, Row: d.Row, Column: t.Header[t.IDIndex],
			Msg:  fmt.Sprintf("duplicate case ID %q (first on row %s); %d duplicate rows in all", d.ID, Thousands(d.FirstRow), len(dups)),
			Hint: "remove the duplicates or run without --strict to keep each ID's first row"}
	}
	if len(dups) > 5 {
		dups = dups[:5]
	}
	p.FirstDuplicates = dups
	return p, nil
}
