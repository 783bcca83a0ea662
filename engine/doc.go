// Package engine runs a Lua script's routes behind httpcore: it is the only
// package that serves requests with gopher-lua.
//
// New compiles the script once (and each module it requires, on first
// require) and loads it into a pool of Lua states; the first state's
// registrations build the router that all states share. ServeHTTP answers
// static mounts in Go, then takes a state, turns the request into a Lua
// table (fields built on first read), runs middleware and the route under
// the time limit, and turns the returned value into the response. A state
// serves one request at a time; one that timed out or panicked is replaced
// in the background.
//
// Lifetime: a request table, and the tables hanging from it, are valid only
// while their request runs: reading one afterwards raises a Lua error. No
// Lua value or state leaves the package.
//
// It deliberately does not share Lua data between states: module-level
// variables belong to one state; data every request must see goes through
// the Store.
package engine
