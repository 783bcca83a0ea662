package pattern_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/lua/pattern"
)

// find is string.find(s, pat, init) on the package, formatted as the
// expectations are: "nil", "start end captures...", or "error: msg".
func find(s, pat string, init int) string {
	p, err := pattern.Compile(pat)
	if err != nil {
		return "error: " + err.Error()
	}
	// string.find's init: counted from 1, negative from the end, clamped.
	if init < 0 {
		init = max(len(s)+init+1, 1)
	}
	init = min(max(init, 1), len(s)+1) - 1
	m, ok, err := p.Find(s, init, nil, nil)
	switch {
	case err != nil:
		return "error: " + err.Error()
	case !ok:
		return "nil"
	}
	return fmt.Sprintf("%d %d", m.Start+1, m.End) + formatCaptures(s, m.Captures)
}

func formatCaptures(s string, caps []pattern.Capture) string {
	var b strings.Builder
	for _, c := range caps {
		if c.Position {
			fmt.Fprintf(&b, " %d", c.Start+1)
		} else {
			fmt.Fprintf(&b, " %q", s[c.Start:c.End])
		}
	}
	return b.String()
}

// TestFind: each case's want is what Lua 5.1.5's string.find answers,
// but for the departures the package doc lists.
func TestFind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, s, pat string
		init         int
		want         string
	}{
		{"basic_literal", "hello world", "o w", 1, "5 7"},
		{"dot", "abc", "a.c", 1, "1 3"},
		{"class_a", "12ab34", "%a+", 1, "3 4"},
		{"class_d", "ab123c", "%d+", 1, "3 5"},
		{"class_l", "ABcdE", "%l+", 1, "3 4"},
		{"class_u", "abCDe", "%u+", 1, "3 4"},
		{"class_s", "a \t\n\v\f\rb", "%s+", 1, "2 7"},
		{"class_w", "--ab12--", "%w+", 1, "3 6"},
		{"class_x", "xyzDEADbeefg", "%x+", 1, "4 11"},
		{"class_p", "ab!@#cd", "%p+", 1, "3 5"},
		{"class_c", "a\x01\x02\x7fb", "%c+", 1, "2 4"},
		{"class_z", "a\x00b", "%z", 1, "2 2"},
		{"complement_A", "abc123", "%A+", 1, "4 6"},
		{"complement_D", "123abc", "%D+", 1, "4 6"},
		{"complement_S", "  ab  ", "%S+", 1, "3 4"},
		{"complement_W", "ab..cd", "%W+", 1, "3 4"},
		{"escape_dot", "a.b", "%.", 1, "2 2"},
		{"escape_percent", "50%", "%%", 1, "3 3"},
		{"escape_non_class_letter", "gG", "%G", 1, "2 2"},
		{"set", "hello", "[lo]+", 1, "3 5"},
		{"set_range", "abcxyz", "[b-y]+", 1, "2 5"},
		{"set_negated", "aaabbb", "[^a]+", 1, "4 6"},
		{"set_with_class", "a1_b", "[%d_]+", 1, "2 3"},
		{"set_close_bracket_first", "a]b", "[]]", 1, "2 2"},
		{"set_negated_close_bracket", "]]a", "[^]]", 1, "3 3"},
		{"set_trailing_dash", "b-a", "[a-]+", 1, "2 3"},
		{"set_class_then_dash", "-z", "[%a-z]+", 1, "1 2"},
		{"set_range_from_close_bracket", "^", "[]-a]", 1, "1 1"},
		{"set_escaped_close", "a]", "[%]]", 1, "2 2"},
		{"set_caret_not_first", "a^", "[a^]+", 1, "1 2"},
		{"set_backwards_range", "d", "[z-a]", 1, "nil"},
		{"star", "aaab", "a*", 1, "1 3"},
		{"star_empty", "bbb", "a*", 1, "1 0"},
		{"plus", "baaab", "a+", 1, "2 4"},
		{"plus_none", "bbb", "a+", 1, "nil"},
		{"lazy", "<a><b>", "<.->", 1, "1 3"},
		{"greedy", "<a><b>", "<.*>", 1, "1 6"},
		{"optional", "color colour", "colou?r", 2, "7 12"},
		{"anchor_start", "aab", "^a+", 1, "1 2"},
		{"anchor_start_fails", "baa", "^a+", 1, "nil"},
		{"anchor_end", "abc", "c$", 1, "3 3"},
		{"anchor_end_fails", "abca", "c$", 1, "nil"},
		{"dollar_not_last", "a$b", "a$b", 1, "1 3"},
		{"caret_not_first", "a^b", "a^b", 1, "1 3"},
		{"both_anchors", "abc", "^abc$", 1, "1 3"},
		{"empty_subject_star", "", ".*", 1, "1 0"},
		{"empty_pattern", "abc", "", 1, "1 0"},
		{"captures", "key = value", "(%w+)%s*=%s*(%w+)", 1, "1 11 \"key\" \"value\""},
		{"nested_captures", "abcd", "((a)(b)c)", 1, "1 3 \"abc\" \"a\" \"b\""},
		{"position_capture", "hello", "()ll()", 1, "3 4 3 5"},
		{"position_capture_end", "  x", "^%s*()", 1, "1 2 3"},
		{"backref", "say \"hi\" or 'no'", "([\"'])(.-)%1", 1, "5 8 \"\\\"\" \"hi\""},
		{"backref_repeat", "abab", "(ab)%1", 1, "1 4 \"ab\""},
		{"backref_to_position", "aaa", "()a%1", 1, "nil"},
		{"balance", "f(a(b)c)d", "%b()", 1, "2 8"},
		{"balance_same", "xaxbxc", "%bxx", 1, "1 3"},
		{"balance_unclosed", "f(a(b", "%b()", 1, "nil"},
		{"frontier", "THE (quick) fox", "%f[%a]%a+", 5, "6 10"},
		{"frontier_end", "ab", "%f[%z]", 1, "3 2"},
		{"frontier_start", "ab", "%f[%w]%w", 1, "1 1"},
		{"frontier_upper", "aXb", "%f[%u]", 1, "2 1"},
		{"init_middle", "abcabc", "b", 3, "5 5"},
		{"init_negative", "abcabc", "b", -2, "5 5"},
		{"init_too_negative", "abcabc", "b", -100, "2 2"},
		{"init_past_end", "abc", "$", 10, "4 3"},
		{"quantifier_after_capture_is_literal", "a*", "(a)*", 1, "1 2 \"a\""},
		{"double_star", "a**", "a**", 1, "1 2"},
		{"leading_star", "**b", "*b", 1, "2 3"},
		{"leading_plus", "+x", "+x", 1, "1 2"},
		{"minus_literal_first", "-x", "-x", 1, "1 2"},
		{"lazy_at_end", "abc", "a.-", 1, "1 1"},
		{"lazy_anchored_capture", "abc", "^(.-)b", 1, "1 2 \"a\""},
		{"catastrophic_small", "aaaaaaab", "(.-)%w*c", 1, "nil"},
		{"max_captures", strings.Repeat("x", 32), strings.Repeat("(x)", 32), 1, "1 32" + strings.Repeat(` "x"`, 32)},
		{"err_ends_with_percent", "x", "x%", 1, "error: malformed pattern (ends with '%')"},
		{"err_missing_bracket", "x", "[x", 1, "error: malformed pattern (missing ']')"},
		{"err_empty_set", "x", "[]", 1, "error: malformed pattern (missing ']')"},
		{"err_set_escape_at_end", "x", "[%", 1, "error: malformed pattern (missing ']')"},
		{"err_frontier", "x", "%fx", 1, "error: missing '[' after '%f' in pattern"},
		{"err_unfinished", "x", "(x", 1, "error: unfinished capture"},
		{"err_stray_close", "x", "x)", 1, "error: invalid pattern capture"}, // Lua 5.1: nil (a plain find),
		{"err_capture_zero", "x", "%0", 1, "error: invalid capture index"},
		{"err_capture_missing", "x", "%1", 1, "error: invalid capture index"},
		{"err_capture_open", "aa", "(a%1)", 1, "error: invalid capture index"},
		{"err_balance_args", "x", "%b(", 1, "error: unbalanced pattern"},
		{"err_too_many", strings.Repeat("x", 40), strings.Repeat("(x)", 33), 1, "error: too many captures"},
	} {
		if got := find(tc.s, tc.pat, tc.init); got != tc.want {
			t.Errorf("%s: find(%q, %q, %d) = %s, want %s", tc.name, tc.s, tc.pat, tc.init, got, tc.want)
		}
	}
}

// TestMatchAt: MatchAt matches at init only, whether or not the pattern
// has a '^'.
func TestMatchAt(t *testing.T) {
	t.Parallel()
	p, _ := pattern.Compile("(%a+)")
	m, ok, err := p.MatchAt("12ab", 2, nil, nil)
	if !ok || err != nil || m.Start != 2 || m.End != 4 || m.Captures[0] != (pattern.Capture{Start: 2, End: 4}) {
		t.Fatalf("got %+v %v %v", m, ok, err)
	}
	if _, ok, _ := p.MatchAt("12ab", 1, nil, nil); ok {
		t.Fatal("matched before init's letters")
	}
	if _, ok, _ := p.MatchAt("12ab", 5, nil, nil); ok {
		t.Fatal("matched past the end")
	}
	caret, _ := pattern.Compile("^b")
	if !caret.Anchored() || caret.Captures() != 0 {
		t.Fatal("Anchored or Captures")
	}
	if _, ok, _ := caret.MatchAt("ab", 1, nil, nil); !ok {
		t.Fatal("^ at init")
	}
}

// TestCheckStops: the pattern of the security report, which takes hours
// in gopher-lua, stops soon after check starts failing.
func TestCheckStops(t *testing.T) {
	t.Parallel()
	p, err := pattern.Compile("(.-)%w*c")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Repeat("a", 1e5) + "b"
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, ok, err := p.Find(s, 0, nil, ctx.Err)
	if ok || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v %v", ok, err)
	}
	if d := time.Since(start); d > time.Second {
		t.Fatalf("stopped after %v", d)
	}
}

// TestCheckCalls: check runs about once every checkEvery steps, and not
// at all for a match shorter than that.
func TestCheckCalls(t *testing.T) {
	t.Parallel()
	calls := 0
	check := func() error { calls++; return nil }
	p, _ := pattern.Compile("a*b")
	if _, ok, _ := p.Find("aab", 0, nil, check); !ok || calls != 0 {
		t.Fatalf("short match: %v, %d checks", ok, calls)
	}
	if _, ok, _ := p.Find(strings.Repeat("a", 3000), 0, nil, check); ok || calls < 1000 {
		t.Fatalf("long match: %v, %d checks", ok, calls)
	}
}

// TestTooComplex: nesting more than 200 backtracking points is an error,
// not a deep Go stack.
func TestTooComplex(t *testing.T) {
	t.Parallel()
	deep, _ := pattern.Compile(strings.Repeat("a?", 250))
	if _, _, err := deep.Find(strings.Repeat("a", 250), 0, nil, nil); !errors.Is(err, pattern.ErrTooComplex) {
		t.Fatalf("got %v", err)
	}
	fine, _ := pattern.Compile(strings.Repeat("a?", 150))
	if _, ok, err := fine.Find(strings.Repeat("a", 150), 0, nil, nil); !ok || err != nil {
		t.Fatalf("got %v %v", ok, err)
	}
}

func TestExpand(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ pat, s, repl, want string }{
		{"(%w+)=(%w+)", "k=v", "%2=%1", "v=k"},
		{"%w+", "abc", "<%0>", "<abc>"},
		{"%w+", "abc", "<%1>", "<abc>"}, // no captures: %1 is the whole match
		{"b", "abc", "%%", "%"},
		{"b", "abc", "%x", "x"},    // Lua 5.1; gopher-lua keeps "%x"
		{"b", "abc", "50%", "50%"}, // Lua 5.1 appends a NUL
		{"()b", "abc", "[%1]", "[2]"},
		{"(b)", "abc", "%2", "error: invalid capture index"},
		{"b", "abc", "%2", "error: invalid capture index"},
	} {
		p, _ := pattern.Compile(tc.pat)
		m, _, _ := p.Find(tc.s, 0, nil, nil)
		out, err := pattern.Expand(nil, tc.repl, tc.s, m)
		got := string(out)
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != tc.want {
			t.Errorf("%q on %q with %q: got %q, want %q", tc.pat, tc.s, tc.repl, got, tc.want)
		}
	}
}
