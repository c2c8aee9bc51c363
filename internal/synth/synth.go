// Package synth writes synthetic case-list exports shaped like a children's
// social care case-management report, for the demo and for tests. Every
// person in them is invented. It follows the shape of the project's shared
// generator (shared/tools/genexport): the same columns, teams and messiness.
package synth

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// Teams are the eight teams of the synthetic authority.
var Teams = []string{"Salisbury CIN", "Chippenham CP", "Trowbridge CLA", "Devizes Front Door",
	"Warminster Family Support", "Swindon Road CP", "Care Leavers North", "Disabled Children's Team"}

var (
	statuses  = []string{"CIN", "CP", "CLA", "Care Leaver"}
	forenames = []string{"Amelia", "Oliver", "Isla", "George", "Ava", "Noah", "Chloé", "Zoë", "Mohammed",
		"Seán", "Aoife", "Jack", "Freya", "Harry", "Lily", "Oscar", "Ruby", "Leo", "Maya", "Théo"}
	surnames = []string{"Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Johnson", "Davies",
		"O'Neill", "Khan", "Patel", "Nowak", "Müller", "Evans", "Thomas", "Roberts", "Walker", "Wright"}
)

// Workers returns the invented social workers' names.
func Workers() []string {
	w := make([]string, 0, 160)
	for i := 0; i < 160; i++ {
		w = append(w, fmt.Sprintf("%s %s", forenames[i%len(forenames)], surnames[(i*7)%len(surnames)]))
	}
	return w
}

// Header is the export's header row.
var Header = []string{"Case Reference", "Person ID", "Forename", "Surname", "Date of Birth", "Gender",
	"Team", "Allocated Worker", "Legal Status", "Referral Date", "Assessment Completed",
	"Plan Start Date", "Last Visit", "Workers in 12m", "Case Status"}

// Options shape an export.
type Options struct {
	Rows  int    // data rows (before duplicates and blanks)
	Seed  uint64 // random seed for the invented values
	Messy bool   // title rows, blank rows every 997, a duplicate ID every 1,499; csv: a Total row and serial Referral Dates; xlsx: a Summary sheet first
	// ClosedEvery, above 0, marks every ClosedEvery-th case "Closed" in
	// Case Status (the rest stay "Open").
	ClosedEvery int
	// NameVariants writes workers' names as people do: every 13th case's
	// worker "Surname, Forename", every 101st as an initial ("M. Patel"),
	// and every 499th "Social worker leaving". The other values are those
	// of the export without it.
	NameVariants bool
	// csv only
	Encoding string // "" or "utf8", "utf8bom", "cp1252", "utf16le", "utf16be"
	Delim    rune   // 0 = ','
	// xlsx only
	Sheet         string // sheet holding the cases; "" = "Cases"
	SharedStrings bool   // write text as shared strings (as Excel and LibreOffice do) instead of inline strings
}

// Row is one generated row: a Go value per column (string, int or time.Time,
// or "" for a blank Assessment Completed). A nil Row is a blank line.
type Row []any

// Rows generates the rows of an export in order.
func Rows(o Options) func(yield func(Row) bool) {
	return func(yield func(Row) bool) {
		rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
		workers := Workers()
		base := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
		for i := 0; i < o.Rows; i++ {
			if o.Messy && i > 0 && i%997 == 0 {
				if !yield(nil) {
					return
				}
			}
			id := i + 1
			if o.Messy && i > 0 && i%1499 == 0 {
				id = i // a duplicate of the previous reference
			}
			dob := base.AddDate(0, 0, -rng.IntN(18*365))
			ref := base.AddDate(0, 0, -rng.IntN(900))
			assess := ref.AddDate(0, 0, 5+rng.IntN(60))
			var assessV any = assess
			if rng.IntN(20) == 0 {
				assessV = ""
			}
			plan := assess.AddDate(0, 0, rng.IntN(30))
			visit := base.AddDate(0, 0, -rng.IntN(120))
			st := statuses[rng.IntN(len(statuses))]
			r := Row{fmt.Sprintf("CR-%07d", id), 500000 + id*3, forenames[rng.IntN(len(forenames))],
				surnames[rng.IntN(len(surnames))], dob, []string{"F", "M", "U"}[rng.IntN(3)],
				Teams[rng.IntN(len(Teams))], workers[rng.IntN(len(workers))], st, ref, assessV, plan, visit,
				1 + rng.IntN(5), "Open"}
			if o.ClosedEvery > 0 && (i+1)%o.ClosedEvery == 0 {
				r[14] = "Closed"
			}
			if o.NameVariants {
				fore, sur, _ := strings.Cut(r[7].(string), " ")
				switch {
				case i%499 == 498:
					r[7] = "Social worker leaving"
				case i%101 == 100:
					r[7] = fore[:1] + ". " + sur
				case i%13 == 12:
					r[7] = sur + ", " + fore
				}
			}
			if !yield(r) {
				return
			}
		}
	}
}

var excelEpoch = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC)

// WriteCSV writes the export as delimited text.
func WriteCSV(w io.Writer, o Options) error {
	bw := bufio.NewWriterSize(w, 1<<20)
	var tw io.Writer = bw
	switch o.Encoding {
	case "", "utf8":
	case "utf8bom":
		bw.WriteString("\ufeff")
	case "cp1252":
		tw = charmap.Windows1252.NewEncoder().Writer(bw)
	case "utf16le":
		tw = unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().Writer(bw)
	case "utf16be":
		tw = unicode.UTF16(unicode.BigEndian, unicode.UseBOM).NewEncoder().Writer(bw)
	default:
		return fmt.Errorf("unknown encoding %q", o.Encoding)
	}
	cw := csv.NewWriter(tw)
	if o.Delim != 0 {
		cw.Comma = o.Delim
	}
	if o.Messy {
		cw.Write([]string{"Open cases report"})
		cw.Write([]string{"Run on 01/07/2026 09:14"})
		cw.Write([]string{})
	}
	cw.Write(Header)
	count := 0
	for r := range Rows(o) {
		rec := make([]string, len(r))
		for i, v := range r {
			switch t := v.(type) {
			case time.Time:
				if o.Messy && i == 9 { // Referral Date as an Excel serial, as some exports leave it
					rec[i] = fmt.Sprint(int(t.Sub(excelEpoch).Hours() / 24))
				} else {
					rec[i] = t.Format("02/01/2006")
				}
			default:
				rec[i] = fmt.Sprint(t)
			}
		}
		cw.Write(rec)
		if len(r) > 0 {
			count++
		}
	}
	if o.Messy {
		cw.Write([]string{"Total", fmt.Sprint(count)})
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// WriteXLSX writes the export as a workbook.
func WriteXLSX(w io.Writer, o Options) error {
	sheet := o.Sheet
	if sheet == "" {
		sheet = "Cases"
	}
	f := excelize.NewFile()
	defer f.Close()
	if o.Messy {
		f.SetSheetName("Sheet1", "Summary")
		f.SetCellValue("Summary", "A1", "This workbook lists open cases on 30/06/2026")
		if _, err := f.NewSheet(sheet); err != nil {
			return err
		}
	} else {
		f.SetSheetName("Sheet1", sheet)
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	var put func(r int, vals []any) error
	var flush func() error
	if o.SharedStrings {
		put = func(r int, vals []any) error {
			for i, v := range vals {
				cell, _ := excelize.CoordinatesToCellName(i+1, r)
				if err := f.SetCellValue(sheet, cell, v); err != nil {
					return err
				}
				if _, ok := v.(time.Time); ok {
					f.SetCellStyle(sheet, cell, cell, dateStyle)
				}
			}
			return nil
		}
		flush = func() error { return nil }
	} else {
		sw, err := f.NewStreamWriter(sheet)
		if err != nil {
			return err
		}
		put = func(r int, vals []any) error {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			out := make([]any, len(vals))
			for i, v := range vals {
				if t, ok := v.(time.Time); ok {
					out[i] = excelize.Cell{StyleID: dateStyle, Value: t}
				} else {
					out[i] = v
				}
			}
			return sw.SetRow(cell, out)
		}
		flush = sw.Flush
	}
	r := 1
	if o.Messy {
		put(1, []any{"Open cases report"})
		put(2, []any{"Run on 01/07/2026 09:14"})
		r = 4
	}
	h := make([]any, len(Header))
	for i, s := range Header {
		h[i] = s
	}
	if err := put(r, h); err != nil {
		return err
	}
	r++
	for row := range Rows(o) {
		if row == nil {
			r++
			continue
		}
		if err := put(r, row); err != nil {
			return err
		}
		r++
	}
	if err := flush(); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// WriteFile writes an export to path, as xlsx when the name ends in .xlsx
// and as csv otherwise, with mode 0600.
func WriteFile(path string, o Options) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if strings.EqualFold(filepath.Ext(path), ".xlsx") {
		err = WriteXLSX(f, o)
	} else {
		err = WriteCSV(f, o)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
