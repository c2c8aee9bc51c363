package main

import (
	"archive/zip"
	"bytes"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/xuri/excelize/v2"
)

// cmdMkfile makes the damaged or unusual files the message stories read,
// so that no binary file is committed and none holds real people:
//
//	mkfile longline OUT.csv                  a case list whose third line runs past 16 MB
//	mkfile longid OUT.csv                    a case list whose third case ID is 1.1 MB long
//	mkfile longquote OUT.csv                 a quoted field left open for more than 32,767 characters
//	mkfile xlsx OUT.xlsx SHEET=FILE.csv …    a workbook of these sheets (SHEET! hides one), each from a csv of the archive
//	mkfile encrypt IN.xlsx OUT.xlsx PASSWORD a workbook encrypted as Excel does
//	mkfile part IN.xlsx OUT.xlsx PART FILE   a copy of a workbook with its PART (e.g. xl/workbook.xml) replaced by FILE
//	mkfile cfb OUT.xlsx                      a Compound File (as encrypted workbooks are) whose sector table is damaged
//	mkfile damage STORE.db                   an SQLite store with the start of every page after the first two overwritten
//	mkfile sql STORE.db SQL …                an SQLite store changed outside caseaudit, as a curious user with sqlite3 might
//	mkfile zip OUT PART=FILE …               a zip archive of these parts (as a .docx or a Numbers file is), each from a file of the archive
//	mkfile sub FILE.xlsx PART OLD NEW        a workbook whose PART has OLD replaced by NEW, as another program writes it (e.g. _x0000_, Excel's escape of a NUL)
func cmdMkfile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: mkfile longline|longquote|xlsx|encrypt|part|cfb OUT …")
	}
	switch args[0] {
	case "zip":
		var b bytes.Buffer
		zw := zip.NewWriter(&b)
		for _, spec := range args[2:] {
			part, file, ok := strings.Cut(spec, "=")
			if !ok {
				ts.Fatalf("mkfile zip: %q is not PART=FILE", spec)
			}
			w, err := zw.Create(part)
			ts.Check(err)
			_, err = w.Write([]byte(ts.ReadFile(file)))
			ts.Check(err)
		}
		ts.Check(zw.Close())
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o600))
	case "longline":
		var b bytes.Buffer
		b.WriteString("Case Reference,Team,Notes\nCR-0000001,Team A,short\nCR-0000002,Team A,")
		b.Write(bytes.Repeat([]byte("x"), 17<<20))
		b.WriteString("\nCR-0000003,Team B,short\n")
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o600))
	case "longid":
		var b bytes.Buffer
		b.WriteString("Case Reference,Team\nCR-0000001,Team A\nCR-")
		b.Write(bytes.Repeat([]byte("9"), 1100000))
		b.WriteString(",Team B\nCR-0000003,Team A\n")
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o600))
	case "longquote":
		var b bytes.Buffer
		b.WriteString("Case Reference,Team,Notes\nCR-0000001,Team A,short\nCR-0000002,Team A,\"opened here")
		for i := 0; i < 5000; i++ {
			fmt.Fprintf(&b, "\nCR-%07d,Team B,a line of forty characters of text.", i+3)
		}
		b.WriteString("\n")
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), b.Bytes(), 0o600))
	case "xlsx":
		f := excelize.NewFile()
		defer f.Close()
		for i, spec := range args[2:] {
			name, file, ok := strings.Cut(spec, "=")
			if !ok {
				ts.Fatalf("mkfile xlsx: write SHEET=FILE.csv, not %q", spec)
			}
			hidden := strings.HasSuffix(name, "!")
			name = strings.TrimSuffix(name, "!")
			if i == 0 {
				ts.Check(f.SetSheetName("Sheet1", name))
			} else if _, err := f.NewSheet(name); err != nil {
				ts.Fatalf("mkfile xlsx: %v", err)
			}
			rows, err := csv.NewReader(strings.NewReader(ts.ReadFile(file))).ReadAll()
			ts.Check(err)
			for r, row := range rows {
				cells := make([]any, len(row))
				for c := range row {
					cells[c] = row[c]
				}
				cell, _ := excelize.CoordinatesToCellName(1, r+1)
				ts.Check(f.SetSheetRow(name, cell, &cells))
			}
			if hidden {
				ts.Check(f.SetSheetVisible(name, false))
			}
		}
		ts.Check(f.SaveAs(ts.MkAbs(args[1])))
		// excelize keeps one sheet visible; a workbook may hide them all.
		for _, spec := range args[2:] {
			if name, _, _ := strings.Cut(spec, "="); strings.HasSuffix(name, "!") {
				rewritePart(ts, args[1], "xl/workbook.xml", func(s string) string {
					n := strings.TrimSuffix(name, "!")
					s = strings.Replace(s, `<sheet name="`+n+`" state="hidden"`, `<sheet name="`+n+`"`, 1)
					return strings.Replace(s, `<sheet name="`+n+`"`, `<sheet name="`+n+`" state="hidden"`, 1)
				})
			}
		}
	case "encrypt":
		if len(args) != 4 {
			ts.Fatalf("usage: mkfile encrypt IN.xlsx OUT.xlsx PASSWORD")
		}
		f, err := excelize.OpenFile(ts.MkAbs(args[1]))
		ts.Check(err)
		defer f.Close()
		ts.Check(f.SaveAs(ts.MkAbs(args[2]), excelize.Options{Password: args[3]}))
	case "part":
		if len(args) != 5 {
			ts.Fatalf("usage: mkfile part IN.xlsx OUT.xlsx PART FILE")
		}
		b, err := os.ReadFile(ts.MkAbs(args[1]))
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[2]), b, 0o600))
		text := ts.ReadFile(args[4])
		rewritePart(ts, args[2], args[3], func(string) string { return text })
	case "cfb":
		// A Compound File header (version 3, 512-byte sectors) whose one
		// FAT sector and directory point past the end of the file.
		h := make([]byte, 512)
		copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
		le := func(off int, v uint32) {
			h[off], h[off+1], h[off+2], h[off+3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
		}
		h[0x18], h[0x1A] = 0x3E, 0x03 // minor and major version
		h[0x1C], h[0x1D] = 0xFE, 0xFF // little-endian
		h[0x1E] = 9                   // 512-byte sectors
		h[0x20] = 6                   // 64-byte mini sectors
		le(0x2C, 1)                   // one FAT sector
		le(0x30, 7)                   // the directory starts at sector 7 (there is none)
		le(0x38, 4096)                // mini stream cutoff
		le(0x3C, 0xFFFFFFFE)          // no mini FAT
		le(0x44, 0xFFFFFFFE)          // no DIFAT sectors
		le(0x4C, 40)                  // the FAT is at sector 40 (there is none)
		for off := 0x50; off < 512; off += 4 {
			le(off, 0xFFFFFFFF)
		}
		body := bytes.Repeat([]byte{0xFF}, 512)
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), append(h, body...), 0o600))
	case "damage":
		b, err := os.ReadFile(ts.MkAbs(args[1]))
		ts.Check(err)
		size := int(b[16])<<8 | int(b[17])
		if size == 1 {
			size = 65536
		}
		for p := 2; (p+1)*size <= len(b); p++ {
			copy(b[p*size+8:p*size+48], bytes.Repeat([]byte{0xFF}, 40))
		}
		ts.Check(os.WriteFile(ts.MkAbs(args[1]), b, 0o600))
	case "sub":
		if len(args) != 5 {
			ts.Fatalf("usage: mkfile sub FILE.xlsx PART OLD NEW")
		}
		rewritePart(ts, args[1], args[2], func(x string) string {
			if !strings.Contains(x, args[3]) {
				ts.Fatalf("mkfile sub: %s of %s holds no %q", args[2], args[1], args[3])
			}
			return strings.ReplaceAll(x, args[3], args[4])
		})
	case "sql":
		db, err := sql.Open("sqlite", ts.MkAbs(args[1]))
		ts.Check(err)
		defer db.Close()
		for _, q := range args[2:] {
			if _, err := db.Exec(q); err != nil {
				ts.Fatalf("mkfile sql: %s: %v", q, err)
			}
		}
	default:
		ts.Fatalf("mkfile: unknown kind %s", args[0])
	}
}

// rewritePart rewrites one part of the workbook at path (a zip) in place.
func rewritePart(ts *testscript.TestScript, path, part string, edit func(string) string) {
	zr, err := zip.OpenReader(ts.MkAbs(path))
	ts.Check(err)
	defer zr.Close()
	var out bytes.Buffer
	zw := zip.NewWriter(&out)
	replaced := false
	for _, zf := range zr.File {
		r, err := zf.Open()
		ts.Check(err)
		b, err := io.ReadAll(r)
		ts.Check(err)
		r.Close()
		if zf.Name == part {
			b, replaced = []byte(edit(string(b))), true
		}
		w, err := zw.Create(zf.Name)
		ts.Check(err)
		_, err = w.Write(b)
		ts.Check(err)
	}
	if !replaced {
		ts.Fatalf("mkfile: %s has no part %s", path, part)
	}
	ts.Check(zw.Close())
	ts.Check(zr.Close())
	ts.Check(os.WriteFile(ts.MkAbs(path), out.Bytes(), 0o600))
}
