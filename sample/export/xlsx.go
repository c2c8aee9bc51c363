package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	kflate "github.com/klauspost/compress/flate"
)

func newInflater(r io.Reader) io.ReadCloser { return kflate.NewReader(r) }

// The xlsx reader. An .xlsx workbook is a zip of XML parts; the reader opens
// the zip in place (archive/zip over the file, nothing is extracted or
// written), reads the small parts (workbook, relationships, styles) with
// encoding/xml, loads the shared strings table once in a compact form, and
// streams a worksheet's XML through a byte-level scanner (xlsx_xml.go,
// xlsx_scan.go), decoding only the wanted columns. Memory does not grow with
// the number of rows; only the shared strings table is held.
//
// Display rules: shared, inline and formula strings as stored (with Excel's
// _xHHHH_ escapes decoded; a formula's cached value may be an inline
// string); booleans TRUE/FALSE; errors as their text (#N/A); numbers in a
// date format as yyyy-mm-dd or yyyy-mm-dd hh:mm:ss (SerialToISO, honouring
// the 1904 date system); in a time-of-day format as hh:mm:ss, in an
// elapsed-time format as 255:10:10 (clockText; neither depends on the date
// system); all other numbers, including those in percent and currency
// formats, in Excel's General form (FormatNumber): 0.25, not 25%. See
// formatCodeKind. XML parts in UTF-16 are transcoded (utf8Part).

const hintResave = "open it in Excel, save it as .xlsx, and try again"

// Limits on inflated part sizes, against zip bombs. A part is refused
// before inflating when its declared size is over the limit for its
// compressed size, and reading stops when the inflated bytes pass it (the
// declared size may lie).
type partLimit struct {
	hard  int64 // never more than this
	floor int64 // always allow this much
	ratio int64 // beyond floor, allow ratio × compressed size
}

var (
	sheetPartLimit  = partLimit{hard: 4 << 30, floor: 256 << 20, ratio: 200}
	stringPartLimit = partLimit{hard: 512 << 20, floor: 64 << 20, ratio: 100}
	smallPartLimit  = partLimit{hard: 512 << 20, floor: 16 << 20, ratio: 100}
)

func (l partLimit) max(compressed uint64) int64 {
	m := l.floor
	if c := int64(min(compressed, 1<<40)); c*l.ratio > m {
		m = c * l.ratio
	}
	return min(m, l.hard)
}

// maxEncryptedSize bounds an encrypted workbook, which is decrypted in memory.
const maxEncryptedSize = 1 << 30

// errPartTooLarge reports a part that inflates past its limit.
type errPartTooLarge struct {
	part              string
	compressed, limit int64
}

func (e *errPartTooLarge) Error() string {
	return fmt.Sprintf("part %s inflates to more than %s bytes from %s", e.part, words.Thousands(int(e.limit)), words.Thousands(int(e.compressed)))
}

// xlsxBook is an opened workbook.
type xlsxBook struct {
	path     string
	file     *os.File // nil for a decrypted workbook held in memory
	zr       *zip.Reader
	parts    map[string]*zip.File // by lower-case name
	entries  []xlsxSheetEntry
	info     []sheetInfo
	date1904 bool
	styles   *xlsxStyles
	sstPart  string
	sst      *sharedStrings
	sstDone  bool
}

func (b *xlsxBook) sheets() []sheetInfo { return b.info }

func (b *xlsxBook) close() error {
	if b.file == nil {
		return nil
	}
	err := b.file.Close()
	b.file = nil
	return err
}

func (b *xlsxBook) grid(i int) (grid, error) {
	if i < 0 || i >= len(b.entries) {
		return nil, &InputError{Path: b.path, Msg: fmt.Sprintf("the workbook has no sheet %d", i+1)}
	}
	e := b.entries[i]
	switch {
	case e.kind != "worksheet" && e.kind != "":
		return nil, &InputError{Path: b.path, Sheet: e.name, Msg: fmt.Sprintf("this is a %s, not a sheet of rows and columns", strings.TrimSuffix(e.kind, "sheet")+" sheet"),
			Hint: "choose the sheet that lists the cases"}
	case b.part(e.target) == nil:
		return nil, &InputError{Path: b.path, Sheet: e.name, Msg: "the sheet's data is missing from the workbook", Hint: hintResave}
	}
	if !b.sstDone {
		if err := b.loadSST(); err != nil {
			return nil, err
		}
	}
	return &xlsxGrid{book: b, sheet: e.name, zf: b.part(e.target)}, nil
}

func (b *xlsxBook) part(name string) *zip.File {
	return b.parts[strings.ToLower(name)]
}

func (b *xlsxBook) loadSST() error {
	b.sstDone = true
	b.sst = &sharedStrings{}
	zf := b.part(b.sstPart)
	if zf == nil {
		return nil
	}
	rc, err := b.openPart(zf, stringPartLimit, "")
	if err != nil {
		return err
	}
	// Inflated on a second goroutine while this one parses, as a sheet is.
	ar := readAhead(rc)
	defer ar.Close()
	sst, err := loadSharedStrings(ar)
	if err != nil {
		b.sstDone = false
		return b.readError(err, "", 0, "")
	}
	b.sst = sst
	return nil
}

// openPart opens a part for reading within its size limit. sheet names the
// sheet in errors ("" for a workbook-level part).
func (b *xlsxBook) openPart(zf *zip.File, l partLimit, sheet string) (io.ReadCloser, error) {
	limit := l.max(zf.CompressedSize64)
	if zf.UncompressedSize64 > uint64(limit) {
		return nil, b.readError(&errPartTooLarge{part: zf.Name, compressed: int64(min(zf.CompressedSize64, 1<<62)), limit: limit}, sheet, 0, "")
	}
	rc, err := zf.Open()
	if err != nil {
		return nil, b.readError(err, sheet, 0, "")
	}
	u, err := utf8Part(&limitedPart{rc: rc, left: limit, part: zf.Name, compressed: int64(min(zf.CompressedSize64, 1<<62)), limit: limit})
	if err != nil {
		rc.Close()
		return nil, b.readError(err, sheet, 0, "")
	}
	return u, nil
}

// limitedPart counts inflated bytes and fails past the limit.
type limitedPart struct {
	rc                io.ReadCloser
	left              int64
	part              string
	compressed, limit int64
}

func (l *limitedPart) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One more byte means the limit is passed.
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			return 0, &errPartTooLarge{part: l.part, compressed: l.compressed, limit: l.limit}
		}
		return 0, err
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, err
}

func (l *limitedPart) Close() error { return l.rc.Close() }

// readError turns an error met while reading a part into an InputError
// naming what it can.
func (b *xlsxBook) readError(err error, sheet string, row int, col string) error {
	ie := &InputError{Path: b.path, Sheet: sheet, Row: row, Column: col, Err: err}
	var big *errPartTooLarge
	var sde *sheetDataError
	var corrupt kflate.CorruptInputError
	var enc errXMLEncoding
	switch {
	case errors.As(err, &enc):
		ie.Row, ie.Column = 0, ""
		ie.Msg = enc.Error()
		ie.Hint = hintResave
	case errors.As(err, &sde):
		ie.Msg, ie.Hint = sde.msg, sde.hint
	case errors.As(err, &big):
		ie.Row, ie.Column = 0, ""
		ie.Msg = fmt.Sprintf("the workbook is implausibly large for its size (%s inflates past %s MB from %s KB); it may be a zip bomb, so it was not read",
			big.part, words.Thousands(int(big.limit>>20)), words.Thousands(int(big.compressed>>10)))
		ie.Hint = "re-export the file"
	case errors.Is(err, errTextTooLong):
		ie.Msg = fmt.Sprintf("a cell holds more than %d MB of text", maxCellText>>20)
		ie.Hint = "check that this is the case list export"
	case errors.Is(err, errRowTextTooLong):
		ie.Column = "" // the row's cells between them, not one of them
		ie.Msg = fmt.Sprintf("the row's cells hold more than %d MB of text between them", maxRowText>>20)
		ie.Hint = "check that this is the case list export"
	case errors.Is(err, errMarkupTooLong):
		ie.Msg = "the sheet's XML is malformed (a tag longer than 8 MB)"
		ie.Hint = hintResave
	case errors.Is(err, zip.ErrAlgorithm):
		ie.Row, ie.Column = 0, ""
		ie.Msg = "the workbook uses a compression method this program cannot read"
		ie.Hint = hintResave
	case errors.Is(err, zip.ErrChecksum), errors.Is(err, zip.ErrFormat), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, io.EOF), errors.As(err, &corrupt):
		ie.Column = ""
		ie.Msg = "the file is damaged or incomplete (a part of the workbook is cut short or corrupt)"
		ie.Hint = "re-export it"
	default:
		ie.Msg = "cannot read the workbook: " + err.Error()
	}
	return ie
}

// openXLSX opens an xlsx workbook (a zip) or an encrypted one (a CFB
// container holding the encrypted zip). Legacy .xls files are refused with
// advice.
func openXLSX(path string, opts OpenOptions) (workbook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Path: path, Msg: "cannot open the file", Hint: "check the name and that you may read it", Err: err}
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	fi, err := f.Stat()
	if err != nil {
		return nil, &InputError{Path: path, Msg: "cannot open the file", Err: err}
	}
	var magic [8]byte
	n, _ := io.ReadFull(f, magic[:])
	if n == 8 && bytes.Equal(magic[:], cfbMagic) {
		zr, err := openCFB(path, f, fi.Size(), opts)
		if err != nil {
			return nil, err
		}
		return newXLSXBook(path, nil, zr)
	}
	zr, err := zip.NewReader(f, fi.Size())
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		if n < 4 || string(magic[:2]) != "PK" {
			return nil, &InputError{Path: path, Msg: "not an Excel workbook", Hint: "give the .xlsx or .csv export", Err: err}
		}
		return nil, &InputError{Path: path, Msg: "the file is damaged or incomplete (not a complete zip)", Hint: "re-export it", Err: err}
	}
	b, err := newXLSXBook(path, f, zr)
	if err != nil {
		return nil, err
	}
	keep = true
	return b, nil
}

var cfbMagic = []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}

// openCFB handles a Compound File: an encrypted xlsx (EncryptionInfo and
// EncryptedPackage streams) is decrypted in memory (see xlsx_crypt.go) with
// the password, or, when none is given, with Excel's default password;
// anything else is a legacy .xls workbook.
func openCFB(path string, f *os.File, size int64, opts OpenOptions) (zr *zip.Reader, err error) {
	const hintNoPassword = "remove the password in Excel (File > Info > Protect Workbook), save, and try again"
	if size > maxEncryptedSize {
		_, encrypted, err := encryptedStreams(f, true) // the directory alone says which
		if err == nil && !encrypted {
			return nil, &InputError{Path: path, Msg: "this is an old-style .xls workbook", Hint: "save it as .xlsx or CSV and try again"}
		}
		return nil, &InputError{Path: path, Msg: fmt.Sprintf("the encrypted workbook is too large to decrypt (over %d MB)", maxEncryptedSize>>20),
			Hint: hintNoPassword}
	}
	raw := make([]byte, size)
	if _, err := f.ReadAt(raw, 0); err != nil {
		return nil, &InputError{Path: path, Msg: "cannot read the file", Err: err}
	}
	ef, encrypted, err := encryptedStreams(bytes.NewReader(raw), false)
	var dmg *errDamagedEncryption
	switch {
	case errors.As(err, &dmg):
		return nil, &InputError{Path: path, Msg: "the encrypted workbook is damaged (" + dmg.why + ")", Hint: "re-export it", Err: err}
	case err != nil:
		return nil, &InputError{Path: path, Msg: "the file is damaged or incomplete (not a readable Office file)", Hint: "re-export it", Err: err}
	case !encrypted:
		return nil, &InputError{Path: path, Msg: "this is an old-style .xls workbook", Hint: "save it as .xlsx or CSV and try again"}
	}
	m, err := parseEncryptionInfo(ef.info)
	if err == nil {
		var key []byte
		switch password := opts.Password; {
		case password == "":
			if key, err = unlock(m, defaultPassword); errors.Is(err, errWrongPassword) {
				return nil, (&InputError{Path: path, Msg: "the workbook is password-protected", Err: err}).WithHint(opt.Sprintf("give %s", opt.Password))
			}
		default:
			key, err = unlock(m, password)
			if errors.Is(err, errWrongPassword) && password != defaultPassword {
				// A workbook encrypted with Excel's default password
				// opens without one: a password given needlessly does not
				// stop it.
				if k, derr := unlock(m, defaultPassword); derr == nil {
					key, err = k, nil
				}
			}
			if errors.Is(err, errWrongPassword) {
				return nil, (&InputError{Path: path, Msg: "wrong password for the workbook", Err: err}).WithHint(opt.Sprintf("check the %s value", opt.Password))
			}
		}
		if err == nil {
			var plain []byte
			if plain, err = decryptWith(m, ef.pkg, key); err == nil {
				zr, err = zip.NewReader(bytes.NewReader(plain), int64(len(plain)))
				if err == nil || errors.Is(err, zip.ErrInsecurePath) {
					return zr, nil
				}
				return nil, &InputError{Path: path, Msg: "the decrypted workbook is damaged (not a complete zip)", Hint: "re-export it", Err: err}
			}
		}
	}
	var cannot *errCannotDecrypt
	switch {
	case errors.As(err, &cannot):
		return nil, &InputError{Path: path, Msg: "the workbook is " + cannot.Error() + ", which caseaudit cannot decrypt",
			Hint: "save it without a password and try again", Err: err}
	case errors.As(err, &dmg):
		return nil, &InputError{Path: path, Msg: "the encrypted workbook is damaged (" + dmg.why + ")", Hint: "re-export it", Err: err}
	}
	return nil, &InputError{Path: path, Msg: "cannot decrypt the workbook: " + err.Error(), Hint: hintNoPassword, Err: err}
}

// unlock derives the key from a password and checks it against the
// verifier, guarding against panics on malformed input.
func unlock(m *method, password string) (key []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			key, err = nil, damaged("%v", r)
		}
	}()
	return m.key(password)
}

// decryptWith decrypts the package with the key, guarding against panics
// on malformed input.
func decryptWith(m *method, pkg, key []byte) (plain []byte, err error) {
	defer func() {
		if r := recover(); r != nil {
			plain, err = nil, damaged("%v", r)
		}
	}()
	return m.decrypt(pkg, key)
}

// newXLSXBook reads the workbook structure of an opened zip.
func newXLSXBook(path string, f *os.File, zr *zip.Reader) (*xlsxBook, error) {
	// klauspost/compress's inflater reads the same streams as compress/flate
	// in about three quarters of the CPU time (measured on a 750 MB sheet):
	// inflating is half a workbook's reading.
	zr.RegisterDecompressor(zip.Deflate, newInflater)
	b := &xlsxBook{path: path, file: f, zr: zr, parts: make(map[string]*zip.File, len(zr.File))}
	for _, zf := range zr.File {
		k := zipPartName(zf.Name)
		if _, dup := b.parts[k]; !dup {
			b.parts[k] = zf
		}
	}
	notWorkbook := func() error {
		ie := &InputError{Path: path, Msg: "not an Excel workbook", Hint: "give the .xlsx or .csv export"}
		if b.part("mimetype") != nil {
			ie.Hint = "if it is an OpenDocument spreadsheet, save it as .xlsx or CSV and try again"
		}
		return ie
	}

	// The workbook part: from the package relationships (it may be anywhere,
	// as Excel and LibreOffice allow), else the usual name.
	wbPart := "xl/workbook.xml"
	if zf := b.part("_rels/.rels"); zf != nil {
		rels, err := b.readRels(zf)
		if err != nil {
			return nil, err
		}
		var types contentTypes
		if zf := b.part("[Content_Types].xml"); zf != nil {
			rc, err := b.openPart(zf, smallPartLimit, "")
			if err != nil {
				return nil, err
			}
			types, err = parseContentTypes(rc)
			rc.Close()
			if err != nil {
				return nil, b.smallPartError(zf.Name, err)
			}
		}
		for _, r := range rels {
			if relTypeName(r.typ) == "officeDocument" && !r.external {
				if t := resolvePart("", r.target); b.part(t) != nil && types.workbook(t) {
					wbPart = t
					break
				}
			}
		}
	}
	wbZF := b.part(wbPart)
	if wbZF == nil {
		return nil, notWorkbook()
	}
	rc, err := b.openPart(wbZF, smallPartLimit, "")
	if err != nil {
		return nil, err
	}
	b.entries, b.date1904, err = parseWorkbookXML(rc)
	rc.Close()
	if err != nil {
		return nil, b.smallPartError(wbPart, err)
	}
	if len(b.entries) == 0 {
		return nil, &InputError{Path: path, Msg: "the workbook has no sheets", Hint: hintResave}
	}

	// Its relationships: sheets, styles, shared strings.
	dir := wbPart[:strings.LastIndexByte(wbPart, '/')+1]
	relByID := map[string]xlsxRel{}
	b.sstPart, b.styles = dir+"sharedStrings.xml", nil
	stylesPart := dir + "styles.xml"
	if zf := b.part(relsPartFor(wbPart)); zf != nil {
		rels, err := b.readRels(zf)
		if err != nil {
			return nil, err
		}
		for _, r := range rels {
			if r.external {
				continue
			}
			relByID[r.id] = r
			switch relTypeName(r.typ) {
			case "sharedStrings":
				b.sstPart = resolvePart(dir, r.target)
			case "styles":
				stylesPart = resolvePart(dir, r.target)
			}
		}
	}
	b.info = make([]sheetInfo, len(b.entries))
	for i := range b.entries {
		e := &b.entries[i]
		if r, ok := relByID[e.relID]; ok {
			e.target, e.kind = resolvePart(dir, r.target), relTypeName(r.typ)
		} else if len(relByID) == 0 {
			// No relationships at all: assume the usual part names.
			e.target, e.kind = fmt.Sprintf("%sworksheets/sheet%d.xml", dir, i+1), "worksheet"
		}
		hidden := strings.EqualFold(e.state, "hidden") || strings.EqualFold(e.state, "veryHidden") || e.kind != "worksheet"
		b.info[i] = sheetInfo{Name: e.name, Hidden: hidden}
	}

	if zf := b.part(stylesPart); zf != nil {
		rc, err := b.openPart(zf, smallPartLimit, "")
		if err != nil {
			return nil, err
		}
		b.styles, err = parseStyles(rc)
		rc.Close()
		if err != nil {
			return nil, b.smallPartError(stylesPart, err)
		}
	}
	return b, nil
}

func (b *xlsxBook) readRels(zf *zip.File) ([]xlsxRel, error) {
	rc, err := b.openPart(zf, smallPartLimit, "")
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	rels, err := parseRels(rc)
	if err != nil {
		return nil, b.smallPartError(zf.Name, err)
	}
	return rels, nil
}

// smallPartError reports a problem reading a small XML part: damage in the
// zip, a size limit, or malformed XML.
func (b *xlsxBook) smallPartError(part string, err error) error {
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		return &InputError{Path: b.path, Msg: fmt.Sprintf("the workbook's %s is not valid XML", part), Hint: hintResave, Err: err}
	}
	return b.readError(err, "", 0, "")
}
