// Package db is luaserve.db: SQL for Lua routes over the host's database
// (package db, SQLite by default).
//
//	db.exec(sql [, ...]) -> changes:integer, last_id:integer
//	db.query(sql [, ...]) -> { row, ... }
//	db.row(sql [, ...]) -> row | nil         (also db.query_one)
//	db.value(sql [, ...]) -> value | nil     the first column of the first row
//	db.tx(fn) -> fn's results                commit, or roll back and re-raise
//	db.migrate(steps) -> applied:integer
//	db.null                                  NULL: json.null itself
//
// Parameters are bound, never spliced: ? takes the arguments after sql, in
// order; :name takes one table argument { name = value }. A row is a
// table column name -> value, its keys in column order (json.encode keeps
// it). Values: nil and db.null bind NULL; booleans bind 1 and 0; integral
// numbers bind as integers, others as reals; strings bind as text when
// valid UTF-8, else as blobs. Read back: NULL is db.null, integers and
// reals are numbers (an integer past 2^53, which a Lua number cannot hold
// exactly, is a string of its digits, which binds back to the same
// integer), text and blobs are strings byte for byte, a column declared
// BOOLEAN gives true and false.
//
// SQL errors raise a Lua error with the database's message and the
// statement (pcall catches it); bad arguments raise "bad argument #n".
package db

import (
	"context"
	"errors"
	"strings"

	lua "github.com/yuin/gopher-lua"

	sqldb "github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// Module is require("luaserve.db").
func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.db", Open: open} }

// binding is one state's module: the host, and the transaction its
// current request has open.
type binding struct {
	h    stdlib.Host
	null lua.LValue
	tx   sqldb.Tx // the open db.tx, if any; nested ones are savepoints
	args []any    // scratch for positional values
}

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	b := &binding{h: h, null: json.Null(L)}
	t := L.SetFuncs(L.CreateTable(0, 8), map[string]lua.LGFunction{
		"exec":      b.exec,
		"query":     b.query,
		"row":       b.row,
		"query_one": b.row,
		"value":     b.value,
		"tx":        b.txCall,
		"migrate":   b.migrate,
		"ping":      b.ping,
		"engine":    b.engine,
	})
	t.RawSetString("null", b.null)
	return t
}

// querier is the open transaction, else the database.
func (b *binding) querier(L *lua.LState) sqldb.Querier {
	if b.tx != nil {
		return b.tx
	}
	d, err := b.h.DB()
	if err != nil {
		L.RaiseError("db: %s", err.Error())
	}
	return d
}

// ctx is what a statement runs under: the request's time limit. A query
// is CPU work, like the route's Lua code: it stops at the limit, and does
// not pay per request to watch for a client that goes away.
func (b *binding) ctx() context.Context { return stdlib.TimeLimit(b.h.Context()) }

// raise makes err a Lua error; the message starts with "db: ". A
// database that cannot be reached ends the request with 503 (the detail,
// its address, goes to the log, not to the client).
func (b *binding) raise(L *lua.LState, err error) {
	if errors.Is(err, sqldb.ErrUnavailable) {
		b.h.Log().Warn("luaserve.db: database unavailable", "err", err.Error())
		stdlib.RaiseStatus(L, &stdlib.StatusError{Status: 503, Reason: "the database is unavailable"})
	}
	L.RaiseError("db: %s", strings.TrimPrefix(err.Error(), "db: "))
}

// ping is db.ping(): true when the database answers, else nil and why
// (for a readiness check).
func (b *binding) ping(L *lua.LState) int {
	d, err := b.h.DB()
	if err == nil {
		if p, ok := d.(sqldb.Pinger); ok {
			err = p.Ping(b.ctx())
		}
	}
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("db: " + strings.TrimPrefix(err.Error(), "db: ")))
		return 2
	}
	L.Push(lua.LTrue)
	return 1
}

// engine is db.engine(): "sqlite" or "postgres", for the few statements
// that must differ between them.
func (b *binding) engine(L *lua.LState) int {
	d, err := b.h.DB()
	if err != nil {
		b.raise(L, err)
	}
	name := "sqlite"
	if dl, ok := d.(sqldb.Dialecter); ok {
		name = dl.Dialect().Name
	}
	L.Push(lua.LString(name))
	return 1
}

func (b *binding) exec(L *lua.LState) int {
	sql := L.CheckString(1)
	args := b.bindArgs(L)
	res, err := b.querier(L).Exec(b.ctx(), sql, args)
	if err != nil {
		b.raise(L, err)
	}
	L.Push(integer(res.RowsAffected))
	L.Push(integer(res.LastInsertID))
	return 2
}

func (b *binding) query(L *lua.LState) int {
	sql := L.CheckString(1)
	args := b.bindArgs(L)
	list := L.CreateTable(4, 0)
	n := 0
	budget := b.h.Context() // for stdlib.Charge: its Value links nothing
	err := b.querier(L).Query(b.ctx(), sql, args, func(cols []sqldb.Column, vals []any) error {
		if err := stdlib.Charge(budget, rowCost(vals)); err != nil {
			return err
		}
		n++
		list.RawSetInt(n, b.rowTable(L, cols, vals))
		return nil
	})
	if err != nil {
		b.raise(L, err)
	}
	L.Push(list)
	return 1
}

func (b *binding) row(L *lua.LState) int {
	b.first(L, func(cols []sqldb.Column, vals []any) lua.LValue { return b.rowTable(L, cols, vals) })
	return 1
}

func (b *binding) value(L *lua.LState) int {
	b.first(L, func(cols []sqldb.Column, vals []any) lua.LValue {
		if len(vals) == 0 {
			return lua.LNil
		}
		return b.toLua(cols[0], vals[0])
	})
	return 1
}

// first pushes what conv makes of the first row, or nil when there is
// none; the other rows are not read.
func (b *binding) first(L *lua.LState, conv func([]sqldb.Column, []any) lua.LValue) {
	sql := L.CheckString(1)
	args := b.bindArgs(L)
	var out lua.LValue = lua.LNil
	err := b.querier(L).Query(b.ctx(), sql, args, func(cols []sqldb.Column, vals []any) error {
		out = conv(cols, vals)
		return sqldb.ErrStop
	})
	if err != nil {
		b.raise(L, err)
	}
	L.Push(out)
}

// rowCost estimates what a row costs as a Lua table, to charge the
// request's memory budget: a query of a million rows stops there with
// "request memory limit exceeded" rather than filling the heap.
func rowCost(vals []any) int {
	n := 64
	for _, v := range vals {
		n += 48
		switch v := v.(type) {
		case string:
			n += len(v)
		case []byte:
			n += len(v)
		}
	}
	return n
}
