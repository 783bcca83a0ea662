package luatest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/pattern"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// mocks answers luaserve.http's calls during a test file's run, instead of
// the network: http.mock(url_pattern, response_or_function) in a test file
// registers one, and the most recent whose Lua pattern is found in a
// call's URL answers it. A call no mock matches fails. Mocks and the
// record of calls are emptied before every test.
//
// A mock function runs in the test file's state, which is waiting for the
// route's response meanwhile; mu makes calls from request_all's
// goroutines take turns in it.
type mocks struct {
	mu    sync.Mutex
	L     *lua.LState // the test file's
	list  []mock      // guarded by mu
	calls []call      // guarded by mu
}

type mock struct {
	pat *pattern.Pattern
	fn  *lua.LFunction // or:
	res *mockResponse
}

type mockResponse struct {
	status int
	header http.Header
	body   []byte
	err    string // a failed call: { err = "message" }
}

type call struct {
	method, url string
	header      http.Header
	body        []byte
}

func (m *mocks) reset() {
	m.mu.Lock()
	m.list, m.calls = nil, nil
	m.mu.Unlock()
}

// RoundTrip answers r from the mocks.
func (m *mocks) RoundTrip(r *http.Request) (*http.Response, error) {
	var body []byte
	if r.Body != nil {
		body, _ = io.ReadAll(r.Body)
		r.Body.Close()
	}
	u := r.URL.String()
	m.mu.Lock()
	defer m.mu.Unlock()
	m.calls = append(m.calls, call{method: r.Method, url: u, header: r.Header.Clone(), body: body})
	for i := len(m.list) - 1; i >= 0; i-- {
		mk := m.list[i]
		if _, ok, _ := mk.pat.Find(u, 0, nil, nil); !ok {
			continue
		}
		res := mk.res
		if mk.fn != nil {
			var err error
			if res, err = m.callLocked(mk.fn, m.calls[len(m.calls)-1]); err != nil {
				return nil, err
			}
		}
		if res.err != "" {
			return nil, errors.New(res.err)
		}
		return &http.Response{StatusCode: res.status, Header: res.header.Clone(), Request: r,
			Body: io.NopCloser(bytes.NewReader(res.body)), ContentLength: int64(len(res.body))}, nil
	}
	return nil, fmt.Errorf("no http.mock matches %s %s", r.Method, u)
}

// callLocked calls a mock function with the call's table and reads the
// response it returns.
func (m *mocks) callLocked(fn *lua.LFunction, c call) (*mockResponse, error) {
	L := m.L
	top := L.GetTop()
	defer L.SetTop(top)
	if err := L.CallByParam(lua.P{Fn: fn, NRet: 2, Protect: true}, callTable(L, c)); err != nil {
		return nil, fmt.Errorf("http.mock function: %v", err)
	}
	v, msg := L.Get(-2), L.Get(-1)
	if v == lua.LNil && msg != lua.LNil {
		return &mockResponse{err: lua.LVAsString(msg)}, nil
	}
	return readMock(v)
}

// callTable is { method, url, headers (lower-case names), body } for a
// mock function, and for http.calls().
func callTable(L *lua.LState, c call) *lua.LTable {
	t := L.CreateTable(0, 4)
	t.RawSetString("method", lua.LString(c.method))
	t.RawSetString("url", lua.LString(c.url))
	h := L.CreateTable(0, len(c.header))
	for name, vs := range c.header {
		h.RawSetString(strings.ToLower(name), lua.LString(strings.Join(vs, ", ")))
	}
	t.RawSetString("headers", h)
	t.RawSetString("body", lua.LString(c.body))
	return t
}

// readMock reads a response table: { status = 200, headers = {}, body =
// "" | json = value } or { err = "message" }; a string is a 200 body.
func readMock(v lua.LValue) (*mockResponse, error) {
	res := &mockResponse{status: 200, header: http.Header{}}
	switch t := v.(type) {
	case lua.LString:
		res.body = []byte(t)
		return res, nil
	case *lua.LTable:
		if e := t.RawGetString("err"); e != lua.LNil {
			res.err = lua.LVAsString(e)
			return res, nil
		}
		if n, ok := t.RawGetString("status").(lua.LNumber); ok {
			res.status = int(n)
		}
		if h, ok := t.RawGetString("headers").(*lua.LTable); ok {
			h.ForEach(func(k, v lua.LValue) { res.header.Add(lua.LVAsString(k), lua.LVAsString(v)) })
		}
		if j := t.RawGetString("json"); j != lua.LNil {
			b, err := json.Encode(context.Background(), nil, j)
			if err != nil {
				return nil, fmt.Errorf("http.mock json: %v", err)
			}
			res.body = b
			if res.header.Get("Content-Type") == "" {
				res.header.Set("Content-Type", "application/json")
			}
		} else {
			res.body = []byte(lua.LVAsString(t.RawGetString("body")))
		}
		return res, nil
	}
	return nil, fmt.Errorf("http.mock: a response is a table or a string, not a %s", v.Type())
}

// install adds mock and calls to the luaserve.http table of the test
// file's state.
func (m *mocks) install(L *lua.LState, mod *lua.LTable) {
	m.L = L
	mod.RawSetString("mock", L.NewFunction(func(L *lua.LState) int {
		p, err := pattern.Compile(L.CheckString(1))
		if err != nil {
			L.ArgError(1, err.Error())
		}
		mk := mock{pat: p}
		if fn, ok := L.Get(2).(*lua.LFunction); ok {
			mk.fn = fn
		} else if mk.res, err = readMock(L.Get(2)); err != nil {
			L.ArgError(2, err.Error())
		}
		m.mu.Lock()
		m.list = append(m.list, mk)
		m.mu.Unlock()
		return 0
	}))
	mod.RawSetString("calls", L.NewFunction(func(L *lua.LState) int {
		m.mu.Lock()
		calls := append([]call(nil), m.calls...)
		m.mu.Unlock()
		t := L.CreateTable(len(calls), 0)
		for _, c := range calls {
			t.Append(callTable(L, c))
		}
		L.Push(t)
		return 1
	}))
}
