package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"go.yaml.in/yaml/v3"
)

// runConfig is a scheduled audit's configuration file (YAML), read by
// `caseaudit run` and written by `caseaudit init`. Relative paths in it are
// relative to the file's folder. The audit name, the seed, the workbook and
// report paths are text/template templates over templateData.
type runConfig struct {
	Store string `yaml:"store"`
	// LockTimeout is how long a write waits for another writer's lock
	// (a duration, "2m"), as --lock-timeout, which wins when given.
	LockTimeout string `yaml:"lock_timeout"`
	// DBTimeout is how long caseaudit waits for a PostgreSQL store to
	// answer (a duration, "5m"), as --db-timeout, which wins when given.
	DBTimeout string `yaml:"db_timeout"`

	Input     string   `yaml:"input"`
	Sheet     string   `yaml:"sheet"`
	HeaderRow int      `yaml:"header_row"`
	IDColumn  string   `yaml:"id_column"`
	Delimiter string   `yaml:"delimiter"`
	Encoding  string   `yaml:"encoding"`
	Filters   []string `yaml:"filters"`
	Columns   []string `yaml:"columns"`

	Strata        string `yaml:"strata"`
	Allocation    string `yaml:"allocation"`
	MinPerStratum int    `yaml:"min_per_stratum"`

	Size int         `yaml:"size"`
	Plan *planConfig `yaml:"plan"`

	ExcludeAuditedWithin string `yaml:"exclude_audited_within"`

	Auditors  []string        `yaml:"auditors"`
	Conflicts conflictsConfig `yaml:"conflicts"`

	Seed      string `yaml:"seed"`
	AuditName string `yaml:"audit_name"`
	Form      string `yaml:"form"`

	FollowUp followUpConfig `yaml:"follow_up"`

	// Factors, when the key is there (even empty: "factors: {}"), records
	// the factors behind the findings with each month's sample.
	Factors *factorsConfig `yaml:"factors"`

	Outputs outputsConfig `yaml:"outputs"`

	Confidence string `yaml:"confidence"`
	Method     string `yaml:"method"`
	By         string `yaml:"by"`
	FailAbove  string `yaml:"fail_above"`
	FailOn     string `yaml:"fail_on"`

	// Marking is the protective marking of the workbook and the reports;
	// Contact whom auditors tell at once about a case needing immediate
	// attention (on the workbook's Instructions sheet).
	Marking string `yaml:"marking"`
	Contact string `yaml:"contact"`
	// NoStaffNames leaves members of staff unnamed in the reports (as
	// report --no-staff-names).
	NoStaffNames bool `yaml:"no_staff_names"`

	// Set by parseRunConfig.
	path  string         // the file as named
	dir   string         // its folder, for relative paths
	lines map[string]int // "plan.tolerable" → line, for errors
	// mistyped are the keys whose value was of the wrong kind (said
	// already): a problem that only follows from one is not said again.
	mistyped map[string]bool
	tmpl     map[string]*template.Template
}

// planConfig are the planning parameters that decide the sample size.
type planConfig struct {
	Tolerable  string `yaml:"tolerable"`
	Confidence string `yaml:"confidence"`
	Expected   int    `yaml:"expected"`
}

// conflictsConfig are the conflict-of-interest rules of the allocation.
type conflictsConfig struct {
	WorkerColumn string            `yaml:"worker_column"`
	TeamColumn   string            `yaml:"team_column"`
	AuditorTeams map[string]string `yaml:"auditor_teams"`
}

// followUpConfig says who follows up cases flagged for immediate attention.
type followUpConfig struct {
	OwnerColumn  string            `yaml:"owner_column"`
	TeamManagers map[string]string `yaml:"team_managers"`
	DueDays      int               `yaml:"due_days"`
}

// factorsConfig are the profile options recorded with the sample (as
// sample's --factors flags): columns left out are detected.
type factorsConfig struct {
	WorkerColumn   string   `yaml:"worker_column"`
	ChangesColumn  string   `yaml:"changes_column"`
	TeamColumn     string   `yaml:"team_column"`
	CaseloadTarget int      `yaml:"caseload_target"`
	ChangesAtLeast int      `yaml:"changes_at_least"`
	Timeliness     []string `yaml:"timeliness"`
	// OpenWhen and WorkerAliases are sample's --open-when and
	// --worker-aliases (the file relative to the configuration's folder).
	OpenWhen      string `yaml:"open_when"`
	WorkerAliases string `yaml:"worker_aliases"`
}

// outputsConfig names the files each stage writes and reads.
type outputsConfig struct {
	Workbook string   `yaml:"workbook"`
	Filled   []string `yaml:"filled"`
	// Reason is read only to say it is no longer used: a scheduled run
	// never corrects a finding.
	Reason  string         `yaml:"correction_reason"`
	Reports []reportOutput `yaml:"reports"`
}

// reportOutput is one report file: a path (the format from its extension)
// or {path, format}.
type reportOutput struct {
	Path   string `yaml:"path"`
	Format string `yaml:"format"`
}

// UnmarshalYAML reads a report output written as a bare path.
func (r *reportOutput) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		r.Path = n.Value
		return nil
	}
	type plain reportOutput
	return n.Decode((*plain)(r))
}

// templateData are the fields the name and path templates may use, from
// the injected clock (or run --month).
type templateData struct {
	Year      string // 2026
	Month     string // 07
	MonthName string // July
	Date      string // 2026-07-01
}

func newTemplateData(t time.Time) templateData {
	t = t.UTC()
	return templateData{Year: fmt.Sprintf("%04d", t.Year()), Month: fmt.Sprintf("%02d", int(t.Month())),
		MonthName: t.Month().String(), Date: t.Format("2006-01-02")}
}

// Defaults of a configuration.
const (
	defaultAuditName = "{{.Year}}-{{.Month}} monthly"
	seedGenerate     = "generate"
)

// loadRunConfig reads and checks a configuration file.
func loadRunConfig(path string) (*runConfig, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: no such configuration file; write one with: caseaudit init [EXPORT]", path)
		}
		if st, serr := os.Stat(path); serr == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a folder, not a configuration file; name the .yaml file (caseaudit init writes one)", path)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named already
		}
		return nil, fmt.Errorf("cannot read the configuration %s: %w", path, err)
	}
	return parseRunConfig(path, data)
}

// parseRunConfig parses and checks a configuration; every error names the
// file and, where it can, the line.
func parseRunConfig(path string, data []byte) (*runConfig, error) {
	c := &runConfig{path: path, dir: filepath.Dir(path), lines: map[string]int{}}
	// A template left out of quotes is not text to YAML ("seed: {{.Year}}"
	// is a map of maps, and the parser may name a far earlier line): find
	// every such line first.
	if ps := unquotedTemplates(path, data); len(ps) > 0 {
		return nil, problemsError(ps)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		hint := ""
		if bytes.Contains(data, []byte("{{")) {
			hint = ` (put templates in quotes: "{{.Year}}-{{.Month}} monthly")`
		}
		return nil, fmt.Errorf("%s: %s%s", path, strings.TrimPrefix(err.Error(), "yaml: "), hint)
	}
	if root.Kind == 0 || len(root.Content) == 0 {
		return nil, fmt.Errorf("%s: the file is empty; write one with: caseaudit init [EXPORT]", path)
	}
	doc := root.Content[0]
	if doc.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: line %d: the configuration must be a list of keys (input: …, size: …)", path, doc.Line)
	}
	var ps []error
	for _, err := range checkKeys(doc, reflect.TypeOf(runConfig{}), "", c.lines) {
		ps = append(ps, fmt.Errorf("%s: %w", path, err))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(c); err != nil {
		var te *yaml.TypeError
		if !errors.As(err, &te) || len(te.Errors) == 0 {
			return nil, fmt.Errorf("%s: %s", path, strings.TrimPrefix(err.Error(), "yaml: "))
		}
		for _, e := range te.Errors {
			ps = append(ps, fmt.Errorf("%s: %s", path, c.typeError(e)))
		}
	}
	if err := c.check(); err != nil {
		var more configProblems
		if errors.As(err, &more) {
			ps = append(ps, more...)
		} else {
			ps = append(ps, err)
		}
	}
	if len(ps) > 0 {
		return nil, problemsError(ps)
	}
	return c, nil
}

// unquotedTemplates finds every line whose value starts with a template
// ("{{") outside quotes.
func unquotedTemplates(path string, data []byte) []error {
	var ps []error
	for i, line := range strings.Split(string(data), "\n") {
		m := unquotedRE().FindStringSubmatch(line)
		if m == nil {
			continue
		}
		key, value := strings.TrimSpace(m[2]), strings.TrimSpace(m[3])
		if key != "" {
			key = strings.TrimSpace(strings.TrimSuffix(key, ":"))
			ps = append(ps, fmt.Errorf("%s: line %d: %s: a template must be in quotes: %s: \"%s\"", path, i+1, key, key, value))
		} else {
			ps = append(ps, fmt.Errorf("%s: line %d: a template must be in quotes: - \"%s\"", path, i+1, value))
		}
	}
	return ps
}

// unquotedRE matches "key: {{…" and "- {{…", not inside a comment. It and
// the other patterns here are compiled on first use, not at every start.
var unquotedRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^\s*(- +)?([A-Za-z_][A-Za-z0-9_.]*\s*:)?\s*(\{\{.*)$`)
})

// checkKeys walks a mapping node against the struct type t and reports
// every unknown key with its line and the nearest known key; it records
// the line of every key in lines ("outputs.workbook").
func checkKeys(n *yaml.Node, t reflect.Type, prefix string, lines map[string]int) []error {
	var errs []error
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t.Kind() == reflect.Struct && n.Kind == yaml.MappingNode:
		known := map[string]reflect.Type{}
		var names []string
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			tag, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
			if tag == "" || tag == "-" {
				continue
			}
			known[tag] = f.Type
			names = append(names, tag)
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			ft, ok := known[k.Value]
			if !ok {
				where := "the configuration"
				if prefix != "" {
					where = strings.TrimSuffix(prefix, ".")
				}
				msg := fmt.Sprintf("line %d: unknown key %q in %s", k.Line, k.Value, where)
				if near := closestKey(k.Value, names); near != "" {
					msg += fmt.Sprintf("; did you mean %q?", near)
				} else {
					msg += "; the keys are: " + strings.Join(names, ", ")
				}
				errs = append(errs, errors.New(msg))
				continue
			}
			lines[prefix+k.Value] = k.Line
			errs = append(errs, checkKeys(v, ft, prefix+k.Value+".", lines)...)
		}
	case t.Kind() == reflect.Slice && n.Kind == yaml.SequenceNode:
		for i, item := range n.Content {
			lines[fmt.Sprintf("%s%d", prefix, i+1)] = item.Line
			errs = append(errs, checkKeys(item, t.Elem(), fmt.Sprintf("%s%d.", prefix, i+1), lines)...)
		}
	}
	return errs
}

// closestKey returns the known key nearest to k (by edit distance, at most
// 3 edits), or "".
func closestKey(k string, names []string) string {
	best, bestD := "", 4
	for _, n := range names {
		if d := textdist.Levenshtein(strings.ToLower(k), n); d < bestD {
			best, bestD = n, d
		}
	}
	return best
}

var typeErrRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile("^line ([0-9]+): cannot unmarshal !!([a-z]+) (?:`(.*)` )?into (.+)$")
})

// typeError rewrites a YAML type error ("line 2: cannot unmarshal !!str
// `lots` into int") in words, naming the key.
func (c *runConfig) typeError(e string) string {
	m := typeErrRE().FindStringSubmatch(e)
	if m == nil {
		return e
	}
	line, _ := strconv.Atoi(m[1])
	key := ""
	for k, l := range c.lines {
		if l == line && (key == "" || len(k) > len(key)) {
			key = k
		}
	}
	want := "another kind of value"
	switch t := m[4]; {
	case t == "int":
		want = "a whole number"
	case t == "string":
		want = "text"
	case strings.HasPrefix(t, "[]"):
		want = "a list (- item on each line, or [a, b])"
	case strings.HasPrefix(t, "map["):
		want = "pairs of NAME: VALUE"
	case strings.HasPrefix(t, "main."):
		want = "a group of keys (key: value on indented lines)"
	}
	got := strconv.Quote(m[3])
	switch m[2] {
	case "seq":
		got = "a list"
	case "map":
		got = "a group of keys"
	}
	if key != "" {
		if c.mistyped == nil {
			c.mistyped = map[string]bool{}
		}
		c.mistyped[key] = true
		return fmt.Sprintf("line %d: %s: %s should be %s", line, key, got, want)
	}
	return fmt.Sprintf("line %d: %s should be %s", line, got, want)
}

// configProblems are every problem found in a configuration file, each
// naming the file and the line: `caseaudit run` lists them one per line.
type configProblems []error

func (ps configProblems) Error() string {
	msgs := make([]string, len(ps))
	for i, p := range ps {
		msgs[i] = p.Error()
	}
	return strings.Join(msgs, "; ")
}

// problemsError returns nil, the one problem, or all of them.
func problemsError(ps []error) error {
	switch len(ps) {
	case 0:
		return nil
	case 1:
		return ps[0]
	}
	return configProblems(ps)
}

// errAtItem makes an error naming the line of item i (0-based) of the
// list under key, else of the key.
func (c *runConfig) errAtItem(key string, i int, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if l, ok := c.lines[fmt.Sprintf("%s.%d", key, i+1)]; ok {
		return fmt.Errorf("%s: line %d: %s: item %d: %s", c.path, l, key, i+1, msg)
	}
	return c.errAt(key, "item %d: %s", i+1, msg)
}

// factorRequest is the factors asked for with a month's draw (nil when
// the configuration asks for none); pairs not done are judged on day.
func (c *runConfig) factorRequest(day time.Time) *audit.FactorRequest {
	f := c.Factors
	if f == nil {
		return nil
	}
	r := &audit.FactorRequest{WorkerColumn: f.WorkerColumn, ChangesColumn: f.ChangesColumn, TeamColumn: f.TeamColumn,
		ChangesAtLeast: f.ChangesAtLeast, Timeliness: f.Timeliness, Now: day, OpenWhen: f.OpenWhen,
		WorkerAliases: f.WorkerAliases, Dir: c.dir}
	if r.ChangesAtLeast == 0 {
		r.ChangesAtLeast = 3 // left out
	}
	if f.CaseloadTarget != 0 {
		r.CaseloadTarget = &f.CaseloadTarget // 0: left out
	}
	return r
}

// figures are the report's intervals and limit as the configuration asks.
func (c *runConfig) figures() report.FigureRequest {
	return report.FigureRequest{Confidence: c.Confidence, Method: c.Method, FailAbove: c.FailAbove, On: c.FailOn}
}

// lockTimeout is lock_timeout as a duration: 0 when not given.
func (c *runConfig) lockTimeout() (time.Duration, error) {
	return c.duration("lock_timeout", c.LockTimeout, "how long a write may wait for another writer's lock", "30s or 2m")
}

// dbTimeout is db_timeout as a duration: 0 when not given.
func (c *runConfig) dbTimeout() (time.Duration, error) {
	return c.duration("db_timeout", c.DBTimeout, "how long caseaudit may wait for the store to answer", "60s or 5m")
}

// duration reads the value v of key as a time to wait, more than zero
// (what it is, and examples, for the error): 0 when not given.
func (c *runConfig) duration(key, v, what, examples string) (time.Duration, error) {
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil || d <= 0 {
		return 0, c.errAt(key, "%q: give %s, more than zero (e.g. %s)", v, what, examples)
	}
	return d, nil
}

// errAt makes an error naming the file and the line of key (when known).
func (c *runConfig) errAt(key, format string, a ...any) error {
	msg := fmt.Sprintf(format, a...)
	if l, ok := c.lines[key]; ok {
		return fmt.Errorf("%s: line %d: %s: %s", c.path, l, key, msg)
	}
	return fmt.Errorf("%s: %s: %s", c.path, key, msg)
}

// check validates every value and parses the templates.
func (c *runConfig) check() error {
	var ps []error
	add := func(err error) {
		if err != nil {
			ps = append(ps, err)
		}
	}
	if _, err := c.lockTimeout(); err != nil {
		add(err)
	}
	if _, err := c.dbTimeout(); err != nil {
		add(err)
	}
	if strings.TrimSpace(c.Input) == "" && !c.mistyped["input"] {
		add(fmt.Errorf("%s: input is missing: name the export, e.g. input: exports/cases-*.xlsx (the newest match is used)", c.path))
	}
	if strings.ContainsAny(c.Input, "*?[") {
		if _, err := filepath.Match(c.Input, ""); err != nil {
			add(c.errAt("input", "%q is not a valid pattern: %v", c.Input, err))
		}
	}
	// The draw's own checks, as the sample stage will ask for it (a size
	// stands in when it is wrong or missing: that is said below).
	req := c.drawRequest("", "", "the month's audit", nil)
	if req.Spec.Size == 0 {
		req.Spec.Size = 1 // a plan, or neither: said below, in the file's terms
	}
	for _, err := range req.Problems() {
		add(c.errOpt(err))
	}
	switch {
	case c.Size != 0 && c.Plan != nil:
		add(c.errAt("plan", "give either size or plan, not both"))
	case c.Size == 0 && c.Plan == nil && !c.mistyped["size"] && !c.mistyped["plan"]:
		add(fmt.Errorf("%s: give size: N (cases per month) or plan: {tolerable: 2.5%%, confidence: 95%%, expected: 0}", c.path))
	}
	if c.Plan != nil && !c.mistyped["plan"] {
		_, err := c.plan()
		add(err)
	}
	if _, ok := c.lines["factors"]; ok && c.Factors == nil {
		c.Factors = &factorsConfig{} // "factors:" with nothing under it: detect every column
	}
	if fr := c.factorRequest(time.Time{}); fr != nil { // the day matters only to as_of, which a configuration has not
		ps := fr.Problems()
		if len(ps) == 0 {
			_, err := fr.Spec() // reads the aliases file
			ps = append(ps, err)
		}
		for _, err := range ps {
			add(c.errOpt(err))
		}
	}
	for _, err := range c.figures().Problems() {
		add(c.errOpt(err))
	}
	if c.AuditName == "" {
		c.AuditName = defaultAuditName
	}
	if strings.TrimSpace(c.Seed) == "" {
		c.Seed = seedGenerate
	}
	c.tmpl = map[string]*template.Template{}
	probe := newTemplateData(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC))
	addTmpl := func(key, text string) error {
		t, err := template.New(key).Option("missingkey=error").Parse(text)
		if err != nil {
			return c.errAt(key, "%v (write e.g. {{.Year}}-{{.Month}})", templateErr(err))
		}
		if err := t.Execute(new(bytes.Buffer), probe); err != nil {
			return c.errAt(key, "%v (the fields are .Year .Month .MonthName .Date)", templateErr(err))
		}
		c.tmpl[key] = t
		return nil
	}
	add(addTmpl("audit_name", c.AuditName))
	if c.Seed != seedGenerate {
		add(addTmpl("seed", c.Seed))
	}
	if c.Outputs.Workbook != "" {
		add(c.errOpt(audit.CheckWorkbookName(c.Outputs.Workbook)))
		add(addTmpl("outputs.workbook", c.Outputs.Workbook))
	}
	for i, f := range c.Outputs.Filled {
		add(addTmpl(fmt.Sprintf("outputs.filled.%d", i+1), f))
	}
	for i, r := range c.Outputs.Reports {
		key := fmt.Sprintf("outputs.reports.%d", i+1)
		if strings.TrimSpace(r.Path) == "" {
			add(c.errAt(key, "a report needs a path, e.g. reports/{{.Year}}-{{.Month}}.html"))
		}
		if r.Format != "" {
			f, err := report.ParseFormat(r.Format)
			if err != nil {
				add(c.errAt(key, "format: %v", err))
			}
			if g, ok := report.FormatForPath(r.Path); ok && g != f {
				add(c.errAt(key, "%s looks like %s but the format is %s; make them agree", r.Path, g, f))
			}
		} else if _, ok := report.FormatForPath(r.Path); !ok {
			add(c.errAt(key, "%s: end the file name with .html, .xlsx, .md, .csv, .json or .txt, or give {path: …, format: …}", r.Path))
		}
		add(addTmpl(key, r.Path))
	}
	return problemsError(ps)
}

var templateFieldRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`can't evaluate field (\w+)`) })

// templateErr drops text/template's "template: NAME:" prefix.
func templateErr(err error) string {
	s := err.Error()
	if m := templateFieldRE().FindStringSubmatch(s); m != nil {
		return fmt.Sprintf("there is no field .%s", m[1])
	}
	if i := strings.Index(s, ": "); strings.HasPrefix(s, "template: ") && i >= 0 {
		if j := strings.Index(s[i+2:], ": "); j >= 0 {
			return s[i+2+j+2:]
		}
	}
	return s
}

// expand executes the template of key (parsed by check).
func (c *runConfig) expand(key string, d templateData) (string, error) {
	t, ok := c.tmpl[key]
	if !ok {
		return "", fmt.Errorf("%s: %s is not a template", c.path, key)
	}
	var b bytes.Buffer
	if err := t.Execute(&b, d); err != nil {
		return "", c.errAt(key, "%v", templateErr(err))
	}
	s := strings.TrimSpace(b.String())
	if s == "" {
		return "", c.errAt(key, "the template gives an empty text")
	}
	return s, nil
}

// auditName is the audit's name for the month of d.
func (c *runConfig) auditName(d templateData) (string, error) { return c.expand("audit_name", d) }

// rel makes a path from the configuration relative to its folder.
func (c *runConfig) rel(p string) string {
	if p == "" || filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(c.dir, p)
}

// plan is the month's sample size: size, or worked out from the planning
// parameters before the export is read, so with the population unknown
// (audit.PlanSize then uses the binomial model, never smaller than the
// hypergeometric size for any population).
func (c *runConfig) plan() (*audit.Plan, error) {
	if c.Plan == nil {
		return &audit.Plan{Size: c.Size}, nil
	}
	p, err := audit.PlanSize(audit.PlanRequest{Tolerable: c.Plan.Tolerable, Confidence: c.Plan.Confidence, Expected: c.Plan.Expected})
	if err != nil {
		return nil, c.errOpt(err)
	}
	return p, nil
}

// errOpt places a library error at the line of the key it names, as the
// file's other messages read: "a.yaml: line 4: size: must be a positive
// number".
func (c *runConfig) errOpt(err error) error {
	if err == nil {
		return nil
	}
	e, ok := opt.As(err)
	if !ok {
		return fmt.Errorf("%s: %w", c.path, err)
	}
	key := e.Option.Key()
	msg := opt.Spell(err, opt.Keys)
	// "size must be …" reads "size: must be …"; "a and b go together" is
	// left as it is.
	if rest, ok := strings.CutPrefix(msg, key); ok && (strings.HasPrefix(rest, " ") && !strings.HasPrefix(rest, " and ") || strings.HasPrefix(rest, ":")) {
		return c.errAt(key, "%s", strings.TrimSpace(strings.TrimPrefix(rest, ":")))
	}
	for k := key; k != ""; {
		if l, ok := c.lines[k]; ok {
			return fmt.Errorf("%s: line %d: %s", c.path, l, msg)
		}
		i := strings.LastIndex(k, ".")
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return fmt.Errorf("%s: %s", c.path, msg)
}

// drawRequest is the month's draw as the configuration describes it.
func (c *runConfig) drawRequest(input, seed, name string, form *audit.Form) audit.DrawRequest {
	size := c.Size
	if p, err := c.plan(); err == nil {
		size = p.Size
	}
	return audit.DrawRequest{
		Spec: sample.Spec{
			Export: input, Seed: seed, Size: size, Where: c.Filters, Strata: c.Strata,
			Allocation: orDefault(c.Allocation, sample.Proportional), MinPerStratum: c.MinPerStratum, Columns: c.Columns,
			Open: export.OpenOptions{Sheet: c.Sheet, HeaderRow: c.HeaderRow, IDColumn: c.IDColumn, Delimiter: c.Delimiter, Encoding: c.Encoding},
		},
		Name: name, ExcludeWithin: c.ExcludeAuditedWithin, Form: form,
		FollowUp: audit.OwnerRule{Column: c.FollowUp.OwnerColumn, TeamManagers: c.FollowUp.TeamManagers, DueDays: c.FollowUp.DueDays},
		Auditors: c.Auditors,
		Rules: audit.AllocationRules{WorkerField: c.Conflicts.WorkerColumn, TeamField: c.Conflicts.TeamColumn,
			AuditorTeams: c.Conflicts.AuditorTeams},
	}
}

// resolveInput finds the export: the path, or the newest match of the
// pattern by modification time (the later name when two are as new). It
// also returns how many files matched.
func (c *runConfig) resolveInput() (string, int, error) {
	p := c.rel(c.Input)
	if !strings.ContainsAny(c.Input, "*?[") {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			return "", 0, c.errAt("input", "%s is not there; is this month's export in place?", p)
		}
		if err != nil {
			return "", 0, c.errAt("input", "%v", err)
		}
		if st.IsDir() {
			return "", 0, c.errAt("input", "%s is a folder; name the export, or a pattern like %s", p, filepath.Join(c.Input, "*.xlsx"))
		}
		return p, 1, nil
	}
	matches, err := filepath.Glob(p)
	if err != nil {
		return "", 0, c.errAt("input", "%v", err)
	}
	type file struct {
		path string
		mod  time.Time
	}
	var files []file
	for _, m := range matches {
		st, err := os.Stat(m)
		if err != nil || !st.Mode().IsRegular() {
			continue
		}
		files = append(files, file{m, st.ModTime()})
	}
	if len(files) == 0 {
		return "", 0, c.errAt("input", "no file matches %s; is this month's export in place?", p)
	}
	sort.Slice(files, func(i, j int) bool {
		if !files[i].mod.Equal(files[j].mod) {
			return files[i].mod.After(files[j].mod)
		}
		return files[i].path > files[j].path
	})
	return files[0].path, len(files), nil
}

// filledFiles lists the filled workbooks to import for the month of d:
// the matches of outputs.filled (default: the workbook path), existing
// files only, in name order, each once.
func (c *runConfig) filledFiles(d templateData) ([]string, []string, error) {
	var patterns []string
	keys := []string{}
	for i := range c.Outputs.Filled {
		keys = append(keys, fmt.Sprintf("outputs.filled.%d", i+1))
	}
	if len(keys) == 0 && c.Outputs.Workbook != "" {
		keys = append(keys, "outputs.workbook")
	}
	var files []string
	for _, k := range keys {
		p, err := c.expand(k, d)
		if err != nil {
			return nil, nil, err
		}
		p = c.rel(p)
		patterns = append(patterns, p)
		matches, err := filepath.Glob(p)
		if err != nil {
			return nil, nil, c.errAt(k, "%v", err)
		}
		for _, m := range matches {
			if strings.HasPrefix(filepath.Base(m), "~$") {
				continue // Excel's lock file beside an open workbook
			}
			if st, err := os.Stat(m); err == nil && st.Mode().IsRegular() && !slices.Contains(files, m) {
				files = append(files, m)
			}
		}
	}
	slices.Sort(files)
	return files, patterns, nil
}
