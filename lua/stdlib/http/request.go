package http

import (
	"context"
	"errors"
	"fmt"
	"math"
	nethttp "net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib/json"
	"github.com/luaserve/luaserve/outbound"
)

// build reads a request's options table. method and body, when given,
// come from a shorthand (get, post) and win over opts. Its errors are
// misuse, for an argument error.
func build(L *lua.LState, ctx context.Context, opts *lua.LTable, method string, body lua.LValue) (*outbound.Request, error) {
	r := &outbound.Request{Method: method, Header: nethttp.Header{}}
	var rawURL string
	var query url.Values
	var bodies []string
	var err error
	opts.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		name, _ := k.(lua.LString)
		err = option(L, ctx, r, string(name), v, &rawURL, &query, &bodies)
	})
	if err != nil {
		return nil, err
	}
	if rawURL == "" {
		return nil, errors.New("url missing")
	}
	if body != lua.LNil {
		if len(bodies) > 0 {
			return nil, fmt.Errorf("the body is an argument; opts has %s too", bodies[0])
		}
		if err := setBody(ctx, r, "body", body); err != nil {
			return nil, err
		}
		if _, ok := body.(*lua.LTable); ok {
			setDefault(r.Header, "Content-Type", "application/json")
		}
	}
	if len(bodies) > 1 {
		sort.Strings(bodies)
		return nil, fmt.Errorf("%s and %s: give one body", bodies[0], bodies[1])
	}
	r.URL = withQuery(rawURL, query)
	return r, nil
}

// option sets one field of r from opts[name].
func option(L *lua.LState, ctx context.Context, r *outbound.Request, name string, v lua.LValue,
	rawURL *string, query *url.Values, bodies *[]string) error {
	switch name {
	case "method":
		if r.Method == "" {
			r.Method = strings.ToUpper(lua.LVAsString(v))
		}
	case "url":
		s, ok := v.(lua.LString)
		if !ok {
			return errors.New("url must be a string")
		}
		*rawURL = string(s)
	case "headers":
		return eachValue(v, name, func(k, s string) { r.Header.Add(k, s) })
	case "query":
		*query = url.Values{}
		return eachValue(v, name, func(k, s string) { query.Add(k, s) })
	case "body", "json", "form":
		*bodies = append(*bodies, name)
		return setBody(ctx, r, name, v)
	case "timeout":
		n, ok := v.(lua.LNumber)
		if !ok || n <= 0 {
			return errors.New("timeout must be a positive number of seconds")
		}
		r.Timeout = time.Duration(float64(n) * float64(time.Second))
	case "max_body":
		n, ok := v.(lua.LNumber)
		if !ok || n < 1 {
			return errors.New("max_body must be a positive number of bytes")
		}
		r.MaxBody = int64(n)
	case "follow_redirects":
		if lua.LVIsFalse(v) {
			r.MaxRedirects = -1
		}
	default:
		return fmt.Errorf("unknown option %q", name)
	}
	return nil
}

// setBody sets the body from body (a string), json (any value, encoded)
// or form (a table, urlencoded), with its Content-Type unless one is set.
func setBody(ctx context.Context, r *outbound.Request, name string, v lua.LValue) error {
	switch name {
	case "json":
		b, err := json.Encode(ctx, nil, v)
		if err != nil {
			return err
		}
		r.Body = b
		setDefault(r.Header, "Content-Type", "application/json")
	case "form":
		form := url.Values{}
		if err := eachValue(v, name, func(k, s string) { form.Add(k, s) }); err != nil {
			return err
		}
		r.Body = []byte(form.Encode())
		setDefault(r.Header, "Content-Type", "application/x-www-form-urlencoded")
	default:
		switch b := v.(type) {
		case lua.LString:
			r.Body = []byte(b)
		case *lua.LTable:
			return setBody(ctx, r, "json", v)
		default:
			return errors.New("body must be a string")
		}
	}
	return nil
}

// eachValue calls add for each name -> value, and each element of name ->
// list; values are strings, numbers or booleans.
func eachValue(v lua.LValue, what string, add func(name, value string)) error {
	t, ok := v.(*lua.LTable)
	if !ok {
		return fmt.Errorf("%s must be a table", what)
	}
	var err error
	t.ForEach(func(k, v lua.LValue) {
		name, ok := k.(lua.LString)
		if !ok && err == nil {
			err = fmt.Errorf("%s: names must be strings", what)
		}
		values := []lua.LValue{v}
		if list, ok := v.(*lua.LTable); ok {
			values = values[:0]
			for i := 1; i <= list.Len(); i++ {
				values = append(values, list.RawGetInt(i))
			}
		}
		for _, v := range values {
			switch v := v.(type) {
			case lua.LNumber:
				add(string(name), formatNumber(float64(v)))
			case lua.LString, lua.LBool:
				add(string(name), v.String())
			default:
				if err == nil {
					err = fmt.Errorf("%s.%s: a %s is not a value", what, name, v.Type())
				}
			}
		}
	})
	return err
}

func setDefault(h nethttp.Header, name, value string) {
	if h.Get(name) == "" {
		h.Set(name, value)
	}
}

// withQuery appends q, encoded, to the URL's own query, which stays as
// written.
func withQuery(raw string, q url.Values) string {
	if len(q) == 0 {
		return raw
	}
	base, frag, _ := strings.Cut(raw, "#")
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	out := base + sep + q.Encode()
	if frag != "" {
		out += "#" + frag
	}
	return out
}

// formatNumber writes integers whole (1000000, not Lua's 1e+06) and other
// numbers in their shortest form.
func formatNumber(f float64) string {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
