package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/spf13/cobra"
)

// sampleOptions are the flags of `caseaudit sample`.
type sampleOptions struct {
	Export string
	// exportSHA256, when set, is the export's SHA-256 just computed by the
	// caller (grow and verify check it first): draw does not hash again.
	exportSHA256  string
	Open          export.OpenOptions
	Size          int
	Percent       float64
	Seed          string
	Where         []string
	Strata        string
	Allocation    string
	MinPerStratum int
	Columns       []string
	Format        string
	Out           string
	Force         bool
	Strict        bool

	// Recording in the store.
	Audit         string
	Grow          int
	ExcludeWithin string
	Alloc         allocateFlags

	// The audit's form and follow-up actions.
	FormFile     string
	OwnerColumn  string
	TeamManagers []string // "Team=Manager"
	DueDays      int
}

func init() { extraCommands = append(extraCommands, newSampleCmd) }

func newSampleCmd(g *globalOptions) *cobra.Command {
	o := &sampleOptions{}
	cmd := &cobra.Command{
		Use:   "sample EXPORT [flags]",
		Short: "Draw a verifiable random sample of cases from an export",
		Long: `Draw a random sample of cases from a case-management export (.xlsx, .xlsm, .csv, .tsv, .txt).

The sheet, header row and ID column are found automatically (title rows, blank rows,
summary sheets and totals rows are skipped); say --sheet, --header-row or --id-column
when the guess is wrong. The population is the set of distinct case IDs that match
every --where condition; duplicate IDs keep their first row.

Every case gets a ticket computed from the seed and its ID alone, and the sample is the
cases with the smallest tickets: anyone with the export and the seed re-derives the same
sample, whatever the row order. Without --seed a random seed is made and printed; it is
recorded in every output.

The sample is printed in selection order (--format table, csv or json); --out writes the
auditors' workbook (.xlsx) with drop-downs for the findings and a Method sheet.`,
		Example: `  # 120 cases from this month's export, with a fresh random seed
  caseaudit sample cases.xlsx --size 120

  # 5% of child-protection cases, stratified by team, as a workbook for auditors
  caseaudit sample cases.xlsx --percent 5 --where 'Legal Status=CP' --strata Team --out audit.xlsx

  # re-derive a sample someone else drew, as JSON for a script
  caseaudit sample cases.csv --size 90 --seed 48213270991532670122 --format json

  # record the audit in the store, allocated to three auditors, without cases audited in the last year
  caseaudit sample cases.xlsx --size 120 --audit "2026-07 monthly" --auditors "A. Khan,B. Evans,C. Nowak" \
      --exclude-audited-within 12m --out 2026-07.xlsx

  # add the next 10 cases to a recorded audit
  caseaudit sample cases.xlsx --audit "2026-07 monthly" --grow 10

  # a messy csv: name the ID column and the sheet's header row yourself
  caseaudit sample export.csv --id-column "Child ID" --header-row 4 --size 60`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && o.Grow > 0 {
				return nil // grows from the recorded export
			}
			return exactArgs(1, "one export file")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Export = args[0]
			}
			return runSample(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.Size, "size", "n", 0, "number of cases to draw")
	f.Float64Var(&o.Percent, "percent", 0, "draw this percentage of the population instead, rounded up")
	f.StringVar(&o.Seed, "seed", "", "seed text (default: 20 random digits, printed and recorded)")
	f.StringArrayVarP(&o.Where, "where", "w", nil, "keep rows where `COLUMN=VALUE` (also != < <= > >=); repeat to combine with AND")
	f.StringVar(&o.Strata, "strata", "", "stratify by this `COLUMN` (e.g. Team)")
	f.StringVar(&o.Allocation, "allocation", sample.Proportional, "share of the sample per stratum: proportional or equal")
	f.IntVar(&o.MinPerStratum, "min-per-stratum", 0, "each stratum takes at least `K` cases (or all it has)")
	f.StringSliceVarP(&o.Columns, "columns", "c", nil, "columns to show and keep, comma-separated (default: team, worker and legal status columns when present)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table, csv, json, or ids (one case ID per line)")
	f.StringVarP(&o.Out, "out", "o", "", "write the auditors' workbook to this .xlsx `FILE`")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.BoolVar(&o.Strict, "strict", false, "treat duplicate case IDs as an error")
	f.StringVar(&o.Audit, "audit", "", "record the sample in the store as the audit `NAME` (e.g. \"2026-07 monthly\")")
	f.IntVar(&o.Grow, "grow", 0, "with --audit: add the next `N` cases to the recorded sample (samples nest)")
	f.StringVar(&o.ExcludeWithin, "exclude-audited-within", "", "leave out cases sampled in any audit in the store within this `PERIOD` (e.g. 12m, 90d, 6w, 1y)")
	f.StringVar(&o.FormFile, "form", "", "with --audit: the audit form `FILE` (YAML; see caseaudit form init), \"default\" for the built-in form (the default with --audit), or \"none\"")
	f.StringVar(&o.OwnerColumn, "owner-column", "", "with --audit: the `COLUMN` naming who follows up a case flagged for immediate attention (its team manager, or its team with --team-manager)")
	f.StringArrayVar(&o.TeamManagers, "team-manager", nil, "with --audit: a team's manager, as `\"TEAM=MANAGER\"`, owning the team's flagged cases; repeat for each team")
	f.IntVar(&o.DueDays, "due", 0, "with --audit: working `DAYS` after the finding within which a follow-up action is due (default 5)")
	addReadFlags(cmd, &o.Open)
	addAllocateFlags(cmd, &o.Alloc)
	return cmd
}

// loadSampleForm reads the form for a new audit: --form FILE, "default"
// (also when recording an audit without --form), or "none".
func loadSampleForm(o *sampleOptions) (*audit.Form, error) {
	switch strings.ToLower(strings.TrimSpace(o.FormFile)) {
	case "":
		if o.Audit == "" {
			return nil, nil
		}
		return audit.DefaultForm(), nil
	case "default":
		return audit.DefaultForm(), nil
	case "none":
		return nil, nil
	}
	data, err := os.ReadFile(o.FormFile)
	if err != nil {
		return nil, fmt.Errorf("--form: %w", err)
	}
	f, err := audit.ParseForm(o.FormFile, data)
	if err != nil {
		return nil, fmt.Errorf("%w (check it with: caseaudit form check %s)", err, o.FormFile)
	}
	return f, nil
}

// teamManagers reads the --team-manager flags.
func (o *sampleOptions) teamManagers() map[string]string {
	if len(o.TeamManagers) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, x := range o.TeamManagers {
		k, v, _ := strings.Cut(x, "=")
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

// addReadFlags adds the flags that say how to read an export.
func addReadFlags(cmd *cobra.Command, o *export.OpenOptions) {
	f := cmd.Flags()
	f.StringVar(&o.Sheet, "sheet", "", "sheet `NAME` or number (default: the first visible sheet with the ID column)")
	f.IntVar(&o.HeaderRow, "header-row", 0, "1-based `ROW` of the header (default: found in the first 50 rows)")
	f.StringVar(&o.IDColumn, "id-column", "", "header of the case ID `COLUMN` (default: detected, e.g. Case Reference)")
	f.StringVar(&o.Delimiter, "delimiter", "", "csv field delimiter: , ; tab | (default: detected)")
	f.StringVar(&o.Encoding, "encoding", "", "csv encoding: utf-8, utf-16le, utf-16be, windows-1252 (default: detected)")
	f.StringVar(&o.Password, "password", "", "password of an encrypted workbook")
	cmd.RegisterFlagCompletionFunc("sheet", completeSheets)
}

// defaultColumns are shown when --columns is not given, if the export has them.
var defaultColumns = [][]string{
	{"Team", "Team Name", "Allocated Team", "Team Allocated"},
	{"Allocated Worker", "Worker", "Social Worker", "Allocated Social Worker", "Key Worker", "Case Worker"},
	{"Legal Status", "Legal status category"},
}

func pickDefaultColumns(t *export.Table) []string {
	var out []string
	for _, alts := range defaultColumns {
		for _, name := range alts {
			if i, err := t.ColumnIndex(name); err == nil && i != t.IDIndex {
				out = append(out, t.Header[i])
				break
			}
		}
	}
	return out
}

// NewSeed returns 20 random decimal digits from crypto/rand.
func newSeed() (string, error) {
	n, err := rand.Int(rand.Reader, new(big.Int).Exp(big.NewInt(10), big.NewInt(20), nil))
	if err != nil {
		return "", fmt.Errorf("cannot make a random seed: %w", err)
	}
	return fmt.Sprintf("%020s", n.String()), nil
}

// fileHasher computes a file's SHA-256 a piece at a time. Its step is
// given to sample.Load as the idle work: the file is hashed in the moments
// the ticket maker waits for rows, rather than by a third goroutine taking
// turns with the reader on two cores.
type fileHasher struct {
	path string
	f    *os.File
	h    hash.Hash
	buf  []byte
	err  error
	done bool
}

func newFileHasher(path string) *fileHasher {
	fh := &fileHasher{path: path, h: sha256.New(), buf: make([]byte, 64<<10)}
	fh.f, fh.err = os.Open(path)
	fh.done = fh.err != nil
	return fh
}

// step hashes the next 64 KB and reports whether any is left.
func (fh *fileHasher) step() bool {
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

// sum hashes what is left and returns the file's SHA-256 in hex.
func (fh *fileHasher) sum() (string, error) {
	if fh.f == nil {
		return "", fh.err // os.Open's error names the file
	}
	for fh.step() {
	}
	fh.f.Close()
	if fh.err != nil {
		return "", fmt.Errorf("%s: %w", fh.path, fh.err)
	}
	return hex.EncodeToString(fh.h.Sum(nil)), nil
}

// fileSHA256 hashes a file.
func fileSHA256(path string) (string, error) { return newFileHasher(path).sum() }

// close releases the file when the hash is not wanted after all.
func (fh *fileHasher) close() {
	if fh.f != nil {
		fh.f.Close()
	}
}

func checkSampleFlags(o *sampleOptions) error {
	if o.Grow != 0 {
		if o.Grow < 0 {
			return usagef("--grow must be a positive number")
		}
		if o.Audit == "" {
			return usagef("--grow needs --audit NAME: the recorded audit whose sample grows")
		}
		if o.Size > 0 || o.Percent > 0 {
			return usagef("--grow adds to a recorded sample; leave out --size and --percent")
		}
	} else if (o.Size > 0) == (o.Percent > 0) {
		return usagef("give either --size N or --percent P")
	}
	if o.Size < 0 {
		return usagef("--size must be a positive number")
	}
	switch o.Format {
	case "table", "csv", "json", "ids":
	default:
		return usagef("--format %q: use table, csv, json or ids", o.Format)
	}
	switch o.Allocation {
	case sample.Proportional, sample.Equal:
	default:
		return usagef("--allocation %q: use proportional or equal", o.Allocation)
	}
	if o.MinPerStratum < 0 {
		return usagef("--min-per-stratum must not be negative")
	}
	if o.MinPerStratum > 0 && o.Strata == "" {
		return usagef("--min-per-stratum needs --strata")
	}
	if o.Out != "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx") {
		return usagef("--out %s: the auditors' workbook is an .xlsx file; name it …xlsx", o.Out)
	}
	if err := o.Open.Check(); err != nil {
		return usagef("%v", err)
	}
	if o.Alloc.given() && o.Audit == "" {
		return usagef("--auditors needs --audit NAME: allocations are kept in the store")
	}
	if o.ExcludeWithin != "" {
		if _, err := parsePeriod(o.ExcludeWithin); err != nil {
			return usagef("--exclude-audited-within: %v", err)
		}
	}
	if o.Grow == 0 && o.Audit == "" && (o.OwnerColumn != "" || len(o.TeamManagers) > 0 || o.DueDays != 0) {
		return usagef("--owner-column, --team-manager and --due go with --audit NAME: they are kept with the audit")
	}
	if o.Grow > 0 && (o.FormFile != "" || o.OwnerColumn != "" || len(o.TeamManagers) > 0 || o.DueDays != 0) {
		return usagef("--form, --owner-column, --team-manager and --due are set when the audit is recorded; they never change")
	}
	if o.DueDays < 0 {
		return usagef("--due must be a positive number of working days")
	}
	for _, x := range o.TeamManagers {
		if k, v, ok := strings.Cut(x, "="); !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return usagef("--team-manager %q: write \"TEAM=MANAGER\", e.g. \"Salisbury CIN=J. Smith\"", x)
		}
	}
	return o.Alloc.check()
}

// sampleParams is everything needed to re-derive a recorded sample from
// its export; it is stored with the audit (as JSON) and used by grow and
// verify.
type sampleParams struct {
	Sheet         string   `json:"sheet"`
	HeaderRow     int      `json:"header_row"`
	IDColumn      string   `json:"id_column"`
	Delimiter     string   `json:"delimiter,omitempty"`
	Encoding      string   `json:"encoding,omitempty"`
	Where         []string `json:"where"`
	Strata        string   `json:"strata,omitempty"`
	Allocation    string   `json:"allocation,omitempty"`
	MinPerStratum int      `json:"min_per_stratum,omitempty"`
	Percent       float64  `json:"percent,omitempty"`
	Columns       []string `json:"columns"`
	Strict        bool     `json:"strict,omitempty"`
	ExcludeWithin string   `json:"exclude_within,omitempty"`
	Excluded      []string `json:"excluded,omitempty"` // the IDs left out as recently audited, sorted

	// Who follows up flagged cases (read by the audit package as audit.OwnerRule).
	OwnerColumn  string            `json:"owner_column,omitempty"`
	TeamManagers map[string]string `json:"team_managers,omitempty"`
	DueDays      int               `json:"due_days,omitempty"`
}

// drawn is a sample with everything said about how it was drawn.
type drawn struct {
	Table    *export.Table
	Pop      *sample.Population
	Sample   *sample.Sample
	Method   audit.Method
	Excluded []string
}

// draw reads the export and selects the sample; exclude (may be nil) lists
// IDs to leave out.
func draw(ctx context.Context, o *sampleOptions, g *globalOptions, exclude map[string]bool) (*drawn, error) {
	var filters []sample.Filter
	for _, w := range o.Where {
		f, err := sample.ParseFilter(w)
		if err != nil {
			return nil, usagef("--where: %v", err)
		}
		filters = append(filters, f)
	}
	var idle func() bool
	var fh *fileHasher
	if o.exportSHA256 == "" {
		fh = newFileHasher(o.Export)
		defer fh.close()
		idle = fh.step
	}
	t, err := export.Open(ctx, o.Export, o.Open)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	cols := o.Columns
	if cols == nil {
		cols = pickDefaultColumns(t)
	}
	cols = withColumns(t, cols, o.Alloc.WorkerColumn, o.Alloc.TeamColumn, o.OwnerColumn)
	excludedSet := map[string]bool{}
	var excl func(string) bool
	if exclude != nil {
		excl = func(id string) bool {
			if exclude[id] {
				excludedSet[id] = true // Load may ask about an ID more than once
				return true
			}
			return false
		}
	}
	prog := newProgress(g, "reading "+filepath.Base(o.Export))
	pop, err := sample.Load(ctx, t, sample.LoadOptions{
		Seed: o.Seed, Fields: cols, Where: filters, Strata: o.Strata, Strict: o.Strict,
		Exclude: excl, Progress: prog.rows, MaxSample: o.Size, Idle: idle,
	})
	prog.done()
	if err != nil {
		return nil, err
	}
	inputSHA256 := o.exportSHA256
	if fh != nil {
		if inputSHA256, err = fh.sum(); err != nil {
			return nil, err
		}
	}
	size := o.Size
	if o.Percent > 0 {
		if size, err = sample.SizeForPercent(o.Percent, pop.Len()); err != nil {
			return nil, usagef("%v", err)
		}
	}
	s, err := pop.Select(sample.SelectOptions{Size: size, Allocation: o.Allocation, MinPerStratum: o.MinPerStratum})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", o.Export, err)
	}
	m := audit.Method{
		Audit: o.Audit, Seed: o.Seed, InputPath: o.Export, InputSHA256: inputSHA256, Format: t.Format, Sheet: t.Sheet,
		HeaderRow: t.HeaderRow, IDColumn: t.Header[t.IDIndex], Rows: pop.Rows, Population: pop.Len(),
		Strata: pop.Strata, Size: size, ToolVersion: version(), Created: g.Now(),
		Excluded: pop.Excluded, ExcludedWithin: o.ExcludeWithin,
	}
	for _, f := range filters {
		m.Filters = append(m.Filters, f.String())
	}
	if pop.Strata != "" {
		m.Allocation, m.MinPerStratum = s.Allocation, o.MinPerStratum
	}
	excluded := make([]string, 0, len(excludedSet))
	for id := range excludedSet {
		excluded = append(excluded, id)
	}
	slices.Sort(excluded)
	return &drawn{Table: t, Pop: pop, Sample: s, Method: m, Excluded: excluded}, nil
}

// withColumns adds the named columns (when given and not already there) to cols.
func withColumns(t *export.Table, cols []string, names ...string) []string {
	for _, n := range names {
		if n == "" {
			continue
		}
		i, err := t.ColumnIndex(n)
		if err != nil {
			continue // Load reports unknown columns with suggestions
		}
		found := false
		for _, c := range cols {
			if j, err := t.ColumnIndex(c); err == nil && j == i {
				found = true
			}
		}
		if !found {
			cols = append(slices.Clip(cols), t.Header[i])
		}
	}
	return cols
}

func (d *drawn) params(o *sampleOptions) sampleParams {
	p := sampleParams{
		Sheet: d.Table.Sheet, HeaderRow: d.Table.HeaderRow, IDColumn: d.Table.Header[d.Table.IDIndex],
		Delimiter: o.Open.Delimiter, Encoding: o.Open.Encoding, Where: append([]string{}, o.Where...),
		Strata: d.Pop.Strata, Percent: o.Percent, Columns: append([]string{}, d.Pop.Fields...), Strict: o.Strict,
		ExcludeWithin: o.ExcludeWithin, Excluded: d.Excluded,
		OwnerColumn: o.OwnerColumn, TeamManagers: o.teamManagers(), DueDays: o.DueDays,
	}
	if p.Strata != "" {
		p.Allocation, p.MinPerStratum = d.Sample.Allocation, o.MinPerStratum
	}
	return p
}

func runSample(ctx context.Context, o *sampleOptions, g *globalOptions) error {
	if err := checkSampleFlags(o); err != nil {
		return err
	}
	if o.Grow > 0 {
		return runGrow(ctx, o, g)
	}
	generated := false
	if o.Seed == "" {
		s, err := newSeed()
		if err != nil {
			return err
		}
		o.Seed, generated = s, true
	}
	form, err := loadSampleForm(o)
	if err != nil {
		return err
	}
	var st *audit.Store
	var exclude map[string]bool
	if o.Audit != "" || o.ExcludeWithin != "" {
		var err error
		if st, err = g.openStore(ctx); err != nil {
			return err
		}
		defer st.Close()
		if o.Audit != "" {
			if _, err := st.Audit(ctx, o.Audit); err == nil {
				return fmt.Errorf("an audit named %q is already in the store %s; choose another name, or add cases with --grow", o.Audit, g.storePath())
			} else if !errors.Is(err, audit.ErrNotFound) {
				return err
			}
		}
		if o.ExcludeWithin != "" {
			d, _ := parsePeriod(o.ExcludeWithin)
			if exclude, err = st.AuditedSince(ctx, d.before(g.Now())); err != nil {
				return err
			}
		}
	}
	d, err := draw(ctx, o, g, exclude)
	if err != nil {
		return err
	}
	if err := checkOwnerColumn(o, d); err != nil {
		return err
	}
	if form != nil {
		shown := append([]string{audit.ColOrder, audit.ColCaseID}, d.Pop.Fields...)
		if d.Pop.Strata != "" {
			shown = append(shown, d.Pop.Strata)
		}
		for _, q := range form.Questions {
			for _, c := range shown {
				if strings.EqualFold(strings.TrimSpace(c), q.Label) {
					return fmt.Errorf("the form's question %q is labelled %q like the column %q of the sample; rename the question in the form", q.Key, q.Label, c)
				}
			}
		}
	}
	printReadSummary(g, d.Table, d.Pop)
	if generated {
		g.infof("seed %s (generated; it is recorded in the outputs and re-derives this sample)\n", o.Seed)
	}
	if o.ExcludeWithin != "" {
		g.infof("left out %s cases sampled within %s\n", words.Thousands(len(d.Excluded)), o.ExcludeWithin)
	}
	var auditors map[string]string
	if o.Audit != "" {
		params, _ := json.Marshal(d.params(o))
		a := audit.Audit{
			Name: o.Audit, Seed: o.Seed, InputPath: o.Export, InputSHA256: d.Method.InputSHA256,
			Sheet: d.Table.Sheet, HeaderRow: d.Table.HeaderRow, DataRows: d.Pop.Rows,
			Filters: d.Method.Filters, StrataColumn: d.Pop.Strata, Allocation: d.Method.Allocation,
			MinPerStratum: d.Method.MinPerStratum, Population: d.Pop.Len(), ToolVersion: version(),
			Columns: d.Pop.Fields, Params: params,
		}
		if a.Form, err = form.JSON(); err != nil {
			return err
		}
		if _, err := st.CreateAudit(ctx, a, audit.CasesFromSelection(d.Sample.Cases)); err != nil {
			return err
		}
		g.infof("recorded audit %q (%d cases) in %s\n", o.Audit, len(d.Sample.Cases), g.storePath())
		if form != nil {
			g.infof("audit form %q: %d questions besides the grade, immediate attention and notes\n", form.Name, len(form.Questions))
		}
		if o.Alloc.given() {
			al, err := o.Alloc.allocate(ctx, st, o.Audit)
			if err != nil {
				return err
			}
			printAllocation(g, al)
			auditors = map[string]string{}
			for _, x := range al.Assigned {
				auditors[x.Case] = x.Auditor
			}
		}
	}
	if o.Out != "" {
		if err := writeWorkbookFile(ctx, o.Out, o.Force, audit.WorkbookSpec{Method: d.Method, Columns: d.Pop.Fields,
			Cases: d.Sample.Cases, Auditors: auditors, Form: form}); err != nil {
			return err
		}
		g.infof("wrote the auditors' workbook %s (%d cases)\n", o.Out, len(d.Sample.Cases))
	}
	if err := writeSample(g.IO.Out, o.Format, d, g.IO.OutTerminal); err != nil {
		return fmt.Errorf("writing the sample to standard output: %w", err)
	}
	return nil
}

// checkOwnerColumn checks --owner-column names a column of the export, and
// gives --team-manager without it the team column (Team, …) when shown.
func checkOwnerColumn(o *sampleOptions, d *drawn) error {
	if o.OwnerColumn == "" {
		if len(o.TeamManagers) == 0 {
			return nil
		}
		for _, name := range defaultColumns[0] {
			for _, c := range d.Pop.Fields {
				if strings.EqualFold(strings.TrimSpace(c), name) {
					o.OwnerColumn = c
					return nil
				}
			}
		}
		return usagef("--team-manager needs --owner-column naming the team column of the export")
	}
	i, err := d.Table.ColumnIndex(o.OwnerColumn)
	if err != nil {
		return fmt.Errorf("--owner-column: %w", err)
	}
	o.OwnerColumn = d.Table.Header[i]
	return nil
}

func writeWorkbookFile(ctx context.Context, path string, force bool, spec audit.WorkbookSpec) error {
	return atomicfile.Write(ctx, path, force, func(f *os.File) error {
		return audit.WriteWorkbook(f, spec)
	})
}

func printReadSummary(g *globalOptions, t *export.Table, p *sample.Population) {
	var b strings.Builder
	fmt.Fprintf(&b, "read %s: ", t.Path)
	if t.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q, ", t.Sheet)
	}
	fmt.Fprintf(&b, "header row %d, ID column %q, %s data rows, %s distinct IDs",
		t.HeaderRow, t.Header[t.IDIndex], words.Thousands(p.Rows), words.Thousands(p.Distinct))
	var skipped []string
	if p.Blank > 0 {
		skipped = append(skipped, plural(p.Blank, "blank row"))
	}
	if p.Footers > 0 {
		skipped = append(skipped, plural(p.Footers, "footer row"))
	}
	if p.Duplicates > 0 {
		skipped = append(skipped, plural(p.Duplicates, "duplicate ID"))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "; skipped %s", strings.Join(skipped, ", "))
	}
	b.WriteString("\n")
	if p.Duplicates > 0 {
		var ds []string
		for _, d := range p.FirstDuplicates {
			ds = append(ds, fmt.Sprintf("%s on row %s (first on row %s)", textsafe.Terminal(d.ID), words.Thousands(d.Row), words.Thousands(d.FirstRow)))
		}
		more := ""
		if p.Duplicates > len(ds) {
			more = ", …"
		}
		fmt.Fprintf(&b, "duplicate IDs keep their first row: %s%s\n", strings.Join(ds, ", "), more)
	}
	if len(p.Where) > 0 {
		fmt.Fprintf(&b, "filters leave %s of %s distinct IDs\n", words.Thousands(p.Distinct-p.FilteredOut), words.Thousands(p.Distinct))
	}
	if p.Excluded > 0 {
		fmt.Fprintf(&b, "excluded %s recently audited IDs\n", words.Thousands(p.Excluded))
	}
	g.infof("%s", b.String())
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return words.Thousands(n) + " " + what + "s"
}

// sampleJSON is the documented, stable JSON form of a sample (see README).
type sampleJSON struct {
	Tool       string            `json:"tool"`
	Version    string            `json:"version"`
	Seed       string            `json:"seed"`
	Population int               `json:"population"`
	Size       int               `json:"size"`
	Input      inputJSON         `json:"input"`
	Filters    []string          `json:"filters"`
	Strata     *strataJSON       `json:"strata,omitempty"`
	Columns    []string          `json:"columns"`
	Skipped    skippedJSON       `json:"skipped"`
	Created    string            `json:"created"`
	Sample     []sampledCaseJSON `json:"sample"`
}

type inputJSON struct {
	Path      string `json:"path"`
	SHA256    string `json:"sha256"`
	Format    string `json:"format"`
	Sheet     string `json:"sheet"`
	HeaderRow int    `json:"header_row"`
	IDColumn  string `json:"id_column"`
	Rows      int    `json:"rows"`
}

type strataJSON struct {
	Column        string           `json:"column"`
	Allocation    string           `json:"allocation"`
	MinPerStratum int              `json:"min_per_stratum"`
	Strata        []stratumJSONRow `json:"strata"`
}

type stratumJSONRow struct {
	Name       string `json:"name"`
	Population int    `json:"population"`
	Size       int    `json:"size"`
}

type skippedJSON struct {
	Blank       int `json:"blank_rows"`
	Footers     int `json:"footer_rows"`
	Duplicates  int `json:"duplicate_rows"`
	FilteredOut int `json:"filtered_out"`
	Excluded    int `json:"excluded"`
}

type sampledCaseJSON struct {
	Order   int               `json:"order"`
	ID      string            `json:"id"`
	Ticket  string            `json:"ticket"`
	Row     int               `json:"row"`
	Stratum string            `json:"stratum,omitempty"`
	Fields  map[string]string `json:"fields"`
}

func sampleToJSON(d *drawn) sampleJSON {
	m, p, s := d.Method, d.Pop, d.Sample
	out := sampleJSON{
		Tool: "caseaudit", Version: m.ToolVersion, Seed: m.Seed, Population: s.Population, Size: s.Size,
		Input: inputJSON{Path: m.InputPath, SHA256: m.InputSHA256, Format: m.Format, Sheet: m.Sheet,
			HeaderRow: m.HeaderRow, IDColumn: m.IDColumn, Rows: m.Rows},
		Filters: append([]string{}, m.Filters...),
		Columns: append([]string{}, p.Fields...),
		Skipped: skippedJSON{Blank: p.Blank, Footers: p.Footers, Duplicates: p.Duplicates,
			FilteredOut: p.FilteredOut, Excluded: p.Excluded},
		Created: m.Created.UTC().Format("2006-01-02T15:04:05Z"),
		Sample:  []sampledCaseJSON{},
	}
	if p.Strata != "" {
		sj := &strataJSON{Column: p.Strata, Allocation: s.Allocation, MinPerStratum: m.MinPerStratum}
		for _, st := range s.Strata {
			sj.Strata = append(sj.Strata, stratumJSONRow{st.Name, st.Population, st.Size})
		}
		out.Strata = sj
	}
	for _, c := range s.Cases {
		fields := map[string]string{}
		for i, name := range p.Fields {
			fields[name] = c.Fields[i]
		}
		out.Sample = append(out.Sample, sampledCaseJSON{Order: c.Order, ID: c.ID, Ticket: c.Ticket,
			Row: c.Row, Stratum: c.Stratum, Fields: fields})
	}
	return out
}

func writeSample(w io.Writer, format string, d *drawn, terminal bool) error {
	p, s := d.Pop, d.Sample
	// The stratum gets a column of its own unless it is one of the shown columns.
	showStratum := p.Strata != "" && !slices.Contains(p.Fields, p.Strata)
	switch format {
	case "ids":
		var b strings.Builder
		for _, c := range s.Cases {
			b.WriteString(textsafe.Terminal(c.ID))
			b.WriteByte('\n')
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(sampleToJSON(d))
	case "csv":
		header := []string{"order", "id", "ticket", "row"}
		if showStratum {
			header = append(header, "stratum")
		}
		header = append(header, p.Fields...)
		rows := [][]string{header}
		for _, c := range s.Cases {
			r := []string{fmt.Sprint(c.Order), c.ID, c.Ticket, fmt.Sprint(c.Row)}
			if showStratum {
				r = append(r, c.Stratum)
			}
			rows = append(rows, append(r, c.Fields...))
		}
		return writeCSV(w, rows, terminal)
	default:
		var buf bytes.Buffer
		tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
		header := []string{"#", "CASE ID", "TICKET", "ROW"}
		if showStratum {
			header = append(header, strings.ToUpper(p.Strata))
		}
		for _, f := range p.Fields {
			header = append(header, strings.ToUpper(f))
		}
		fmt.Fprintln(tw, strings.Join(header, "\t"))
		for _, c := range s.Cases {
			r := []string{fmt.Sprint(c.Order), c.ID, sample.ShortTicket(c.Ticket), fmt.Sprint(c.Row)}
			if showStratum {
				r = append(r, c.Stratum)
			}
			r = append(r, c.Fields...)
			for i := range r {
				r[i] = strings.ReplaceAll(textsafe.Terminal(r[i]), "\t", " ")
			}
			fmt.Fprintln(tw, strings.Join(r, "\t"))
		}
		tw.Flush()
		_, err := w.Write(buf.Bytes())
		return err
	}
}
