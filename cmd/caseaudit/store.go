package main

import (
	"context"
	"fmt"
	"os"
	"os/user"

	"github.com/caseaudit/caseaudit/audit"
)

// storePath resolves the audit store: --db, else $CASEAUDIT_DB, else
// ./caseaudit.db.
func (g *globalOptions) storePath() string {
	if g.DB != "" {
		return g.DB
	}
	if p := os.Getenv("CASEAUDIT_DB"); p != "" {
		return p
	}
	return audit.DefaultPath
}

// storeName is the store as messages name it.
func (g *globalOptions) storeName() string { return g.storePath() }

// openStore opens (creating when missing) the audit store for a command.
// The caller closes it.
func (g *globalOptions) openStore(ctx context.Context) (*audit.Store, error) {
	return audit.Open(ctx, g.storePath(), audit.Options{Clock: g.Now, Actor: actor()})
}

// actor names the person running caseaudit, for entries that are not
// findings (growing a sample, allocation, moderation draws).
func actor() string {
	if s := os.Getenv("CASEAUDIT_USER"); s != "" {
		return s
	}
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return "unknown"
}

// openExistingStore opens the store for a command that reads an audit: a
// missing store is an error that says how to make one, not a new empty file.
func (g *globalOptions) openExistingStore(ctx context.Context) (*audit.Store, error) {
	if !fileExists(g.storePath()) {
		return nil, fmt.Errorf("no audit store at %s; record an audit first with: caseaudit sample EXPORT --size N --audit NAME (or give --db)", g.storePath())
	}
	return g.openStore(ctx)
}

// openAudit opens the existing store and finds the named audit in it; the
// caller closes the store.
func (g *globalOptions) openAudit(ctx context.Context, name string) (*audit.Store, *audit.Audit, error) {
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := st.Audit(ctx, name)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, a, nil
}
