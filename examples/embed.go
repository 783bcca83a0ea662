// Package examples embeds the example script, so that luaserve run with no
// arguments serves it.
package examples

import "embed"

// Routes is examples/routes.lua.
//
//go:embed routes.lua
var Routes []byte

// Files holds routes.lua's folder as the file helpers see it (public/...).
//
//go:embed public
var Files embed.FS
