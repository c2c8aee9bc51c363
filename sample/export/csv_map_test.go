package export

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// bigCSV writes a csv of rows rows, large enough to be parsed in chunks.
func bigCSV(t *testing.T, rows int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("\xEF\xBB\xBFCase Reference,Team,Note\r\n")
	for i := 1; i <= rows; i++ {
		fmt.Fprintf(&b, "CR-%07d,Team %c,\"a note, with a comma\nand a second line\"\r\n", i, 'A'+i%7)
	}
	path := filepath.Join(t.TempDir(), "big.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCSVDigest checks that a scan hashing the file as it reads it gives
// the file's SHA-256, read in chunks or not, and that a scan stopped early
// says it did not hash it all.
func TestCSVDigest(t *testing.T) {
	if !canMap {
		t.Skip("this system does not map files into memory: the caller hashes the file itself")
	}
	path := bigCSV(t, 120_000) // about 6 MB
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	want := sha256.Sum256(data)
	for _, par := range []int{parSerial, parForce} {
		tb, err := Open(context.Background(), path, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if !tb.Digests() {
			t.Fatal("a UTF-8 csv should be hashed as it is read")
		}
		tb.wb.(*csvWorkbook).g.par = par
		d := &Digest{Hash: sha256.New()}
		rows := 0
		err = tb.RowsWith(context.Background(), []int{0}, RowsOptions{Digest: d}, func(r Row) error {
			rows++
			return nil
		})
		if err != nil || rows != 120_000 {
			t.Fatalf("par %d: %d rows, error %v", par, rows, err)
		}
		if !d.Done || hex.EncodeToString(d.Hash.Sum(nil)) != hex.EncodeToString(want[:]) {
			t.Errorf("par %d: done %v, SHA-256 %x, want %x", par, d.Done, d.Hash.Sum(nil), want)
		}

		d = &Digest{Hash: sha256.New()}
		err = tb.RowsWith(context.Background(), []int{0}, RowsOptions{Digest: d}, func(r Row) error { return ErrStop })
		if err != nil || d.Done {
			t.Errorf("par %d, stopped at the first row: done %v, error %v; want not done, no error", par, d.Done, err)
		}
		tb.Close()
	}
}

// TestCSVCutShortWhileMapped cuts the file short in the middle of a scan:
// reading the lost pages of the mapping must give an error naming the file,
// not crash the program.
func TestCSVCutShortWhileMapped(t *testing.T) {
	if !canMap {
		t.Skip("this system does not map files into memory")
	}
	for _, par := range []int{parSerial, parForce} {
		path := bigCSV(t, 400_000) // about 20 MB
		tb, err := Open(context.Background(), path, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tb.wb.(*csvWorkbook).g.par = par
		d := &Digest{Hash: sha256.New()}
		err = tb.RowsWith(context.Background(), []int{0}, RowsOptions{Digest: d}, func(r Row) error {
			if r.Num == 3 {
				return os.Truncate(path, 100)
			}
			return nil
		})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Path != path || !strings.Contains(ie.Msg, "cut short") || d.Done {
			t.Errorf("par %d: got %v (done %v), want the file named as cut short", par, err, d.Done)
		}
		tb.Close()
	}
}

// A file rewritten in place near its end faults nowhere while mapped: the
// read must still not stand, as its rows and digest may be of no version of
// the file.
func TestCSVRewrittenWhileMapped(t *testing.T) {
	if !canMap {
		t.Skip("this system does not map files into memory")
	}
	for _, par := range []int{parSerial, parForce} {
		path := bigCSV(t, 400_000)
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := Open(context.Background(), path, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		tb.wb.(*csvWorkbook).g.par = par
		d := &Digest{Hash: sha256.New()}
		err = tb.RowsWith(context.Background(), []int{0}, RowsOptions{Digest: d}, func(r Row) error {
			if r.Num != 3 {
				return nil
			}
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				return err
			}
			defer f.Close()
			if _, err := f.WriteAt([]byte("9"), fi.Size()-2); err != nil {
				return err
			}
			return os.Chtimes(path, fi.ModTime().Add(time.Minute), fi.ModTime().Add(time.Minute))
		})
		var ie *InputError
		if !errors.As(err, &ie) || ie.Path != path || !strings.Contains(ie.Msg, "changed while it was being read") {
			t.Errorf("par %d: got %v, want the file named as changed", par, err)
		}
		tb.Close()
	}
}

// Digests says what the scan will do: a file too large to map is read, and
// its digest is then the caller's to take.
func TestCSVDigestsOnlyWhenMapped(t *testing.T) {
	if !canMap {
		t.Skip("this system does not map files into memory")
	}
	path := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(path, []byte("Case Reference,Team\nCR-1,North\nCR-2,South\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(context.Background(), path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	if !tb.Digests() {
		t.Fatal("a small csv: Digests false, want true")
	}
	// Grown past what is mapped (a sparse file: no disk is used).
	if err := os.Truncate(path, maxMapBytes+1); err != nil {
		t.Skip("cannot make a sparse file here:", err)
	}
	if tb.Digests() {
		t.Error("a csv larger than maxMapBytes: Digests true, want false (it is read, not mapped)")
	}
}
