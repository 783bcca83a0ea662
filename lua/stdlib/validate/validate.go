// Package validate is luaserve.validate: checks a decoded JSON body (or any
// Lua value) against a declared shape and lists every problem at once,
// ready for a 422 answer. Written in Lua (validate.lua), so its patterns
// are Lua patterns run by luaserve's matcher, bounded by the request's time
// limit, and embedded in the binary.
package validate

import (
	_ "embed"

	"github.com/luaserve/luaserve/lua/stdlib"
)

//go:embed validate.lua
var source []byte

// Module is require("luaserve.validate").
var Module = stdlib.Script("luaserve.validate", source)
