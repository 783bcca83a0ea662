// Package crypto is luaserve.crypto: digests, HMACs, secure random values,
// hex and base64, constant-time comparison and password hashing, thin over
// Go's standard library, golang.org/x/crypto and internal/password. Lua
// strings are bytes: every input is taken byte for byte and every output
// is bytes, raw or in the encoding the name says.
//
//	crypto.sha256(data) -> raw:string          also sha512, sha1, md5
//	crypto.sha256_hex(data) -> hex:string      also sha512_hex, sha1_hex, md5_hex
//	crypto.hmac(alg, key, data) -> raw:string  alg: "sha256" "sha512" "sha1" "md5"
//	crypto.hmac_hex(alg, key, data) -> hex:string
//	crypto.equal(a, b) -> boolean              constant time for equal lengths
//	crypto.random_bytes(n) -> string           n <= 65536
//	crypto.random_token([n=32]) -> string      n random bytes, base64url without padding
//	crypto.uuid_v4() -> string, crypto.uuid_v7() -> string
//	crypto.hex_encode(s), crypto.hex_decode(s) -> string | nil, err
//	crypto.base64_encode(s [, padding=true]), crypto.base64_decode(s) -> string | nil, err
//	crypto.base64url_encode(s [, padding=false]), crypto.base64url_decode(s) -> string | nil, err
//	crypto.hash_password(password [, opts]) -> string
//	crypto.verify_password(password, hash) -> boolean | nil, err
//	crypto.password_needs_rehash(hash [, opts]) -> boolean
//
// Misuse (a non-string, an unknown algorithm, a count out of range) raises
// an error; bad data (malformed hex, base64 or hash) returns nil and a
// message starting "crypto: ".
package crypto

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/hex"
	"hash"
	"io"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// Module is require("luaserve.crypto").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.crypto", Open: open} }

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	mod := L.SetFuncs(L.CreateTable(0, 32), funcs)
	for name, fn := range hostFuncs {
		mod.RawSetString(name, L.NewFunction(func(L *lua.LState) int { return fn(L, h) }))
	}
	return mod
}

// funcs need nothing of the host.
var funcs = map[string]lua.LGFunction{
	"sha256":       digest(sha256.New, false),
	"sha256_hex":   digest(sha256.New, true),
	"sha512":       digest(sha512.New, false),
	"sha512_hex":   digest(sha512.New, true),
	"sha1":         digest(sha1.New, false),
	"sha1_hex":     digest(sha1.New, true),
	"md5":          digest(md5.New, false),
	"md5_hex":      digest(md5.New, true),
	"hmac":         func(L *lua.LState) int { return mac(L, false) },
	"hmac_hex":     func(L *lua.LState) int { return mac(L, true) },
	"equal":        equal,
	"random_bytes": randomBytes,
	"random_token": randomToken,
	"uuid_v4":      uuidV4,
	"uuid_v7":      uuidV7,
	"hex_decode":   hexDecode,
	"base64_decode": func(L *lua.LState) int {
		return base64Decode(L, false)
	},
	"base64url_decode": func(L *lua.LState) int {
		return base64Decode(L, true)
	},
	"password_needs_rehash": passwordNeedsRehash,
}

// hostFuncs charge the request's memory budget or wait on its context.
var hostFuncs = map[string]func(*lua.LState, stdlib.Host) int{
	"hex_encode":       hexEncode,
	"base64_encode":    func(L *lua.LState, h stdlib.Host) int { return base64Encode(L, h, false) },
	"base64url_encode": func(L *lua.LState, h stdlib.Host) int { return base64Encode(L, h, true) },
	"hash_password":    hashPassword,
	"verify_password":  verifyPassword,
}

// hashes are the algorithms crypto.hmac takes, by name.
var hashes = map[string]func() hash.Hash{
	"sha256": sha256.New, "sha512": sha512.New, "sha1": sha1.New, "md5": md5.New,
}

// digest returns a function that hashes its argument with h, raw or hex.
func digest(h func() hash.Hash, asHex bool) lua.LGFunction {
	return func(L *lua.LState) int {
		d := h()
		io.WriteString(d, L.CheckString(1))
		pushSum(L, d.Sum(make([]byte, 0, 64)), asHex)
		return 1
	}
}

// mac implements crypto.hmac(alg, key, data) and crypto.hmac_hex.
func mac(L *lua.LState, asHex bool) int {
	h, ok := hashes[L.CheckString(1)]
	if !ok {
		L.ArgError(1, "unknown algorithm (want sha256, sha512, sha1 or md5)")
	}
	m := hmac.New(h, []byte(L.CheckString(2)))
	io.WriteString(m, L.CheckString(3))
	pushSum(L, m.Sum(make([]byte, 0, 64)), asHex)
	return 1
}

func pushSum(L *lua.LState, sum []byte, asHex bool) {
	if asHex {
		L.Push(lua.LString(hex.EncodeToString(sum)))
		return
	}
	L.Push(lua.LString(sum))
}

// equal implements crypto.equal(a, b): the time taken depends on the
// lengths, not on where the strings differ.
func equal(L *lua.LState) int {
	a, b := L.CheckString(1), L.CheckString(2)
	L.Push(lua.LBool(subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1))
	return 1
}
