// Package stdlib holds the Lua modules that luaserve scripts load with
// require("luaserve.<name>"), embedded in the binary. The engine compiles
// each once and preloads it into every Lua state; modules implemented in Go
// (json, store, log, url, time) live in the engine package instead.
package stdlib

import "embed"

// FS holds the modules: FS's "response.lua" is require("luaserve.response").
//
//go:embed *.lua
var FS embed.FS
