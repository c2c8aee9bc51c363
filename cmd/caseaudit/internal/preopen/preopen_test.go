package preopen

import "testing"

func TestTarget(t *testing.T) {
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	for _, tc := range []struct {
		args  []string
		envDB string
		want  string // "" for no store opened ahead
	}{
		{[]string{"record", "2026-07", "CR-1", "--grade", "good", "--immediate", "no"}, "", "caseaudit.db"},
		{[]string{"--db", "team/audits.db", "record", "2026-07", "CR-1"}, "", "team/audits.db"},
		{[]string{"record", "2026-07", "CR-1", "--db=audits.db", "--note", "seen at home"}, "", "audits.db"},
		{[]string{"-q", "--user", "a.khan", "--log-format", "json", "record", "2026-07", "CR-1"}, "", "caseaudit.db"},
		{[]string{"--db-timeout", "10s", "record", "2026-07", "CR-1"}, "from-env.db", "from-env.db"},
		{[]string{"record", "2026-07", "CR-1", "--db", "flag.db"}, "from-env.db", "flag.db"},
		// The value of a global flag is not the command.
		{[]string{"--user", "record", "report", "2026-07"}, "", ""},
		{[]string{"--db", "record"}, "", ""},
		// Other commands, and lines whose store is opened otherwise.
		{[]string{"report", "2026-07"}, "", ""},
		{[]string{"--version"}, "", ""},
		{nil, "", ""},
		{[]string{"record", "2026-07", "CR-1", "--lock-timeout", "30s"}, "", ""},
		{[]string{"--lock-timeout=30s", "record", "2026-07", "CR-1"}, "", ""},
		{[]string{"--db", "postgres://qa@db.example/audits", "record", "2026-07", "CR-1"}, "", ""},
		{[]string{"record", "2026-07", "CR-1"}, "host=db.example dbname=audits", ""},
		{[]string{"--", "record"}, "", ""},
		{[]string{"--help", "record"}, "", ""},
		{[]string{"-h", "record"}, "", ""},
		{[]string{"--no-such-flag", "record"}, "", ""},
		{[]string{"--allow-network-store", "record", "2026-07", "CR-1"}, "", "caseaudit.db"},
		{[]string{"record", "--help"}, "", "caseaudit.db"}, // opened and closed unused: help is rare here
		// A go test binary's own command line.
		{[]string{"-test.run=TestScripts", "-test.v"}, "", ""},
	} {
		env["CASEAUDIT_DB"] = tc.envDB
		got, ok := Target(tc.args, getenv)
		if !ok {
			got = ""
		}
		if got != tc.want {
			t.Errorf("Target(%q) with CASEAUDIT_DB=%q = %q, %v; want %q", tc.args, tc.envDB, got, ok, tc.want)
		}
	}
}
