// Package log is luaserve.log: the server log, from Lua.
//
//	log.debug|info|warn|error(message:string [, fields:table])
//
// Each line carries the fields (nested tables as groups, at most 5 deep)
// and the place of the call, as "where".
package log

import (
	"context"
	"log/slog"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// Module is require("luaserve.log").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.log", Open: open} }

var levels = map[string]slog.Level{"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError}

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	t := L.CreateTable(0, len(levels))
	for name, level := range levels {
		t.RawSetString(name, L.NewFunction(func(L *lua.LState) int {
			msg := L.ToStringMeta(L.Get(1)).String()
			attrs := []any{"where", stdlib.Caller(L, 1)}
			if fields, ok := L.Get(2).(*lua.LTable); ok {
				fields.ForEach(func(k, v lua.LValue) {
					attrs = append(attrs, k.String(), goValue(v, 0))
				})
			}
			h.Log().Log(context.Background(), level, msg, attrs...)
			return 0
		}))
	}
	return t
}

// goValue converts a Lua value for logging.
func goValue(v lua.LValue, depth int) any {
	switch v := v.(type) {
	case lua.LString:
		return string(v)
	case lua.LNumber:
		return float64(v)
	case lua.LBool:
		return bool(v)
	case *lua.LTable:
		if depth > 5 {
			return "table"
		}
		m := map[string]any{}
		v.ForEach(func(k, val lua.LValue) { m[k.String()] = goValue(val, depth+1) })
		return m
	}
	if v == lua.LNil {
		return nil
	}
	return v.String()
}
