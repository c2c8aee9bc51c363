package export

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
)

// readAll opens path and reads every row of its table, as a command does.
func readAll(path string, opts OpenOptions) error {
	t, err := Open(context.Background(), path, opts)
	if err != nil {
		return err
	}
	defer t.Close()
	return t.Rows(context.Background(), []int{t.IDIndex}, func(Row) error { return nil })
}

func wantOneLineInputError(t *testing.T, err error, path string, wants ...string) {
	t.Helper()
	var ie *InputError
	if !errors.As(err, &ie) {
		t.Fatalf("want an InputError, got %T %v", err, err)
	}
	msg := spelled(err)
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.HasPrefix(msg, path) {
		t.Errorf("error does not start with the file name %s: %s", path, msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

// ---- zip bombs ----

// zeroDeflate returns a raw deflate stream of prefix followed by n zero
// bytes, without compressing n bytes: once the window is full of zeros,
// every further megabyte of zeros compresses (with a sync flush) to the
// same bytes, which are repeated.
func zeroDeflate(t testing.TB, prefix []byte, n int64) []byte {
	t.Helper()
	const chunk = 1 << 20
	zeros := make([]byte, chunk)
	var out bytes.Buffer
	fw, err := flate.NewWriter(&out, flate.BestCompression)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(prefix)
	fw.Write(zeros)
	fw.Flush()
	n -= chunk
	fw.Write(zeros)
	fw.Flush()
	n -= chunk
	mark := out.Len()
	fw.Write(zeros)
	fw.Flush()
	n -= chunk
	rep := append([]byte(nil), out.Bytes()[mark:]...)
	fw.Write(zeros)
	fw.Flush()
	n -= chunk
	if !bytes.Equal(out.Bytes()[out.Len()-len(rep):], rep) {
		t.Fatal("the deflate output of zeros does not repeat")
	}
	for ; n >= chunk; n -= chunk {
		out.Write(rep)
	}
	// The tail: a fresh writer cannot continue the stream, so finish with
	// the final empty block the writer's Close emits after a flush.
	fw.Close()
	return out.Bytes()
}

// zipBomb is an xlsx whose sheet part is the zero stream, declared as
// declared bytes (the truth, or a lie).
func zipBomb(t testing.TB, inflated int64, declared uint64) []byte {
	t.Helper()
	head := `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1">` + xlsxfixture.Inline("A1", "Case Reference") + `</row><row r="2">` + xlsxfixture.Inline("A2", "CR-1") + `</row>`
	body := zeroDeflate(t, []byte(head), inflated)
	small, err := xlsxfixture.SheetBook("Cases", "<sheetData/>")
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(small), int64(len(small)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		if strings.HasPrefix(f.Name, "xl/worksheets/") {
			continue
		}
		zw.Copy(f)
	}
	w, err := zw.CreateRaw(&zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(len(body)), UncompressedSize64: declared})
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body)
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// countingInflater counts the bytes inflated from a zip.
type countingInflater struct{ n int64 }

func (c *countingInflater) decompressor(r io.Reader) io.ReadCloser {
	return &countingRC{rc: flate.NewReader(r), c: c}
}

type countingRC struct {
	rc io.ReadCloser
	c  *countingInflater
}

func (r *countingRC) Read(p []byte) (int, error) {
	n, err := r.rc.Read(p)
	r.c.n += int64(n)
	return n, err
}
func (r *countingRC) Close() error { return r.rc.Close() }

func TestHostileZipBomb(t *testing.T) {
	const gib = 1 << 30
	for _, c := range []struct {
		name     string
		inflated int64
		declared uint64
		wants    []string
		maxRead  int64 // bytes the reader may inflate before refusing
	}{
		// A sheet of a few MB inflating past 2 GB, sizes declared truly:
		// refused from the zip directory, before inflating anything but the
		// small parts.
		{"2.1 GB declared truly", 2*gib + 100<<20, 2*gib + 100<<20, []string{"zip bomb", "not read"}, 1 << 20},
		// The same stream declared as 200 MB (within the 256 MB floor):
		// archive/zip stops at the declared size, so at most that much is
		// inflated before the refusal.
		{"2.1 GB declared as 200 MB", 2*gib + 100<<20, 200 << 20, []string{"damaged or incomplete"}, 200<<20 + 1<<20},
		// Declared as 400 MB, just within 200 times its compressed size:
		// read up to 400 MB, then refused as cut short.
		{"2.1 GB declared as 400 MB", 2*gib + 100<<20, 400 << 20, []string{"damaged or incomplete"}, 400<<20 + 1<<20},
	} {
		t.Run(c.name, func(t *testing.T) {
			data := zipBomb(t, c.inflated, c.declared)
			if len(data) > 8<<20 {
				t.Fatalf("the bomb is %d bytes; want a few MB", len(data))
			}
			t.Logf("bomb: %d bytes compressed, %d inflated", len(data), c.inflated)
			path := filepath.Join(t.TempDir(), "bomb.xlsx")
			if err := os.WriteFile(path, data, 0o600); err != nil {
				t.Fatal(err)
			}
			if dir := os.Getenv("CASEAUDIT_BOMB_DIR"); dir != "" {
				// For measuring time and memory by hand with the binary.
				os.WriteFile(filepath.Join(dir, strings.ReplaceAll(c.name, " ", "_")+".xlsx"), data, 0o600)
			}

			// Through Open and Rows, as a command reads it.
			err := readAll(path, OpenOptions{})
			wantOneLineInputError(t, err, path, c.wants...)

			// The same with every inflated byte counted.
			n, err := readCounting(t, path, data)
			wantOneLineInputError(t, err, path, c.wants...)
			if n > c.maxRead {
				t.Errorf("inflated %d bytes before refusing; want at most %d", n, c.maxRead)
			}
			t.Logf("inflated %d bytes before refusing", n)
		})
	}
}

// readCounting reads every row of the workbook data (written at path), as
// readAll does, counting the bytes inflated from it.
func readCounting(t *testing.T, path string, data []byte) (int64, error) {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	// newXLSXBook sets its own inflater: the counting one goes in after,
	// else nothing would be counted.
	var cnt countingInflater
	b, err := newXLSXBook(path, nil, zr)
	zr.RegisterDecompressor(zip.Deflate, cnt.decompressor)
	if err == nil {
		var tb *Table
		tb, err = pickSheet(context.Background(), path, formatXLSX, b, OpenOptions{})
		if err == nil {
			err = tb.Rows(context.Background(), []int{tb.IDIndex}, func(Row) error { return nil })
		}
	}
	return cnt.n, err
}

// spelled is an error's message with its options spelled as the command
// line spells them (--id-column), as caseaudit prints it.
func spelled(err error) string { return opt.Spell(err, opt.Flags) }
