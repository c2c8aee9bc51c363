package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// --log-format json: one object per line, {"time","level","msg","$schema"}
// in that order, the time from the injected clock in UTC, the levels as the text
// log names them, a message of several lines as several objects, and
// options spelled as the face spells them.
func TestJSONLog(t *testing.T) {
	var errBuf bytes.Buffer
	at := time.Date(2026, 9, 29, 19, 0, 0, 0, time.FixedZone("BST", 3600))
	g := &globalOptions{IO: &IOStreams{Err: &errBuf}, LogFormat: "json", Now: func() time.Time { return at }}
	g.infof("read %s: 3,000 cases\n", "cases.xlsx")
	g.warnf("two lines\nthe second  \n")
	g.Spelling = opt.Keys
	g.errorf("%s", opt.Errorf("%s must be a positive number", opt.Grow))
	want := `{"time":"2026-09-29T18:00:00Z","level":"info","msg":"read cases.xlsx: 3,000 cases","$schema":"urn:caseaudit:schema:log:1"}
{"time":"2026-09-29T18:00:00Z","level":"warning","msg":"two lines","$schema":"urn:caseaudit:schema:log:1"}
{"time":"2026-09-29T18:00:00Z","level":"warning","msg":"the second","$schema":"urn:caseaudit:schema:log:1"}
{"time":"2026-09-29T18:00:00Z","level":"error","msg":"grow must be a positive number","$schema":"urn:caseaudit:schema:log:1"}
`
	if got := errBuf.String(); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	for _, line := range strings.Split(strings.TrimSpace(errBuf.String()), "\n") {
		var v map[string]string
		if err := json.Unmarshal([]byte(line), &v); err != nil || len(v) != 4 {
			t.Errorf("not one flat object: %s (%v)", line, err)
		}
	}
}
