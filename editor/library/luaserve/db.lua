---@meta luaserve.db

---SQL through the server's database (SQLite by default: -db). Parameters
---are always bound: `?` takes the arguments after sql, `:name` one table.
---@class luaserve.db
---@field null any SQL NULL: the same value as json.null
local db = {}

---Runs a statement.
---@param sql string
---@param ... any parameters: values for `?`, or one table for `:name`
---@return integer changes rows changed
---@return integer? last_id the rowid of the last insert
function db.exec(sql, ...) end

---Every row, each a table column name -> value (in column order for JSON).
---@param sql string
---@param ... any
---@return table[] rows
function db.query(sql, ...) end

---The first row, or nil.
---@param sql string
---@param ... any
---@return table? row
function db.row(sql, ...) end

---The first row, or nil (the same as db.row).
---@param sql string
---@param ... any
---@return table? row
function db.query_one(sql, ...) end

---The first column of the first row, or nil when there is no row.
---@param sql string
---@param ... any
---@return any
function db.value(sql, ...) end

---Runs fn in a transaction: commits when it returns, rolls back and
---re-raises when it raises. Nested calls use savepoints.
---@generic T
---@param fn fun(): T
---@return T
function db.tx(fn) end

---Applies each step not applied yet, in order, each in a transaction, and
---refuses to start when an applied step was edited. Steps: a list of SQL
---texts, { name =, sql = } entries, or a name -> SQL table.
---@param steps string[]|table
---@return integer applied
function db.migrate(steps) end

---Whether the database answers: for a readiness route. Never raises.
---@return true|nil ok
---@return string? err
function db.ping() end

---The engine behind luaserve.db: "sqlite" or "postgres", for the few
---statements that must differ (a table's generated id, for one).
---@return "sqlite"|"postgres"
function db.engine() end

return db
