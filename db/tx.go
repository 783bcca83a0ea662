package db

import (
	"context"
	"errors"
	"strconv"
)

// sqliteTx is a transaction on the writer connection, which it holds from
// Begin to Commit or Rollback.
type sqliteTx struct {
	s     *SQLite
	depth int  // savepoints open
	done  bool // committed or rolled back: the writer is given back
}

// errTxDone is a call on a transaction already ended.
var errTxDone = errors.New("db: the transaction has ended")

// Begin starts a transaction on the writer with BEGIN IMMEDIATE, which
// takes SQLite's write lock now, so the transaction cannot fail later for
// want of it. It waits while another transaction holds the writer, until
// ctx ends.
func (s *SQLite) Begin(ctx context.Context) (Tx, error) {
	if err := s.lockWriter(ctx); err != nil {
		return nil, wrap(ctx, "BEGIN", err)
	}
	if _, err := s.wconn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		s.unlockWriter()
		return nil, wrap(ctx, "BEGIN IMMEDIATE", err)
	}
	return &sqliteTx{s: s}, nil
}

func (t *sqliteTx) Exec(ctx context.Context, query string, args Args) (Result, error) {
	if t.done {
		return Result{}, errTxDone
	}
	return t.s.exec(ctx, true, query, args)
}

func (t *sqliteTx) Query(ctx context.Context, query string, args Args, row RowFunc) error {
	if t.done {
		return errTxDone
	}
	return t.s.query(ctx, true, query, args, row)
}

// Commit commits; when COMMIT fails the transaction is rolled back. Either
// way the writer is given back.
func (t *sqliteTx) Commit() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	defer t.s.unlockWriter()
	ctx := context.Background()
	if _, err := t.s.wconn.ExecContext(ctx, "COMMIT"); err != nil {
		t.s.wconn.ExecContext(ctx, "ROLLBACK")
		return wrap(ctx, "COMMIT", err)
	}
	return nil
}

// Rollback undoes the transaction, even past its context's end.
func (t *sqliteTx) Rollback() error {
	if t.done {
		return errTxDone
	}
	t.done = true
	defer t.s.unlockWriter()
	_, err := t.s.wconn.ExecContext(context.Background(), "ROLLBACK")
	return wrap(context.Background(), "ROLLBACK", err)
}

// Savepoint starts SAVEPOINT luaserve_spN, N its depth.
func (t *sqliteTx) Savepoint(ctx context.Context) (Savepoint, error) {
	if t.done {
		return nil, errTxDone
	}
	t.depth++
	sp := &savepoint{t: t, name: "luaserve_sp" + strconv.Itoa(t.depth)}
	if _, err := t.s.wconn.ExecContext(ctx, "SAVEPOINT "+sp.name); err != nil {
		t.depth--
		return nil, wrap(ctx, "SAVEPOINT "+sp.name, err)
	}
	return sp, nil
}

// savepoint is one level of nesting inside a transaction.
type savepoint struct {
	t    *sqliteTx
	name string
}

func (sp *savepoint) Release(ctx context.Context) error {
	sp.t.depth--
	q := "RELEASE " + sp.name
	_, err := sp.t.s.wconn.ExecContext(ctx, q)
	return wrap(ctx, q, err)
}

// Rollback undoes the savepoint's work and ends it. It runs even when ctx
// has ended, so that the enclosing transaction is left as it was.
func (sp *savepoint) Rollback(ctx context.Context) error {
	sp.t.depth--
	q := "ROLLBACK TO " + sp.name + "; RELEASE " + sp.name
	_, err := sp.t.s.wconn.ExecContext(context.WithoutCancel(ctx), q)
	return wrap(ctx, q, err)
}
