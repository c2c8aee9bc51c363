package sample

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// benchWorkbook returns a genexport workbook of n rows, generated once into
// $TMPDIR (it takes a few seconds) and reused by later runs.
func benchWorkbook(b *testing.B, n int) string {
	b.Helper()
	path := filepath.Join(os.TempDir(), "caseaudit-bench-"+itoa(n)+".xlsx")
	if _, err := os.Stat(path); err == nil {
		return path
	}
	gen := genexportDir(b)
	tmp := path + ".part.xlsx"
	cmd := exec.Command("go", "run", ".", "-n", itoa(n), "-format", "xlsx", "-o", tmp)
	cmd.Dir = gen
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("genexport: %v\n%s", err, out)
	}
	if err := os.Rename(tmp, path); err != nil {
		b.Fatal(err)
	}
	return path
}

// BenchmarkXLSXScan reads every cell of a 100,000-row genexport workbook
// (15 columns) and reports rows per second.
func BenchmarkXLSXScan(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 100,000-row workbook")
	}
	path := benchWorkbook(b, 100_000)
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
				g, err := wb.grid(len(wb.sheets()) - 1)
				if err != nil {
					b.Fatal(err)
				}
				rows = 0
				if err := g.scan(context.Background(), bc.want, func(int, []string) error { rows++; return nil }); err != nil {
					b.Fatal(err)
				}
				wb.close()
			}
			if rows != 100_001 {
				b.Fatalf("read %d rows, want 100,001", rows)
			}
			b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
		})
	}
}

func itoa(n int) string { return Thousands(n)[0:0] + fmtInt(n) }
func fmtInt(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
func genexportDir(b testing.TB) string { return "/work/shared/tools/genexport" }
