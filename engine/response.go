package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/fileserver"
	"github.com/luaserve/luaserve/httpcore"
)

// A route returns its response as:
//
//	"text"                         200, text/plain; charset=utf-8
//	404                            that status, its reason phrase as the body
//	nil                            204 No Content
//	{ status=, headers=, cookies=,  a table; exactly one of body, json, html,
//	  body= | json= | html= |       text, redirect or file gives the content
//	  text= | redirect= | file=,
//	  download= }
//
// Content types: json -> application/json, html -> text/html; charset=utf-8,
// text and body -> text/plain; charset=utf-8, unless headers set one.
// redirect sets Location with status 302 unless a 3xx status is given.

const (
	ctText = "text/plain; charset=utf-8"
	ctHTML = "text/html; charset=utf-8"
	ctJSON = "application/json"
)

// respond writes the value a route returned.
func (st *state) respond(v lua.LValue) error {
	w := st.x.w
	switch v := v.(type) {
	case lua.LString:
		w.Header().Set("Content-Type", ctText)
		writeBody(w, string(v))
		return nil
	case lua.LNumber:
		code := int(v)
		if float64(code) != float64(v) || code < 100 || code > 999 {
			return fmt.Errorf("route returned %v, which is not an HTTP status", v)
		}
		writeStatus(w, code, "")
		return nil
	case *lua.LTable:
		return st.respondTable(v)
	}
	if v == lua.LNil {
		w.WriteHeader(204)
		return nil
	}
	return fmt.Errorf("route returned a %s; want a string, a table, a status or nil", v.Type())
}

// writeBody sends s as the whole body, with its length declared so that a
// large body goes out without chunked coding.
func writeBody(w *httpcore.ResponseWriter, s string) {
	w.SetContentLength(int64(len(s)))
	w.WriteString(s)
}

// writeStatus sends a plain-text response for code.
func writeStatus(w *httpcore.ResponseWriter, code int, msg string) {
	w.WriteHeader(code)
	if code < 200 || code == 204 || code == 304 {
		return
	}
	w.Header().Set("Content-Type", ctText)
	if msg == "" {
		msg = strconv.Itoa(code) + " " + httpcore.StatusText(code) + "\n"
	}
	writeBody(w, msg)
}

// responseFields are a response table's fields, read in one pass over its
// keys (a map lookup per known key would cost more than the table has keys).
type responseFields struct {
	status               lua.LValue
	headers, cookies, dl lua.LValue
	kind                 string
	content              lua.LValue
}

func (st *state) readResponseTable(t *lua.LTable) (*responseFields, error) {
	f := &st.rf
	*f = responseFields{}
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		name, _ := k.(lua.LString)
		switch name {
		case "status":
			f.status = v
		case "headers":
			f.headers = v
		case "cookies":
			f.cookies = v
		case "download":
			f.dl = v
		case "body", "json", "html", "text", "redirect", "file":
			if f.kind != "" {
				return nil, fmt.Errorf("response has both %s and %s", f.kind, name)
			}
			f.kind, f.content = string(name), v
		default:
			if st.e.cfg.Dev {
				st.warnUnknownKey(k)
			}
		}
	}
	return f, nil
}

func (st *state) respondTable(t *lua.LTable) error {
	w := st.x.w
	f, err := st.readResponseTable(t)
	if err != nil {
		return err
	}
	status := 200
	switch s := f.status.(type) {
	case nil:
	case lua.LNumber:
		status = int(s)
		if float64(status) != float64(s) || status < 100 || status > 999 {
			return fmt.Errorf("response status %v is not an HTTP status", s)
		}
	default:
		return fmt.Errorf("response status must be a number, not a %s", s.Type())
	}
	kind, content := f.kind, f.content

	h := w.Header()
	switch hs := f.headers.(type) {
	case nil:
	case *lua.LTable:
		if err := setHeaders(h, hs); err != nil {
			return err
		}
	default:
		return fmt.Errorf("response headers must be a table, not a %s", hs.Type())
	}
	switch c := f.cookies.(type) {
	case nil:
	case *lua.LTable:
		if err := setCookies(h, c); err != nil {
			return err
		}
	default:
		return fmt.Errorf("response cookies must be a table, not a %s", c.Type())
	}
	if d, ok := f.dl.(lua.LString); ok && kind != "file" {
		h.Set("Content-Disposition", fileserver.ContentDisposition(string(d)))
	}

	switch kind {
	case "":
		w.WriteHeader(status)
		if status >= 200 && status != 204 && status != 304 {
			w.SetContentLength(0)
		}
		return nil
	case "json":
		body, err := encodeJSON(st.jsonBuf[:0], content)
		if err != nil {
			return fmt.Errorf("response json: %w", err)
		}
		st.jsonBuf = body[:0]
		defaultType(h, ctJSON)
		w.WriteHeader(status)
		w.SetContentLength(int64(len(body)))
		w.Write(body)
		return nil
	case "redirect":
		loc, ok := content.(lua.LString)
		if !ok || loc == "" || strings.ContainsAny(string(loc), "\r\n\x00") {
			return fmt.Errorf("response redirect must be a URL string")
		}
		if status < 300 || status > 399 {
			status = 302
		}
		h.Set("Location", string(loc))
		w.WriteHeader(status)
		w.SetContentLength(0)
		return nil
	case "file":
		path, ok := content.(lua.LString)
		if !ok {
			return fmt.Errorf("response file must be a path string")
		}
		download, _ := f.dl.(lua.LString)
		return st.openFile(string(path), string(download), status)
	}
	s, ok := content.(lua.LString)
	if !ok {
		if n, isNum := content.(lua.LNumber); isNum {
			s = lua.LString(n.String())
		} else {
			return fmt.Errorf("response %s must be a string, not a %s", kind, content.Type())
		}
	}
	if kind == "html" {
		defaultType(h, ctHTML)
	} else {
		defaultType(h, ctText)
	}
	w.WriteHeader(status)
	writeBody(w, string(s))
	return nil
}

func defaultType(h *httpcore.Header, ct string) {
	if !h.Has("Content-Type") {
		h.Set("Content-Type", ct)
	}
}

// setHeaders copies a Lua headers table: name -> string | number | list of
// strings (repeated fields). Names and values are checked: a route must
// not be able to split a response with CR or LF.
func setHeaders(h *httpcore.Header, hs *lua.LTable) error {
	var err error
	for k, v := hs.Next(lua.LNil); k != lua.LNil && err == nil; k, v = hs.Next(k) {
		name, ok := k.(lua.LString)
		if !ok || !httpcore.ValidFieldName(string(name)) {
			return fmt.Errorf("invalid header name %v", k)
		}
		switch v := v.(type) {
		case lua.LString:
			err = setHeader(h, string(name), string(v), false)
		case lua.LNumber:
			err = setHeader(h, string(name), v.String(), false)
		case *lua.LTable:
			for i := 1; i <= v.Len() && err == nil; i++ {
				err = setHeader(h, string(name), lua.LVAsString(v.RawGetInt(i)), i > 1)
			}
		default:
			if v != lua.LNil {
				err = fmt.Errorf("header %s: value must be a string, number or list", name)
			}
		}
	}
	return err
}

func setHeader(h *httpcore.Header, name, value string, add bool) error {
	if !httpcore.ValidFieldValue(value) {
		return fmt.Errorf("header %s: value contains a control character", name)
	}
	if add {
		h.Add(name, value)
	} else {
		h.Set(name, value)
	}
	return nil
}

// setCookies adds a Set-Cookie field per entry: name -> value, or name ->
// { value=, path=, domain=, max_age=, expires= (Unix seconds or a date
// string), secure=, http_only=, same_site= ("Lax"|"Strict"|"None") }.
func setCookies(h *httpcore.Header, cs *lua.LTable) error {
	for k, v := cs.Next(lua.LNil); k != lua.LNil; k, v = cs.Next(k) {
		name := lua.LVAsString(k)
		if !httpcore.ValidFieldName(name) { // cookie-name is a token (RFC 6265 4.1.1)
			return fmt.Errorf("invalid cookie name %q", name)
		}
		var b strings.Builder
		b.WriteString(name)
		b.WriteByte('=')
		switch v := v.(type) {
		case lua.LString, lua.LNumber:
			if err := cookieValue(&b, lua.LVAsString(v)); err != nil {
				return fmt.Errorf("cookie %s: %w", name, err)
			}
		case *lua.LTable:
			if err := cookieValue(&b, lua.LVAsString(v.RawGetString("value"))); err != nil {
				return fmt.Errorf("cookie %s: %w", name, err)
			}
			if err := cookieAttrs(&b, v); err != nil {
				return fmt.Errorf("cookie %s: %w", name, err)
			}
		default:
			return fmt.Errorf("cookie %s: value must be a string or a table", name)
		}
		h.Add("Set-Cookie", b.String())
	}
	return nil
}

// cookieValue writes a cookie-value (RFC 6265, section 4.1.1), quoting it
// when it has spaces or commas, refusing what cannot be sent.
func cookieValue(b *strings.Builder, v string) error {
	quote := false
	for i := 0; i < len(v); i++ {
		c := v[i]
		switch {
		case c == ' ' || c == ',':
			quote = true
		case c < 0x21 || c > 0x7e || c == '"' || c == ';' || c == '\\':
			return fmt.Errorf("value has a character cookies cannot carry (%q)", c)
		}
	}
	if quote {
		b.WriteByte('"')
		b.WriteString(v)
		b.WriteByte('"')
	} else {
		b.WriteString(v)
	}
	return nil
}

func cookieAttrs(b *strings.Builder, t *lua.LTable) error {
	for _, a := range []struct{ key, attr string }{{"path", "Path"}, {"domain", "Domain"}} {
		if v, ok := t.RawGetString(a.key).(lua.LString); ok {
			if strings.ContainsAny(string(v), ";\r\n\x00") {
				return fmt.Errorf("%s has a forbidden character", a.key)
			}
			b.WriteString("; " + a.attr + "=" + string(v))
		}
	}
	if v, ok := t.RawGetString("max_age").(lua.LNumber); ok {
		b.WriteString("; Max-Age=" + strconv.Itoa(int(v)))
	}
	switch v := t.RawGetString("expires").(type) {
	case lua.LNumber:
		b.WriteString("; Expires=" + time.Unix(int64(v), 0).UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))
	case lua.LString:
		if strings.ContainsAny(string(v), ";\r\n") {
			return fmt.Errorf("expires has a forbidden character")
		}
		b.WriteString("; Expires=" + string(v))
	}
	if lua.LVAsBool(t.RawGetString("http_only")) {
		b.WriteString("; HttpOnly")
	}
	if lua.LVAsBool(t.RawGetString("secure")) {
		b.WriteString("; Secure")
	}
	if v, ok := t.RawGetString("same_site").(lua.LString); ok {
		switch strings.ToLower(string(v)) {
		case "lax":
			b.WriteString("; SameSite=Lax")
		case "strict":
			b.WriteString("; SameSite=Strict")
		case "none":
			b.WriteString("; SameSite=None")
		default:
			return fmt.Errorf("same_site must be Lax, Strict or None")
		}
	}
	return nil
}

// warnUnknownKey logs, in -dev, a response field the server ignores: a
// "stauts" typo should not cost an afternoon.
func (st *state) warnUnknownKey(k lua.LValue) {
	route := "?"
	if st.x.route != nil {
		route = st.x.route.method + " " + st.x.route.pattern
	}
	st.e.log.Warn("response table has a key the server ignores", "key", k.String(), "route", route)
}
