package pattern_test

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/pattern"
)

// The differential tests run string.find, string.match, string.gsub and
// string.gmatch in a plain gopher-lua state and compare them with the
// same calls made of this package. They skip the inputs where gopher-lua
// departs from Lua 5.1, which this package follows (knownDifference), and
// those where either side fails: this package's errors are checked
// against Lua 5.1 by TestFind.

// knownDifference reports why gopher-lua's answer for pat may differ from
// Lua 5.1's, or "".
func knownDifference(pat string) string {
	switch {
	case strings.Contains(pat, "%f"):
		return "gopher-lua has no %f frontier (it reads %f as a literal f)"
	case strings.Contains(pat, "()") && strings.ContainsAny(pat, "123456789") && strings.Contains(pat, "%"):
		return "a back-reference to a position capture: Lua 5.1 never matches it, gopher-lua matches the empty string"
	case gopherMisreadsSet(pat):
		return `a set where gopher-lua's ranges differ: an escape next to a '-' ("[%a-z]", "[a-%d]"), a range ending in '-' ("[0--]"), or a range followed by "-x" ("[a-b-c]"); Lua 5.1 reads a class or character, then a literal '-'`
	}
	return ""
}

// gopherMisreadsSet reports whether a set of pat has a range gopher-lua
// reads otherwise than Lua 5.1 (see knownDifference). Sets are found as
// Lua 5.1's classEnd finds them.
func gopherMisreadsSet(pat string) bool {
	for i := 0; i < len(pat); i++ {
		switch pat[i] {
		case '%':
			i++
		case '[':
			body, end := setBody(pat, i)
			if misreadBody(body) {
				return true
			}
			i = end
		}
	}
	return false
}

// setBody returns the members of the set at pat[i] == '[' (after any
// '^') and the index of its ']'.
func setBody(pat string, i int) (string, int) {
	i++
	if i < len(pat) && pat[i] == '^' {
		i++
	}
	j := i
	for {
		if j >= len(pat) {
			return pat[i:], len(pat)
		}
		c := pat[j]
		j++
		if c == '%' && j < len(pat) {
			j++
		}
		if j >= len(pat) || pat[j] == ']' {
			return pat[i:min(j, len(pat))], j
		}
	}
}

func misreadBody(b string) bool {
	for j := 0; j < len(b); j++ {
		switch {
		case b[j] == '%':
			if j+2 < len(b) && b[j+2] == '-' && j+3 < len(b) {
				return true // "%a-z": gopher-lua makes a range of the class
			}
			j++
		case j+2 < len(b) && b[j+1] == '-':
			if end := b[j+2]; end == '-' || end == '%' {
				return true // "0--", "a-%d"
			}
			if j+4 < len(b) && b[j+3] == '-' {
				return true // "a-b-c": gopher-lua ranges the range
			}
			j += 2
		}
	}
	return false
}

// gopher runs calls in a plain gopher-lua state.
type gopher struct{ L *lua.LState }

func newGopher(t testing.TB) *gopher {
	L := lua.NewState()
	t.Cleanup(L.Close)
	return &gopher{L}
}

// call runs string[fn](args...) and formats its results; ok is false
// when it raised an error.
func (g *gopher) call(fn string, args ...lua.LValue) (string, bool) {
	L := g.L
	top := L.GetTop()
	defer L.SetTop(top)
	f := L.GetField(L.GetGlobal("string"), fn)
	if err := L.CallByParam(lua.P{Fn: f, NRet: lua.MultRet, Protect: true}, args...); err != nil {
		return err.Error(), false
	}
	var out []string
	for i := top + 1; i <= L.GetTop(); i++ {
		out = append(out, formatValue(L.Get(i)))
	}
	if len(out) == 0 {
		return "nil", true // gopher-lua's match returns nothing, not nil
	}
	return strings.Join(out, " "), true
}

// gmatch collects what string.gmatch(s, pat) yields, one line each.
func (g *gopher) gmatch(s, pat string) (string, bool) {
	L := g.L
	top := L.GetTop()
	defer L.SetTop(top)
	fn := L.NewFunction(func(L *lua.LState) int {
		var lines []string
		iter := L.GetField(L.GetGlobal("string"), "gmatch")
		L.Push(iter)
		L.Push(lua.LString(s))
		L.Push(lua.LString(pat))
		L.Call(2, 2)
		next, state := L.Get(-2), L.Get(-1)
		for len(lines) <= len(s)+1 {
			base := L.GetTop()
			L.Push(next)
			L.Push(state)
			L.Call(1, lua.MultRet)
			if L.GetTop() == base || L.Get(base+1) == lua.LNil {
				break
			}
			var vals []string
			for i := base + 1; i <= L.GetTop(); i++ {
				vals = append(vals, formatValue(L.Get(i)))
			}
			lines = append(lines, strings.Join(vals, " "))
			L.SetTop(base)
		}
		L.Push(lua.LString(strings.Join(lines, "\n")))
		return 1
	})
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err != nil {
		return err.Error(), false
	}
	return L.Get(-1).String(), true
}

func formatValue(v lua.LValue) string {
	switch v := v.(type) {
	case lua.LString:
		return fmt.Sprintf("%q", string(v))
	case lua.LNumber:
		return fmt.Sprintf("%d", int(v))
	}
	return v.String()
}

// ours are the same calls made of the package; each returns an error for
// a failure, as Lua would raise.
func ourFind(p *pattern.Pattern, s string, check func() error) (string, error) {
	m, ok, err := p.Find(s, 0, nil, check)
	if err != nil || !ok {
		return "nil", err
	}
	return fmt.Sprintf("%d %d", m.Start+1, m.End) + formatCaptures(s, m.Captures), nil
}

func ourMatch(p *pattern.Pattern, s string, check func() error) (string, error) {
	m, ok, err := p.Find(s, 0, nil, check)
	if err != nil || !ok {
		return "nil", err
	}
	return formatMatch(s, m), nil
}

// formatMatch formats what match and gmatch return: the captures, or the
// whole match when there are none.
func formatMatch(s string, m pattern.Match) string {
	if len(m.Captures) == 0 {
		return fmt.Sprintf("%q", s[m.Start:m.End])
	}
	return strings.TrimPrefix(formatCaptures(s, m.Captures), " ")
}

// ourGsub is string.gsub(s, pat, repl) as Lua 5.1's str_gsub loops.
func ourGsub(p *pattern.Pattern, s, repl string, check func() error) (string, error) {
	var out []byte
	n := 0
	for src := 0; ; {
		m, ok, err := p.MatchAt(s, src, nil, check)
		if err != nil {
			return "", err
		}
		if ok {
			n++
			if out, err = pattern.Expand(out, repl, s, m); err != nil {
				return "", err
			}
		}
		switch {
		case ok && m.End > src:
			src = m.End
		case src < len(s):
			out = append(out, s[src])
			src++
		default:
			return fmt.Sprintf("%q %d", out, n), nil
		}
		if p.Anchored() {
			return fmt.Sprintf("%q %d", append(out, s[src:]...), n), nil
		}
	}
}

// ourGmatch is string.gmatch(s, pat) as Lua 5.1's gmatch_aux loops.
func ourGmatch(p *pattern.Pattern, s string, check func() error) (string, error) {
	var lines []string
	for src := 0; src <= len(s); {
		m, ok, err := p.Find(s, src, nil, check)
		if err != nil {
			return "", err
		}
		if !ok {
			break
		}
		lines = append(lines, formatMatch(s, m))
		src = m.End
		if m.End == m.Start {
			src++
		}
	}
	return strings.Join(lines, "\n"), nil
}

// compare runs the four functions both ways on pat and s.
func compare(t *testing.T, g *gopher, pat, s string) {
	t.Helper()
	if knownDifference(pat) != "" {
		return
	}
	p, err := pattern.Compile(pat)
	if err != nil {
		return
	}
	// gopher-lua cannot be stopped: run it only where this package needs
	// few steps (the two backtrack alike).
	checks := 0
	check := func() error {
		if checks++; checks > 200 {
			return errTooLong
		}
		return nil
	}
	ls, lp := lua.LString(s), lua.LString(pat)
	repl := "<%0>"
	if p.Captures() > 0 {
		repl = "<%1>"
	}
	for _, c := range []struct {
		name string
		ours func() (string, error)
		them func() (string, bool)
	}{
		{"find", func() (string, error) { return ourFind(p, s, check) }, func() (string, bool) { return g.call("find", ls, lp) }},
		{"match", func() (string, error) { return ourMatch(p, s, check) }, func() (string, bool) { return g.call("match", ls, lp) }},
		{"gsub", func() (string, error) { return ourGsub(p, s, repl, check) },
			func() (string, bool) { return g.call("gsub", ls, lp, lua.LString(repl)) }},
		{"gmatch", func() (string, error) { return ourGmatch(gmatchPattern(pat), s, check) }, func() (string, bool) { return g.gmatch(s, pat) }},
	} {
		if c.name == "gmatch" && strings.HasPrefix(pat, "^") {
			continue // gopher-lua anchors gmatch at '^'; Lua 5.1 reads a literal '^'
		}
		ours, err := c.ours()
		if err != nil {
			return // too long, or too complex: gopher-lua would hang or overflow
		}
		them, ok := c.them()
		if !ok {
			continue
		}
		if ours != them {
			t.Errorf("string.%s(%q, %q):\nours:       %s\ngopher-lua: %s", c.name, s, pat, ours, them)
		}
	}
}

var errTooLong = fmt.Errorf("too many steps for gopher-lua")

// gmatchPattern compiles pat as gmatch reads it: a leading '^' is a
// literal character.
func gmatchPattern(pat string) *pattern.Pattern {
	if strings.HasPrefix(pat, "^") {
		pat = "%" + pat
	}
	p, _ := pattern.Compile(pat)
	return p
}

// atoms are what random patterns are made of.
var atoms = []string{
	"a", "b", "c", ".", "%a", "%d", "%w", "%s", "%A", "%W", "%p", "%x", "%u", "%l",
	"[ab]", "[^a]", "[a-c]", "[%d_]", "[]]", "[^]a]", "[a-]", "[%a-z]", "[a-%d]", "[]-a]", "%f[%w]", "%%", "%.", "%(", "%]",
	"(", ")", "()", "%1", "%2", "%bab", "%b()", "^", "$", "*", "+", "-", "?", "x", "1", " ",
}

func randomPattern(r *rand.Rand) string {
	var b strings.Builder
	for n := r.IntN(7); n >= 0; n-- {
		b.WriteString(atoms[r.IntN(len(atoms))])
	}
	return b.String()
}

func randomSubject(r *rand.Rand) string {
	const alphabet = "aabbc1_ ()x.%]-A"
	b := make([]byte, r.IntN(20))
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

// TestDifferential compares the package with gopher-lua on random
// patterns and subjects.
func TestDifferential(t *testing.T) {
	t.Parallel()
	g := newGopher(t)
	r := rand.New(rand.NewPCG(1, 2))
	n := 30000
	if testing.Short() {
		n = 3000
	}
	for range n {
		compare(t, g, randomPattern(r), randomSubject(r))
	}
}

// FuzzPattern compares the package with gopher-lua on any pattern and
// subject, and checks that nothing panics.
func FuzzPattern(f *testing.F) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 50 {
		f.Add(randomPattern(r), randomSubject(r))
	}
	f.Add("(%w+)%s*=%s*(%w+)", "key = value")
	f.Add("%b()", "f(a(b)c)d")
	f.Add("[%a-z]", "-z")
	f.Fuzz(func(t *testing.T, pat, s string) {
		if len(pat) > 40 || len(s) > 100 {
			return
		}
		compare(t, newGopher(t), pat, s)
	})
}
