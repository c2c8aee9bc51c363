package store

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"unicode/utf8"
)

// Text is stored as it was given, or not at all. JSON encoding would turn
// bytes that are not UTF-8 (a terminal or a file in another encoding) into
// U+FFFD without a word, and PostgreSQL refuses a NUL (Excel's _x0000_)
// that SQLite would keep: so every string of an entry is checked before it
// is written, and a finding is never silently changed or stored by one
// backend and refused by the other.

// checkText returns an error naming the first field of v (a payload, or a
// plain string named by field) that holds a NUL or bytes that are not
// UTF-8.
func checkText(field string, v any) error {
	return walkText(field, reflect.ValueOf(v), 0)
}

// enteredByField names EnteredBy in a refusal: the login recorded with
// every trail, people-list and store-log entry as having entered it.
const enteredByField = "login recorded as entering it (on SQLite: --user, $CASEAUDIT_USER or the operating system's login)"

// checkEntry checks the strings every entry records beside its payload:
// the name of the person acting and the login entering it.
func (w *WriteTx) checkEntry(actor string) error {
	if err := checkText("name of the person acting", actor); err != nil {
		return err
	}
	return checkText(enteredByField, w.EnteredBy())
}

func walkText(path string, v reflect.Value, depth int) error {
	if !v.IsValid() || depth > 32 {
		return nil
	}
	switch v.Kind() {
	case reflect.String:
		return textProblem(path, v.String())
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return walkText(path, v.Elem(), depth+1)
	case reflect.Slice, reflect.Array:
		if v.Type() == reflect.TypeFor[json.RawMessage]() {
			var x any
			if json.Unmarshal(v.Bytes(), &x) != nil {
				return nil // not JSON: the encoder says so
			}
			if !utf8.Valid(v.Bytes()) {
				return textProblem(path, string(v.Bytes()))
			}
			return walkText(path, reflect.ValueOf(x), depth+1)
		}
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return nil // bytes are encoded as base64, not text
		}
		for i := 0; i < v.Len(); i++ {
			if err := walkText(path, v.Index(i), depth+1); err != nil {
				return err
			}
		}
	case reflect.Map:
		it := v.MapRange()
		for it.Next() {
			k := fmt.Sprint(it.Key().Interface())
			p := join(path, k)
			if it.Key().Kind() == reflect.String {
				if err := textProblem(p, it.Key().String()); err != nil {
					return err
				}
			}
			if err := walkText(p, it.Value(), depth+1); err != nil {
				return err
			}
		}
	case reflect.Struct:
		t := v.Type()
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			p := path
			if !f.Anonymous {
				p = join(path, name)
			}
			if err := walkText(p, v.Field(i), depth+1); err != nil {
				return err
			}
		}
	}
	return nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "/" + key
}

func textProblem(field, s string) error {
	what := ""
	switch {
	case strings.IndexByte(s, 0) >= 0:
		what = "a NUL character (Excel writes one as _x0000_)"
	case !utf8.ValidString(s):
		what = "bytes that are not UTF-8 (text typed or saved in another encoding)"
	default:
		return nil
	}
	if field == "" {
		field = "text"
	}
	return errorf(ErrText, "the %s holds %s, which caseaudit does not store: a finding is kept exactly as given or not at all; remove the character, or give the text in UTF-8, and try again", field, what)
}
