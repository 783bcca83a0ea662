// Package engine runs a Lua script's routes behind httpcore.
//
// New compiles the script once (and each module it requires, on first
// require) and loads it into a pool of Lua states, each made by
// stdlib.NewState with the luaserve.* modules (modules.go) and the routing
// module "luaserve" (app.go); the first state's registrations build the
// router that all states share. ServeHTTP answers static mounts in Go, then
// takes a state and serves the request in it (serve.go): it matches the
// route on the raw path, segment by segment (router.go), turns the request
// into a Lua table whose fields are built on first read (request.go,
// lazy.go), runs middleware and the route under the time limit (limit.go),
// and turns the returned value into the response (response.go). A state
// serves one request at a time; one that timed out or panicked is replaced
// in the background.
//
// Modules reach the request only through their stdlib.Host (host.go): its
// context ends when the client goes away, the server closes or the time
// limit passes.
//
// Lifetime: a request table, and the tables hanging from it, are valid only
// while their request runs: reading one afterwards raises a Lua error. No
// Lua value or state leaves the package: errors carry text and places
// (stdlib.Place), not Lua values.
//
// It deliberately does not share Lua data between states: module-level
// variables belong to one state; data every request must see goes through
// the store.
package engine
