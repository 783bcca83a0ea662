package jwt

import (
	"encoding/base64"
	"strconv"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/internal/jwt"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

var b64 = base64.RawURLEncoding.Strict()

// signOpts are jwt.sign's options.
type signOpts struct {
	alg, kid  string
	expiresIn float64 // 0: no exp
}

// sign implements jwt.sign(claims, key [, opts]) -> token | nil, err.
func (b *binding) sign(L *lua.LState) int {
	claims := L.CheckTable(1)
	key := L.CheckString(2)
	o := checkSignOpts(L, 3)
	switch jwt.KindOf(o.alg) {
	case jwt.HMAC:
		if err := jwt.CheckHMACKey(o.alg, key); err != nil {
			L.ArgError(2, err.Error())
		}
	case jwt.EdDSA:
		k, err := jwt.ParseEd25519Private(key)
		if err != nil {
			L.ArgError(2, err.Error())
		}
		key = k
	case jwt.ECDSA:
		if _, err := jwt.ParseECPrivate(key); err != nil {
			L.ArgError(2, err.Error())
		}
	}
	buf, err := json.Encode(b.h.Context(), b.buf[:0], claims)
	if err != nil {
		return fail(L, "jwt: claims: "+err.Error())
	}
	buf, ok := addTimes(buf, claims, o.expiresIn, float64(time.Now().Unix()))
	if !ok {
		return fail(L, "jwt: claims must be a table with string keys (a JSON object)")
	}
	tok, err := jwt.Sign(o.alg, key, o.kid, buf)
	if cap(buf) <= 64<<10 {
		b.buf = buf
	}
	if err != nil {
		return fail(L, err.Error())
	}
	L.Push(lua.LString(tok))
	return 1
}

// addTimes adds "iat" (when claims has none) and "exp" (when expiresIn is
// set and claims has none) to the JSON object obj, leaving the caller's
// table as it was. An empty table encodes as [] and is taken as {}; any
// other array is refused (false).
func addTimes(obj []byte, claims *lua.LTable, expiresIn, now float64) ([]byte, bool) {
	if string(obj) == "[]" {
		obj = append(obj[:0], "{}"...)
	}
	if len(obj) < 2 || obj[0] != '{' {
		return obj, false
	}
	var add []byte
	if claims.RawGetString("iat") == lua.LNil {
		add = strconv.AppendFloat(append(add, `"iat":`...), now, 'f', -1, 64)
	}
	if expiresIn > 0 && claims.RawGetString("exp") == lua.LNil {
		if add != nil {
			add = append(add, ',')
		}
		add = strconv.AppendFloat(append(add, `"exp":`...), now+expiresIn, 'f', 0, 64)
	}
	if add == nil {
		return obj, true
	}
	if len(obj) > 2 {
		add = append(add, ',')
	}
	return append(obj[:1], append(add, obj[1:]...)...), true
}

// checkSignOpts reads jwt.sign's options at argument i.
func checkSignOpts(L *lua.LState, i int) signOpts {
	o := signOpts{alg: "HS256", expiresIn: defaultExpiresIn}
	opts := L.OptTable(i, nil)
	if opts == nil {
		return o
	}
	opts.ForEach(func(k, v lua.LValue) {
		switch k.String() {
		case "alg":
			o.alg = optString(L, i, "alg", v)
			if jwt.KindOf(o.alg) == jwt.Unknown {
				L.ArgError(i, "opts.alg must be HS256, HS384, HS512, EdDSA or ES256")
			}
		case "kid":
			o.kid = optString(L, i, "kid", v)
		case "expires_in":
			if v == lua.LFalse {
				o.expiresIn = 0
				return
			}
			n, ok := v.(lua.LNumber)
			if !ok || n <= 0 {
				L.ArgError(i, "opts.expires_in must be a positive number of seconds, or false")
			}
			o.expiresIn = float64(n)
		default:
			L.ArgError(i, "unknown option "+k.String()+" (want alg, kid, expires_in)")
		}
	})
	return o
}

func optString(L *lua.LState, i int, name string, v lua.LValue) string {
	s, ok := v.(lua.LString)
	if !ok {
		L.ArgError(i, "opts."+name+" must be a string")
	}
	return string(s)
}
