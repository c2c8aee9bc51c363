package audit

import (
	"context"
	"database/sql/driver"
	"strconv"
	"strings"
	"sync"

	"github.com/jackc/pgx/v5/stdlib"
)

// The package's queries are written once, with SQLite's ? placeholders.
// PostgreSQL numbers its placeholders ($1, $2 …), so the PostgreSQL store
// talks to pgx's database/sql driver through pgConnector, which rewrites
// every query's placeholders on the way (rebind) and changes nothing else:
// the query sites stay as they are for both backends.

// pgConnector wraps pgx's connector; its connections rebind queries.
type pgConnector struct{ inner driver.Connector }

func (c pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := conn.(*stdlib.Conn)
	if !ok { // not expected: pgx's connector makes *stdlib.Conn
		conn.Close()
		return nil, driver.ErrBadConn
	}
	return &pgConn{sc}, nil
}

func (c pgConnector) Driver() driver.Driver { return c.inner.Driver() }

// pgConn is a pgx connection whose queries are rebound. Embedding keeps
// every interface the driver implements (transactions, pings, session
// resets, value checks); only the methods taking query text are wrapped.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(rebind(query))
}

func (c *pgConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(query))
}

func (c *pgConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(query), args)
}

func (c *pgConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(query), args)
}

// rebound caches rebind's results: the package has a few dozen distinct
// queries, each run many times.
var rebound sync.Map

// rebind rewrites the ? placeholders of query as $1, $2 … in order,
// leaving alone a ? inside a string literal ('…', E'…'), a quoted
// identifier ("…"), a dollar-quoted string ($tag$…$tag$) or a comment.
func rebind(query string) string {
	if !strings.Contains(query, "?") {
		return query
	}
	if q, ok := rebound.Load(query); ok {
		return q.(string)
	}
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); {
		c := query[i]
		switch {
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			i++
			continue
		case c == '\'' || c == '"':
			j := skipQuoted(query, i, c)
			b.WriteString(query[i:j])
			i = j
			continue
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			j := strings.IndexByte(query[i:], '\n')
			if j < 0 {
				j = len(query) - i
			}
			b.WriteString(query[i : i+j])
			i += j
			continue
		case c == '/' && strings.HasPrefix(query[i:], "/*"):
			j := strings.Index(query[i+2:], "*/")
			end := len(query)
			if j >= 0 {
				end = i + 2 + j + 2
			}
			b.WriteString(query[i:end])
			i = end
			continue
		case c == '$':
			if tag, ok := dollarTag(query[i:]); ok {
				j := strings.Index(query[i+len(tag):], tag)
				end := len(query)
				if j >= 0 {
					end = i + len(tag) + j + len(tag)
				}
				b.WriteString(query[i:end])
				i = end
				continue
			}
		}
		b.WriteByte(c)
		i++
	}
	out := b.String()
	rebound.Store(query, out)
	return out
}

// skipQuoted returns the index just past the quoted text starting at i
// (quote q, doubled to escape it; E'…' strings also escape with \).
func skipQuoted(s string, i int, q byte) int {
	backslash := q == '\'' && i > 0 && (s[i-1] == 'E' || s[i-1] == 'e')
	for j := i + 1; j < len(s); j++ {
		switch {
		case backslash && s[j] == '\\':
			j++
		case s[j] == q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1
		}
	}
	return len(s)
}

// dollarTag returns the opening tag ($$ or $name$) at the start of s.
func dollarTag(s string) (string, bool) {
	for j := 1; j < len(s); j++ {
		c := s[j]
		switch {
		case c == '$':
			return s[:j+1], true
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || j > 1 && c >= '0' && c <= '9':
		default:
			return "", false
		}
	}
	return "", false
}
