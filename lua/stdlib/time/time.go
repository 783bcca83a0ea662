// Package time is luaserve.time: clocks and a sleep that respects the
// request.
//
//	time.now() -> number        seconds since the Unix epoch, with fractions
//	time.monotonic() -> number  seconds on a clock that never jumps
//	time.sleep(seconds)         blocks this state (not the server); ends early,
//	                            with an error, when the request's time limit
//	                            passes or its client goes away
//	time.format_rfc3339(t [, offset]) -> "2026-12-01T09:30:00Z"
//	time.parse_rfc3339(s) -> t, offset | nil, err
//	time.format_http(t) -> "Tue, 01 Dec 2026 09:30:00 GMT"
//	time.parse_http(s) -> t | nil, err   (IMF-fixdate, RFC 850, asctime)
//
// Times are seconds since the epoch; offsets are seconds east of UTC, or
// strings "+02:00" and "Z" when given.
package time

import (
	"context"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// Module is require("luaserve.time").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.time", Open: open} }

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	start := time.Now()
	mod := L.SetFuncs(L.CreateTable(0, 3+len(dateFuncs)), dateFuncs)
	return L.SetFuncs(mod, map[string]lua.LGFunction{
		"now": func(L *lua.LState) int {
			L.Push(lua.LNumber(float64(time.Now().UnixNano()) / 1e9))
			return 1
		},
		"monotonic": func(L *lua.LState) int {
			L.Push(lua.LNumber(time.Since(start).Seconds()))
			return 1
		},
		"sleep": func(L *lua.LState) int {
			d := time.Duration(float64(L.CheckNumber(1)) * float64(time.Second))
			if err := sleep(h.Context(), d); err != nil {
				L.RaiseError("time.sleep: %v", err)
			}
			return 0
		},
	})
}

// sleep waits d, or until ctx ends: then it returns ctx's cause.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
