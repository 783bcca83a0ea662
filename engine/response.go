package engine

import (
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/fileserver"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/internal/suggest"
	"github.com/luaserve/luaserve/lua/stdlib/json"
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

// respond writes the value a route returned as x's response.
func (e *Engine) respond(st *state, x *exchange, v lua.LValue) error {
	w := x.w
	switch v := v.(type) {
	case lua.LString:
		w.Header().Set("Content-Type", ctText)
		x.writeBody(string(v))
		return nil
	case lua.LNumber:
		code, err := finalStatus(v)
		if err != nil {
			return fmt.Errorf("route returned %v: %w", v, err)
		}
		writeStatus(w, code, "")
		return nil
	case *lua.LTable:
		return e.respondTable(st, x, v)
	}
	if v == lua.LNil {
		w.WriteHeader(204)
		return nil
	}
	if v == answered { // a status hook wrote it (hooks.go)
		return nil
	}
	return fmt.Errorf("route returned a %s; want a string, a table, a status or nil", v.Type())
}

// finalStatus checks a status a route answers with: an integer from 200 to
// 999. A 1xx is not a final response (RFC 9110, section 15.2): sending one
// would leave the client waiting for the real answer, and 101 would claim
// a protocol switch that never happens.
func finalStatus(v lua.LNumber) (int, error) {
	code := int(v)
	switch {
	case float64(code) != float64(v) || code < 100 || code > 999:
		return 0, fmt.Errorf("not an HTTP status")
	case code < 200:
		return 0, fmt.Errorf("%d is an interim status, not a response", code)
	}
	return code, nil
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
	unknown              lua.LValue // the first key the server ignores
}

// ResponseKeys lists the fields a response table may have, sorted: those
// readResponseTable reads. Any other key is ignored, with a warning in the
// log once per route (warnUnknownKey).
func ResponseKeys() []string {
	return []string{"body", "cookies", "download", "file", "headers", "html", "json", "redirect", "status", "text"}
}

func readResponseTable(f *responseFields, t *lua.LTable) error {
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
				return fmt.Errorf("response has both %s and %s", f.kind, name)
			}
			f.kind, f.content = string(name), v
		default:
			if f.unknown == nil {
				f.unknown = k
			}
		}
	}
	return nil
}

// warnUnknownKey logs a response key the server ignores, once per route,
// with and without -dev: a "stauts" typo silently sends 200 and should not
// cost an afternoon, but a busy route must not repeat it on every request.
// The set of routes warned about is bounded by the route table.
func (e *Engine) warnUnknownKey(x *exchange, k lua.LValue) {
	route := routeName(x)
	if _, seen := e.warnedRoutes.LoadOrStore(route, true); seen {
		return
	}
	args := []any{"route", route, "key", k.String()}
	if name, ok := k.(lua.LString); ok {
		if s := suggest.Closest(string(name), ResponseKeys()); s != "" {
			args = append(args, "did_you_mean", s)
		}
	}
	e.log.Warn("luaserve: response table has a key the server ignores", args...)
}

// respondTable writes a response table: its status and headers, then its
// content (respondContent).
func (e *Engine) respondTable(st *state, x *exchange, t *lua.LTable) error {
	f := &st.rf
	if err := readResponseTable(f, t); err != nil {
		return err
	}
	if f.unknown != nil {
		e.warnUnknownKey(x, f.unknown)
	}
	status := 200
	if x.defStatus != 0 {
		status = x.defStatus // a status hook's answer
	}
	switch s := f.status.(type) {
	case nil:
	case lua.LNumber:
		var err error
		if status, err = finalStatus(s); err != nil {
			return fmt.Errorf("response status %v: %w", s, err)
		}
	default:
		return fmt.Errorf("response status must be a number, not a %s", s.Type())
	}
	if err := setFields(x.w.Header(), f); err != nil {
		return err
	}
	return e.respondContent(st, x, f, status)
}

// setFields sets the headers, cookies and download name of f.
func setFields(h *httpcore.Header, f *responseFields) error {
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
	if d, ok := f.dl.(lua.LString); ok && f.kind != "file" {
		h.Set("Content-Disposition", fileserver.ContentDisposition(string(d)))
	}
	return nil
}

// respondContent writes the status and the content of f.
func (e *Engine) respondContent(st *state, x *exchange, f *responseFields, status int) error {
	w, h := x.w, x.w.Header()
	switch f.kind {
	case "":
		w.WriteHeader(status)
		if status >= 200 && status != 204 && status != 304 {
			w.SetContentLength(0)
		}
		return nil
	case "json":
		body, err := json.Encode(&st.host.ctx, st.jsonBuf[:0], f.content)
		if err != nil {
			return fmt.Errorf("response json: %w", err)
		}
		st.jsonBuf = body[:0]
		defaultType(h, ctJSON)
		w.WriteHeader(status)
		x.writeBytes(body)
		return nil
	case "redirect":
		loc, ok := f.content.(lua.LString)
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
		path, ok := f.content.(lua.LString)
		if !ok {
			return fmt.Errorf("response file must be a path string")
		}
		download, _ := f.dl.(lua.LString)
		return e.openFile(st, x, string(path), string(download), status)
	}
	if fn, isFn := f.content.(*lua.LFunction); isFn && f.kind == "body" {
		return startStream(x, fn, status) // stream.go
	}
	s, ok := f.content.(lua.LString)
	if !ok {
		n, isNum := f.content.(lua.LNumber)
		if !isNum {
			return fmt.Errorf("response %s must be a string, not a %s", f.kind, f.content.Type())
		}
		s = lua.LString(n.String())
	}
	if f.kind == "html" {
		defaultType(h, ctHTML)
	} else {
		defaultType(h, ctText)
	}
	w.WriteHeader(status)
	x.writeBody(string(s))
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
