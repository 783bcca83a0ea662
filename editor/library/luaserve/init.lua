---@meta luaserve
-- lua-language-server definitions for require("luaserve"), the request
-- table and response tables. Written by "luaserve init"; not loaded by
-- the server.

---A request, as a route, middleware or hook receives it. Fields are built
---the first time they are read; middleware may add its own.
---@class luaserve.Request
---@field method string "GET", "POST", ...
---@field target string the request-target as sent: "/users/ada%20smith?x=1"
---@field path string the decoded path: "/users/ada smith"
---@field raw_path string the path as sent: "/users/ada%20smith"
---@field query_string string the raw query string, without "?" ("" when none)
---@field query table<string, string> decoded query: name -> first value
---@field headers table<string, string> lower-case name -> value (repeated fields joined with ", ")
---@field params table<string, string> values of the route's :name and *name segments
---@field cookies table<string, string> cookie name -> value
---@field body string the body ("" when none)
---@field remote_addr string the client's "ip:port"
---@field remote_ip string the client's IP (from a -trusted-proxies peer, the client it names)
---@field scheme "http"|"https" the connection's scheme, or the one a trusted proxy names
---@field id string the request id (a trusted proxy's X-Request-Id, else a new one)
---@field version string "HTTP/1.1" or "HTTP/1.0"
---@field host string the Host header
---@field route string? the matched pattern, e.g. "/users/:id"
---@field session table? with app.sessions: the session, written back when changed; {} logs out
---@field [string] any fields added by middleware
local Request = {}

---The body decoded as JSON.
---@return any value
---@return string? err
function Request:json() end

---@class luaserve.UploadedFile
---@field field string the form field's name
---@field filename string the base name the browser sent ("" when none)
---@field content_type string as sent (application/octet-stream when absent)
---@field size integer bytes
---@field content string? the file, up to 256 KiB
---@field path string? a temporary file for larger ones, removed when the route returns

---An application/x-www-form-urlencoded or multipart/form-data body:
---fields (name -> first value) and files (field name -> first file).
---A malformed or over-limit body raises, answered 400 or 413.
---@return table<string, string> fields
---@return table<string, luaserve.UploadedFile> files
function Request:form() end

---Every file uploaded under that field name.
---@param name string
---@return luaserve.UploadedFile[]
function Request:form_files(name) end

---The session's CSRF token (with app.sessions), made on first use.
---@return string
function Request:csrf_token() end

---True when the X-CSRF-Token header or the csrf_token form field equals
---the session's token; otherwise the request is answered 403.
---@return boolean
function Request:verify_csrf() end

---Every value of a form field.
---@param name string
---@return string[]
function Request:form_values(name) end

---Every value of a query parameter.
---@param name string
---@return string[]
function Request:query_values(name) end

---A header by any-case name.
---@param name string
---@return string?
function Request:header(name) end

---Each field with that name, in order.
---@param name string
---@return string[]
function Request:header_values(name) end

---One cookie.
---@param name string
---@return string?
function Request:cookie(name) end

---A cookie set by a response: a value, or its attributes.
---@class luaserve.Cookie
---@field value string
---@field path? string
---@field domain? string
---@field max_age? integer
---@field expires? integer|string Unix time or a date string
---@field http_only? boolean
---@field secure? boolean
---@field same_site? "Lax"|"Strict"|"None"

---A response table: at most one content field (body, text, html, json,
---redirect, file).
---@class luaserve.ResponseTable
---@field status? integer the status code (default 200)
---@field headers? table<string, string|number|string[]>
---@field cookies? table<string, string|luaserve.Cookie>
---@field body? string text/plain unless headers set a type
---@field text? string the same as body
---@field html? string text/html
---@field json? any encoded with luaserve.json
---@field redirect? string a URL for Location (302 unless a 3xx status is given)
---@field file? string a file below the file root
---@field download? string a file name for Content-Disposition: attachment

---What a route may return: a string (200 text), a status number, nil
---(204) or a response table.
---@alias luaserve.Response string|integer|luaserve.ResponseTable|nil

---@alias luaserve.Handler fun(req: luaserve.Request): luaserve.Response

---Options of app.static.
---@class luaserve.StaticOptions
---@field index? string|false file served for a folder URL (default "index.html")
---@field listing? boolean an HTML listing of folders without an index file
---@field cache_control? string
---@field compress? boolean serve .br/.gz siblings; gzip text on the fly (default true)
---@field dotfiles? boolean serve names starting with "."
---@field fallback_type? string type for unknown extensions

---The server's settings, read-only.
---@class luaserve.Config
---@field version string
---@field script string
---@field dev boolean
---@field workers integer
---@field timeout number seconds
---@field root string

---The routing module: routes, middleware and hooks are registered while
---the script loads.
---@class luaserve.App
---@field dev boolean whether -dev is on
---@field version string the luaserve version
---@field config luaserve.Config
local app = {}

---A GET (and HEAD) route.
---@param pattern string segments of text, :name, and a final *name
---@param fn luaserve.Handler
function app.get(pattern, fn) end

---@param pattern string
---@param fn luaserve.Handler
function app.post(pattern, fn) end

---@param pattern string
---@param fn luaserve.Handler
function app.put(pattern, fn) end

---@param pattern string
---@param fn luaserve.Handler
function app.patch(pattern, fn) end

---@param pattern string
---@param fn luaserve.Handler
function app.delete(pattern, fn) end

---@param pattern string
---@param fn luaserve.Handler
function app.options(pattern, fn) end

---@param pattern string
---@param fn luaserve.Handler
function app.head(pattern, fn) end

---A route for every method.
---@param pattern string
---@param fn luaserve.Handler
function app.any(pattern, fn) end

---A route for any method name ("PURGE"); "ANY" or "*" is app.any.
---@param method string
---@param pattern string
---@param fn luaserve.Handler
function app.route(method, pattern, fn) end

---Middleware: runs before the route; returning a response answers early.
---@param prefix_or_fn string|fun(req: luaserve.Request): luaserve.Response?
---@param fn? fun(req: luaserve.Request): luaserve.Response?
function app.use(prefix_or_fn, fn) end

---Answers when no route matches the path.
---@param fn luaserve.Handler
function app.not_found(fn) end

---Answers when a route raises an error, or runs past its time limit (504).
---@param fn fun(req: luaserve.Request, message: string, status: integer): luaserve.Response?
function app.on_error(fn) end

---Answers the statuses the server makes itself (404, 405, 413, 503, ...);
---nil keeps the plain-text answer.
---@param fn fun(req: luaserve.Request, status: integer, reason: string): luaserve.Response?
function app.on_status(fn) end

---@class luaserve.AfterResponse
---@field status integer
local AfterResponse = {}
---@param name string
---@return string?
function AfterResponse:header(name) end
---@param name string
---@param value string
function AfterResponse:set_header(name, value) end
---@param name string
---@param value string
function AfterResponse:add_header(name, value) end
---@param name string
function AfterResponse:del_header(name) end

---Runs after every response the engine sends is decided; can change its
---headers.
---@param fn fun(req: luaserve.Request, res: luaserve.AfterResponse)
function app.after(fn) end

---@class luaserve.CorsOptions
---@field origins string|string[]|fun(origin: string): boolean
---@field methods? string[]
---@field headers? string[]
---@field expose? string[]
---@field credentials? boolean
---@field max_age? integer seconds

---Answers preflights and adds CORS headers to every response.
---@param options luaserve.CorsOptions
function app.cors(options) end

---@class luaserve.SessionOptions
---@field cookie? string default "luaserve_session"
---@field max_age? integer seconds, default 14 days
---@field secure? boolean
---@field same_site? "Lax"|"Strict"|"None"
---@field path? string
---@field domain? string

---Encrypted cookie sessions in req.session (needs -session-secret).
---@param options? luaserve.SessionOptions
function app.sessions(options) end

---Serves the files of dir under prefix.
---@param prefix string
---@param dir string relative to the script's folder
---@param options? luaserve.StaticOptions
function app.static(prefix, dir, options) end


---A WebSocket or event stream, usable from any state and any later request
---(find it again with app.conn(id)).
---@class luaserve.Conn
---@field id string unique in this process
---@field kind "websocket"|"sse"
---@field last_event_id string an event stream's Last-Event-ID header ("" when none)
---@field protocol string a WebSocket's subprotocol ("" when none)
local Conn = {}

---Queues a message (never waits for the network). WebSocket: data is text
---(UTF-8) unless kind is "binary". Event stream: data, or an event table.
---@param data string|{id?: string, event?: string, data?: string, retry?: integer}
---@param kind? "text"|"binary"
---@return true|nil ok
---@return string? err
function Conn:send(data, kind) end

---Closes the connection (WebSocket: the close handshake with code, 1000 by default).
---@param code? integer 1000-1003, 1007-1011 or 3000-4999
---@param reason? string at most 123 bytes
function Conn:close(code, reason) end

---Receives what pubsub.publish sends to topic.
---@param topic string
---@return true|nil ok
---@return string? err
function Conn:subscribe(topic) end

---@param topic string
function Conn:unsubscribe(topic) end

---The connection's own data (kept outside the Lua states, at most 64 KiB).
---@param key string
---@return string|number|boolean|nil
function Conn:get(key) end

---@param key string
---@param value string|number|boolean|nil nil deletes
---@return true|nil ok
---@return string? err
function Conn:set(key, value) end

---@class luaserve.WebSocketHandlers
---@field open? fun(conn: luaserve.Conn, req: luaserve.Request): luaserve.ResponseTable|integer|nil a response refuses the upgrade
---@field message? fun(conn: luaserve.Conn, data: string, kind: "text"|"binary")
---@field close? fun(conn: luaserve.Conn, code: integer, reason: string)
---@field origins? string[]|"*" other sites whose pages may open it (default: same origin only)
---@field protocols? string[] subprotocols spoken; the first the client offers is chosen (conn.protocol)

---A WebSocket endpoint: each event runs in a Lua state borrowed for it.
---@param pattern string
---@param handlers luaserve.WebSocketHandlers
function app.ws(pattern, handlers) end

---@class luaserve.StreamHandlers
---@field open? fun(stream: luaserve.Conn, req: luaserve.Request): luaserve.ResponseTable|integer|nil
---@field close? fun(stream: luaserve.Conn, code: integer, reason: string)

---A server-sent event stream (text/event-stream) endpoint.
---@param pattern string
---@param handlers luaserve.StreamHandlers
function app.sse(pattern, handlers) end

---The open WebSocket or event stream id, or nil.
---@param id string
---@return luaserve.Conn|nil
function app.conn(id) end

return app
