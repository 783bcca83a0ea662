package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"io"
	"strings"
	"time"
)

// reader is one reader connection, used below database/sql: a read by
// primary key is a few microseconds of SQLite, and database/sql's Stmt and
// Rows (a connection search, a goroutine watching the context, a copy of
// every value) would cost as much again. The driver still interrupts the
// statement when its context ends. A reader is used by one query at a
// time (it is taken from SQLite.readers), so its fields need no lock.
type reader struct {
	conn  *sql.Conn              // reserved from SQLite.read for the database's life
	stmts map[*entry]driver.Stmt // prepared on this connection, for cached entries
	named []driver.NamedValue    // scratch: the bound values
	dest  []driver.Value         // scratch: one row, as the driver writes it
	vals  []any                  // scratch: one row, as RowFunc takes it
}

// openReaders reserves n connections of s.read.
func (s *SQLite) openReaders(n int) error {
	s.readers = make(chan *reader, n)
	for range n {
		c, err := s.read.Conn(context.Background())
		if err != nil {
			return err
		}
		s.readers <- &reader{conn: c, stmts: map[*entry]driver.Stmt{}}
	}
	return nil
}

// closeReaders waits for every reader, then closes its statements and
// gives its connection back.
func (s *SQLite) closeReaders() error {
	var errs []error
	for range cap(s.readers) {
		r := <-s.readers
		errs = append(errs, r.conn.Raw(func(any) error {
			for _, st := range r.stmts {
				st.Close()
			}
			return nil
		}), r.conn.Close())
	}
	return errors.Join(errs...)
}

// readQuery runs e, which only reads, on a free reader.
func (s *SQLite) readQuery(ctx context.Context, e *entry, cached bool, args []any, row RowFunc) error {
	var r *reader
	select {
	case r = <-s.readers:
	default:
		start := time.Now()
		select {
		case r = <-s.readers:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
		s.waits.since(start)
	}
	defer func() { s.readers <- r }()
	return r.conn.Raw(func(dc any) error { return r.query(ctx, dc, e, cached, args, row) })
}

func (r *reader) query(ctx context.Context, dc any, e *entry, cached bool, args []any, row RowFunc) error {
	st := r.stmts[e]
	if st == nil {
		p, ok := dc.(driver.ConnPrepareContext)
		if !ok {
			return errors.New("db: the driver cannot prepare with a context")
		}
		var err error
		if st, err = p.PrepareContext(ctx, e.sql); err != nil {
			return err
		}
		if cached {
			r.stmts[e] = st
		} else {
			defer st.Close()
		}
	}
	q, ok := st.(driver.StmtQueryContext)
	if !ok {
		return errors.New("db: the driver cannot query with a context")
	}
	r.named = r.named[:0]
	for i, v := range args {
		r.named = append(r.named, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	rows, err := q.QueryContext(ctx, r.named)
	clear(r.named)
	if err != nil {
		return err
	}
	err = r.scan(rows, e, row)
	if cerr := rows.Close(); err == nil {
		err = cerr
	}
	return err
}

// scan hands rows to row.
func (r *reader) scan(rows driver.Rows, e *entry, row RowFunc) error {
	cols := e.driverColumns(rows)
	if cap(r.dest) < len(cols) {
		r.dest, r.vals = make([]driver.Value, len(cols)), make([]any, len(cols))
	}
	dest, vals := r.dest[:len(cols)], r.vals[:len(cols)]
	defer clear(dest)
	defer clear(vals)
	for {
		if err := rows.Next(dest); err == io.EOF {
			return nil
		} else if err != nil {
			return err
		}
		for i, v := range dest {
			if t, ok := v.(time.Time); ok {
				v = timeText(t)
			}
			vals[i] = v
		}
		if err := row(cols, vals); err != nil {
			if err == ErrStop {
				return nil
			}
			return err
		}
	}
}

// driverColumns is columns for driver rows.
func (e *entry) driverColumns(rows driver.Rows) []Column {
	names := rows.Columns()
	if c := e.cols.Load(); c != nil && sameNames(*c, names) {
		return *c
	}
	typed, _ := rows.(driver.RowsColumnTypeDatabaseTypeName)
	cols := make([]Column, len(names))
	for i, n := range names {
		cols[i].Name = n
		if typed != nil {
			decl := strings.ToUpper(typed.ColumnTypeDatabaseTypeName(i))
			cols[i].Bool = decl == "BOOLEAN" || decl == "BOOL"
		}
	}
	e.cols.Store(&cols)
	return cols
}

func sameNames(cols []Column, names []string) bool {
	if len(names) != len(cols) {
		return false
	}
	for i, n := range names {
		if cols[i].Name != n {
			return false
		}
	}
	return true
}
