package stdlib

import (
	"math"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/pattern"
)

// maxRep is the most bytes string.rep makes, whatever the request's
// budget: past it a script asked for something no route needs.
const maxRep = 1 << 30

// repChunk is how much string.rep copies between checks of the request's
// context, and chargeStep how much a growing string.gsub result may
// run ahead of what it charged to the budget.
const (
	repChunk   = 1 << 20
	chargeStep = 64 << 10
)

// specials are the characters that make string.find search for a pattern
// rather than plain text (Lua 5.1's SPECIALS).
const specials = "^$*+?.([%-"

// stringLib is the string functions of one state, bound to its host.
type stringLib struct {
	h     Host
	check func() error // h's request context's Err: cheap, and never links it (see Host)
}

// installStrings replaces string.find, match, gmatch (and gfind, its old
// name), gsub and rep with versions bounded by the request: the pattern
// functions run on package pattern, which stops when the request's
// context ends (the VM cannot interrupt gopher-lua's matcher, a Go
// function); rep charges its result to the request's memory budget
// before making it, and copies in chunks, checking the context between
// them. Methods (s:find(...)) go through the same table.
func installStrings(L *lua.LState, h Host) {
	sl := &stringLib{h: h, check: func() error { return h.Context().Err() }}
	mod := L.GetGlobal("string").(*lua.LTable)
	for name, fn := range map[string]lua.LGFunction{
		"find":   sl.find,
		"match":  sl.match,
		"gmatch": sl.gmatch,
		"gfind":  sl.gmatch,
		"gsub":   sl.gsub,
		"rep":    sl.rep,
	} {
		mod.RawSetString(name, L.NewFunction(fn))
	}
}

// find is string.find(s, pattern [, init [, plain]]) -> start, end,
// captures... | nil. A pattern without special characters, or plain, is
// a plain search, as in Lua 5.1.
func (sl *stringLib) find(L *lua.LState) int {
	s, pat := L.CheckString(1), L.CheckString(2)
	init := startIndex(optInt(L, 3, 1), len(s))
	if lua.LVAsBool(L.Get(4)) || !strings.ContainsAny(pat, specials) {
		i := strings.Index(s[init:], pat)
		if i < 0 {
			L.Push(lua.LNil)
			return 1
		}
		L.Push(lua.LNumber(init + i + 1))
		L.Push(lua.LNumber(init + i + len(pat)))
		return 2
	}
	var buf [8]pattern.Capture
	m, ok := sl.search(L, sl.compile(L, pat), s, init, buf[:0])
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	L.Push(lua.LNumber(m.Start + 1))
	L.Push(lua.LNumber(m.End))
	return 2 + pushCaptures(L, s, m, false)
}

// match is string.match(s, pattern [, init]) -> captures... | nil: the
// whole match when the pattern has no captures.
func (sl *stringLib) match(L *lua.LState) int {
	s, pat := L.CheckString(1), L.CheckString(2)
	init := startIndex(optInt(L, 3, 1), len(s))
	var buf [8]pattern.Capture
	m, ok := sl.search(L, sl.compile(L, pat), s, init, buf[:0])
	if !ok {
		L.Push(lua.LNil)
		return 1
	}
	return pushCaptures(L, s, m, true)
}

// gmatch is string.gmatch(s, pattern) -> iterator: each call returns the
// next match's captures (or the whole match), nothing at the end. After
// an empty match the next starts one character on. As in Lua 5.1, a
// leading '^' is a literal character: an anchor would stop the
// iteration (gopher-lua anchors, and yields at most one match).
func (sl *stringLib) gmatch(L *lua.LState) int {
	s, pat := L.CheckString(1), L.CheckString(2)
	if strings.HasPrefix(pat, "^") {
		pat = "%" + pat
	}
	p := sl.compile(L, pat)
	pos := 0
	L.Push(L.NewFunction(func(L *lua.LState) int {
		if pos > len(s) {
			return 0
		}
		var buf [8]pattern.Capture
		m, ok := sl.search(L, p, s, pos, buf[:0])
		if !ok {
			pos = len(s) + 1
			return 0
		}
		pos = m.End
		if m.End == m.Start {
			pos++
		}
		return pushCaptures(L, s, m, true)
	}))
	return 1
}

// compile compiles pat, raising its error as Lua's message.
func (sl *stringLib) compile(L *lua.LState, pat string) *pattern.Pattern {
	p, err := pattern.Compile(pat)
	if err != nil {
		L.RaiseError("%s", err.Error())
	}
	return p
}

// search finds p in s from init, raising the error that stopped it: the
// request's context's, or "pattern too complex". It checks the context
// first, so that a loop of short matches (gmatch, gsub) checks once per
// match at least.
func (sl *stringLib) search(L *lua.LState, p *pattern.Pattern, s string, init int, caps []pattern.Capture) (pattern.Match, bool) {
	err := sl.check()
	if err == nil {
		var m pattern.Match
		var ok bool
		if m, ok, err = p.Find(s, init, caps, sl.check); err == nil {
			return m, ok
		}
	}
	L.RaiseError("%s", err.Error())
	return pattern.Match{}, false
}

// pushCaptures pushes m's captures, a position capture as its position
// counted from 1; with none and whole, the matched text. It returns how
// many it pushed.
func pushCaptures(L *lua.LState, s string, m pattern.Match, whole bool) int {
	if len(m.Captures) == 0 && whole {
		L.Push(lua.LString(s[m.Start:m.End]))
		return 1
	}
	for _, c := range m.Captures {
		L.Push(captureValue(s, c))
	}
	return len(m.Captures)
}

func captureValue(s string, c pattern.Capture) lua.LValue {
	if c.Position {
		return lua.LNumber(c.Start + 1)
	}
	return lua.LString(s[c.Start:c.End])
}

// gsub is string.gsub(s, pattern, repl [, n]) -> string, count. repl is
// a string (%0-%9 and %%, see pattern.Expand), a table indexed by the
// first capture or the match, or a function called with the captures or
// the match; a false or nil value keeps the match. At most n matches are
// replaced. The result is charged to the request's memory budget as it
// grows.
func (sl *stringLib) gsub(L *lua.LState) int {
	s, pat := L.CheckString(1), L.CheckString(2)
	repl := L.Get(3)
	switch repl.Type() {
	case lua.LTNumber, lua.LTString, lua.LTTable, lua.LTFunction:
	default:
		L.ArgError(3, "string/function/table expected")
	}
	maxN := optInt(L, 4, len(s)+1)
	p := sl.compile(L, pat)
	g := gsubState{sl: sl, L: L, s: s, repl: repl}
	if r, ok := repl.(lua.LString); ok {
		g.refs = strings.Count(string(r), "%") // more than the captures: %% counts too
	}
	var buf [8]pattern.Capture
	src, n := 0, 0
	for n < maxN {
		m, ok := sl.search(L, p, s, src, buf[:0])
		if !ok {
			break
		}
		n++
		g.add(s[src:m.Start])
		g.replace(m)
		src = m.End
		if m.End == m.Start { // an empty match: keep one character and go on
			if m.Start < len(s) {
				g.add(s[m.Start : m.Start+1])
			}
			src++
		}
		if src > len(s) || p.Anchored() {
			break
		}
	}
	if src <= len(s) {
		g.add(s[src:])
	}
	g.charge(0)
	L.Push(lua.LString(g.out))
	L.Push(lua.LNumber(n))
	return 2
}

// gsubState is one string.gsub's result as it grows.
type gsubState struct {
	sl      *stringLib
	L       *lua.LState
	s       string
	repl    lua.LValue
	refs    int // a string repl's % escapes, for the bound of its expansion
	out     []byte
	charged int // bytes of out charged to the budget; may run ahead of it
}

func (g *gsubState) add(text string) {
	g.charge(len(text))
	g.out = append(g.out, text...)
}

// charge charges out's growth by n more bytes to the budget, once it
// runs chargeStep ahead of the last charge (and, with n == 0, all of
// it).
func (g *gsubState) charge(n int) {
	grown := len(g.out) + n - g.charged
	if grown <= 0 || n > 0 && grown < chargeStep {
		return
	}
	if err := Charge(g.sl.h.Context(), grown); err != nil {
		g.L.RaiseError("%s", err.Error())
	}
	g.charged += grown
}

// replace appends the replacement of m.
func (g *gsubState) replace(m pattern.Match) {
	L, s := g.L, g.s
	var v lua.LValue
	switch r := g.repl.(type) {
	case lua.LString, lua.LNumber:
		// Charge what the expansion may add before making it: each
		// escape adds at most the match, or a position's digits.
		repl := lua.LVAsString(r)
		g.charge(len(repl) + g.refs*max(m.End-m.Start, 20))
		out, err := pattern.Expand(g.out, repl, s, m)
		if err != nil {
			L.RaiseError("%s", err.Error())
		}
		g.out = out
		return
	case *lua.LTable:
		key := lua.LValue(lua.LString(s[m.Start:m.End]))
		if len(m.Captures) > 0 {
			key = captureValue(s, m.Captures[0])
		}
		v = L.GetTable(r, key)
	case *lua.LFunction:
		L.Push(r)
		L.Call(pushCaptures(L, s, m, true), 1)
		v = L.Get(-1)
		L.Pop(1)
	}
	switch v := v.(type) {
	case lua.LString, lua.LNumber:
		g.add(lua.LVAsString(v))
	default:
		if lua.LVAsBool(v) {
			L.RaiseError("invalid replacement value (a %s)", v.Type().String())
		}
		g.add(s[m.Start:m.End]) // false or nil: keep the match
	}
}

// rep is string.rep(s, n) -> s repeated n times; "" when n < 1. The
// result is charged to the request's memory budget before it is made
// (a refusal raises "request memory limit exceeded"), may not pass
// maxRep bytes, and is copied in chunks of repChunk bytes with a check
// of the request's context between them.
func (sl *stringLib) rep(L *lua.LState) int {
	s := L.CheckString(1)
	n := float64(L.CheckNumber(2))
	if !(n >= 1) || s == "" { // NaN too
		L.Push(lua.LString(""))
		return 1
	}
	if n > float64(maxRep/len(s)) {
		L.RaiseError("resulting string too large (string.rep makes %d bytes at most)", maxRep)
	}
	count := int(n)
	size := count * len(s)
	ctx := sl.h.Context()
	if err := Charge(ctx, size); err != nil {
		L.RaiseError("%s", err.Error())
	}
	if size <= repChunk {
		L.Push(lua.LString(strings.Repeat(s, count)))
		return 1
	}
	// Copy the first chunk over and over: each copy is whole
	// repetitions of s, since the chunk and the size are multiples of it.
	chunk := repChunk / len(s) * len(s)
	var b strings.Builder
	for b.Len() < size {
		if err := ctx.Err(); err != nil {
			L.RaiseError("%s", err.Error())
		}
		if b.Len() == 0 {
			b.Grow(size)
			b.WriteString(strings.Repeat(s, chunk/len(s)))
			continue
		}
		b.WriteString(b.String()[:min(chunk, size-b.Len())])
	}
	L.Push(lua.LString(b.String()))
	return 1
}

// optInt is argument i as an integer (a number, or a string that reads as
// one, truncated as Lua 5.1's luaL_optinteger does), d when it is nil or
// absent. Values past ±2^53 are clamped there, NaN is 0.
func optInt(L *lua.LState, i, d int) int {
	if L.Get(i) == lua.LNil {
		return d
	}
	f := float64(L.CheckNumber(i))
	if math.IsNaN(f) {
		return 0
	}
	const limit = 1 << 53
	return int(math.Max(-limit, math.Min(limit, f)))
}

// startIndex turns a Lua string position (from 1; negative from the end)
// into an index of s clamped to [0, n], as Lua 5.1's find and match do:
// an init past the end starts at the end.
func startIndex(init, n int) int {
	if init < 0 {
		init = max(n+init+1, 0)
	}
	if init > 0 {
		init--
	}
	return min(init, n)
}
