// Package db is luaserve's SQL layer: a small interface (DB, Tx) over
// database/sql, with what differs between database engines kept in one
// place (Dialect), and SQLite as the first backend (OpenSQLite, through the
// pure-Go modernc.org/sqlite driver). It knows nothing of Lua.
//
// Statements are written once for every engine: positional parameters are
// ?, named ones :name; Parse finds them (outside strings, quoted names and
// comments) and the dialect writes the engine's own placeholders, so that
// the same text runs on SQLite and PostgreSQL. Values crossing the
// interface are nil (NULL), int64, float64, string (text), []byte (blob)
// and bool.
//
// Every call takes a context: a statement still running when it ends is
// interrupted, and a wait for a connection gives up. Errors are *Error
// values that carry the database's message and the statement.
//
// Lifetime: a DB is shared by every Lua state and every engine a reload
// builds; Close it once, when the server stops. A Tx belongs to the one
// goroutine that began it, until Commit or Rollback.
package db
