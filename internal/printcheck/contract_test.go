package printcheck

import (
	"bytes"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// A sheet may print two pages wide only with the columns that name its
// rows repeated on each page; one page wide always; three never.
func TestCheckWorkbookPagesWide(t *testing.T) {
	for _, c := range []struct {
		name string
		s    xlsxprint.Setup
		ok   bool
	}{
		{"one wide", xlsxprint.Setup{FitWide: 1, RepeatRows: "$1:$1"}, true},
		{"two wide, case ID repeated", xlsxprint.Setup{FitWide: 2, RepeatRows: "$1:$1", RepeatCols: "$A:$B"}, true},
		{"two wide, only the header row repeated", xlsxprint.Setup{FitWide: 2, RepeatRows: "$1:$1"}, false},
		{"three wide", xlsxprint.Setup{FitWide: 3, RepeatRows: "$1:$1", RepeatCols: "$A:$B"}, false},
	} {
		f := excelize.NewFile()
		if err := f.SetSheetName("Sheet1", "Cases"); err != nil {
			t.Fatal(err)
		}
		c.s.Marking = "OFFICIAL"
		if err := xlsxprint.Apply(f, "Cases", c.s); err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := f.Write(&b); err != nil {
			t.Fatal(err)
		}
		problems, err := CheckWorkbook(b.Bytes(), "OFFICIAL")
		if err != nil {
			t.Fatal(err)
		}
		if got := len(problems) == 0; got != c.ok {
			t.Errorf("%s: problems %q", c.name, problems)
		}
		if !c.ok && (len(problems) != 1 || !strings.Contains(problems[0], "not fitted to one page wide")) {
			t.Errorf("%s: problems %q, want the width named", c.name, problems)
		}
	}
}
