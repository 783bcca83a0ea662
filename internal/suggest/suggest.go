// Package suggest finds the word a user probably meant: "stauts" is
// "status". It is for messages only; nothing depends on its answer.
package suggest

// Closest returns the candidate within edit distance 2 of word, the
// nearest (the first listed among equals), or "" when none is that near.
// A word of one or two letters gets no suggestion: everything is near it.
func Closest(word string, candidates []string) string {
	if len(word) < 3 {
		return ""
	}
	best, bestD := "", 3
	for _, c := range candidates {
		if d := Distance(word, c); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// Distance is the optimal-string-alignment edit distance: insertions,
// deletions, substitutions and swaps of adjacent bytes each cost 1, so
// "stauts" is one edit from "status".
func Distance(a, b string) int {
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}
