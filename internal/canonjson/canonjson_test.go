package canonjson

import (
	"encoding/json"
	"testing"
)

func TestMarshal(t *testing.T) {
	for _, c := range []struct {
		in   any
		want string
	}{
		{map[string]any{"b": 1, "a": []int{2, 1}, "c": map[string]string{"z": "<&>", "y": ""}},
			`{"a":[2,1],"b":1,"c":{"y":"","z":"<&>"}}`},
		{json.RawMessage(`{ "n" : 1.50, "e": 1e3, "s": "\u00e9" }`), `{"e":1e3,"n":1.50,"s":"é"}`},
		{struct {
			B string `json:"b"`
			A *int   `json:"a"`
		}{B: "x"}, `{"a":null,"b":"x"}`},
		{nil, `null`},
	} {
		got, err := Marshal(c.in)
		if err != nil || string(got) != c.want {
			t.Errorf("Marshal(%v) = %s, %v; want %s", c.in, got, err, c.want)
		}
	}
}
