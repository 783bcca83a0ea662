package db

import (
	"context"
	"errors"
	"strings"
)

// Error is a statement that failed: the database's message and the
// statement's text, and, when the database said why in a way a script can
// act on, a portable Code.
type Error struct {
	SQL string // the statement as written
	Err error  // the driver's error, or the context's cause
	// Code names the failure the same way on every engine, with
	// PostgreSQL's condition names: "unique_violation",
	// "foreign_key_violation", "not_null_violation", "check_violation",
	// "serialization_failure", "deadlock_detected"; "" for the others.
	Code string
	// Constraint is the constraint that failed, when the engine names it:
	// PostgreSQL's constraint name, SQLite's table.column.
	Constraint string
}

// ErrUnavailable is a database that cannot be reached (refused, reset,
// shutting down): the request cannot be served now, but a later one may
// be. errors.Is finds it inside an *Error.
var ErrUnavailable = errors.New("database unavailable")

// maxSQLInError bounds the statement text an error message quotes.
const maxSQLInError = 200

func (e *Error) Error() string {
	q := strings.Join(strings.Fields(e.SQL), " ")
	if len(q) > maxSQLInError {
		q = q[:maxSQLInError] + "..."
	}
	msg := e.Err.Error()
	if e.Constraint != "" && !strings.Contains(msg, e.Constraint) {
		msg += " (constraint " + e.Constraint + ")"
	}
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	return msg + ` (in "` + q + `")`
}

func (e *Error) Unwrap() error { return e.Err }

// wrap makes err an *Error for query; a context that ended is reported by
// its cause (the time limit, a client gone) rather than "context canceled".
func wrap(ctx context.Context, query string, err error) error {
	if err == nil {
		return nil
	}
	if cerr := ctx.Err(); cerr != nil && (errors.Is(err, cerr) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || isInterrupt(err)) {
		err = context.Cause(ctx)
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	e = &Error{SQL: query, Err: err}
	if !sqliteCode(e) {
		postgresCode(e)
	}
	return e
}
