---@meta luaserve.log

---Writes to the server log with the caller's file and line.
---@class luaserve.log
local log = {}

---@param message string
---@param fields? table<string, any>
function log.debug(message, fields) end

---@param message string
---@param fields? table<string, any>
function log.info(message, fields) end

---@param message string
---@param fields? table<string, any>
function log.warn(message, fields) end

---@param message string
---@param fields? table<string, any>
function log.error(message, fields) end

return log
