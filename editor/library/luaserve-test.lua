---@meta
-- The globals of a luaserve test file (*_test.lua), run by "luaserve test".

---@class luaserve.test.Response
---@field status integer
---@field headers table<string, string> lower-case names; repeated fields joined with ", "
---@field body string
---@field json any decoded when the Content-Type mentions json

---@class luaserve.test.Options
---@field headers? table<string, string>
---@field body? string|table a table is sent as JSON
---@field form? table<string, string> sent as application/x-www-form-urlencoded
---@field query? table<string, string|string[]>

---@class luaserve.test.Expectation
local Expectation = {}
---actual == x
function Expectation.to_be(x) end
---deep equality of tables
function Expectation.to_equal(x) end
function Expectation.not_to_be(x) end
function Expectation.not_to_equal(x) end
---a substring, or a list element
function Expectation.to_contain(x) end
---@param pattern string a Lua pattern
function Expectation.to_match(pattern) end
function Expectation.to_be_nil() end
function Expectation.to_be_truthy() end
function Expectation.to_be_falsy() end

---Registers a test; tests run in file order.
---@param name string
---@param fn fun()
function test(name, fn) end

---@param actual any
---@return luaserve.test.Expectation
function expect(actual) end

---Fails the test.
---@param message string
function fail(message) end

---require("luaserve.json"), preloaded.
json = require("luaserve.json")

---@class luaserve.test.http: luaserve.http
http = require("luaserve.http")

---@class luaserve.test.Call
---@field method string
---@field url string
---@field headers table<string, string|string[]>
---@field body string

---Answers the routes' luaserve.http calls whose URL matches the Lua pattern;
---the most recent matching mock answers.
---@param url_pattern string
---@param response string|table|fun(call: luaserve.test.Call): (table|string|nil, string?)
function http.mock(url_pattern, response) end

---The calls made so far in this test, in order.
---@return luaserve.test.Call[]
function http.calls() end

---@param path string
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function get(path, opts) end

---@param path string
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function head(path, opts) end

---@param path string
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function options(path, opts) end

---@param path string
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function delete(path, opts) end

---@param path string
---@param body? string|table
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function post(path, body, opts) end

---@param path string
---@param body? string|table
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function put(path, body, opts) end

---@param path string
---@param body? string|table
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function patch(path, body, opts) end

---@param method string
---@param path string
---@param opts? luaserve.test.Options
---@return luaserve.test.Response
function request(method, path, opts) end
