package jwt

import (
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/internal/jwt"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// verifyOpts are jwt.verify's options.
type verifyOpts struct {
	leeway, now      float64
	requireExp       bool
	issuer, audience string
	hasIss, hasAud   bool
}

// verify implements jwt.verify(token, key [, opts]) -> claims | nil, err.
func (b *binding) verify(L *lua.LState) int {
	tok := L.CheckString(1)
	key := L.Get(2)
	if key.Type() != lua.LTString && key.Type() != lua.LTTable {
		L.TypeError(2, lua.LTString)
	}
	o := b.checkVerifyOpts(L, 3)
	if err := b.v.Check(); err != nil {
		L.ArgError(3, err.Error())
	}
	switch jwt.KindOf(b.v.Algs[0]) {
	case jwt.EdDSA:
		key = edPublic(L, key)
	case jwt.ECDSA:
		b.checkECKeys(L, key)
	case jwt.HMAC:
		if s, ok := key.(lua.LString); ok {
			if err := jwt.CheckHMACKey(b.v.Algs[0], string(s)); err != nil {
				L.ArgError(2, err.Error())
			}
		}
	}
	b.key = key
	_, payload, err := b.v.Verify(stripBearer(tok))
	b.key = lua.LNil
	if err != nil {
		return fail(L, err.Error())
	}
	v, err := json.Decode(b.h.Context(), L, payload)
	claims, ok := v.(*lua.LTable)
	if err != nil || !ok {
		return fail(L, "jwt: claims are not a JSON object")
	}
	if msg := checkClaims(claims, &o); msg != "" {
		return fail(L, msg)
	}
	L.Push(claims)
	return 1
}

// stripBearer returns an Authorization header's token: "Bearer " (any
// case, RFC 6750 section 2.1) is skipped, so the header can be passed as
// it is. A token has no space, so nothing else is changed.
func stripBearer(s string) string {
	if len(s) > 7 && s[6] == ' ' && strings.EqualFold(s[:6], "bearer") {
		return strings.TrimLeft(s[7:], " ")
	}
	return s
}

// checkECKeys raises an error unless key (or each key of a table) is a
// P-256 public key; the verifier keeps what it parsed.
func (b *binding) checkECKeys(L *lua.LState, key lua.LValue) {
	check := func(v lua.LValue) {
		if _, err := b.v.ECPublic(lua.LVAsString(v)); err != nil {
			L.ArgError(2, err.Error())
		}
	}
	if t, ok := key.(*lua.LTable); ok {
		t.ForEach(func(_, v lua.LValue) { check(v) })
		return
	}
	check(key)
}

// edPublic parses an EdDSA verifier's key (or each key of a table).
func edPublic(L *lua.LState, key lua.LValue) lua.LValue {
	parse := func(v lua.LValue) lua.LValue {
		k, err := jwt.ParseEd25519Public(lua.LVAsString(v))
		if err != nil {
			L.ArgError(2, err.Error())
		}
		return lua.LString(k)
	}
	t, ok := key.(*lua.LTable)
	if !ok {
		return parse(key)
	}
	out := L.CreateTable(0, 4)
	t.ForEach(func(k, v lua.LValue) { out.RawSet(k, parse(v)) })
	return out
}

// checkClaims checks the time claims, iss and aud; it returns why the
// token is refused, or "".
func checkClaims(c *lua.LTable, o *verifyOpts) string {
	var t jwt.Times
	vals := [...]*float64{&t.Exp, &t.Nbf, &t.Iat}
	has := [...]*bool{&t.HasExp, &t.HasNbf, &t.HasIat}
	for i, name := range [...]string{"exp", "nbf", "iat"} {
		switch v := c.RawGetString(name).(type) {
		case *lua.LNilType:
		case lua.LNumber:
			*vals[i], *has[i] = float64(v), true
		default:
			return "jwt: bad claims: " + name + " is not a number"
		}
	}
	if err := jwt.CheckTimes(t, o.now, o.leeway, o.requireExp); err != nil {
		return err.Error()
	}
	if o.hasIss && c.RawGetString("iss") != lua.LString(o.issuer) {
		return "jwt: iss is not " + o.issuer
	}
	if o.hasAud && !hasAudience(c.RawGetString("aud"), o.audience) {
		return "jwt: aud does not include " + o.audience
	}
	return ""
}

// hasAudience reports whether aud (a string or a list of them, RFC 7519
// section 4.1.3) names want.
func hasAudience(aud lua.LValue, want string) bool {
	if s, ok := aud.(lua.LString); ok {
		return string(s) == want
	}
	t, ok := aud.(*lua.LTable)
	if !ok {
		return false
	}
	for i := 1; i <= t.Len(); i++ {
		if t.RawGetInt(i) == lua.LString(want) {
			return true
		}
	}
	return false
}

// checkVerifyOpts reads jwt.verify's options at argument i, setting the
// verifier's algorithms and size.
func (b *binding) checkVerifyOpts(L *lua.LState, i int) verifyOpts {
	o := verifyOpts{leeway: defaultLeeway, requireExp: true, now: float64(time.Now().UnixNano()) / 1e9}
	b.v.Algs, b.v.MaxSize = defaultAlgs, 0
	opts := L.OptTable(i, nil)
	if opts == nil {
		return o
	}
	opts.ForEach(func(k, v lua.LValue) {
		switch k.String() {
		case "algs":
			b.v.Algs = b.checkAlgs(L, i, v)
		case "leeway":
			o.leeway = optNumber(L, i, "leeway", v)
		case "now":
			o.now = optNumber(L, i, "now", v)
		case "max_size":
			b.v.MaxSize = max(int(optNumber(L, i, "max_size", v)), 1)
		case "require_exp":
			bv, ok := v.(lua.LBool)
			if !ok {
				L.ArgError(i, "opts.require_exp must be a boolean")
			}
			o.requireExp = bool(bv)
		case "issuer":
			o.issuer, o.hasIss = optString(L, i, "issuer", v), true
		case "audience":
			o.audience, o.hasAud = optString(L, i, "audience", v), true
		default:
			L.ArgError(i, "unknown option "+k.String()+" (want algs, leeway, require_exp, issuer, audience, max_size, now)")
		}
	})
	return o
}

// checkAlgs reads opts.algs: one name or a list of them.
func (b *binding) checkAlgs(L *lua.LState, i int, v lua.LValue) []string {
	b.algs = b.algs[:0]
	switch v := v.(type) {
	case lua.LString:
		b.algs = append(b.algs, string(v))
	case *lua.LTable:
		for j := 1; j <= v.Len(); j++ {
			b.algs = append(b.algs, optString(L, i, "algs", v.RawGetInt(j)))
		}
	default:
		L.ArgError(i, "opts.algs must be a name or a list of names")
	}
	return b.algs
}

func optNumber(L *lua.LState, i int, name string, v lua.LValue) float64 {
	n, ok := v.(lua.LNumber)
	if !ok || n < 0 {
		L.ArgError(i, "opts."+name+" must be a number >= 0")
	}
	return float64(n)
}
