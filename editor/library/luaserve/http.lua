---@meta luaserve.http

---@class luaserve.http
local http = {}

---@class luaserve.http.Options
---@field url string
---@field method? string default "GET"
---@field headers? table<string, string|string[]> `host` sets the virtual host
---@field query? table<string, any> form-encoded and appended to the URL's query
---@field body? string sent as is
---@field json? any encoded with luaserve.json
---@field form? table<string, any> sent application/x-www-form-urlencoded
---@field timeout? number seconds for the whole call (default 10, -http-timeout)
---@field max_body? integer largest response body in bytes (default 4 MiB)
---@field follow_redirects? boolean false returns a 3xx as the response

---@class luaserve.http.Response
---@field status integer
---@field headers table<string, string|string[]> lower-case names; a repeated field is a list
---@field body string
---@field json any the body decoded when the Content-Type is JSON, else nil
---@field url string the final URL, after redirects

---Makes one call. Any status is a response; a call that got none returns nil
---and a message starting "http: ".
---@param opts luaserve.http.Options
---@return luaserve.http.Response|nil response
---@return string? err
function http.request(opts) end

---@param url string
---@param opts? luaserve.http.Options
---@return luaserve.http.Response|nil response
---@return string? err
function http.get(url, opts) end

---A string body is sent as is, a table as JSON.
---@param url string
---@param body string|table
---@param opts? luaserve.http.Options
---@return luaserve.http.Response|nil response
---@return string? err
function http.post(url, body, opts) end

---Runs the calls at once; results come back in order, a failed one as
---`{ err = message }`. At most 100 calls.
---@param calls (luaserve.http.Options|string)[]
---@return (luaserve.http.Response|{err: string})[]
function http.request_all(calls) end

return http
