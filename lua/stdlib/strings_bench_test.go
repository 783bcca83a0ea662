package stdlib_test

import (
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// BenchmarkStrings runs the same Lua calls in a luaserve state (the
// string functions of strings.go) and in a plain gopher-lua state.
func BenchmarkStrings(b *testing.B) {
	subject := strings.Repeat("abcdefghij", 100) + "12345"
	for _, bc := range []struct{ name, code string }{
		{"find_key_value", `return string.find("  key = value  ", "(%w+)%s*=%s*(%w+)")`},
		{"match_trim", `return string.match("   padded text   ", "^%s*(.-)%s*$")`},
		{"match_scan_digits", `return string.match(s, "%d+")`},
		{"gsub_words", `return string.gsub("the quick brown fox", "%w+", "<%0>")`},
		{"gmatch_words", `for w in string.gmatch("the quick brown fox", "%a+") do end`},
		{"find_plain", `return string.find(s, "12345", 1, true)`},
	} {
		for _, side := range []string{"luaserve", "gopher-lua"} {
			b.Run(bc.name+"/"+side, func(b *testing.B) {
				var L *lua.LState
				if side == "luaserve" {
					L = stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{})
				} else {
					L = lua.NewState()
				}
				defer L.Close()
				L.SetGlobal("s", lua.LString(subject))
				fn, err := L.LoadString(bc.code)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportAllocs()
				for b.Loop() {
					L.Push(fn)
					if err := L.PCall(0, 0, nil); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
