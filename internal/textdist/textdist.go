// Package textdist measures how far apart two strings are, for "did you mean"
// suggestions in error messages.
package textdist

import (
	"strings"
	"unicode/utf8"
)

// Levenshtein is the edit distance between a and b, counted in runes.
func Levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// Closest returns up to max candidates nearest to s by edit distance
// (ignoring case), nearest first, among those within a third of s's length
// (at least 2 edits).
func Closest(s string, candidates []string, max int) []string {
	type cand struct {
		s string
		d int
	}
	limit := utf8.RuneCountInString(s) / 3
	if limit < 2 {
		limit = 2
	}
	var best []cand
	ls := strings.ToUpper(strings.TrimSpace(s))
	for _, c := range candidates {
		d := Levenshtein(ls, strings.ToUpper(c))
		if d > limit {
			continue
		}
		best = append(best, cand{c, d})
	}
	// stable insertion sort by distance: candidates keep their order on ties
	for i := 1; i < len(best); i++ {
		for j := i; j > 0 && best[j].d < best[j-1].d; j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	var out []string
	for i := 0; i < len(best) && i < max; i++ {
		if i > 0 && best[i].d > best[0].d {
			break
		}
		out = append(out, best[i].s)
	}
	return out
}
