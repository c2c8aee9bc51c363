package export

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/richardlehane/mscfb"
)

// Format names, as in Table.Format.
const (
	formatCSV  = "csv"
	formatXLSX = "xlsx"
)

// Open opens an export, chooses its sheet, header row and ID column, and
// returns the Table ready for Rows. The format is recognised from the bytes,
// not from the file name: an xlsx workbook (wherever its package puts the
// workbook part; or an encrypted one, or a legacy .xls, which the xlsx
// reader explains), or csv/tsv/txt text in UTF-8, UTF-16, UTF-32 or
// Windows-1252. Excel's and LibreOffice's lock files are named as such.
// Every problem a person can fix is an *InputError; a missing file wraps
// fs.ErrNotExist.
//
// The sheet is opts.Sheet (a name, case-insensitive, or a 1-based number),
// or else the first visible sheet whose header row holds the ID column. The
// header row is opts.HeaderRow, or else the first of the first 50 rows
// holding values (however far down they start) that holds the ID column
// (opts.IDColumn, or a known case ID name such as "Case Reference",
// preferred to person or child IDs such as "Person ID"; an error value
// such as #REF! is never a name).
func Open(ctx context.Context, path string, opts OpenOptions) (*Table, error) {
	format, err := detectFormat(path, opts)
	if err != nil {
		return nil, err
	}
	wb, err := openFormat(path, format, opts)
	if err != nil {
		return nil, err
	}
	t, err := pickSheet(ctx, path, format, wb, opts)
	if err != nil {
		wb.close()
		return nil, err
	}
	return t, nil
}

// Sheets lists the sheet names of a workbook in workbook order, hidden ones
// included (for shell completion). A csv file has no named sheets: nil.
func Sheets(path string, opts OpenOptions) ([]string, error) {
	format, err := detectFormat(path, opts)
	if err != nil {
		return nil, err
	}
	if format == formatCSV {
		return nil, nil
	}
	wb, err := openFormat(path, format, opts)
	if err != nil {
		return nil, err
	}
	defer wb.close()
	var names []string
	for _, s := range wb.sheets() {
		names = append(names, s.Name)
	}
	return names, nil
}

func openFormat(path, format string, opts OpenOptions) (workbook, error) {
	if format == formatCSV {
		return openCSV(path, opts)
	}
	return openXLSX(path, opts)
}

// openError explains why a file could not be opened; it wraps the os error.
func openError(path string, err error) error {
	var pe *fs.PathError
	cause := err
	if errors.As(err, &pe) {
		cause = pe.Err
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &InputError{Path: path, Msg: "the file does not exist", Hint: "check the path and the file name", Err: err}
	case errors.Is(err, fs.ErrPermission):
		return &InputError{Path: path, Msg: "permission denied: cannot read the file",
			Hint: "check the file's permissions, or copy it somewhere you can read it", Err: err}
	}
	return &InputError{Path: path, Msg: "cannot open the file: " + cause.Error(), Err: err}
}

var (
	magicZip      = []byte("PK\x03\x04")
	magicEmptyZip = []byte("PK\x05\x06")
	magicCFB      = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}
	magicPDF      = []byte("%PDF")
)

// detectFormat looks at a file's first bytes and says whether it is an xlsx
// workbook (or a CFB file, for the xlsx reader to explain) or text to read
// as csv, or why it is neither.
func detectFormat(path string, opts OpenOptions) (string, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return "", openError(path, err)
	}
	if fi.IsDir() {
		return "", &InputError{Path: path, Msg: "this is a directory, not an export file",
			Hint: "give the path of the .xlsx or .csv file"}
	}
	if !fi.Mode().IsRegular() {
		return "", &InputError{Path: path, Msg: "this is not a regular file (a pipe or a device)",
			Hint: "save the export to a file first"}
	}
	f, err := os.Open(path)
	if err != nil {
		return "", openError(path, err)
	}
	defer f.Close()
	head := make([]byte, 1024)
	n, err := io.ReadFull(f, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return "", &InputError{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	head = head[:n]
	if err := lockFileError(path, fi.Size(), head); err != nil {
		return "", err
	}
	notSheet := func(what string) error {
		return &InputError{Path: path, Msg: "not a spreadsheet or CSV file" + what,
			Hint: "export the case list as .xlsx or CSV"}
	}
	switch {
	case n == 0:
		return "", &InputError{Path: path, Msg: "the file is empty", Hint: "export the case list again"}
	case bytes.HasPrefix(head, magicZip):
		return zipFormat(path)
	case bytes.HasPrefix(head, magicEmptyZip):
		return "", notSheet(" (an empty zip archive)")
	case bytes.HasPrefix(head, magicCFB):
		if what := cfbKind(f); what != "" {
			return "", foreignFile(path, what)
		}
		return formatXLSX, nil // encrypted xlsx or legacy .xls: the xlsx reader tells which
	case bytes.HasPrefix(head, magicPDF):
		return "", &InputError{Path: path, Msg: "this is a PDF, not a spreadsheet",
			Hint: "export the case list as .xlsx or CSV"}
	}
	enc, _ := parseEncoding(opts.Encoding) // an unknown name is reported by openCSV
	text := enc.wide() || bytes.HasPrefix(head, bomLE) || bytes.HasPrefix(head, bomBE) || bytes.HasPrefix(head, bom32BE)
	if !text {
		_, text16 := utf16WithoutBOM(head)
		_, text32 := utf32WithoutBOM(head)
		text = text16 || text32
	}
	if !text && bytes.IndexByte(head, 0) >= 0 {
		return "", notSheet("")
	}
	if !text {
		if what := markupKind(head); what != "" {
			return "", &InputError{Path: path, Msg: "this is " + what + " saved under a spreadsheet name, not an .xlsx or CSV file",
				Hint: "open it in Excel and save it as .xlsx or CSV"}
		}
		if what := textKind(path, head); what != "" {
			return "", foreignFile(path, what)
		}
	}
	return formatCSV, nil
}

// readsHint says which files caseaudit reads, for a file of another kind.
const readsHint = "it reads .xlsx workbooks and CSV text (.csv, .tsv, .txt, or a file with no extension): export or save the case list as one of those"

// foreignFile refuses a file of a kind caseaudit does not read, named.
func foreignFile(path, what string) error {
	return &InputError{Path: path, Msg: "this is " + what + ", which caseaudit does not read", Hint: readsHint}
}

// foreignText names the kinds of text file people pick up instead of a
// CSV, by extension: read as CSV, their first line would become headers.
// A .txt, .tsv, .dat or extension-less file is read as CSV.
var foreignText = map[string]string{
	".json": "a JSON file", ".geojson": "a JSON file", ".xml": "an XML file", ".yaml": "a YAML file", ".yml": "a YAML file",
	".md": "a Markdown file", ".rtf": "a Rich Text document (.rtf)", ".html": "a web page (HTML)", ".htm": "a web page (HTML)",
	".eml": "an e-mail message", ".ics": "a calendar file", ".vcf": "a contact card", ".sql": "an SQL script",
	".log": "a log file", ".ini": "a settings file", ".svg": "an SVG image",
	".docx": "a Word document", ".doc": "a Word document", ".odt": "an OpenDocument text", ".ods": "an OpenDocument spreadsheet (.ods)",
	".numbers": "an Apple Numbers spreadsheet", ".pages": "an Apple Pages document", ".pdf": "a PDF",
	".pptx": "a PowerPoint presentation", ".ppt": "a PowerPoint presentation", ".msg": "an Outlook message",
}

// textKind recognises a text file that is not a CSV: by its content (JSON,
// RTF, XML other than a spreadsheet), else by an extension that names
// another kind of file.
func textKind(path string, head []byte) string {
	s := bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")
	switch {
	case bytes.HasPrefix(s, []byte(`{\rtf`)):
		return "a Rich Text document (.rtf)"
	case len(s) > 1 && (s[0] == '{' || s[0] == '['):
		rest := bytes.TrimLeft(s[1:], " \t\r\n")
		if len(rest) == 0 || bytes.IndexByte([]byte(`"{[]}`), rest[0]) >= 0 {
			return "a JSON file"
		}
	case bytes.HasPrefix(s, []byte("<?xml")):
		return "an XML file"
	}
	return foreignText[strings.ToLower(filepath.Ext(path))]
}

// cfbKind names the Office documents other than workbooks that are
// Compound Files like a legacy .xls or an encrypted .xlsx: "" for those
// two (or a file it cannot read), which the xlsx reader explains.
func cfbKind(r io.ReaderAt) (what string) {
	defer func() {
		if recover() != nil {
			what = ""
		}
	}()
	doc, err := mscfb.New(r)
	if err != nil {
		return ""
	}
	for entry, err := doc.Next(); err == nil; entry, err = doc.Next() {
		if len(entry.Path) > 0 {
			// Inside a storage: an object embedded in the document (a Word
			// file holding an Excel chart has a Workbook stream there),
			// which says nothing of what the file is.
			continue
		}
		switch name := entry.Name; {
		case name == "Workbook" || name == "Book" || name == "EncryptionInfo" || name == "EncryptedPackage":
			return ""
		case name == "WordDocument":
			what = "a Word document (.doc)"
		case name == "PowerPoint Document":
			what = "a PowerPoint presentation (.ppt)"
		case strings.HasPrefix(name, "__substg1.0_") || name == "__properties_version1.0":
			what = "an Outlook message (.msg)"
		}
	}
	return what
}

// lockFileError recognises the lock files that Excel ("~$Book.xlsx", 165
// bytes holding the name of the person who has Book.xlsx open) and
// LibreOffice (".~lock.Book.xlsx#", a line of text) keep beside an open
// workbook, which people pick up by mistake: read as csv, their bytes
// become headers. It says which workbook to open instead; nil when path is
// no lock file.
func lockFileError(path string, size int64, head []byte) error {
	if bytes.HasPrefix(head, magicZip) || bytes.HasPrefix(head, magicCFB) {
		return nil // a workbook, whatever its name
	}
	dir, base := filepath.Split(path)
	var app, target string
	switch {
	case strings.HasPrefix(base, "~$") && len(base) > 2 && size < 4096:
		app, target = "Excel", base[2:]
	case strings.HasPrefix(base, ".~lock.") && strings.HasSuffix(base, "#") && len(base) > 8 && size < 4096:
		app, target = "LibreOffice", base[7:len(base)-1]
	case excelOwnerFile(size, head):
		return &InputError{Path: path, Msg: "this is an Excel lock file (Excel keeps one beside a workbook while it is open), not an export",
			Hint: "give the workbook itself"}
	default:
		return nil
	}
	if _, err := os.Stat(filepath.Join(dir, target)); err != nil && app == "Excel" {
		// Word-style lock names replace the first two characters of a long
		// name: "~$ok.xlsx" for "Book.xlsx". Name the file if one fits.
		if ents, err := os.ReadDir(filepath.Join(dir, ".")); err == nil {
			for _, e := range ents {
				if n := e.Name(); n != base && len(n) == len(base) && strings.HasSuffix(n, target) && !strings.HasPrefix(n, "~$") {
					target = n
					break
				}
			}
		}
	}
	// The hint gives the path as written, not with %q, which would double
	// a Windows path's backslashes.
	return &InputError{Path: path,
		Msg:  fmt.Sprintf("this is %s's lock file for %q (kept beside a workbook while it is open), not an export", app, target),
		Hint: `open "` + filepath.Join(dir, target) + `" instead`}
}

// excelOwnerFile recognises an Excel lock file by its layout: 162 or 165
// bytes, the first the length (at most 53) of the user name that follows,
// padded with spaces to byte 54.
func excelOwnerFile(size int64, head []byte) bool {
	if (size != 162 && size != 165) || len(head) < 56 {
		return false
	}
	n := int(head[0])
	if n == 0 || n > 53 {
		return false
	}
	for _, c := range head[1 : 1+n] {
		if c < 0x20 {
			return false
		}
	}
	for _, c := range head[1+n : 54] {
		if c != ' ' {
			return false
		}
	}
	return true
}

// markupKind recognises the HTML tables and XML Spreadsheet 2003 files that
// some case management systems write as ".xls".
func markupKind(head []byte) string {
	s := strings.ToLower(string(bytes.TrimLeft(bytes.TrimPrefix(head, utf8BOM), " \t\r\n")))
	switch {
	case strings.HasPrefix(s, "<!doctype html"), strings.HasPrefix(s, "<html"), strings.HasPrefix(s, "<table"):
		return "a web page (HTML)"
	case strings.HasPrefix(s, "<?xml") && strings.Contains(s, "urn:schemas-microsoft-com:office:spreadsheet"):
		return "an XML Spreadsheet 2003 file"
	}
	return ""
}

// zipFormat tells an xlsx workbook from the other zip files people pick up.
// A workbook is recognised by its parts, wherever they are: the usual xl/
// folder, or a package whose relationships (_rels/.rels) name the workbook
// elsewhere, which the xlsx reader follows. Backslashes in entry names (some
// Windows zip tools write them) count as slashes.
func zipFormat(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", openError(path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return "", openError(path, err)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return "", &InputError{Path: path, Msg: "the workbook is damaged or incomplete (" + err.Error() + ")",
			Hint: "download or save it again as .xlsx", Err: err}
	}
	var xl, xlsb bool
	for _, f := range zr.File {
		name := zipPartName(f.Name)
		switch {
		case strings.HasSuffix(name, "workbook.xml"):
			xl = true // wherever it is: the xlsx reader follows the relationships
		case name == "mimetype":
			rc, err := f.Open()
			if err != nil {
				continue
			}
			mt, _ := io.ReadAll(io.LimitReader(rc, 200))
			rc.Close()
			m := strings.TrimSpace(string(mt))
			if m == "application/vnd.oasis.opendocument.spreadsheet" || m == "application/vnd.oasis.opendocument.spreadsheet-template" {
				return "", &InputError{Path: path, Msg: ".ods (OpenDocument spreadsheet) is not supported",
					Hint: "save it as .xlsx or CSV"}
			}
			if strings.HasPrefix(m, "application/vnd.oasis.opendocument") {
				return "", &InputError{Path: path, Msg: "not a spreadsheet or CSV file (an OpenDocument file)",
					Hint: "export the case list as .xlsx or CSV"}
			}
		case strings.HasSuffix(name, "workbook.bin"):
			xlsb = true
		case strings.HasPrefix(name, "xl/"):
			xl = true
		}
	}
	if !xl && !xlsb {
		// The workbook part may have any name: ask the package.
		xl = officeDocumentIsWorkbook(zr)
	}
	if xlsb {
		return "", &InputError{Path: path, Msg: "this is an Excel binary workbook (.xlsb), which is not supported",
			Hint: "save it as .xlsx or CSV"}
	}
	if !xl {
		if what := zipKind(zr, path); what != "" {
			return "", foreignFile(path, what)
		}
		return "", &InputError{Path: path, Msg: "not a spreadsheet or CSV file (a zip archive that holds no workbook)",
			Hint: "export the case list as .xlsx or CSV"}
	}
	return formatXLSX, nil
}

// zipKind names the zip-packaged documents people pick up instead of a
// workbook: Word and PowerPoint files, and Apple's Numbers, Pages and
// Keynote files; "" for any other zip.
func zipKind(zr *zip.Reader, path string) string {
	iwork := map[string]string{".numbers": "an Apple Numbers spreadsheet", ".pages": "an Apple Pages document", ".key": "an Apple Keynote presentation"}
	for _, f := range zr.File {
		name := zipPartName(f.Name)
		switch {
		case strings.HasPrefix(name, "word/"):
			return "a Word document (.docx)"
		case strings.HasPrefix(name, "ppt/"):
			return "a PowerPoint presentation (.pptx)"
		case strings.HasSuffix(name, ".iwa") || name == "Index.zip":
			if what, ok := iwork[strings.ToLower(filepath.Ext(path))]; ok {
				return what
			}
			return "an Apple iWork document (Numbers, Pages or Keynote)"
		}
	}
	return ""
}

// coverSheet reports whether a sheet's name marks it as a cover, summary or
// guidance sheet, tried only after the others.
func coverSheet(name string) bool {
	for _, w := range nameWords(name) {
		switch w {
		case "cover", "summary", "contents", "readme", "read", "about", "instructions", "guidance",
			"pivot", "chart", "charts", "dashboard", "lookup", "lookups", "glossary":
			return true
		}
	}
	return false
}

// pickSheet chooses the sheet and finds its header row and ID column.
func pickSheet(ctx context.Context, path, format string, wb workbook, opts OpenOptions) (*Table, error) {
	sheets := wb.sheets()
	if len(sheets) == 0 {
		return nil, &InputError{Path: path, Msg: "the workbook has no sheets", Hint: "check that this is the case list export"}
	}
	if opts.Sheet != "" {
		i, err := resolveSheet(path, format, sheets, opts.Sheet)
		if err != nil {
			return nil, err
		}
		t, miss, err := openSheet(ctx, path, format, wb, sheets, i, opts)
		if err != nil {
			return nil, err
		}
		if miss != nil {
			return nil, missingError(path, sheets[i].Name, miss, false, opts.HeaderRow > 0)
		}
		return t, nil
	}

	var order []int
	for pass := 0; pass < 2; pass++ {
		for i, s := range sheets {
			if !s.Hidden && coverSheet(s.Name) == (pass == 1) {
				order = append(order, i)
			}
		}
	}
	if len(order) == 0 {
		return nil, (&InputError{Path: path, Msg: "every sheet is hidden (" + sheetList(sheets) + ")"}).
			WithHint(opt.Sprintf("choose the sheet with %s", opt.Sheet))
	}
	firstVisible := -1
	for i, s := range sheets {
		if !s.Hidden {
			firstVisible = i
			break
		}
	}
	// When no sheet has the ID column, speak of the sheet that looks most
	// like the case list: one with a column near the --id-column given,
	// else the one whose best header row has the most cells (the first
	// visible sheet on a tie), not a cover sheet.
	var bestMiss *idMissing
	bestSheet, bestCells, bestNear := firstVisible, -1, false
	for _, i := range order {
		t, miss, err := openSheet(ctx, path, format, wb, sheets, i, opts)
		if err != nil {
			return nil, err
		}
		if miss == nil {
			return t, nil
		}
		cells := 0
		for _, h := range miss.header {
			if h != "" {
				cells++
			}
		}
		near := miss.idGiven != "" && (uncut(miss.header, miss.idGiven) != "" || suggestGivenIDColumn(miss.header, miss.below, miss.idGiven) != "")
		if near != bestNear {
			if near {
				bestMiss, bestSheet, bestCells, bestNear = miss, i, cells, near
			}
			continue
		}
		if cells > bestCells || (cells == bestCells && i == firstVisible) {
			bestMiss, bestSheet, bestCells = miss, i, cells
		}
	}
	if bestMiss == nil { // cannot happen: order is not empty
		bestMiss = &idMissing{idGiven: opts.IDColumn}
	}
	return nil, missingError(path, sheets[bestSheet].Name, bestMiss, len(sheets) > 1, opts.HeaderRow > 0)
}

// resolveSheet finds opts.Sheet among the sheets: a name (case-insensitive,
// trimmed) or a 1-based number.
func resolveSheet(path, format string, sheets []sheetInfo, want string) (int, error) {
	w := strings.TrimSpace(want)
	if format == formatCSV {
		if w == "1" {
			return 0, nil
		}
		return 0, (&InputError{Path: path, Msg: fmt.Sprintf("a csv file has no sheets, so no sheet %q", want)}).
			WithHint(opt.Sprintf("leave out %s", opt.Sheet))
	}
	for i, s := range sheets {
		if strings.EqualFold(strings.TrimSpace(s.Name), w) {
			return i, nil
		}
	}
	if n, err := strconv.Atoi(w); err == nil && n >= 1 && n <= len(sheets) {
		return n - 1, nil
	}
	names := make([]string, len(sheets))
	for i, s := range sheets {
		names[i] = s.Name
	}
	e := &InputError{Path: path, Msg: fmt.Sprintf("no sheet %q", want), Err: &NoSheetError{Want: want, Sheets: names}}
	if len(sheets) == 1 {
		return 0, e.WithHint(opt.Sprintf("its only sheet is %q; leave out %s", sheets[0].Name, opt.Sheet))
	}
	return 0, e.WithHint(opt.Sprintf("give %s one of its sheets, by name or number: %s", opt.Sheet, sheetList(sheets)))
}

func sheetList(sheets []sheetInfo) string {
	var b strings.Builder
	for i, s := range sheets {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%d %q", i+1, s.Name)
		if s.Hidden {
			b.WriteString(" (hidden)")
		}
	}
	return b.String()
}

// openSheet reads the top of sheet i and locates its header row and ID
// column. miss is non-nil when the sheet has no ID column.
func openSheet(ctx context.Context, path, format string, wb workbook, sheets []sheetInfo, i int, opts OpenOptions) (*Table, *idMissing, error) {
	name := sheets[i].Name
	g, err := wb.grid(i)
	if err != nil {
		return nil, nil, sheetError(path, name, err)
	}
	top, err := readTop(ctx, g, opts.HeaderRow)
	if err != nil {
		return nil, nil, sheetError(path, name, err)
	}
	h, miss, err := locateHeader(path, name, top, opts)
	if err != nil || miss != nil {
		return nil, miss, err
	}
	if hs, ok := g.(headerSetter); ok {
		if err := hs.setHeader(ctx, h.row, h.header); err != nil {
			return nil, nil, sheetError(path, name, err)
		}
	}
	return &Table{Path: path, Format: format, Sheet: name, HeaderRow: h.row, Header: h.header, IDIndex: h.id,
		wb: wb, g: g}, nil, nil
}

// sheetError passes on InputErrors and context errors, and wraps anything
// else as an InputError naming the sheet.
func sheetError(path, sheet string, err error) error {
	if IsInputError(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &InputError{Path: path, Sheet: sheet, Msg: "cannot read: " + err.Error(), Err: err}
}

// FileError explains, as an export's error does, why a file the user named
// (a form, a list of IDs to exclude) could not be read: a missing file or
// one without permission says what to check, not the operating system's
// words.
func FileError(path string, err error) error { return openError(path, err) }
