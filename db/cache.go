package db

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// maxCached bounds the statements kept prepared: a script building SQL
// text per request (which it should not) gets correct results, unprepared,
// instead of an ever-growing cache.
const maxCached = 512

// stmtCache holds each statement text's parse and its prepared statements.
type stmtCache struct {
	m sync.Map // text -> *entry
	n atomic.Int32
	// placeholder writes the engine's placeholders; nil is SQLite's.
	placeholder func(b []byte, n int) []byte
}

// entry is one statement text: parsed once, rendered for its engine, prepared
// on first use on the writer (and by each reader on its own connection).
type entry struct {
	st  *Statement
	sql string // rendered with the engine's placeholders

	mu    sync.Mutex               // held to prepare
	write atomic.Pointer[sql.Stmt] // prepared on the writer; nil until needed
	cols  atomic.Pointer[[]Column] // the result's columns, as last seen
}

// get returns the entry for text, parsing it when new; cached reports
// whether it is kept (an uncached entry's statements are the caller's to
// close).
func (c *stmtCache) get(text string) (e *entry, cached bool, err error) {
	if v, ok := c.m.Load(text); ok {
		return v.(*entry), true, nil
	}
	st, err := Parse(text)
	if err != nil {
		return nil, false, err
	}
	ph := c.placeholder
	if ph == nil {
		ph = SQLiteDialect.Placeholder
	}
	e = &entry{st: st, sql: st.Render(ph)}
	if st.Multi || c.n.Load() >= maxCached {
		return e, false, nil
	}
	if v, loaded := c.m.LoadOrStore(text, e); loaded {
		return v.(*entry), true, nil
	}
	c.n.Add(1)
	return e, true, nil
}

// stmt is the entry's statement prepared on the writer's connection.
// (Each reader keeps its own: reader.stmts.)
func (e *entry) stmt(ctx context.Context, conn *sql.Conn) (*sql.Stmt, error) {
	p := &e.write
	if st := p.Load(); st != nil {
		return st, nil
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if st := p.Load(); st != nil {
		return st, nil
	}
	st, err := conn.PrepareContext(ctx, e.sql)
	if err != nil {
		return nil, err
	}
	p.Store(st)
	return st, nil
}

// close closes the entry's statements.
func (e *entry) close() {
	e.mu.Lock()
	defer e.mu.Unlock()
	if st := e.write.Swap(nil); st != nil {
		st.Close()
	}
}

func (c *stmtCache) close() {
	c.m.Range(func(k, v any) bool {
		v.(*entry).close()
		c.m.Delete(k)
		return true
	})
}
