package engine

import (
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/crypto"
	"github.com/luaserve/luaserve/lua/stdlib/db"
	"github.com/luaserve/luaserve/lua/stdlib/http"
	"github.com/luaserve/luaserve/lua/stdlib/json"
	"github.com/luaserve/luaserve/lua/stdlib/jwt"
	"github.com/luaserve/luaserve/lua/stdlib/log"
	"github.com/luaserve/luaserve/lua/stdlib/pubsub"
	"github.com/luaserve/luaserve/lua/stdlib/response"
	"github.com/luaserve/luaserve/lua/stdlib/store"
	"github.com/luaserve/luaserve/lua/stdlib/template"
	"github.com/luaserve/luaserve/lua/stdlib/time"
	"github.com/luaserve/luaserve/lua/stdlib/url"
	"github.com/luaserve/luaserve/lua/stdlib/validate"
	"github.com/luaserve/luaserve/outbound"
)

// Modules lists the luaserve.* library modules every state can require
// (the engine adds its own "luaserve", the routing surface), luaserve.http
// calling through hc. Adding a module is a package under lua/stdlib and
// one entry here; "luaserve test" gives its test files the same list.
func Modules(hc *outbound.Client) []stdlib.Module {
	return []stdlib.Module{
		json.Module(),
		store.Module(),
		url.Module(),
		time.Module(),
		log.Module(),
		response.Module(),
		crypto.Module(),
		jwt.Module(),
		validate.Module(),
		http.Module(hc),
		db.Module(),
		template.Module(),
		pubsub.Module(),
	}
}
