---@meta luaserve.response

---Builders of response tables.
---@class luaserve.response
local response = {}

---@param value any
---@param status? integer
---@param headers? table<string, string|number|string[]>
---@return luaserve.ResponseTable
function response.json(value, status, headers) end

---@param text string
---@param status? integer
---@param headers? table<string, string|number|string[]>
---@return luaserve.ResponseTable
function response.html(text, status, headers) end

---@param text string
---@param status? integer
---@param headers? table<string, string|number|string[]>
---@return luaserve.ResponseTable
function response.text(text, status, headers) end

---@class luaserve.response.RenderOptions: luaserve.template.Options
---@field headers? table<string, string|number|string[]>

---An HTML page from a template (luaserve.template.render).
---@param name string
---@param data? any
---@param status? integer
---@param options? luaserve.response.RenderOptions
---@return luaserve.ResponseTable
function response.render(name, data, status, options) end

---@param location string
---@param status? integer 302 by default
---@return luaserve.ResponseTable
function response.redirect(location, status) end

---@class luaserve.response.FileOptions
---@field download? string
---@field content_type? string
---@field cache_control? string
---@field status? integer

---@param path string below the file root
---@param options? luaserve.response.FileOptions
---@return luaserve.ResponseTable
function response.file(path, options) end

---@param code integer
---@param body? string defaults to the reason phrase
---@return luaserve.ResponseTable
function response.status(code, body) end

---204 No Content.
---@return luaserve.ResponseTable
function response.no_content() end

return response
