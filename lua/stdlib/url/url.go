// Package url is luaserve.url: percent-encoding and query strings.
//
//	url.encode(s) -> string               percent-encodes all but A-Z a-z 0-9 - . _ ~
//	url.decode(s) -> string | nil, err    percent-decodes ("+" stays "+")
//	url.encode_query(t) -> string         form encoding, keys sorted; list values repeat
//	url.parse_query(s) -> table           name -> first value ("+" is a space)
//	url.parse_query_all(s) -> table       name -> list of values
package url

import (
	"net/url"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// Module is require("luaserve.url").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.url", Open: open} }

var funcs = map[string]lua.LGFunction{
	"encode":          encode,
	"decode":          decode,
	"encode_query":    encodeQuery,
	"parse_query":     func(L *lua.LState) int { L.Push(QueryTable(L, L.CheckString(1), false)); return 1 },
	"parse_query_all": func(L *lua.LState) int { L.Push(QueryTable(L, L.CheckString(1), true)); return 1 },
}

func open(L *lua.LState, _ stdlib.Host) *lua.LTable {
	return L.SetFuncs(L.CreateTable(0, len(funcs)), funcs)
}

// encode implements url.encode(s): like JavaScript's encodeURIComponent,
// minus its !'()* exceptions, RFC 3986 unreserved characters stay.
func encode(L *lua.LState) int {
	const hex = "0123456789ABCDEF"
	s := L.CheckString(1)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	L.Push(lua.LString(b.String()))
	return 1
}

func decode(L *lua.LState) int {
	s, err := url.PathUnescape(L.CheckString(1))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("url: malformed percent-encoding"))
		return 2
	}
	L.Push(lua.LString(s))
	return 1
}

func encodeQuery(L *lua.LState) int {
	tbl := L.CheckTable(1)
	v := url.Values{}
	tbl.ForEach(func(k, val lua.LValue) {
		if list, ok := val.(*lua.LTable); ok {
			for i := 1; i <= list.Len(); i++ {
				v.Add(k.String(), L.ToStringMeta(list.RawGetInt(i)).String())
			}
			return
		}
		v.Add(k.String(), L.ToStringMeta(val).String())
	})
	L.Push(lua.LString(v.Encode()))
	return 1
}

// QueryTable parses a query string or form body into a table: name ->
// first value, or name -> list of values when all is set. Malformed pairs
// are skipped, as browsers and net/url do.
func QueryTable(L *lua.LState, s string, all bool) *lua.LTable {
	t := L.NewTable()
	for s != "" {
		var pair string
		pair, s, _ = strings.Cut(s, "&")
		if pair == "" {
			continue
		}
		k, v, _ := strings.Cut(pair, "=")
		k, err1 := url.QueryUnescape(k)
		v, err2 := url.QueryUnescape(v)
		if err1 != nil || err2 != nil {
			continue
		}
		if all {
			list, ok := t.RawGetString(k).(*lua.LTable)
			if !ok {
				list = L.CreateTable(1, 0)
				t.RawSetString(k, list)
			}
			list.Append(lua.LString(v))
		} else if t.RawGetString(k) == lua.LNil {
			t.RawSetString(k, lua.LString(v))
		}
	}
	return t
}
