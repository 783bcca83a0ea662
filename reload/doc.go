// Package reload serves a luaserve engine and replaces it while serving:
// when the script or a module it requires changes on disk (Watch), or when
// asked (Reload, for SIGHUP).
//
// A reload builds a whole new *engine.Engine in fresh Lua states while the
// current one keeps serving. If the build fails, the current engine stays
// and the error (a *engine.LoadError with file and line) is logged and, in
// development mode, shown on every response until a reload succeeds. If it
// succeeds, the new engine is swapped in atomically: requests already
// running finish on the old engine, which is closed when the last of them
// returns; new requests use the new one. Connections are not touched, so a
// keep-alive client sees no failure, only new answers.
//
// What the package does not do: it does not restart the process, re-read
// flags, or carry Lua module-level variables across a reload (they belong
// to the old states). Data that must survive belongs in the shared store:
// the caller's Build function passes the same store.Store to every engine.
package reload
