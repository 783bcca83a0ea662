---@meta luaserve.store

---The store every Lua state shares. Values are strings (kept byte for
---byte), numbers, booleans, json.null and tables of those; a table read
---back is a copy. ttl is in seconds (fractions allowed).
---@class luaserve.store
local store = {}

---@alias luaserve.store.Value string|number|boolean|table|userdata

---Sets key; a nil value deletes.
---@param key string
---@param value luaserve.store.Value|nil
---@param ttl? number
---@return true|nil ok
---@return string? err
function store.set(key, value, ttl) end

---@param key string
---@return luaserve.store.Value|nil value nil when absent
function store.get(key) end

---Stores value only when key is absent.
---@param key string
---@param value luaserve.store.Value
---@param ttl? number
---@return boolean stored
---@return string? err
function store.add(key, value, ttl) end

---Compare and swap: when key holds old (nil: absent), it then holds new
---(nil: deleted).
---@param key string
---@param old luaserve.store.Value|nil
---@param new luaserve.store.Value|nil
---@param ttl? number
---@return boolean swapped
---@return string? err
function store.cas(key, old, new, ttl) end

---@param key string
---@return boolean existed
function store.delete(key) end

---Adds by (1 by default) atomically; an absent key counts from 0 (and
---gets ttl).
---@param key string
---@param by? integer
---@param ttl? number
---@return integer value
function store.incr(key, by, ttl) end

---Seconds left; math.huge without expiry; nil when absent.
---@param key string
---@return number?
function store.ttl(key) end

---The keys, sorted.
---@param prefix? string
---@return string[]
function store.keys(prefix) end

---@class luaserve.store.Stats
---@field keys integer
---@field bytes integer
---@field max_bytes integer
---@field hits integer
---@field misses integer
---@field evictions integer
---@field expired integer

---@return luaserve.store.Stats
function store.stats() end

---Whether the backend answers (always true in memory and SQLite): for a
---readiness route. Never raises.
---@return true|nil ok
---@return string? err
function store.ping() end

return store
