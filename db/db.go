package db

import (
	"context"
	"errors"
)

// DB is a SQL database safe for concurrent use.
type DB interface {
	Querier
	// Begin starts a transaction; it holds a connection (SQLite: the one
	// writer) until Commit or Rollback.
	Begin(ctx context.Context) (Tx, error)
	// Close closes the database; calls after it fail.
	Close() error
}

// Querier runs statements: a DB, or a Tx on its connection.
type Querier interface {
	// Exec runs a statement and reports what it changed.
	Exec(ctx context.Context, query string, args Args) (Result, error)
	// Query runs a statement and calls row for each row, in order; the
	// values slice is reused between calls (copy what you keep; strings
	// and byte slices are the caller's). row returning an error stops the
	// query with that error.
	Query(ctx context.Context, query string, args Args, row RowFunc) error
}

// Tx is a transaction. Savepoint nests: each returns the means to undo or
// keep what ran since.
type Tx interface {
	Querier
	// Savepoint starts a nested transaction inside this one.
	Savepoint(ctx context.Context) (Savepoint, error)
	Commit() error
	Rollback() error
}

// Savepoint is a nested transaction (SQL SAVEPOINT).
type Savepoint interface {
	// Release keeps what ran since the savepoint (in the enclosing transaction).
	Release(ctx context.Context) error
	// Rollback undoes what ran since the savepoint and ends it.
	Rollback(ctx context.Context) error
}

// Args are a statement's parameters: List for ?, in order, or Named for
// :name (keys without the colon). Values are nil, bool, int64, float64,
// string or []byte.
type Args struct {
	List  []any
	Named map[string]any
}

// Result is what Exec changed.
type Result struct {
	RowsAffected int64
	LastInsertID int64 // 0 when the engine does not say (PostgreSQL: use RETURNING)
}

// Column describes one result column.
type Column struct {
	Name string
	// Bool is a column declared BOOLEAN (or BOOL): its 0 and 1 are false
	// and true.
	Bool bool
}

// RowFunc receives one row: the columns (the same slice for every row of a
// query) and the values, nil, int64, float64, string or []byte. It returns
// ErrStop to end the query early, without error.
type RowFunc func(cols []Column, vals []any) error

// ErrStop, returned by a RowFunc, ends its query early; Query returns nil.
var ErrStop = errors.New("db: stop")

// ErrClosed is returned by calls on a closed database.
var ErrClosed = errors.New("db: database is closed")

// Pinger is a DB that can say whether its server answers.
type Pinger interface {
	Ping(ctx context.Context) error
}
