package main

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// TestBodyFlagsReachServer: the whole-body flags, from the command line or
// from LUASERVE_*, end up on the httpcore.Server; unset, they are the
// core's defaults.
func TestBodyFlagsReachServer(t *testing.T) {
	o, _, err := parseServe(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv := newServer(o, nil, slog.New(slog.DiscardHandler))
	if srv.BodyTimeout != httpcore.DefaultBodyTimeout || srv.MinBodyRate != httpcore.DefaultMinBodyRate ||
		srv.BodyMemory != httpcore.DefaultBodyMemory || srv.BodyReadTimeout != httpcore.DefaultBodyReadTimeout {
		t.Errorf("defaults: total %v, rate %d, memory %d, read %v", srv.BodyTimeout, srv.MinBodyRate, srv.BodyMemory, srv.BodyReadTimeout)
	}

	t.Setenv("LUASERVE_MIN_BODY_RATE", "4096")
	t.Setenv("LUASERVE_BODY_MEMORY", "-1")
	o, _, err = parseServe([]string{"-body-total-timeout", "45s", "-body-timeout", "5s"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	srv = newServer(o, nil, slog.New(slog.DiscardHandler))
	if srv.BodyTimeout != 45*time.Second || srv.MinBodyRate != 4096 || srv.BodyMemory != -1 || srv.BodyReadTimeout != 5*time.Second {
		t.Errorf("set: total %v, rate %d, memory %d, read %v", srv.BodyTimeout, srv.MinBodyRate, srv.BodyMemory, srv.BodyReadTimeout)
	}
}

// TestLuaPathFlagReachesEngine: -lua-path (or LUASERVE_LUA_PATH) is the
// engine's LuaPath; unset, it is empty, so the engine reads LUA_PATH.
func TestLuaPathFlagReachesEngine(t *testing.T) {
	o, _, err := parseServe(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := engineConfig(o, "r.lua", nil).LuaPath; got != "" {
		t.Errorf("default: %q", got)
	}
	o, _, err = parseServe([]string{"-lua-path", "/opt/lua/?.lua;;"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := engineConfig(o, "r.lua", nil).LuaPath; got != "/opt/lua/?.lua;;" {
		t.Errorf("flag: %q", got)
	}
	t.Setenv("LUASERVE_LUA_PATH", "/srv/lua/?.lua")
	o, _, err = parseServe(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if got := engineConfig(o, "r.lua", nil).LuaPath; got != "/srv/lua/?.lua" {
		t.Errorf("environment: %q", got)
	}
}
