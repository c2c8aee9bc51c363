package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/caseaudit/caseaudit/sample"
)

// ModerationSample is an audit's moderation subsample.
type ModerationSample struct {
	Seed     string
	Size     int
	Cases    []string  // case IDs, in the order drawn (ticket order; a grown draw appends)
	Recorded int       // recorded cases the last draw chose from
	Drawn    time.Time // when it was (last) drawn, UTC
	Actor    string
	// Changed is false when DrawModeration found this sample drawn already
	// with the same seed and size: nothing was recorded.
	Changed bool
}

type drawPayload struct {
	Seed     string   `json:"seed"`
	Size     int      `json:"size"`
	Recorded int      `json:"recorded"`
	Cases    []string `json:"cases"`
	Added    []string `json:"added"`
}

// ticketOrder sorts IDs by (ticket, id) under seed: the consistent sampler.
func ticketOrder(seed string, ids []string) []string {
	tk := sample.NewTicketer(seed)
	type t struct{ ticket, id string }
	ts := make([]t, len(ids))
	for i, id := range ids {
		ts[i] = t{tk.Ticket(id), id}
	}
	slices.SortFunc(ts, func(a, b t) int {
		if sample.Less(a.ticket, a.id, b.ticket, b.id) {
			return -1
		}
		if sample.Less(b.ticket, b.id, a.ticket, a.id) {
			return 1
		}
		return 0
	})
	out := make([]string, len(ts))
	for i, x := range ts {
		out[i] = x.id
	}
	return out
}

// moderationOf is the moderation sample in a trail's entries es: that of the
// last draw; nil when there is none.
func moderationOf(es []Entry) (*ModerationSample, error) {
	e, ok := last(es, KindModerationDraw)
	if !ok {
		return nil, nil
	}
	var p drawPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, fmt.Errorf("trail entry %d (moderation draw) is damaged: %w", e.Seq, err)
	}
	return &ModerationSample{Seed: p.Seed, Size: p.Size, Cases: p.Cases, Recorded: p.Recorded, Drawn: e.At, Actor: e.Actor}, nil
}
