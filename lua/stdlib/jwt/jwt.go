// Package jwt is luaserve.jwt: JSON Web Tokens signed with HMAC (HS256,
// HS384, HS512), Ed25519 (EdDSA) or ECDSA P-256 (ES256), thin over
// internal/jwt. Claims go
// through luaserve.json's encoder and decoder.
//
//	jwt.sign(claims:table, key:string [, opts]) -> token | nil, err
//	    opts.alg         "HS256" (default), "HS384", "HS512", "EdDSA" or "ES256"
//	    opts.kid         key id written in the header
//	    opts.expires_in  seconds until exp (default 3600; false: no exp);
//	                     a claims.exp of the caller's wins. iat is added
//	                     when claims has none.
//	jwt.verify(token:string, key:string|table [, opts]) -> claims | nil, err
//	    token            the token, or an Authorization header's value
//	                     ("Bearer <token>")
//	    key              the secret or Ed25519 public key, or a table of
//	                     them by "kid"
//	    opts.algs        accepted algorithms, one kind (default {"HS256"})
//	    opts.leeway      seconds of clock skew allowed (default 30)
//	    opts.require_exp refuse tokens without exp (default true)
//	    opts.issuer, opts.audience  required iss, and a required aud entry
//	    opts.max_size    bytes (default 8192)
//	    opts.now         the time to check against (default: now)
//	jwt.decode_header(token) -> table | nil, err   (NOT verified)
//
// Misuse (a non-table claims, a short or PEM HMAC key, an unknown option
// or algorithm, "none") raises an error; a token that is refused returns
// nil and a message saying why, starting "jwt: ".
package jwt

import (
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/internal/jwt"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// Module is require("luaserve.jwt").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.jwt", Open: open} }

// binding is one state's: its verifier's scratch is reused per call.
type binding struct {
	h    stdlib.Host
	v    jwt.Verifier
	key  lua.LValue // the key argument of the verify running
	algs []string   // reused for opts.algs
	buf  []byte     // reused for sign's payload
}

// Defaults of jwt.sign and jwt.verify.
const (
	defaultExpiresIn = 3600
	defaultLeeway    = 30
)

var defaultAlgs = []string{"HS256"}

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	b := &binding{h: h}
	b.v.Key = b.lookup
	return L.SetFuncs(L.CreateTable(0, 3), map[string]lua.LGFunction{
		"sign":          b.sign,
		"verify":        b.verify,
		"decode_header": b.decodeHeader,
	})
}

// lookup is the verifier's Key: the key argument, or its entry for kid.
func (b *binding) lookup(kid string) (string, bool) {
	switch k := b.key.(type) {
	case lua.LString:
		return string(k), true
	case *lua.LTable:
		s, ok := k.RawGetString(kid).(lua.LString)
		return string(s), ok && kid != ""
	}
	return "", false
}

// decodeHeader implements jwt.decode_header(token): the header's JSON,
// for picking a key, before and without any verification.
func (b *binding) decodeHeader(L *lua.LState) int {
	tok := L.CheckString(1)
	seg, _, _ := strings.Cut(tok, ".")
	if len(seg) > 1024 {
		return fail(L, "jwt: header over 1024 bytes")
	}
	head, err := b64.DecodeString(seg)
	if err != nil {
		return fail(L, "jwt: header is not base64url")
	}
	v, err := json.Decode(b.h.Context(), L, string(head))
	if _, ok := v.(*lua.LTable); err != nil || !ok {
		return fail(L, "jwt: header is not a JSON object")
	}
	L.Push(v)
	return 1
}

func fail(L *lua.LState, msg string) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	return 2
}
