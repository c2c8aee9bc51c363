package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchWorkbook returns a clean genexport workbook of n rows (15 columns),
// generated once into $TMPDIR and reused by later runs.
func benchWorkbook(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), fmt.Sprintf("caseaudit-bench-%d.xlsx", n))
	if _, err := os.Stat(path); err == nil {
		return path
	}
	gen := genExport(b, "bench.xlsx", "-n", fmt.Sprint(n), "-format", "xlsx")
	if err := os.Rename(gen, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkXLSXScan opens a 100,000-row genexport workbook and scans its
// sheet, every column or only the ID column, reporting rows per second.
// Compare with /work/shared/tools/baseline -raw and -unzip on the same file
// ($TMPDIR/caseaudit-bench-100000.xlsx).
func BenchmarkXLSXScan(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 100,000-row workbook")
	}
	const n = 100_000
	path := benchWorkbook(b, n)
	for _, bc := range []struct {
		name string
		want []bool
	}{
		{"all", nil},
		{"idOnly", []bool{true}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			rows := 0
			for b.Loop() {
				wb, err := openXLSX(path, OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				g, err := wb.grid(0)
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				if err := g.scan(context.Background(), bc.want, func(int, []string) error { rows++; return nil }); err != nil {
					b.Fatal(err)
				}
				wb.close()
			}
			if rows != n+1 {
				b.Fatalf("read %d rows, want %d", rows, n+1)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

// BenchmarkOpenEncrypted opens the encrypted test workbooks (a few rows:
// the time is the key derivation, 100,000 SHA-512 rounds for agile as
// Excel writes it, 50,000 SHA-1 rounds for standard, and the decryption).
func BenchmarkOpenEncrypted(b *testing.B) {
	for _, name := range []string{"agile.xlsx", "standard.xlsx"} {
		b.Run(name, func(b *testing.B) {
			path := filepath.Join("testdata", "encrypted", name)
			b.ReportAllocs()
			for b.Loop() {
				wb, err := Open(context.Background(), path, OpenOptions{Password: cryptPassword})
				if err != nil {
					b.Fatal(err)
				}
				wb.Close()
			}
		})
	}
}
