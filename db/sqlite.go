package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strings"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite is a SQLite database file (or an in-memory database) behind DB:
// WAL mode, a busy timeout, foreign keys on, one writer connection and a
// small pool of readers.
//
// Writes go through one connection, so writers queue in Go (and give up
// when their context ends) instead of in SQLite's busy loop, and no
// request ever sees "database is locked" from another one of this
// process. Reads that are a single SELECT run on the readers, beside the
// writer, as WAL allows. A transaction is BEGIN IMMEDIATE ... COMMIT on
// the writer, which it holds from Begin to its end; its statements use
// the writer's cached prepared statements.
type SQLite struct {
	path    string
	write   *sql.DB       // the pool of the one writer connection
	wconn   *sql.Conn     // that connection, held for the database's life
	wlock   chan struct{} // a token per holder of wconn: a statement, or a transaction
	read    *sql.DB       // the readers' pool; nil for :memory:
	readers chan *reader  // its connections, each reserved, free ones here
	memory  bool
	cache   stmtCache
	closed  atomic.Bool
	waits   waitCount // statements that waited for the writer or a reader
}

// SQLiteOptions tune OpenSQLite; the zero value is the defaults.
type SQLiteOptions struct {
	// Readers is the number of reader connections; zero means
	// DefaultReaders(). An in-memory database has none: every statement
	// uses its one connection.
	Readers int
	// BusyTimeout is how long a statement waits for a lock another process
	// holds; zero means 5s.
	BusyTimeout time.Duration
	// Synchronous is SQLite's synchronous setting; "" means NORMAL, which in
	// WAL mode loses no committed transaction when the process dies, only
	// (perhaps the last ones) when the machine does. FULL survives that too.
	Synchronous string
}

// DefaultReaders is two reader connections per CPU Go uses, at least two
// and at most eight: a pure-Go SQLite read is CPU work, so more readers
// than CPUs add page caches, not speed; the spare covers a request that
// holds its connection while it is descheduled.
func DefaultReaders() int { return min(8, max(2, 2*runtime.GOMAXPROCS(0))) }

// Memory is the path of a throwaway in-memory database.
const Memory = ":memory:"

// OpenSQLite opens (creating it if need be) the database at path, or an
// in-memory one for ":memory:", and checks that it can write to it: a file
// that is not a SQLite database, or that is read-only, is an error naming
// the file.
func OpenSQLite(path string, o SQLiteOptions) (*SQLite, error) {
	if path == "" {
		return nil, errors.New("db: no path given (\":memory:\" for an in-memory database)")
	}
	if o.Readers <= 0 {
		o.Readers = DefaultReaders()
	}
	if o.BusyTimeout <= 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.Synchronous == "" {
		o.Synchronous = "NORMAL"
	}
	s := &SQLite{path: path, memory: path == Memory, wlock: make(chan struct{}, 1)}
	var err error
	if s.write, err = sql.Open("sqlite", dsn(path, o, false)); err != nil {
		return nil, fmt.Errorf("db %s: %w", path, err)
	}
	keep(s.write, 1)
	if s.wconn, err = s.write.Conn(context.Background()); err == nil {
		err = s.check()
	}
	if err != nil {
		s.write.Close()
		return nil, fmt.Errorf("db %s: %w", path, sqliteMessage(err))
	}
	if !s.memory {
		if s.read, err = sql.Open("sqlite", dsn(path, o, true)); err != nil {
			s.write.Close()
			return nil, fmt.Errorf("db %s: %w", path, err)
		}
		keep(s.read, o.Readers)
		if err := s.openReaders(o.Readers); err != nil {
			s.read.Close()
			s.write.Close()
			return nil, fmt.Errorf("db %s: %w", path, err)
		}
	}
	return s, nil
}

// keep makes db hold n connections and never close an idle one: each
// keeps its prepared statements and page cache (and an in-memory
// database lives only as long as its connection).
func keep(db *sql.DB, n int) {
	db.SetMaxOpenConns(n)
	db.SetMaxIdleConns(n)
	db.SetConnMaxLifetime(0)
	db.SetConnMaxIdleTime(0)
}

// dsn is the driver's connection string: pragmas set on every connection.
func dsn(path string, o SQLiteOptions, reader bool) string {
	q := url.Values{}
	pragmas := []string{
		fmt.Sprintf("busy_timeout(%d)", o.BusyTimeout.Milliseconds()),
		"foreign_keys(1)",
	}
	if path != Memory {
		pragmas = append(pragmas, "journal_mode(WAL)", "synchronous("+o.Synchronous+")")
	}
	if reader {
		pragmas = append(pragmas, "query_only(1)") // a safety net: readers get only SELECTs
	} else {
		q.Set("_txlock", "immediate") // take the write lock at BEGIN, not at the first write
	}
	q["_pragma"] = pragmas
	return path + "?" + q.Encode()
}

// check proves the database usable: it is SQLite, and writable.
func (s *SQLite) check() error {
	ctx := context.Background()
	if !s.memory {
		if fi, err := os.Stat(s.path); err == nil && fi.Mode().Perm()&0o222 == 0 {
			return errors.New("the file is read-only")
		}
	}
	var n int
	if err := s.wconn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master").Scan(&n); err != nil {
		return err
	}
	// BEGIN IMMEDIATE takes the write lock: it fails on a read-only file.
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		return err
	}
	_, err := s.wconn.ExecContext(ctx, "ROLLBACK")
	return err
}

// sqliteMessage turns the driver's "file is not a database (26)" into a
// plainer error.
func sqliteMessage(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_NOTADB:
			return errors.New("not a SQLite database")
		case sqlite3.SQLITE_READONLY:
			return errors.New("the database is read-only")
		}
	}
	return err
}

// isInterrupt reports whether err is SQLite's "interrupted".
func isInterrupt(err error) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_INTERRUPT
}

// Ping checks that the database is open: a SQLite file has no server to
// lose.
func (s *SQLite) Ping(context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	return nil
}

// Path is the database's file, or ":memory:".
func (s *SQLite) Path() string { return s.path }

// Dialect is SQLite's.
func (s *SQLite) Dialect() Dialect { return SQLiteDialect }

// Close closes the database, after the statement or transaction holding
// the writer ends.
func (s *SQLite) Close() error {
	if !s.closed.CompareAndSwap(false, true) {
		return nil
	}
	s.wlock <- struct{}{} // never given back
	s.cache.close()
	var err error
	if s.read != nil {
		err = errors.Join(s.closeReaders(), s.read.Close())
	}
	return errors.Join(err, s.wconn.Close(), s.write.Close())
}

// lockWriter waits for the writer until ctx ends.
func (s *SQLite) lockWriter(ctx context.Context) error {
	if s.closed.Load() {
		return ErrClosed
	}
	select {
	case s.wlock <- struct{}{}:
	default:
		defer s.waits.since(time.Now())
		select {
		case s.wlock <- struct{}{}:
		case <-ctx.Done():
			return context.Cause(ctx)
		}
	}
	if s.closed.Load() {
		<-s.wlock
		return ErrClosed
	}
	return nil
}

func (s *SQLite) unlockWriter() { <-s.wlock }

// Exec runs query on the writer.
func (s *SQLite) Exec(ctx context.Context, query string, args Args) (Result, error) {
	return s.exec(ctx, false, query, args)
}

// Query runs query on a reader when it only reads, else on the writer.
func (s *SQLite) Query(ctx context.Context, query string, args Args, row RowFunc) error {
	return s.query(ctx, false, query, args, row)
}

// sqliteCode sets e's portable Code from SQLite's extended result code;
// it reports whether err came from SQLite.
func sqliteCode(e *Error) bool {
	var se *sqlite.Error
	if !errors.As(e.Err, &se) {
		return false
	}
	switch se.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		e.Code = "unique_violation"
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		e.Code = "foreign_key_violation"
	case sqlite3.SQLITE_CONSTRAINT_NOTNULL:
		e.Code = "not_null_violation"
	case sqlite3.SQLITE_CONSTRAINT_CHECK:
		e.Code = "check_violation"
	default:
		return true
	}
	// "UNIQUE constraint failed: users.email (2067)": the columns.
	msg := se.Error()
	if _, after, ok := strings.Cut(msg, "constraint failed: "); ok {
		if i := strings.LastIndex(after, " ("); i >= 0 {
			after = after[:i]
		}
		e.Constraint = after
	}
	return true
}
