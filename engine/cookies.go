package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

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
		var attr string
		for _, a := range []string{"Lax", "Strict", "None"} {
			if httpcore.EqualFold([]byte(v), a) {
				attr = a
			}
		}
		if attr == "" {
			return fmt.Errorf("same_site must be Lax, Strict or None")
		}
		b.WriteString("; SameSite=" + attr)
	}
	return nil
}
