package pattern_test

import (
	"context"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/pattern"
)

var benchCases = []struct{ name, s, pat string }{
	{"key_value", "  key = value  ", "(%w+)%s*=%s*(%w+)"},
	{"scan_digits", strings.Repeat("abcdefghij", 100) + "12345", "%d+"},
	{"lazy_tag", `<a href="/x">link</a>`, "<(.-)>"},
	{"anchored_trim", "   padded text   ", "^%s*(.-)%s*$"},
}

// BenchmarkFind compiles and finds, as string.find does on each call,
// against gopher-lua's string.find called from Go through a Lua state.
func BenchmarkFind(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name+"/pattern", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.s)))
			var caps [pattern.MaxCaptures]pattern.Capture
			check := func() error { return nil }
			for b.Loop() {
				p, err := pattern.Compile(bc.pat)
				if err != nil {
					b.Fatal(err)
				}
				if _, ok, _ := p.Find(bc.s, 0, caps[:0], check); !ok {
					b.Fatal("no match")
				}
			}
		})
		b.Run(bc.name+"/gopher-lua", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.s)))
			L := lua.NewState()
			defer L.Close()
			find := L.GetField(L.GetGlobal("string"), "find")
			s, pat := lua.LString(bc.s), lua.LString(bc.pat)
			for b.Loop() {
				if err := L.CallByParam(lua.P{Fn: find, NRet: 1, Protect: true}, s, pat); err != nil {
					b.Fatal(err)
				}
				L.Pop(1)
			}
		})
	}
}

// BenchmarkCompiled is the match alone, the pattern compiled once.
func BenchmarkCompiled(b *testing.B) {
	for _, bc := range benchCases {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.s)))
			p, _ := pattern.Compile(bc.pat)
			var caps [pattern.MaxCaptures]pattern.Capture
			for b.Loop() {
				p.Find(bc.s, 0, caps[:0], nil)
			}
		})
	}
}

// BenchmarkCheck is a backtracking match of some million steps, with the
// check nil, a function returning nil, and a live context's Err: what
// counting the steps and checking every checkEvery of them cost.
func BenchmarkCheck(b *testing.B) {
	p, _ := pattern.Compile("(.-)%w*c")
	s := strings.Repeat("a", 200) + "b"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, bc := range []struct {
		name  string
		check func() error
	}{
		{"nil", nil},
		{"func", func() error { return nil }},
		{"context", ctx.Err},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			var caps [1]pattern.Capture
			for b.Loop() {
				p.Find(s, 0, caps[:0], bc.check)
			}
		})
	}
}
