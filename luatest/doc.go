// Package luatest runs Lua test files (*_test.lua) against a routes script,
// in process: the script is loaded in an engine, served by httpcore over
// in-memory connections (net.Pipe, no sockets or ports), and each test file
// runs in a Lua state of its own with a small HTTP client and assertions.
//
// A test file:
//
//	-- luaserve: routes.lua      (optional: the script under test)
//	test("says hello", function()
//	  local res = get("/hello/ada")
//	  expect(res.status).to_be(200)
//	  expect(res.body).to_be("Hello, ada!")
//	end)
//
//	test("creates a todo", function()
//	  local res = post("/todos", { title = "write docs" })
//	  expect(res.status).to_be(201)
//	  expect(res.json.title).to_equal("write docs")
//	  expect(res.headers["location"]).to_match("^/todos/%d+$")
//	end)
//
// Globals in a test file:
//
//	test(name:string, fn:function)        registers a test; tests run in file order
//	get(path [, opts]) -> response        also head, options, delete
//	post(path [, body [, opts]]) -> response   also put, patch
//	request(method, path [, opts]) -> response
//	    body: a string is sent as is; a table as JSON (application/json)
//	    opts.headers: table name -> string; opts.body: as above
//	    opts.form: table, sent as application/x-www-form-urlencoded
//	    opts.query: table, appended to the path as a query string
//	response: { status:number, headers:table (lower-case names, repeated
//	    fields joined with ", "), body:string, json:value|nil (decoded
//	    when the Content-Type mentions json; nil if it is not valid JSON) }
//	expect(actual).to_be(x)               actual == x
//	expect(actual).to_equal(x)            deep equality of tables (metatables ignored)
//	expect(actual).not_to_be(x), .not_to_equal(x)
//	expect(actual).to_contain(x)          substring, or a list element (deep)
//	expect(actual).to_match(pattern)      a Lua pattern
//	expect(actual).to_be_nil(), .to_be_truthy(), .to_be_falsy()
//	assert(v [, message]) -> v, ...       fails the test when v is false or nil
//	fail(message)                         fails the test
//	json                                  require("luaserve.json"), preloaded
//
// Which script: the Config's Script when set (luaserve test -script); else
// a "-- luaserve: path" comment in the file's first lines (relative to the
// test file); else the file's name minus "_test" (routes_test.lua tests
// routes.lua); else routes.lua in the same folder.
//
// Isolation: each test file gets its own engine (one Lua state), so Lua
// module-level variables in the script persist across the tests of one
// file as they do across requests in a server; the shared store
// (luaserve.store) is emptied before each test, so tests do not depend on
// each other's data. The database (luaserve.db) is in memory, one per
// file: the script's migrations run when it loads, and each test starts
// from a copy of the database as they left it, so rows a test writes
// (committed or not) are gone for the next one. The test file can
// require("luaserve.db") too, to seed or inspect the same database.
//
// A failing expectation reports the file:line of the expect call, the
// expected and the actual value; the failing test's server log (route
// errors with tracebacks, print and luaserve.log output) is shown under it.
package luatest
