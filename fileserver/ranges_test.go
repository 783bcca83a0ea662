package fileserver

import (
	"strings"
	"testing"
)

// TestParseRangeEdges: list syntax, malformed specs, bounds and limits,
// against files of a few sizes (TestParseRange covers the common cases).
func TestParseRangeEdges(t *testing.T) {
	t.Parallel()
	many := func(n int) string { return "bytes=" + strings.TrimSuffix(strings.Repeat("0-0,", n), ",") }
	ones := func(n int) []byteRange {
		r := make([]byteRange, n)
		for i := range r {
			r[i] = byteRange{0, 1}
		}
		return r
	}
	cases := []struct {
		name string
		v    string
		size int64
		want []byteRange
		res  rangeResult
	}{
		{"spaces_around_items", "bytes= 0-1 ,\t5-6\t", 100, []byteRange{{0, 2}, {5, 2}}, rangeOK},
		{"only_commas", "bytes=,,,", 100, nil, rangeUnsatisfiable},
		{"unit_only_no_equals", "bytes", 100, nil, rangeIgnore},
		{"unit_uppercase", "BYTES=1-1", 100, []byteRange{{1, 1}}, rangeOK},
		{"other_unit_prefix", "bytesx=0-1", 100, nil, rangeIgnore},
		{"dash_only", "bytes=-", 100, nil, rangeUnsatisfiable},
		{"double_dash", "bytes=--5", 100, nil, rangeUnsatisfiable},
		{"two_dashes", "bytes=0-1-2", 100, nil, rangeUnsatisfiable},
		{"plus_sign", "bytes=+1-2", 100, nil, rangeUnsatisfiable},
		{"inner_space", "bytes=0 -1", 100, nil, rangeUnsatisfiable},
		{"malformed_after_valid", "bytes=0-0,5-1", 100, nil, rangeUnsatisfiable},
		{"malformed_before_valid", "bytes=5-1,0-0", 100, nil, rangeUnsatisfiable},
		{"unsatisfiable_then_valid", "bytes=200-300,0-0", 100, []byteRange{{0, 1}}, rangeOK},
		{"reversed_past_end", "bytes=300-200", 100, nil, rangeUnsatisfiable},
		{"last_byte", "bytes=99-99", 100, []byteRange{{99, 1}}, rangeOK},
		{"whole_file", "bytes=0-99", 100, []byteRange{{0, 100}}, rangeOK},
		{"overlap_past_size", "bytes=0-50,50-99", 100, nil, rangeIgnore},
		{"suffix_whole", "bytes=-100", 100, []byteRange{{0, 100}}, rangeOK},
		{"suffix_more", "bytes=-101", 100, []byteRange{{0, 100}}, rangeOK},
		{"suffix_malformed", "bytes=-1a", 100, nil, rangeUnsatisfiable},
		{"digits_18", "bytes=0-999999999999999999", 100, []byteRange{{0, 100}}, rangeOK},
		{"digits_19", "bytes=0-9999999999999999999", 100, nil, rangeUnsatisfiable},
		{"start_digits_19", "bytes=1000000000000000000-", 100, nil, rangeUnsatisfiable},
		{"empty_file_start", "bytes=0-0", 0, nil, rangeUnsatisfiable},
		{"empty_file_open", "bytes=0-", 0, nil, rangeUnsatisfiable},
		{"empty_file_suffix", "bytes=-1", 0, nil, rangeUnsatisfiable},
		{"one_byte_file", "bytes=0-", 1, []byteRange{{0, 1}}, rangeOK},
		{"max_ranges", many(maxRanges), 100, ones(maxRanges), rangeOK},
		{"over_max_ranges", many(maxRanges + 1), 100, nil, rangeIgnore},
		{"over_max_before_malformed", many(maxRanges+1) + ",x", 100, nil, rangeIgnore},
		{"empty_items_not_counted", many(maxRanges) + ",,,", 100, ones(maxRanges), rangeOK},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var scratch [2]byteRange
			got, res := parseRange([]byte(c.v), c.size, scratch[:0])
			if res != c.res || len(got) != len(c.want) {
				t.Fatalf("parseRange(%q, %d) = %v, %v; want %v, %v", c.v, c.size, got, res, c.want, c.res)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("parseRange(%q, %d) = %v; want %v", c.v, c.size, got, c.want)
				}
			}
		})
	}
}
