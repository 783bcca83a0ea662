// Package response is luaserve.response: Lua helpers that build response
// tables (res.json(value, status), res.redirect(url), ...), written in Lua
// (response.lua) and embedded in the binary.
package response

import (
	_ "embed"

	"github.com/luaserve/luaserve/lua/stdlib"
)

//go:embed response.lua
var source []byte

// Module is require("luaserve.response").
var Module = stdlib.Script("luaserve.response", source)
