package crypto_test

import (
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/crypto"
)

// bench runs the Lua expression src (with crypto in scope) b.N times.
func bench(b *testing.B, src string) {
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{Modules: []stdlib.Module{crypto.Module()}})
	defer L.Close()
	if err := L.DoString(`local crypto = require("luaserve.crypto") function run() return ` + src + ` end`); err != nil {
		b.Fatal(err)
	}
	fn := L.GetGlobal("run")
	b.ReportAllocs()
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err != nil {
			b.Fatal(err)
		}
		L.Pop(1)
	}
}

func BenchmarkSHA256Hex(b *testing.B) {
	bench(b, `crypto.sha256_hex("The quick brown fox jumps over the lazy dog")`)
}
func BenchmarkHMACSHA256(b *testing.B) {
	bench(b, `crypto.hmac("sha256", "key", "The quick brown fox")`)
}
func BenchmarkRandomToken(b *testing.B) { bench(b, `crypto.random_token()`) }
func BenchmarkUUIDv7(b *testing.B)      { bench(b, `crypto.uuid_v7()`) }
func BenchmarkBase64URL(b *testing.B) {
	bench(b, `crypto.base64url_encode("The quick brown fox jumps over")`)
}
