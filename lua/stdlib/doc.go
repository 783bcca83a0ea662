// Package stdlib is the Lua side's common ground: the one function that
// makes every Lua state luaserve runs (NewState: the server's, "luaserve
// check"'s and "luaserve test"'s, so that they cannot drift), and the
// boundary every luaserve.* module is written against (Module, Host).
//
// Each module lives in a package of its own below this one
// (lua/stdlib/json, lua/stdlib/store, ...), as a thin Lua binding over Go
// code that knows no Lua. A module gets a Host, never the engine: the
// request's context, a logger, the shared store and the script's folder.
//
// States share their process with the server and with each other, so
// NewState keeps them off what is the process's: a state's io.stdout and
// io.stderr write to the server log and cannot be closed, its io.stdin is
// empty, os.execute's commands write to the log (stdio.go, iofuncs.go,
// execute.go), and os.exit, os.setlocale and os.setenv are gone. With
// Options.Sandbox it also runs no programs and opens files only inside
// Options.Roots (sandbox.go); that is a limit on scripts, not a security
// boundary against bugs in gopher-lua.
//
// Lua values and states stay on this side: packages outside lua/, engine,
// lint and luatest never see a lua.LValue.
package stdlib
