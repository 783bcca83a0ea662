package db

import (
	"context"
	"errors"
	"strings"
)

// Error is a statement that failed: the database's message and the
// statement's text.
type Error struct {
	SQL string // the statement as written
	Err error  // the driver's error, or the context's cause
}

// maxSQLInError bounds the statement text an error message quotes.
const maxSQLInError = 200

func (e *Error) Error() string {
	q := strings.Join(strings.Fields(e.SQL), " ")
	if len(q) > maxSQLInError {
		q = q[:maxSQLInError] + "..."
	}
	return e.Err.Error() + ` (in "` + q + `")`
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
	return &Error{SQL: query, Err: err}
}
