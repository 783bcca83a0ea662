// Package lint implements "luaserve check": it loads a script the way the
// server does (so syntax errors, load-time errors and duplicate routes
// surface with their file and line), then reports what loads fine but is
// surely a bug. Each finding is "file:line: message".
//
// The checks, exactly:
//
//   - Undeclared global assignment: inside a function body, an assignment
//     (x = ..., function x() ... end) to a name that is not a local in scope
//     and not a global that exists once the script has loaded (the standard
//     library's, and those the script and its modules assign at their top
//     level). The server locks the globals after loading, so the
//     assignment raises an error when the route runs; it is almost always a
//     missing "local".
//   - Undeclared global read: anywhere, a name read that is not a local in
//     scope and not such a global (reqq.query for req.query). It would be
//     nil. A test file (*_test.lua) is linted alone, without loading it,
//     with the test globals (luatest.Globals) declared.
//
// Only the project's files are linted: the script and the modules it
// requires from its folder and below, not a LuaRocks tree (lua_modules)
// nor libraries found on LUA_PATH; their top-level globals still count as
// declared.
//   - Unknown response key: a route, middleware or hook function that
//     returns a table constructor with a key the server does not know
//     ({ stauts = 200 }); the server would ignore it.
//   - Unreachable routes. luaserve's router picks the most specific route
//     whatever the registration order (per path segment: static, then
//     :param, then *wildcard; then the exact method, GET for HEAD, then
//     app.any), so an earlier general route never hides a later specific
//     one, and a later general one is only unreachable when more specific
//     routes answer every path it could match. Reported, as never reached:
//     a *wildcard route for which, with its method, static and :param
//     routes match every path below its prefix (computed exactly on the
//     route tree); an app.static mount whose prefix lies under an earlier
//     mount's prefix (the first matching mount answers, or hands the
//     request to the routes, so the later one never sees a request); a
//     second app.not_found or app.on_error, which replaces the first.
//     Duplicate routes (same method and pattern) are load errors.
//   - Patterns that cannot mean what they say: a '?' or '#' (the query
//     string and fragment are not part of the path), a %XX escape (patterns
//     match the decoded path), a ':' or '*' inside a segment (parameters and
//     wildcards are whole segments, so "user-:id" is literal), and a
//     parameter name with characters other than letters, digits and '_'
//     (":name.json" is one parameter named "name.json").
//
// It does not run routes, so problems that depend on requests (a nil
// index, a middleware that always answers) are for "luaserve test".
package lint
