package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

func newStoreCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "store",
		Short: "Make a PostgreSQL store for a team, copy a store, show what a store is",
		Long: `The audit store is an SQLite file (the default: one machine) or, for a team of auditors on
several machines, a PostgreSQL database: give --db postgres://USER@HOST:PORT/DATABASE (or
CASEAUDIT_DB, or the configuration's store key). The password comes from PGPASSWORD,
~/.pgpass or a service file (PGSERVICE), never from the command line; sslmode in the URL is
honoured (sslmode=verify-full for a server elsewhere).

'store init [URL]' makes the store (an administrator, once); 'store copy FROM TO' copies every
audit from one store to another with its trail unchanged; 'store info' says what the store is
and who you are in it; 'store retention 6y' sets how long audits are kept after sign-off
(see caseaudit retire).`,
		Example: `  caseaudit store init 'postgres://qa_admin@db.example.org/casefiles?sslmode=verify-full'
  caseaudit store copy caseaudit.db 'postgres://qa_admin@db.example.org/casefiles?sslmode=verify-full'
  caseaudit --db 'postgres://b.evans@db.example.org/casefiles?sslmode=verify-full' store info`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown store command %q: use init, copy, info or retention", args[0])
			}
			return usagef("store needs a command: init, copy, info or retention")
		},
		RunE: func(cmd *cobra.Command, args []string) error { return nil },
	}
	cmd.AddCommand(newStoreInitCmd(g), newStoreCopyCmd(g), newStoreInfoCmd(g), newStoreRetentionCmd(g))
	return cmd
}

// refusePassword refuses a store URL with a password given as an argument.
func refusePassword(where string) error {
	if store.HasPassword(where) {
		return usagef("%s: the connection string carries a password, which the command line shows to other users of this machine; give it in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE) instead", store.Redact(where))
	}
	return nil
}

func newStoreInitCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "init [URL]",
		Short: "Make a PostgreSQL store (or bring it up to date): its schema, roles and grants",
		Long: `Make the caseaudit store in the PostgreSQL database the URL names (or, without one, the store
--db or CASEAUDIT_DB names, as for every other command), logged in as the role that will own it
(an administrator's): the schema "caseaudit" (or ?schema=NAME) with its tables,
the triggers that keep the trail append-only and hash-chained in the database, and three group
roles of the store's own with their grants, named after the schema and the database (for the
schema "caseaudit" of the database "casefiles"):

  caseaudit_casefiles_qa          sample, allocate, moderate, report (and all an auditor may)
  caseaudit_casefiles_auditor     record and import findings; read the audits
  caseaudit_casefiles_governance  redact free text (information governance); read the audits

Membership of one store's roles gives nothing in another store on the same server. store init
prints the names it chose (with a short hash added when a name is long or already another
store's). No role may change or delete anything recorded. Run it again after upgrading
caseaudit: it migrates the store's schema and re-applies every guard and grant. A store made
by an earlier caseaudit, which used the server-wide roles caseaudit_qa and caseaudit_auditor,
is given roles of its own: every member of those is made a member of the store's role of the
same group (init lists them), and the server-wide roles keep nothing in the store. A schema
that is not a caseaudit store, or a store of a newer caseaudit, is refused and left untouched.

To add a person, the administrator runs (in psql, as the store's owner or a role with
CREATEROLE):

  CREATE ROLE "b.evans" LOGIN PASSWORD '…';              -- or your usual authentication
  GRANT caseaudit_casefiles_auditor TO "b.evans";      -- _qa for a QA officer, _governance for IG

and the person puts the password in ~/.pgpass. Every trail entry records the login that
entered it beside the auditor named; the database refuses an entry under another login.`,
		Example: `  caseaudit store init 'postgres://qa_admin@db.example.org/casefiles?sslmode=verify-full'

  # the store named as every other command takes it
  export CASEAUDIT_DB='postgres://qa_admin@db.example.org/casefiles?sslmode=verify-full'
  caseaudit store init`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one argument, the store's URL (got %s)", cmd.CommandPath(), words.Count(len(args), "argument"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			where, err := g.initStore(args)
			if err != nil {
				return err
			}
			return runStoreInit(cmd.Context(), where, g)
		},
	}
}

// initStore is the store store init makes: the URL given as its argument,
// else the store every other command uses (--db, else $CASEAUDIT_DB). An
// argument and --db or $CASEAUDIT_DB naming different stores is a usage
// error naming both, as either could be the slip. With neither, no store
// is made in the current folder by default: store init is for a team's
// PostgreSQL store, and an SQLite file needs none.
func (g *globalOptions) initStore(args []string) (string, error) {
	if err := g.checkStoreFlag(); err != nil {
		return "", err
	}
	set, from := g.DB, "--db"
	if set == "" {
		set, from = os.Getenv("CASEAUDIT_DB"), "CASEAUDIT_DB"
	}
	if len(args) == 0 {
		if set == "" {
			return "", usagef("store init needs the store to make: give its URL (caseaudit store init 'postgres://USER@HOST/DATABASE'), or name it with --db or CASEAUDIT_DB")
		}
		return set, nil
	}
	where := args[0]
	if err := refusePassword(where); err != nil {
		return "", err
	}
	if set != "" && !sameStore(where, set) {
		alone := "the argument without --db, or --db without the argument"
		if from == "CASEAUDIT_DB" {
			alone = "the argument with CASEAUDIT_DB unset (or --db naming the argument's store), or CASEAUDIT_DB without the argument"
		}
		return "", usagef("store init was given two stores: %s as its argument and %s in %s; give one: %s",
			store.Redact(where), store.Redact(set), from, alone)
	}
	return where, nil
}

// sameStore reports whether a and b name the same store as written: the
// same PostgreSQL connection string but for a password (which
// $CASEAUDIT_DB may carry and an argument may not), or the same SQLite
// file from this folder.
func sameStore(a, b string) bool {
	a, b = strings.TrimSpace(store.Redact(a)), strings.TrimSpace(store.Redact(b))
	if a == b {
		return true
	}
	if store.IsPostgres(a) || store.IsPostgres(b) {
		return false
	}
	aa, errA := filepath.Abs(a)
	ab, errB := filepath.Abs(b)
	return errA == nil && errB == nil && aa == ab
}

func runStoreInit(ctx context.Context, where string, g *globalOptions) error {
	if !store.IsPostgres(where) {
		_, statErr := os.Stat(where)
		st, err := audit.Open(ctx, where, audit.Options{Clock: g.injectedNow, Actor: g.actor(), Deadline: g.DBTimeout, BusyTimeout: g.LockTimeout})
		if err != nil {
			return err
		}
		st.Close()
		if statErr != nil {
			g.infof("made the SQLite store %s (schema version %d); an SQLite store needs no init: the first command that records an audit makes it\n", where, store.SchemaVersion)
			return nil
		}
		g.infof("%s is an SQLite store (schema version %d); it needs no init\n", where, store.SchemaVersion)
		return nil
	}
	res, err := store.InitPostgres(ctx, where)
	if err != nil {
		return err
	}
	switch {
	case res.Created:
		g.infof("created the caseaudit store in %s (schema %s, version %d), owned by %s\n", res.Store, res.Schema, res.Version, res.Owner)
	case res.From < res.Version:
		g.infof("upgraded the caseaudit store in %s from schema version %d to %d\n", res.Store, res.From, res.Version)
	default:
		g.infof("the caseaudit store in %s is up to date (schema version %d); guards and grants re-applied\n", res.Store, res.Version)
	}
	if len(res.RolesCreated) > 0 {
		g.infof("created the roles %s\n", strings.Join(res.RolesCreated, ", "))
	}
	for _, m := range res.Migrated {
		g.infof("%s, a member of the server-wide %s, is now a member of %s\n", m.Login, m.From, m.To)
	}
	if res.ASCIIOnly != "" {
		g.warnf("%s\n", res.ASCIIOnly)
	}
	if res.RevokedLegacy {
		g.infof("the server-wide roles %s and %s hold nothing in this store any more; once every store on the server has had store init, an administrator may drop them\n",
			"caseaudit_qa", "caseaudit_auditor")
	}
	g.infof("the store's roles: %s (QA), %s (auditors), %s (information governance)\n",
		res.Role(store.GroupQA), res.Role(store.GroupAuditor), res.Role(store.GroupGovernance))
	g.infof("add a person with: CREATE ROLE \"name\" LOGIN PASSWORD '…'; GRANT %s TO \"name\";\n", res.Role(store.GroupAuditor))
	// There is no narrower role for a moderator or a team manager: the
	// people list limits what they write, not what they read.
	g.infof("a moderator and a team manager get %s too (the people list then limits what they write); it reads every audit's findings and notes, also through psql; %s is for QA, %s for information governance\n",
		res.Role(store.GroupAuditor), res.Role(store.GroupQA), res.Role(store.GroupGovernance))
	return nil
}

func newStoreCopyCmd(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "copy FROM TO",
		Short: "Copy every audit of a store into a new, empty store, trails unchanged",
		Long: `Copy every audit — its sample, its whole trail, who entered each entry — from one store to
another that holds no audits yet: SQLite to PostgreSQL (moving a team onto a server) or back
(an archive on one machine). Every trail is verified before and after; the heads are the
same in both stores, so 'caseaudit verify' passes on the copy. All or nothing.

A PostgreSQL store must have been made with 'caseaudit store init' and the copy must run as
its owner; an SQLite file is made when missing.`,
		Example: `  caseaudit store copy caseaudit.db 'postgres://qa_admin@db.example.org/casefiles'
  caseaudit store copy 'postgres://qa_admin@db.example.org/casefiles' archive-2026.db`,
		Args: exactArgs(2, "the store to copy from and the store to copy to"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runStoreCopy(cmd.Context(), args[0], args[1], g)
		},
	}
}

func runStoreCopy(ctx context.Context, from, to string, g *globalOptions) error {
	for _, w := range []string{from, to} {
		if err := refusePassword(w); err != nil {
			return err
		}
	}
	if !store.IsPostgres(from) && !fileExists(from) {
		return fmt.Errorf("no audit store at %s", from)
	}
	// Both ends as every command's store: on a network drive only with
	// --allow-network-store, and then the copy is noted in the new store's
	// log.
	if _, err := g.networkStore(from); err != nil {
		return err
	}
	network, err := g.networkStore(to)
	if err != nil {
		return err
	}
	src, err := audit.Open(ctx, from, audit.Options{Clock: g.injectedNow, Actor: g.actor(), Deadline: -1, BusyTimeout: g.LockTimeout})
	if err != nil {
		return err
	}
	defer src.Close()
	// An SQLite destination made now is removed again if the copy fails
	// (run's removeCreatedStore), and announced if it succeeds.
	if !store.IsPostgres(to) && !fileExists(to) {
		if abs, err := filepath.Abs(to); err == nil {
			g.createdStore = abs
		} else {
			g.createdStore = to
		}
	}
	dst, err := audit.Open(ctx, to, audit.Options{Clock: g.injectedNow, Actor: g.actor(), Deadline: -1, BusyTimeout: g.LockTimeout, NetworkStore: network})
	if err != nil {
		return err
	}
	defer dst.Close()
	res, err := audit.Copy(ctx, src, dst, nil)
	if err != nil {
		return err
	}
	if g.createdStore != "" {
		g.log("info", "made a new audit store at "+g.createdStore)
	}
	g.infof("copied %s (%s, %s) from %s to %s; every trail verifies on the copy with the same head\n",
		words.Count(res.Audits, "audit"), words.Count(res.Cases, "sampled case"), words.Count(res.Entries, "trail entry", "trail entries"),
		src.Path(), dst.Path())
	return nil
}

// storeInfoJSON is store info --format json (schema/store-info.json).
type storeInfoJSON struct {
	Store         string `json:"store"`
	Kind          string `json:"kind"`
	SchemaVersion int    `json:"schema_version"`
	EnteredBy     string `json:"entered_by"`
	Audits        int    `json:"audits"`
	// Person is who the login is on the store's people list; nil when
	// it is not on it (or the store has no list: PeopleList).
	Person *personJSON `json:"person"`
	// PeopleList reports whether the store has a people list, by which
	// every write is checked against the duties table.
	PeopleList bool `json:"people_list"`
	// NetworkWrites are the store log's network-store entries.
	NetworkWrites []networkWriteJSON `json:"network_writes"`
	// ServerClockAhead is how far a PostgreSQL store's server's clock is
	// ahead of this machine's (negative: behind), in seconds to the
	// millisecond; absent for SQLite, whose only clock is the machine's.
	ServerClockAhead *float64 `json:"server_clock_ahead_seconds,omitempty"`
}

// clockWarnAt is how far this machine's clock may be from the server's
// before store info warns: less is the drift of a clock not set from the
// network for a while, and harms nothing caseaudit does.
const clockWarnAt = time.Minute

// clockGap says how far this machine's clock is from the server's, for
// people: "within a second of", "42 seconds behind", "12 minutes ahead of".
func clockGap(ahead time.Duration) string {
	d, side := ahead, "behind"
	if d < 0 {
		d, side = -d, "ahead of"
	}
	var n string
	switch {
	case d < time.Second:
		return "within a second of"
	case d < time.Minute:
		n = words.Count(int(d.Round(time.Second)/time.Second), "second")
	case d < time.Hour:
		n = words.Count(int(d.Round(time.Minute)/time.Minute), "minute")
	case d < 48*time.Hour:
		d = d.Round(time.Minute)
		n = words.Count(int(d/time.Hour), "hour")
		if m := int(d % time.Hour / time.Minute); m > 0 {
			n += " " + words.Count(m, "minute")
		}
	default:
		d = d.Round(time.Hour)
		n = words.Count(int(d/(24*time.Hour)), "day")
		if h := int(d % (24 * time.Hour) / time.Hour); h > 0 {
			n += " " + words.Count(h, "hour")
		}
	}
	return n + " " + side
}

type networkWriteJSON struct {
	At        string `json:"at"`
	By        string `json:"by"`
	EnteredBy string `json:"entered_by"`
	Where     string `json:"where"`
	LogEntry  int    `json:"log_entry"`
}

func newStoreInfoCmd(g *globalOptions) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "info",
		Short: "Say what the store is, its schema version, and who you are in it",
		Long: `Say what the store is (its location without any password, SQLite or PostgreSQL, its schema
version), who you are in it, and how many audits it holds: the login that enters what you record
(the OS login or --user on SQLite, the database login on PostgreSQL) and, from the store's people
list, the name your entries are recorded under and your roles, which decide what you may do (see
"Who may do what" in the README). Writes to an SQLite store on a network drive made with
--allow-network-store are listed, with who made them and when. On PostgreSQL it says how far this
machine's clock is from the database server's, which dates every entry, and warns when they are
more than a minute apart.`,
		Example: `  caseaudit store info
  caseaudit store info --format json
  CASEAUDIT_DB='postgres://b.evans@db.example.org/casefiles' caseaudit store info`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			ctx := cmd.Context()
			st, err := g.openExistingStore(ctx)
			if err != nil {
				return err
			}
			defer st.Close()
			list, err := st.Audits(ctx)
			if err != nil {
				return err
			}
			nw, err := st.NetworkWrites(ctx)
			if err != nil {
				return err
			}
			me, listed, err := st.Acting(ctx)
			if err != nil {
				return err
			}
			info := storeInfoJSON{Store: st.Path(), Kind: st.Kind(), SchemaVersion: store.SchemaVersion, EnteredBy: st.EnteredBy(), Audits: len(list),
				PeopleList: listed, NetworkWrites: []networkWriteJSON{}}
			if listed && (me.Name != "" || len(me.Roles) > 0) {
				p := toPersonJSON(me)
				info.Person = &p
			}
			for _, w := range nw {
				info.NetworkWrites = append(info.NetworkWrites, networkWriteJSON{At: w.At.UTC().Format(time.RFC3339), By: w.By, EnteredBy: w.EnteredBy, Where: w.Where, LogEntry: w.Seq})
			}
			ahead, measured := st.ClockOffset()
			if measured {
				secs := ahead.Round(time.Millisecond).Seconds()
				info.ServerClockAhead = &secs
				if ahead > clockWarnAt || ahead < -clockWarnAt {
					// The store is right whichever clock is wrong: what is
					// left to this machine's is what runs before a store is
					// open, and what is not caseaudit's.
					g.warnf("this machine's clock is %s the database server's; caseaudit dates every entry, and judges what is due or overdue, by the server's clock, so the store is right whichever clock is wrong, but this machine's clock still decides when a scheduled run starts and which month it takes, and the times of the files written here: set this machine's clock (or let it set itself from the network), or, if the server's is the wrong one, tell the store's administrator\n",
						clockGap(ahead))
				}
			}
			if format == "json" {
				return writeJSON(g.IO.Out, schema.StoreInfo, info)
			}
			w := g.textOut()
			fmt.Fprintf(w, "store       %s\n", info.Store)
			fmt.Fprintf(w, "kind        %s, schema version %d\n", info.Kind, info.SchemaVersion)
			fmt.Fprintf(w, "entered by  %s\n", info.EnteredBy)
			switch {
			case info.Person != nil:
				fmt.Fprintf(w, "name        %s\n", info.Person.Name)
				fmt.Fprintf(w, "roles       %s\n", strings.Join(info.Person.Roles, ", "))
			case listed:
				fmt.Fprintf(w, "name        none: %s is not on the store's people list, so it may do nothing in the store; QA adds it with caseaudit people add %s --name NAME --role ROLE\n",
					info.EnteredBy, info.EnteredBy)
			default:
				fmt.Fprintf(w, "roles       none listed: the store has no people list (a one-person store); QA starts one with caseaudit people add %s --name NAME --role qa\n", info.EnteredBy)
			}
			fmt.Fprintf(w, "audits      %d\n", info.Audits)
			if measured {
				fmt.Fprintf(w, "clock       this machine's is %s the database server's, which dates the entries\n", clockGap(ahead))
			}
			// Each on a line of its own: who wrote at that risk, and when.
			for _, nwr := range nw {
				fmt.Fprintf(w, "network     %s: %s (%s) wrote to it on %s, where SQLite's locking is not safe, with --allow-network-store (store log entry %d)\n",
					nwr.At.UTC().Format(time.RFC3339), nwr.By, nwr.EnteredBy, nwr.Where, nwr.Seq)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "table", "output format: table or json")
	return cmd
}
