package export

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// genExport writes a synthetic export under tb.TempDir(), taking
// shared/tools/genexport's flags (-n, -seed, -messy, -format, -encoding,
// -delim, -sheet). internal/synth writes byte for byte what genexport
// writes (internal/synth's test checks it against the shared generator), so
// the tests need neither the shared folder nor a build of another module.
func genExport(tb testing.TB, name string, args ...string) string {
	tb.Helper()
	o := synth.Options{Rows: 3000, Seed: 1}
	format := "csv"
	for i := 0; i < len(args); i++ {
		val := func() string {
			i++
			if i >= len(args) {
				tb.Fatalf("genexport flag %s needs a value", args[i-1])
			}
			return args[i]
		}
		switch strings.TrimLeft(args[i], "-") {
		case "n":
			n, err := strconv.Atoi(val())
			if err != nil {
				tb.Fatal(err)
			}
			o.Rows = n
		case "seed":
			n, err := strconv.ParseUint(val(), 10, 64)
			if err != nil {
				tb.Fatal(err)
			}
			o.Seed = n
		case "messy":
			o.Messy = true
		case "format":
			format = val()
		case "encoding":
			o.Encoding = val()
		case "delim":
			o.Delim = []rune(val())[0]
		case "sheet":
			o.Sheet = val()
		default:
			tb.Fatalf("genexport flag %s is not supported here", args[i])
		}
	}
	p := filepath.Join(tb.TempDir(), name)
	if format == "xlsx" && !strings.HasSuffix(p, ".xlsx") {
		p += ".xlsx"
	}
	if err := synth.WriteFile(p, o); err != nil {
		tb.Fatal(err)
	}
	return p
}
