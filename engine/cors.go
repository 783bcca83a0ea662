package engine

import (
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// corsPolicy is app.cors's options, checked while the script loads. The
// first state's is shared, read-only; a function given as origins is each
// state's own (state.corsFn), called only while that state serves.
//
// The policy adds its headers to every response the engine sends (routes,
// hooks, the server's own 404/405/413/503/504, static files) and answers
// preflights itself, before middleware: a preflight carries no
// credentials, so an authentication middleware would refuse it.
type corsPolicy struct {
	anyOrigin   bool            // origins = "*"
	origins     map[string]bool // lower-case "scheme://host[:port]"
	byFunc      bool            // origins is a function
	methods     string          // Access-Control-Allow-Methods
	headers     string          // Access-Control-Allow-Headers; "" echoes the request's
	expose      string          // Access-Control-Expose-Headers
	credentials bool
	maxAge      string // Access-Control-Max-Age; "" for none
}

const defaultCORSMethods = "GET, HEAD, PUT, PATCH, POST, DELETE"

// corsOption implements app.cors(options).
func (reg *registry) corsOption(L *lua.LState) int {
	reg.mustBeLoading(L, "cors")
	if reg.cors != nil {
		L.RaiseError("app.cors: the script has a CORS policy already; give one app.cors")
	}
	p := &corsPolicy{methods: defaultCORSMethods}
	fn, err := p.read(L.CheckTable(1))
	if err != nil {
		L.RaiseError("app.cors: %s", err)
	}
	reg.cors, reg.corsFn = p, fn
	return 0
}

// read fills p from app.cors's options table.
func (p *corsPolicy) read(t *lua.LTable) (fn *lua.LFunction, err error) {
	seenOrigins := false
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		switch key, _ := k.(lua.LString); key {
		case "origins":
			seenOrigins = true
			fn, err = p.readOrigins(v)
		case "methods":
			p.methods, err = tokenList("methods", v, true)
		case "headers":
			p.headers, err = tokenList("headers", v, false)
		case "expose":
			p.expose, err = tokenList("expose", v, false)
		case "credentials":
			err = boolOption(&p.credentials, "credentials", v)
		case "max_age":
			n, ok := v.(lua.LNumber)
			if !ok || n < 0 || float64(int(n)) != float64(n) {
				err = fmt.Errorf("option max_age must be a whole number of seconds")
				return
			}
			p.maxAge = strconv.Itoa(int(n))
		default:
			err = fmt.Errorf("unknown option %s (want origins, methods, headers, expose, credentials or max_age)", k)
		}
	})
	if err == nil && !seenOrigins {
		err = fmt.Errorf("option origins is required: \"*\", a list of origins, or a function")
	}
	return fn, err
}

// readOrigins reads origins: "*", one origin, a list of them, or a
// function(origin) -> boolean.
func (p *corsPolicy) readOrigins(v lua.LValue) (*lua.LFunction, error) {
	switch v := v.(type) {
	case *lua.LFunction:
		p.byFunc = true
		return v, nil
	case lua.LString:
		if v == "*" {
			p.anyOrigin = true
			return nil, nil
		}
		return nil, p.addOrigin(string(v))
	case *lua.LTable:
		for i := 1; i <= v.Len(); i++ {
			s, ok := v.RawGetInt(i).(lua.LString)
			if !ok {
				return nil, fmt.Errorf("origins[%d] must be a string", i)
			}
			if err := p.addOrigin(string(s)); err != nil {
				return nil, err
			}
		}
		if len(p.origins) == 0 {
			return nil, fmt.Errorf("option origins is an empty list")
		}
		return nil, nil
	}
	return nil, optionType("origins", `"*", a list of origins or a function`, v)
}

// addOrigin checks an origin as browsers send it: scheme://host[:port],
// nothing after. "null" (sandboxed frames, file: pages) is refused: any
// page can send it.
func (p *corsPolicy) addOrigin(o string) error {
	scheme, rest, ok := strings.Cut(o, "://")
	if !ok || scheme == "" || rest == "" || strings.ContainsAny(rest, "/?#*@ \t") || !httpcore.ValidFieldValue(o) {
		return fmt.Errorf("origin %q must be scheme://host[:port], like https://app.example.com", o)
	}
	if p.origins == nil {
		p.origins = map[string]bool{}
	}
	p.origins[strings.ToLower(o)] = true
	return nil
}

// tokenList joins a list of methods or header names for a header value.
func tokenList(name string, v lua.LValue, upper bool) (string, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		return "", optionType(name, "a list of strings", v)
	}
	items := make([]string, 0, t.Len())
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok || !httpcore.ValidFieldName(string(s)) {
			return "", fmt.Errorf("%s[%d] must be a token, like %q", name, i, map[bool]string{true: "PATCH", false: "X-Token"}[upper])
		}
		if upper {
			s = lua.LString(strings.ToUpper(string(s)))
		}
		items = append(items, string(s))
	}
	return strings.Join(items, ", "), nil
}

// varies reports whether the answer depends on the Origin: always but for
// "*" without credentials, which is the same for everyone.
func (p *corsPolicy) varies() bool { return !p.anyOrigin || p.credentials }

// allows decides for an origin; call runs the script's function.
func (p *corsPolicy) allows(origin []byte, call func(string) bool) bool {
	switch {
	case p.anyOrigin:
		return true
	case p.byFunc:
		return call != nil && call(string(origin))
	}
	return p.origins[strings.ToLower(string(origin))]
}

// apply sets the headers of a response to r. allowed says whether r's
// Origin (if any) may read it. Never "*" with credentials: browsers refuse
// it, so the origin is echoed (and Vary: Origin says so to caches).
func (p *corsPolicy) apply(h *httpcore.Header, r *httpcore.Request, allowed bool) {
	if p.varies() {
		addVary(h, "Origin")
	}
	origin := r.Header.Get("Origin")
	if len(origin) == 0 || !allowed {
		return
	}
	if p.anyOrigin && !p.credentials {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", string(origin))
	}
	if p.credentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if p.expose != "" {
		h.Set("Access-Control-Expose-Headers", p.expose)
	}
}

// isPreflight reports a CORS preflight (Fetch standard, section 3.2.2).
func isPreflight(r *httpcore.Request) bool {
	return string(r.Method) == "OPTIONS" && r.Header.Has("Origin") && r.Header.Has("Access-Control-Request-Method")
}

// preflight sets a preflight's own headers; apply adds the origin's. The
// methods and headers are sent whatever the origin: without
// Access-Control-Allow-Origin the browser refuses anyway.
func (p *corsPolicy) preflight(h *httpcore.Header, r *httpcore.Request) {
	addVary(h, "Access-Control-Request-Method")
	addVary(h, "Access-Control-Request-Headers")
	h.Set("Access-Control-Allow-Methods", p.methods)
	switch {
	case p.headers != "":
		h.Set("Access-Control-Allow-Headers", p.headers)
	default:
		if asked := r.Header.Get("Access-Control-Request-Headers"); len(asked) > 0 && tokensOnly(asked) {
			h.Set("Access-Control-Allow-Headers", string(asked))
		}
	}
	if p.maxAge != "" {
		h.Set("Access-Control-Max-Age", p.maxAge)
	}
}

// tokensOnly reports whether v is a comma-separated list of tokens, safe
// to echo.
func tokensOnly(v []byte) bool {
	for _, item := range strings.Split(string(v), ",") {
		if !httpcore.ValidFieldName(strings.TrimSpace(item)) {
			return false
		}
	}
	return true
}

// addVary adds a name to the Vary field unless it is there (or "*").
func addVary(h *httpcore.Header, name string) {
	cur := h.Get("Vary")
	if len(cur) == 0 {
		h.Set("Vary", name)
		return
	}
	for _, item := range strings.Split(string(cur), ",") {
		item = strings.TrimSpace(item)
		if item == "*" || strings.EqualFold(item, name) {
			return
		}
	}
	h.Set("Vary", string(cur)+", "+name)
}

// corsApply adds the policy's headers to x's response, calling the
// script's origins function in st when there is one. A function that
// fails is a refusal (and a log line), never a 500.
func (e *Engine) corsApply(st *state, x *exchange) {
	p := e.cors
	var call func(string) bool
	if p.byFunc && st.corsFn != nil {
		call = func(origin string) bool {
			L := st.L
			L.Push(st.corsFn)
			L.Push(lua.LString(origin))
			if err := L.PCall(1, 1, nil); err != nil {
				e.log.Error("luaserve: app.cors origins function failed", "err", asScriptError(err, x, nil).Error())
				return false
			}
			ok := lua.LVAsBool(L.Get(-1))
			L.Pop(1)
			return ok
		}
	}
	allowed := false
	if x.r.Header.Has("Origin") {
		allowed = p.allows(x.r.Header.Get("Origin"), call)
	}
	p.apply(x.w.Header(), x.r, allowed)
}
