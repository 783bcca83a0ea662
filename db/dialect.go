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
	// MigrationLock, run first in each of Migrate's transactions, makes
	// servers that migrate one database at once take turns (PostgreSQL:
	// an advisory lock held until the transaction ends). SQLite needs
	// none: BEGIN IMMEDIATE already takes the one write lock.
	MigrationLock string
}

// Dialecter is a DB that says which engine it is.
type Dialecter interface{ Dialect() Dialect }

// SQLiteDialect is SQLite's.
var SQLiteDialect = Dialect{Name: "sqlite", Placeholder: sqlitePlaceholder, LastInsertID: true}
