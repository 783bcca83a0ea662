// Package http is luaserve.http: calls from a route to other HTTP
// services, over the server's one outbound.Client.
//
//	http.request(opts) -> response | nil, err
//	http.get(url [, opts]) -> response | nil, err
//	http.post(url, body [, opts]) -> response | nil, err
//	http.request_all(list) -> list of (response | { err = message })
//
// opts: method, url, headers, query, body | json | form, timeout (seconds),
// max_body (bytes), follow_redirects (boolean). A response is
// { status, headers, body, json, url } (json decoded on first read): any
// status is a response; nil, err is for a call that got none (refused,
// timeout, certificate, limits).
//
// A call blocks its Lua state (not the server) until it ends; it ends at
// its timeout, or sooner when the request's time limit passes or its
// client goes away. Response bodies are charged to the request's memory
// budget.
package http

import (
	"strconv"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/outbound"
)

// maxAll bounds the calls one request_all may start.
const maxAll = 100

// Module is require("luaserve.http"), calling through c.
func Module(c *outbound.Client) stdlib.Module {
	return stdlib.Module{Name: "luaserve.http", Open: func(L *lua.LState, h stdlib.Host) *lua.LTable {
		m := &module{c: c, h: h, meta: responseMeta(L, h)}
		return L.SetFuncs(L.CreateTable(0, 4), map[string]lua.LGFunction{
			"request":     m.request,
			"get":         m.get,
			"post":        m.post,
			"request_all": m.requestAll,
		})
	}}
}

type module struct {
	c    *outbound.Client
	h    stdlib.Host
	meta *lua.LTable // the response tables' (responseMeta)
}

// request implements http.request(opts).
func (m *module) request(L *lua.LState) int {
	return m.call(L, L.CheckTable(1), "", lua.LNil, 1)
}

// get implements http.get(url [, opts]).
func (m *module) get(L *lua.LState) int {
	return m.call(L, withURL(L, L.OptTable(2, nil)), "GET", lua.LNil, 2)
}

// post implements http.post(url, body [, opts]): a string body is sent as
// is, a table as JSON.
func (m *module) post(L *lua.LState) int {
	body := L.Get(2)
	switch body.(type) {
	case lua.LString, *lua.LTable, *lua.LNilType:
	default:
		L.ArgError(2, "string or table expected, got "+body.Type().String())
	}
	return m.call(L, withURL(L, L.OptTable(3, nil)), "POST", body, 3)
}

// withURL is a copy of opts with url set from argument 1.
func withURL(L *lua.LState, opts *lua.LTable) *lua.LTable {
	u := L.CheckString(1)
	t := L.CreateTable(0, 4)
	if opts != nil {
		opts.ForEach(func(k, v lua.LValue) { t.RawSet(k, v) })
	}
	t.RawSetString("url", lua.LString(u))
	return t
}

// call sends one request built from opts (argument optsArg) and pushes
// its result.
func (m *module) call(L *lua.LState, opts *lua.LTable, method string, body lua.LValue, optsArg int) int {
	ctx := m.h.Context()
	r, err := build(L, ctx, opts, method, body)
	if err != nil {
		L.ArgError(optsArg, err.Error())
	}
	r.Charge = func(n int) error { return stdlib.Charge(ctx, n) }
	res, err := m.c.Do(ctx, r)
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("http: " + err.Error()))
		return 2
	}
	L.Push(responseTable(L, m.meta, res))
	return 1
}

// requestAll implements http.request_all(list): the calls run at once,
// each on its own goroutine, and the Lua state waits for the last. Each
// entry is an opts table or a URL string (a GET).
func (m *module) requestAll(L *lua.LState) int {
	list := L.CheckTable(1)
	n := list.Len()
	if n > maxAll {
		L.ArgError(1, "more than 100 requests")
	}
	ctx := m.h.Context()
	reqs := make([]*outbound.Request, n)
	for i := range reqs {
		opts := list.RawGetInt(i + 1)
		if s, ok := opts.(lua.LString); ok {
			t := L.CreateTable(0, 1)
			t.RawSetString("url", s)
			opts = t
		}
		t, ok := opts.(*lua.LTable)
		if !ok {
			L.ArgError(1, "entry "+strconv.Itoa(i+1)+" is not a table or a URL")
		}
		r, err := build(L, ctx, t, "", lua.LNil)
		if err != nil {
			L.ArgError(1, "entry "+strconv.Itoa(i+1)+": "+err.Error())
		}
		r.Charge = func(n int) error { return stdlib.Charge(ctx, n) }
		reqs[i] = r
	}
	results := make([]*outbound.Response, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, r := range reqs {
		wg.Go(func() { results[i], errs[i] = m.c.Do(ctx, r) })
	}
	wg.Wait()
	out := L.CreateTable(n, 0)
	for i := range reqs {
		if errs[i] != nil {
			e := L.CreateTable(0, 1)
			e.RawSetString("err", lua.LString("http: "+errs[i].Error()))
			out.RawSetInt(i+1, e)
			continue
		}
		out.RawSetInt(i+1, responseTable(L, m.meta, results[i]))
	}
	L.Push(out)
	return 1
}
