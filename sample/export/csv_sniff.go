package export

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
	"golang.org/x/text/transform"
)

// Sniffing a csv file: its encoding, line endings and delimiter, from a
// bounded prefix (see openCSV).

var (
	utf8BOM = []byte{0xEF, 0xBB, 0xBF}
	bomLE   = []byte{0xFF, 0xFE}
	bomBE   = []byte{0xFE, 0xFF}
	bom32LE = []byte{0xFF, 0xFE, 0, 0}
	bom32BE = []byte{0, 0, 0xFE, 0xFF}
)

// parseEncoding maps an --encoding value to a textEncoding; -1 for "".
func parseEncoding(s string) (textEncoding, error) {
	k := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch k {
	case "":
		return -1, nil
	case "utf8", "utf8bom", "utf8sig":
		return encUTF8, nil
	case "utf16le":
		return encUTF16LE, nil
	case "utf16be":
		return encUTF16BE, nil
	case "utf32le", "utf32":
		return encUTF32LE, nil
	case "utf32be":
		return encUTF32BE, nil
	case "windows1252", "cp1252", "latin1", "iso88591":
		return encWindows1252, nil
	}
	return -1, fmt.Errorf("unknown encoding %q", s)
}

// parseDelimiter maps a --delimiter value to a byte; 0 for "" (sniff).
func parseDelimiter(s string) (byte, error) {
	switch s {
	case "":
		return 0, nil
	case ",", ";", "|", "\t":
		return s[0], nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tab", `\t`:
		return '\t', nil
	case ",", ";", "|":
		return strings.TrimSpace(s)[0], nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	return 0, fmt.Errorf("unknown delimiter %q", s)
}

// detectEncoding decides a file's encoding from its first bytes. whole says
// the prefix is the entire file.
func detectEncoding(prefix []byte, whole bool) (enc textEncoding, skip int, wideBOM bool) {
	switch {
	case bytes.HasPrefix(prefix, utf8BOM):
		return encUTF8, len(utf8BOM), false
	case bytes.HasPrefix(prefix, bom32LE): // before UTF-16's, which it starts with
		return encUTF32LE, 0, true
	case bytes.HasPrefix(prefix, bom32BE):
		return encUTF32BE, 0, true
	case bytes.HasPrefix(prefix, bomLE):
		return encUTF16LE, 0, true
	case bytes.HasPrefix(prefix, bomBE):
		return encUTF16BE, 0, true
	}
	if e, ok := utf16WithoutBOM(prefix); ok {
		return e, 0, false
	}
	if e, ok := utf32WithoutBOM(prefix); ok {
		return e, 0, false
	}
	if validUTF8Prefix(prefix, whole) {
		return encUTF8, 0, false
	}
	return encWindows1252, 0, false
}

// validUTF8Prefix reports whether p is valid UTF-8, allowing a rune cut off
// at the end of a prefix that is not the whole file.
func validUTF8Prefix(p []byte, whole bool) bool {
	if utf8.Valid(p) {
		return true
	}
	if whole {
		return false
	}
	// Drop up to 3 trailing bytes of a rune cut by the prefix boundary.
	for cut := 1; cut <= 3 && cut <= len(p); cut++ {
		if utf8.Valid(p[:len(p)-cut]) && !utf8.FullRune(p[len(p)-cut:]) {
			return true
		}
	}
	return false
}

// utf16WithoutBOM recognises UTF-16 text without a BOM by the NUL bytes that
// ASCII characters leave in every other position of the first KB.
func utf16WithoutBOM(p []byte) (textEncoding, bool) {
	if len(p) > 1024 {
		p = p[:1024]
	}
	pairs := len(p) / 2
	if pairs < 2 {
		return 0, false
	}
	var even, odd int
	for i := 0; i+1 < len(p); i += 2 {
		if p[i] == 0 {
			even++
		}
		if p[i+1] == 0 {
			odd++
		}
	}
	switch {
	case odd*10 >= pairs*4 && even*20 <= pairs:
		return encUTF16LE, true
	case even*10 >= pairs*4 && odd*20 <= pairs:
		return encUTF16BE, true
	}
	return 0, false
}

// utf32WithoutBOM recognises UTF-32 text without a BOM by the three NUL
// bytes that ASCII characters leave in every four of the first KB.
func utf32WithoutBOM(p []byte) (textEncoding, bool) {
	if len(p) > 1024 {
		p = p[:1024]
	}
	quads := len(p) / 4
	if quads < 2 {
		return 0, false
	}
	var nul [4]int
	for i := 0; i+3 < len(p); i += 4 {
		for k := range 4 {
			if p[i+k] == 0 {
				nul[k]++
			}
		}
	}
	// Every character below U+10000 has a NUL in its top byte, every ASCII
	// one in the next two; a text character is never NUL.
	switch {
	case nul[3] == quads && nul[2]*10 >= quads*9 && nul[0]*20 <= quads:
		return encUTF32LE, true
	case nul[0] == quads && nul[1]*10 >= quads*9 && nul[3]*20 <= quads:
		return encUTF32BE, true
	}
	return 0, false
}

// wideDecoder returns a decoder for the grid's UTF-16 or UTF-32 flavour.
func (g *csvGrid) wideDecoder() *encoding.Decoder {
	switch g.enc {
	case encUTF32LE, encUTF32BE:
		end := utf32.LittleEndian
		if g.enc == encUTF32BE {
			end = utf32.BigEndian
		}
		policy := utf32.IgnoreBOM
		if g.wideBOM {
			policy = utf32.UseBOM
		}
		return utf32.UTF32(end, policy).NewDecoder()
	}
	end := unicode.LittleEndian
	if g.enc == encUTF16BE {
		end = unicode.BigEndian
	}
	policy := unicode.IgnoreBOM
	if g.wideBOM {
		policy = unicode.UseBOM
	}
	return unicode.UTF16(end, policy).NewDecoder()
}

// decodePrefix returns the prefix as text for sniffing the delimiter and
// line endings. Windows-1252 and UTF-8 need no decoding for that (the bytes
// that matter are ASCII in both).
func decodePrefix(g *csvGrid, prefix []byte) []byte {
	switch g.enc {
	case encUTF16LE, encUTF16BE:
		out, _ := io.ReadAll(transform.NewReader(bytes.NewReader(prefix[:len(prefix)&^1]), g.wideDecoder()))
		return out
	case encUTF32LE, encUTF32BE:
		out, _ := io.ReadAll(transform.NewReader(bytes.NewReader(prefix[:len(prefix)&^3]), g.wideDecoder()))
		return out
	}
	return prefix[g.skip:]
}

// hasLoneCR reports whether the text ends its lines with bare CRs: it has
// more CRs not followed by LF than LFs (so a stray CR inside a field of an
// LF or CRLF file does not turn the file into CR-ended lines). A CR at the
// very end does not count.
func hasLoneCR(p []byte) bool {
	lf := bytes.Count(p, []byte{'\n'})
	lone := 0
	for {
		i := bytes.IndexByte(p, '\r')
		if i < 0 || i+1 >= len(p) {
			return lone > lf
		}
		if p[i+1] != '\n' {
			lone++
		}
		p = p[i+1:]
	}
}

// crToLF returns p with CRLF and bare CR turned into LF.
func crToLF(p []byte) []byte {
	out, _ := io.ReadAll(&crReader{r: bytes.NewReader(p)})
	return out
}

// crReader turns CRLF and bare CR line endings into LF.
type crReader struct {
	r      io.Reader
	prevCR bool
}

func (c *crReader) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		w := 0
		for i := 0; i < n; i++ {
			b := p[i]
			if b == '\n' && c.prevCR {
				c.prevCR = false
				continue
			}
			c.prevCR = b == '\r'
			if b == '\r' {
				b = '\n'
			}
			p[w] = b
			w++
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}

// sniffDelimiter chooses among , ; tab | the delimiter that splits the
// first 50 non-blank records of text into the most consistent field count
// above one: the count shared by most records wins, then the larger count,
// then the order above. Title rows (one field) do not count against a
// delimiter. A file that no candidate splits is one column: ','.
func sniffDelimiter(text []byte) byte {
	best, bestFreq, bestMode := byte(','), 0, 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if bytes.IndexByte(text, c) < 0 {
			continue
		}
		counts := map[int]int{}
		r := newRecReader(bytes.NewReader(text), c, 64<<10)
		for seen := 0; seen < 50; {
			blank, err := r.next(0)
			if err != nil {
				// io.EOF, a record cut by the prefix boundary, or a quoting
				// problem that the scan will report with its row.
				break
			}
			if blank && r.fields() == 0 {
				// An empty line. (A line of delimiters alone is blank as a
				// row, but counts here: it splits into fields.)
				continue
			}
			seen++
			if n := r.fields(); n > 1 {
				counts[n]++
			}
		}
		mode, freq := 0, 0
		for m, f := range counts {
			if f > freq || (f == freq && m > mode) {
				mode, freq = m, f
			}
		}
		if freq > bestFreq || (freq == bestFreq && freq > 0 && mode > bestMode) {
			best, bestFreq, bestMode = c, freq, mode
		}
	}
	return best
}
