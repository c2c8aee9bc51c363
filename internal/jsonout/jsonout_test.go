package jsonout

import (
	"bytes"
	"testing"
)

func TestWrite(t *testing.T) {
	var b bytes.Buffer
	v := struct {
		A string `json:"a"`
		B []int  `json:"b"`
	}{"x<=y", []int{1}}
	if err := Write(&b, "urn:caseaudit:schema:t:1", v); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"$schema\": \"urn:caseaudit:schema:t:1\",\n  \"a\": \"x<=y\",\n  \"b\": [\n    1\n  ]\n}\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if err := Write(&b, "x", []int{1}); err == nil {
		t.Error("an array was written as a document")
	}
}
