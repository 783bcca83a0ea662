package db

import (
	"context"
	"database/sql"
	"strings"
	"sync"
	"time"
)

// argSlices recycles the bound values of a statement.
var argSlices = sync.Pool{New: func() any { return new([]any) }}

// onWriter runs f with the writer connection: held says the caller (a
// transaction) holds it already; else f waits for it.
func (s *SQLite) onWriter(ctx context.Context, held bool, f func(*sql.Conn) error) error {
	if !held {
		if err := s.lockWriter(ctx); err != nil {
			return err
		}
		defer s.unlockWriter()
	}
	return f(s.wconn)
}

// stmt is e's prepared statement on the writer, or nil when e is not
// cached: then the text runs unprepared.
func (s *SQLite) stmt(ctx context.Context, e *entry, cached bool, conn *sql.Conn) (*sql.Stmt, error) {
	if !cached {
		return nil, nil
	}
	return e.stmt(ctx, conn)
}

// bound parses text (or finds it cached) and binds args into *ap.
func (s *SQLite) bound(text string, args Args, ap *[]any) (e *entry, cached bool, err error) {
	if s.closed.Load() {
		return nil, false, ErrClosed
	}
	if e, cached, err = s.cache.get(text); err != nil {
		return nil, false, err
	}
	*ap, err = e.st.Bind(*ap, args)
	return e, cached, err
}

// exec runs text on the writer; held: inside a transaction.
func (s *SQLite) exec(ctx context.Context, held bool, text string, args Args) (Result, error) {
	ap := argSlices.Get().(*[]any)
	defer putArgs(ap)
	e, cached, err := s.bound(text, args, ap)
	if err != nil {
		return Result{}, wrap(ctx, text, err)
	}
	var res sql.Result
	err = s.onWriter(ctx, held, func(conn *sql.Conn) error {
		st, err := s.stmt(ctx, e, cached, conn)
		switch {
		case err != nil:
			return err
		case st != nil:
			res, err = st.ExecContext(ctx, *ap...)
		default:
			res, err = conn.ExecContext(ctx, e.sql, *ap...)
		}
		return err
	})
	if err != nil {
		return Result{}, wrap(ctx, text, err)
	}
	var r Result
	r.RowsAffected, _ = res.RowsAffected()
	r.LastInsertID, _ = res.LastInsertId()
	return r, nil
}

func putArgs(ap *[]any) {
	clear(*ap)
	*ap = (*ap)[:0]
	argSlices.Put(ap)
}

// query runs text on a reader when it only reads (and no transaction holds
// the writer), else on the writer, and hands each row to row.
func (s *SQLite) query(ctx context.Context, held bool, text string, args Args, row RowFunc) error {
	ap := argSlices.Get().(*[]any)
	defer putArgs(ap)
	e, cached, err := s.bound(text, args, ap)
	if err != nil {
		return wrap(ctx, text, err)
	}
	run := func(conn *sql.Conn) error {
		st, err := s.stmt(ctx, e, cached, conn)
		var rows *sql.Rows
		switch {
		case err != nil:
			return err
		case st != nil:
			rows, err = st.QueryContext(ctx, *ap...)
		default:
			rows, err = conn.QueryContext(ctx, e.sql, *ap...)
		}
		if err != nil {
			return err
		}
		err = scan(rows, e, row)
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		return err
	}
	if e.st.ReadOnly && !held && s.readers != nil {
		err = s.readQuery(ctx, e, cached, *ap, row)
	} else {
		err = s.onWriter(ctx, held, run)
	}
	return wrap(ctx, text, err)
}

// rowBuffers recycles scan's value slices.
type rowBuffers struct{ vals, ptrs []any }

var rowBufs = sync.Pool{New: func() any { return new(rowBuffers) }}

// scan reads rows into row.
func scan(rows *sql.Rows, e *entry, row RowFunc) error {
	cols, err := e.columns(rows)
	if err != nil {
		return err
	}
	b := rowBufs.Get().(*rowBuffers)
	defer func() {
		clear(b.vals)
		rowBufs.Put(b)
	}()
	n := len(cols)
	if cap(b.vals) < n {
		b.vals, b.ptrs = make([]any, n), make([]any, n)
	}
	b.vals, b.ptrs = b.vals[:n], b.ptrs[:n]
	for i := range b.vals {
		b.ptrs[i] = &b.vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(b.ptrs...); err != nil {
			return err
		}
		for i, v := range b.vals {
			if t, ok := v.(time.Time); ok {
				b.vals[i] = timeText(t)
			}
		}
		if err := row(cols, b.vals); err != nil {
			if err == ErrStop {
				return nil
			}
			return err
		}
	}
	return rows.Err()
}

// timeText writes back a DATE, DATETIME or TIMESTAMP column's text, which
// the driver parsed into a time, in SQLite's own format.
func timeText(t time.Time) string {
	if t.Location() == time.UTC {
		return t.Format("2006-01-02 15:04:05.999999999")
	}
	return t.Format("2006-01-02 15:04:05.999999999-07:00")
}

// columns describes rows' columns, from the entry's last query when they
// are the same (they are, unless the schema changed).
func (e *entry) columns(rows *sql.Rows) ([]Column, error) {
	if e != nil {
		if c := e.cols.Load(); c != nil && sameColumns(*c, rows) {
			return *c, nil
		}
	}
	types, err := rows.ColumnTypes()
	if err != nil {
		return nil, err
	}
	cols := make([]Column, len(types))
	for i, t := range types {
		decl := strings.ToUpper(t.DatabaseTypeName())
		cols[i] = Column{Name: t.Name(), Bool: decl == "BOOLEAN" || decl == "BOOL"}
	}
	if e != nil {
		e.cols.Store(&cols)
	}
	return cols, nil
}

// sameColumns reports whether rows has the column names of cols.
func sameColumns(cols []Column, rows *sql.Rows) bool {
	names, err := rows.Columns()
	if err != nil || len(names) != len(cols) {
		return false
	}
	for i, n := range names {
		if cols[i].Name != n {
			return false
		}
	}
	return true
}
