package db

import (
	"errors"

	lua "github.com/yuin/gopher-lua"

	sqldb "github.com/luaserve/luaserve/db"
)

// txCall is db.tx(fn): fn runs in a transaction (a savepoint when one is
// open already) that commits when fn returns and rolls back when it
// raises, the error raised again. It returns fn's results.
func (b *binding) txCall(L *lua.LState) int {
	fn := L.CheckFunction(1)
	ctx := b.ctx()
	outer := b.tx == nil
	var sp sqldb.Savepoint
	if outer {
		d, err := b.h.DB()
		if err != nil {
			b.raise(L, err)
		}
		if b.tx, err = d.Begin(ctx); err != nil {
			b.raise(L, err)
		}
	} else {
		var err error
		if sp, err = b.tx.Savepoint(ctx); err != nil {
			b.raise(L, err)
		}
	}
	base := L.GetTop()
	L.Push(fn)
	callErr := L.PCall(0, lua.MultRet, nil)
	var err error
	switch {
	case callErr != nil && outer:
		b.tx.Rollback()
	case callErr != nil:
		sp.Rollback(ctx)
	case outer:
		err = b.tx.Commit()
	default:
		err = sp.Release(ctx)
	}
	if outer {
		b.tx = nil
	}
	if callErr != nil {
		var ae *lua.ApiError
		if errors.As(callErr, &ae) {
			L.Error(ae.Object, 0) // the error as raised, its place included
		}
		L.RaiseError("%s", callErr.Error())
	}
	if err != nil {
		b.raise(L, err)
	}
	return L.GetTop() - base
}
