package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type historyOptions struct {
	Audit  string
	Case   string
	Format string
}

func newHistoryCmd(g *globalOptions) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history AUDIT [CASE]",
		Short: "Show every trail entry of an audit, or of one case: findings, corrections, moderation",
		Long: `Show the audit's trail, oldest first: every finding and correction with who recorded it, when
(UTC) and why, and who entered it (the person at the keyboard: $CASEAUDIT_USER, else the
login; on a PostgreSQL store the database login), moderation findings, allocations and
draws, each with its hash. Nothing in the
trail is ever changed or removed; 'caseaudit verify' checks the chain. Every format carries the
protective marking the audit was handed out under (sample --marking): above and below the
table, as the first column of every CSV row, as "marking" in JSON.`,
		Example: `  caseaudit history "2026-07 monthly" CR-0001234
  caseaudit history "2026-07 monthly" --format json`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usagef("history needs the audit's name and optionally a case ID")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			if len(args) == 2 {
				o.Case = args[1]
			}
			return runHistory(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAuditCases(g),
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table, csv or json")
	return cmd
}

// historyJSON is history --format json (schema/history.json): an audit's
// trail, or one case's entries in it.
type historyJSON struct {
	// Marking is the protective marking the audit was handed out under;
	// absent when none.
	Marking string      `json:"marking,omitempty"`
	Audit   string      `json:"audit"`
	Case    string      `json:"case,omitempty"`
	Entries []entryJSON `json:"entries"`
}

// entryJSON is one trail entry as stored: with the payload's bytes as they
// were hashed, anyone can recompute the chain (see audit/trail.go).
type entryJSON struct {
	Seq      int             `json:"seq"`
	Kind     string          `json:"kind"`
	Case     string          `json:"case,omitempty"`
	Actor    string          `json:"actor"`
	Entered  string          `json:"entered_by,omitempty"`
	At       string          `json:"at"`
	Payload  json.RawMessage `json:"payload"`
	PrevHash string          `json:"prev_hash"`
	Hash     string          `json:"hash"`
	// OwnerIsTeam: an action's opening names the case's team itself (it
	// had no manager), not a person; read beside the payload, not in it.
	OwnerIsTeam bool `json:"owner_is_team,omitempty"`
}

func runHistory(ctx context.Context, o *historyOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "csv", "json"); err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var es []audit.Entry
	if o.Case != "" {
		es, err = st.History(ctx, o.Audit, o.Case)
	} else {
		es, err = st.Trail(ctx, o.Audit)
	}
	if err != nil {
		return err
	}
	teamOwned, err := st.TeamOwned(ctx, o.Audit, es)
	if err != nil {
		return err
	}
	// The trail holds the audit's case IDs and its auditors' notes: every
	// form of it carries the marking the audit was handed out under.
	h, err := st.Handout(ctx, o.Audit)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		out := historyJSON{Marking: h.Marking, Audit: o.Audit, Case: o.Case, Entries: []entryJSON{}}
		for _, e := range es {
			out.Entries = append(out.Entries, entryJSON{e.Seq, e.Kind, e.Case, e.Actor, e.EnteredBy, e.At.UTC().Format("2006-01-02T15:04:05Z"), e.Payload, e.PrevHash, e.Hash, teamOwned[e.Seq]})
		}
		return writeJSON(g.IO.Out, schema.History, out)
	}
	rows := [][]string{{"#", "when (utc)", "kind", "case", "by", "entered by", "what", "hash"}}
	for _, e := range es {
		rows = append(rows, []string{fmt.Sprint(e.Seq), e.At.UTC().Format("2006-01-02 15:04:05"), e.Kind, e.Case, e.Actor,
			e.EnteredBy, entrySummary(e, teamOwned[e.Seq]), e.Hash[:12]})
	}
	if o.Format == "csv" {
		return writeCSV(g.IO.Out, markedRows(h.Marking, rows))
	}
	return writeMarkedTable(g.IO.Out, h.Marking, rows)
}

// entrySummary says in a few words what an entry records; teamOwned: the
// entry opens an action owned by the case's team, which had no manager.
func entrySummary(e audit.Entry, teamOwned bool) string {
	var p struct {
		Grade     string   `json:"grade"`
		Immediate *bool    `json:"immediate"`
		Note      string   `json:"note"`
		Reason    string   `json:"reason"`
		Source    string   `json:"source"`
		Seed      string   `json:"seed"`
		Size      int      `json:"size"`
		Cases     []any    `json:"cases"`
		Auditors  []string `json:"auditors"`
		Owner     string   `json:"owner"`
		Due       string   `json:"due"`
		Auto      bool     `json:"auto"`
	}
	_ = json.Unmarshal(e.Payload, &p)
	switch e.Kind {
	case audit.KindFinding, audit.KindCorrection, audit.KindModerationFinding, audit.KindModerationCorrection:
		s := p.Grade
		if p.Immediate != nil && *p.Immediate {
			s += ", immediate attention"
		}
		if p.Reason != "" {
			s += "; reason: " + p.Reason
		}
		if p.Note != "" {
			s += "; note: " + p.Note
		}
		if p.Source != "" {
			s += " (" + p.Source + ")"
		}
		return s
	case audit.KindActionOpen:
		return fmt.Sprintf("follow-up opened %s, due %s", ownerText(p.Owner, teamOwned), p.Due)
	case audit.KindActionRespond:
		return "response: " + p.Note
	case audit.KindActionClose:
		if p.Auto {
			// Before 2026-11 the stored note began with these words too.
			return "follow-up closed automatically: " + strings.TrimPrefix(p.Note, "closed automatically: ")
		}
		return "follow-up closed: " + p.Note
	case audit.KindModerationDraw:
		return fmt.Sprintf("moderation sample of %d, seed %s", p.Size, p.Seed)
	case audit.KindAllocation:
		// Who the cases went to, as the trail keeps them: "allocated to 3
		// auditors" alone tells a reader of the history nothing of who
		// left or joined mid-month.
		return fmt.Sprintf("allocated to %s: %s", words.Count(len(p.Auditors), "auditor"), strings.Join(p.Auditors, ", "))
	case audit.KindWithdrawal:
		var w struct {
			Reason string `json:"reason"`
			Cases  []struct {
				ID string `json:"id"`
			} `json:"cases"`
		}
		_ = json.Unmarshal(e.Payload, &w)
		s := "withdrawn: " + w.Reason
		if len(w.Cases) > 0 {
			s += "; replaced by " + w.Cases[0].ID
		}
		return s
	case audit.KindNetworkStore:
		var n struct {
			Where string `json:"where"`
			Flag  string `json:"flag"`
		}
		_ = json.Unmarshal(e.Payload, &n)
		return fmt.Sprintf("written on %s, where SQLite's locking is not safe, with %s", n.Where, n.Flag)
	case audit.KindSignOff:
		var so struct {
			Flagged    int               `json:"flagged"`
			Size       int               `json:"size"`
			Incomplete *audit.Incomplete `json:"incomplete"`
		}
		_ = json.Unmarshal(e.Payload, &so)
		s := fmt.Sprintf("signed off with %d of %d flagged", so.Flagged, so.Size)
		if so.Incomplete != nil {
			s += ", " + so.Incomplete.Phrase()
		}
		return s
	case audit.KindTeamManager:
		var t struct {
			Team    string `json:"team"`
			Manager string `json:"manager"`
		}
		_ = json.Unmarshal(e.Payload, &t)
		if t.Manager == "" {
			return fmt.Sprintf("team manager of %s unset: its actions keep the owner their opening recorded", t.Team)
		}
		return fmt.Sprintf("team manager of %s: %s owns its follow-up actions", t.Team, t.Manager)
	case audit.KindRedaction:
		var r struct {
			Entry  int      `json:"entry"`
			Fields []string `json:"fields"`
		}
		_ = json.Unmarshal(e.Payload, &r)
		return fmt.Sprintf("redacted the %s of entry %d; reason: %s", strings.Join(r.Fields, ", "), r.Entry, p.Reason)
	default:
		if len(p.Cases) > 0 {
			return fmt.Sprintf("%d cases", len(p.Cases))
		}
	}
	return ""
}
