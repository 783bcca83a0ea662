package jwt_test

import (
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	luajwt "github.com/luaserve/luaserve/lua/stdlib/jwt"
)

const secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func newState(t testing.TB) *lua.LState {
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{Modules: []stdlib.Module{json.Module(), luajwt.Module()}})
	t.Cleanup(L.Close)
	if err := L.DoString(`jwt = require("luaserve.jwt")`); err != nil {
		t.Fatal(err)
	}
	return L
}

// verify runs jwt.verify(tok, secret, {algs = {HS256, HS384, HS512}}) in L
// and returns the claim sub, or the error.
func verify(t *testing.T, L *lua.LState, tok string) (string, string) {
	t.Helper()
	L.SetGlobal("tok", lua.LString(tok))
	L.SetGlobal("key", lua.LString(secret))
	if err := L.DoString(`c, err = jwt.verify(tok, key, { algs = { "HS256", "HS384", "HS512" } })
sub = c and c.sub`); err != nil {
		t.Fatal(err)
	}
	return lua.LVAsString(L.GetGlobal("sub")), lua.LVAsString(L.GetGlobal("err"))
}

// TestGolangJWTTokens: tokens made by github.com/golang-jwt/jwt/v5 verify,
// and the bad ones are refused for the right reason.
func TestGolangJWTTokens(t *testing.T) {
	L := newState(t)
	now := time.Now()
	mk := func(m gojwt.SigningMethod, key any, c gojwt.MapClaims) string {
		s, err := gojwt.NewWithClaims(m, c).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	fresh := gojwt.MapClaims{"sub": "ann", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(), "nbf": now.Unix()}
	for _, tc := range []struct{ name, tok, sub, err string }{
		{"hs256", mk(gojwt.SigningMethodHS256, []byte(secret), fresh), "ann", ""},
		{"hs384", mk(gojwt.SigningMethodHS384, []byte(secret), fresh), "ann", ""},
		{"hs512", mk(gojwt.SigningMethodHS512, []byte(secret), fresh), "ann", ""},
		{"expired", mk(gojwt.SigningMethodHS256, []byte(secret), gojwt.MapClaims{"sub": "ann", "exp": now.Add(-time.Hour).Unix()}), "", "jwt: token expired"},
		{"not_yet", mk(gojwt.SigningMethodHS256, []byte(secret), gojwt.MapClaims{"exp": now.Add(time.Hour).Unix(), "nbf": now.Add(time.Minute).Unix()}), "", "jwt: token not valid yet"},
		{"wrong_key", mk(gojwt.SigningMethodHS256, []byte(strings.ToUpper(secret)), fresh), "", "jwt: signature does not match"},
		{"none", mk(gojwt.SigningMethodNone, gojwt.UnsafeAllowNoneSignatureType, fresh), "", "jwt: algorithm not accepted: alg \"none\""},
	} {
		sub, err := verify(t, L, tc.tok)
		if sub != tc.sub || !strings.HasPrefix(err, tc.err) || (tc.err == "") != (err == "") {
			t.Errorf("%s: got %q %q, want %q %q", tc.name, sub, err, tc.sub, tc.err)
		}
	}
}

// TestTokensForGolangJWT: tokens jwt.sign makes verify with golang-jwt,
// with the claims as Lua gave them.
func TestTokensForGolangJWT(t *testing.T) {
	L := newState(t)
	for _, alg := range []string{"HS256", "HS384", "HS512"} {
		L.SetGlobal("alg", lua.LString(alg))
		L.SetGlobal("key", lua.LString(secret))
		if err := L.DoString(`tok = assert(jwt.sign({ sub = "bob", n = 1.5, tags = { "a" } }, key, { alg = alg, kid = "k\"1" }))`); err != nil {
			t.Fatal(err)
		}
		tok := L.GetGlobal("tok").String()
		parsed, err := gojwt.Parse(tok, func(*gojwt.Token) (any, error) { return []byte(secret), nil },
			gojwt.WithValidMethods([]string{alg}), gojwt.WithExpirationRequired(), gojwt.WithIssuedAt())
		if err != nil {
			t.Fatalf("%s: %v", alg, err)
		}
		c := parsed.Claims.(gojwt.MapClaims)
		if c["sub"] != "bob" || c["n"] != 1.5 || c["tags"].([]any)[0] != "a" || parsed.Header["kid"] != `k"1` {
			t.Errorf("%s: claims %v header %v", alg, c, parsed.Header)
		}
	}
}

// BenchmarkVerify: jwt.verify of a small HS256 token from Lua, the claims
// decoded into a table.
func BenchmarkVerify(b *testing.B) {
	L := newState(b)
	L.SetGlobal("key", lua.LString(secret))
	if err := L.DoString(`tok = jwt.sign({ sub = "42", name = "user-42" }, key)
function run() return jwt.verify(tok, key) end`); err != nil {
		b.Fatal(err)
	}
	fn := L.GetGlobal("run")
	b.ReportAllocs()
	for b.Loop() {
		if err := L.CallByParam(lua.P{Fn: fn, NRet: 1, Protect: true}); err != nil {
			b.Fatal(err)
		}
		if _, ok := L.Get(-1).(*lua.LTable); !ok {
			b.Fatal("not verified")
		}
		L.Pop(1)
	}
}

// BenchmarkSign: jwt.sign of the same claims.
func BenchmarkSign(b *testing.B) {
	L := newState(b)
	L.SetGlobal("key", lua.LString(secret))
	if err := L.DoString(`function run() return jwt.sign({ sub = "42", name = "user-42" }, key) end`); err != nil {
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
