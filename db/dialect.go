package db

// Dialect is what differs between database engines, in one place. The
// rest (parameters, binding, transactions, savepoints, migrations) is
// written once.
type Dialect struct {
	Name string // "sqlite"
	// Placeholder appends the engine's placeholder for parameter slot n
	// (from 1): SQLite "?n", PostgreSQL "$n".
	Placeholder func(b []byte, n int) []byte
	// LastInsertID says whether Exec can report the last inserted row id
	// (PostgreSQL cannot: a script uses RETURNING there).
	LastInsertID bool
}

// SQLiteDialect is SQLite's.
var SQLiteDialect = Dialect{Name: "sqlite", Placeholder: sqlitePlaceholder, LastInsertID: true}
