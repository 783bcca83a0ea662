---@meta luaserve.store

---The store every Lua state shares; values are stored as JSON.
---@class luaserve.store
local store = {}

---Sets key; a nil value deletes. ttl in seconds (> 0).
---@param key string
---@param value string|number|boolean|table|nil
---@param ttl_seconds? number
---@return true|nil ok
---@return string? err
function store.set(key, value, ttl_seconds) end

---@param key string
---@return any value nil when absent
function store.get(key) end

---@param key string
---@return boolean existed
function store.delete(key) end

---Adds by (1 by default) atomically; an absent key counts from 0.
---@param key string
---@param by? integer
---@return integer value
function store.incr(key, by) end

---The keys, sorted.
---@param prefix? string
---@return string[]
function store.keys(prefix) end

return store
