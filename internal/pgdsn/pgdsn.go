// Package pgdsn reads PostgreSQL connection strings in libpq's keyword
// form ("host=db dbname=casefiles user=b.evans"), the form most database
// administrators hand out beside the URL form. caseaudit must recognise it
// as a PostgreSQL store, never as the name of an SQLite file (which would
// put the audit in a local file named after the password, and print the
// password), and must be able to show it without its password.
//
// The grammar is libpq's (PostgreSQL documentation, "Keyword/Value
// Connection Strings"): whitespace-separated key = value pairs; a value is
// either a run of non-space characters or a single-quoted string, and a
// backslash escapes the next character in both.
package pgdsn

import (
	"errors"
	"fmt"
	"strings"
)

// Pair is one key = value setting of a keyword connection string.
type Pair struct {
	Key, Value string
}

// keywords are libpq's connection parameters (PostgreSQL 15/16). A string
// is taken for the keyword form only when its first key is one of them, so
// that a file name holding "=" ("audit=2026.db") stays a file name.
var keywords = map[string]bool{
	"host": true, "hostaddr": true, "port": true, "dbname": true, "user": true,
	"password": true, "passfile": true, "require_auth": true, "channel_binding": true,
	"connect_timeout": true, "client_encoding": true, "options": true,
	"application_name": true, "fallback_application_name": true, "keepalives": true,
	"keepalives_idle": true, "keepalives_interval": true, "keepalives_count": true,
	"tcp_user_timeout": true, "replication": true, "gssencmode": true, "sslmode": true,
	"requiressl": true, "sslcompression": true, "sslcert": true, "sslkey": true,
	"sslpassword": true, "sslcertmode": true, "sslrootcert": true, "sslcrl": true,
	"sslcrldir": true, "sslsni": true, "requirepeer": true, "ssl_min_protocol_version": true,
	"ssl_max_protocol_version": true, "krbsrvname": true, "gsslib": true, "gssdelegation": true,
	"service": true, "target_session_attrs": true, "load_balance_hosts": true,
	// caseaudit's own: the schema that holds the store.
	"schema": true,
}

// secret are the keys whose values are never shown.
var secret = map[string]bool{"password": true, "sslpassword": true}

// ErrSyntax: the string looks like the keyword form but does not parse.
var ErrSyntax = errors.New("not a valid keyword/value connection string")

// IsKeywordForm reports whether s is a connection string in libpq's
// keyword form: its first word is "KEY=" (spaces allowed around "=") with
// KEY a libpq connection parameter. It does not require the rest to parse,
// so that a mistyped connection string is still treated as one (and
// refused as one) rather than taken for a file name.
func IsKeywordForm(s string) bool {
	s = strings.TrimSpace(s)
	i := strings.IndexByte(s, '=')
	if i <= 0 {
		return false
	}
	key := strings.TrimSpace(s[:i])
	if strings.ContainsAny(key, " \t\r\n/\\") {
		return false
	}
	return keywords[strings.ToLower(key)]
}

// Parse splits a keyword connection string into its pairs, in order.
func Parse(s string) ([]Pair, error) {
	var out []Pair
	i, n := 0, len(s)
	skip := func() {
		for i < n && isSpace(s[i]) {
			i++
		}
	}
	for {
		skip()
		if i >= n {
			return out, nil
		}
		start := i
		for i < n && s[i] != '=' && !isSpace(s[i]) {
			i++
		}
		key := s[start:i]
		skip()
		if i >= n || s[i] != '=' || key == "" {
			return nil, fmt.Errorf("%w: %q is not followed by \"=\"", ErrSyntax, key)
		}
		i++ // '='
		skip()
		var v strings.Builder
		if i < n && s[i] == '\'' {
			i++
			closed := false
			for i < n {
				c := s[i]
				if c == '\\' && i+1 < n {
					v.WriteByte(s[i+1])
					i += 2
					continue
				}
				if c == '\'' {
					i++
					closed = true
					break
				}
				v.WriteByte(c)
				i++
			}
			if !closed {
				return nil, fmt.Errorf("%w: the value of %s has no closing quote", ErrSyntax, key)
			}
		} else {
			for i < n && !isSpace(s[i]) {
				if s[i] == '\\' && i+1 < n {
					v.WriteByte(s[i+1])
					i += 2
					continue
				}
				v.WriteByte(s[i])
				i++
			}
		}
		out = append(out, Pair{Key: key, Value: v.String()})
	}
}

// Format writes pairs back as a keyword connection string, quoting every
// value that needs it.
func Format(pairs []Pair) string {
	var b strings.Builder
	for i, p := range pairs {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Key)
		b.WriteByte('=')
		b.WriteString(quote(p.Value))
	}
	return b.String()
}

func quote(v string) string {
	if v != "" && !strings.ContainsAny(v, " \t\r\n'\\") {
		return v
	}
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(v) + "'"
}

// HasPassword reports whether a keyword connection string carries a
// password. A string that does not parse is taken to carry one when the
// word "password" appears in it, so that it is never printed whole.
func HasPassword(s string) bool {
	pairs, err := Parse(s)
	if err != nil {
		return strings.Contains(strings.ToLower(s), "password")
	}
	for _, p := range pairs {
		if secret[strings.ToLower(p.Key)] {
			return true
		}
	}
	return false
}

// Redact returns the connection string without its secrets, safe to print
// and to write to a log.
func Redact(s string) string {
	pairs, err := Parse(s)
	if err != nil {
		return "(a keyword connection string that does not parse)"
	}
	kept := pairs[:0:0]
	for _, p := range pairs {
		if !secret[strings.ToLower(p.Key)] {
			kept = append(kept, p)
		}
	}
	return Format(kept)
}

// Get returns the value of key (the last one given, as libpq reads it).
func Get(pairs []Pair, key string) (string, bool) {
	v, ok := "", false
	for _, p := range pairs {
		if strings.EqualFold(p.Key, key) {
			v, ok = p.Value, true
		}
	}
	return v, ok
}

// Without returns pairs less every setting of key.
func Without(pairs []Pair, key string) []Pair {
	out := pairs[:0:0]
	for _, p := range pairs {
		if !strings.EqualFold(p.Key, key) {
			out = append(out, p)
		}
	}
	return out
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
