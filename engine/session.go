package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	"github.com/luaserve/luaserve/session"
)

// Cookie sessions:
//
//	app.sessions{ cookie=, max_age=, secure=, same_site=, path=, domain= }
//	req.session            a table, read and changed by middleware and routes
//	req:csrf_token()       the session's CSRF token, made on first use
//	req:verify_csrf()      true, or a 403 for a missing or wrong token
//
// The session travels in one cookie, encrypted and authenticated (package
// session: AES-256-GCM under a key from Config.SessionSecrets). It is
// decoded the first time a request reads req.session, and written back
// (Set-Cookie) only when its JSON encoding changed. A cookie that does not
// open (tampered, another secret, expired) is an empty session.

// sessionOptions is app.sessions's options, checked while the script
// loads; the engine's codec comes with them once built.
type sessionOptions struct {
	cookie   string
	maxAge   int // seconds
	secure   bool
	sameSite string
	path     string
	domain   string
	codec    *session.Codec // set by the engine (build)
}

const (
	csrfField  = "_csrf"        // the session field holding the token
	csrfForm   = "csrf_token"   // the form field verify_csrf reads
	csrfHeader = "X-CSRF-Token" // or this header
	// maxCookie is the size browsers keep of one cookie (RFC 6265,
	// section 6.1, asks for at least 4096 bytes with its name).
	maxCookie = 4000
)

// sessionsOption implements app.sessions([options]).
func (reg *registry) sessionsOption(L *lua.LState) int {
	reg.mustBeLoading(L, "sessions")
	if reg.sessions != nil {
		L.RaiseError("app.sessions: the script has sessions already; call it once")
	}
	o := &sessionOptions{cookie: "luaserve_session", maxAge: 14 * 24 * 3600, sameSite: "Lax", path: "/"}
	if t := L.OptTable(1, nil); t != nil {
		if err := o.read(t); err != nil {
			L.RaiseError("app.sessions: %s", err)
		}
	}
	reg.sessions = o
	return 0
}

func (o *sessionOptions) read(t *lua.LTable) error {
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		switch key, _ := k.(lua.LString); key {
		case "cookie":
			if err = stringOption(&o.cookie, "cookie", v); err == nil && !httpcore.ValidFieldName(o.cookie) {
				err = fmt.Errorf("option cookie must be a token, like \"session\"")
			}
		case "max_age":
			n, ok := v.(lua.LNumber)
			if !ok || n <= 0 || float64(int(n)) != float64(n) {
				err = fmt.Errorf("option max_age must be a positive whole number of seconds")
			}
			o.maxAge = int(n)
		case "secure":
			err = boolOption(&o.secure, "secure", v)
		case "same_site":
			err = o.readSameSite(v)
		case "path":
			err = cookieAttrOption(&o.path, "path", v)
		case "domain":
			err = cookieAttrOption(&o.domain, "domain", v)
		default:
			err = fmt.Errorf("unknown option %s (want cookie, max_age, secure, same_site, path or domain)", k)
		}
	})
	if err == nil && o.sameSite == "None" && !o.secure {
		err = fmt.Errorf("same_site = \"None\" needs secure = true (browsers refuse it otherwise)")
	}
	return err
}

func (o *sessionOptions) readSameSite(v lua.LValue) error {
	s, _ := v.(lua.LString)
	for _, a := range []string{"Lax", "Strict", "None"} {
		if strings.EqualFold(string(s), a) {
			o.sameSite = a
			return nil
		}
	}
	return fmt.Errorf("option same_site must be \"Lax\", \"Strict\" or \"None\"")
}

func cookieAttrOption(dst *string, name string, v lua.LValue) error {
	if err := stringOption(dst, name, v); err != nil {
		return err
	}
	if strings.ContainsAny(*dst, ";, ") {
		return fmt.Errorf("option %s has a character a cookie attribute cannot hold", name)
	}
	return nil
}

// initSessions makes the engine's codec for the script's sessions: a
// script that uses them cannot start without a secret.
func (e *Engine) initSessions(o *sessionOptions) error {
	c, err := session.NewCodec(e.cfg.SessionSecrets)
	if err == session.ErrNoSecret {
		return fmt.Errorf("app.sessions needs a secret: give -session-secret (or LUASERVE_SESSION_SECRET), at least %d random bytes", session.MinSecret)
	}
	if err != nil {
		return err
	}
	o.codec = c
	return nil
}

// sessionField builds req.session: the cookie's session, or an empty one.
func (rt *requestTables) sessionField(L *lua.LState, x *exchange) lua.LValue {
	o := rt.sessions
	if o == nil {
		return lua.LNil
	}
	if x.lvSession != nil {
		return x.lvSession
	}
	t := L.CreateTable(0, 4)
	if c, ok := lazyGet(x, lazyCookies, o.cookie).(lua.LString); ok {
		x.sessCookie = true
		if payload, ok := o.codec.Open(o.cookie, string(c), time.Now()); ok {
			if v, err := json.Decode(rt.ctx, L, string(payload)); err == nil {
				if vt, ok := v.(*lua.LTable); ok {
					t, x.sessOrig = vt, string(payload)
				}
			}
		}
	}
	x.lvSession = t
	return t
}

// saveSession writes the session back when the route changed it: a new
// cookie, or an expired one when it was emptied. A session that cannot be
// encoded or is too large for a cookie is a route error.
func (e *Engine) saveSession(st *state, x *exchange) error {
	o := st.req.sessions
	v := x.tbl.RawGetString("session") // req.session = {...} replaced it
	switch {
	case v == lua.LNil && x.lvSession == nil:
		return nil // never touched
	case x.lvSession == nil:
		st.req.sessionField(st.L, x) // what the cookie held, to compare
	case v == lua.LNil:
		v = x.lvSession
	}
	t, ok := v.(*lua.LTable)
	if !ok {
		return fmt.Errorf("req.session must be a table, not a %s", v.Type())
	}
	enc, err := json.EncodeSorted(&st.host.ctx, nil, t)
	if err != nil {
		return fmt.Errorf("req.session: %w", err)
	}
	if string(enc) == x.sessOrig {
		return nil
	}
	attrs := "; Path=" + o.path
	if o.domain != "" {
		attrs += "; Domain=" + o.domain
	}
	attrs += "; HttpOnly; SameSite=" + o.sameSite
	if o.secure {
		attrs += "; Secure"
	}
	h := x.w.Header()
	if s := string(enc); s == "{}" || s == "[]" {
		if x.sessCookie {
			h.Add("Set-Cookie", o.cookie+"=; Max-Age=0"+attrs)
		}
		return nil
	}
	sealed := o.codec.Seal(o.cookie, enc, time.Now().Add(time.Duration(o.maxAge)*time.Second))
	if len(sealed)+len(o.cookie) > maxCookie {
		return fmt.Errorf("req.session is %d bytes sealed, over the %d a cookie holds: keep large data in luaserve.store and its key in the session",
			len(sealed), maxCookie)
	}
	h.Add("Set-Cookie", o.cookie+"="+sealed+"; Max-Age="+strconv.Itoa(o.maxAge)+attrs)
	return nil
}

// sessionTable returns req.session for the CSRF helpers.
func (rt *requestTables) sessionTable(L *lua.LState, x *exchange, what string) *lua.LTable {
	if rt.sessions == nil {
		L.RaiseError("req:%s needs app.sessions", what)
	}
	if t, ok := x.tbl.RawGetString("session").(*lua.LTable); ok {
		return t
	}
	return rt.sessionField(L, x).(*lua.LTable)
}

// req:csrf_token() -> string
func (rt *requestTables) reqCSRFToken(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	t := rt.sessionTable(L, x, "csrf_token")
	tok, ok := t.RawGetString(csrfField).(lua.LString)
	if !ok || tok == "" {
		tok = lua.LString(session.Token())
		t.RawSetString(csrfField, tok)
	}
	L.Push(tok)
	return 1
}

// req:verify_csrf() -> true, or a 403 request error: the token from the
// X-CSRF-Token header or the csrf_token form field must be the session's.
func (rt *requestTables) reqVerifyCSRF(L *lua.LState) int {
	x := rt.current(L, L.Get(1))
	t := rt.sessionTable(L, x, "verify_csrf")
	want, _ := t.RawGetString(csrfField).(lua.LString)
	got := string(x.r.Header.Get(csrfHeader))
	if got == "" {
		rt.parseForm(L, x)
		got = lua.LVAsString(x.lvForm.(*lua.LTable).RawGetString(csrfForm))
	}
	if want == "" || got == "" || !session.Equal(got, string(want)) {
		rt.raise(L, &requestError{403, "missing or wrong CSRF token"})
	}
	L.Push(lua.LTrue)
	return 1
}
