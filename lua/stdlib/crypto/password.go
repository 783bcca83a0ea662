package crypto

import (
	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/internal/password"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// hashPassword implements crypto.hash_password(password [, opts]) ->
// string: argon2id with password.Default, or opts' memory (KiB), time and
// threads. It charges the memory argon2 fills to the request, waits for a
// free hashing slot, and raises when the request ends meanwhile.
func hashPassword(L *lua.LState, h stdlib.Host) int {
	pw := L.CheckString(1)
	p := checkParams(L, 2)
	charge(L, h, int(p.Memory)<<10)
	s, err := password.Hash(h.Context(), []byte(pw), p)
	if err != nil {
		L.RaiseError("crypto.hash_password: %v", err)
	}
	L.Push(lua.LString(s))
	return 1
}

// verifyPassword implements crypto.verify_password(password, hash) ->
// boolean | nil, err (err for a hash that cannot be read).
func verifyPassword(L *lua.LState, h stdlib.Host) int {
	pw, enc := L.CheckString(1), L.CheckString(2)
	hashed, err := password.Parse(enc)
	if err != nil {
		return fail(L, "crypto: "+err.Error())
	}
	charge(L, h, hashed.MemoryBytes())
	ok, err := password.Verify(h.Context(), []byte(pw), hashed)
	if err != nil {
		L.RaiseError("crypto.verify_password: %v", err)
	}
	L.Push(lua.LBool(ok))
	return 1
}

// passwordNeedsRehash implements crypto.password_needs_rehash(hash [, opts]):
// true when hash_password(opts) would make it otherwise, or it is not a
// hash luaserve can read.
func passwordNeedsRehash(L *lua.LState) int {
	enc := L.CheckString(1)
	p := checkParams(L, 2)
	hashed, err := password.Parse(enc)
	L.Push(lua.LBool(err != nil || password.NeedsRehash(hashed, p)))
	return 1
}

// checkParams reads the optional argon2id options table at argument i.
func checkParams(L *lua.LState, i int) password.Params {
	p := password.Default
	opts := L.OptTable(i, nil)
	if opts == nil {
		return p
	}
	opts.ForEach(func(k, v lua.LValue) {
		n, ok := v.(lua.LNumber)
		if !ok || n != lua.LNumber(uint32(n)) {
			L.ArgError(i, "opts."+k.String()+" must be a whole number")
		}
		switch k.String() {
		case "memory":
			p.Memory = uint32(n)
		case "time":
			p.Time = uint32(n)
		case "threads":
			p.Threads = uint8(min(n, 255))
		default:
			L.ArgError(i, "unknown option "+k.String()+" (want memory, time, threads)")
		}
	})
	if err := p.Check(); err != nil {
		L.ArgError(i, err.Error())
	}
	return p
}
