package db

import (
	"sort"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	sqldb "github.com/luaserve/luaserve/db"
)

// migrate is db.migrate(steps): steps is a list, whose entries are SQL
// strings (named by position: "1", "2", ...) or { name = ..., sql = ... }
// tables, or a table name -> SQL, applied in name order. It returns how
// many steps it applied.
func (b *binding) migrate(L *lua.LState) int {
	t := L.CheckTable(1)
	steps := migrationSteps(L, t)
	if b.tx != nil {
		L.RaiseError("db: db.migrate inside db.tx")
	}
	d, err := b.h.DB()
	if err != nil {
		b.raise(L, err)
	}
	n, err := sqldb.Migrate(b.ctx(), d, steps)
	if err != nil {
		b.raise(L, err)
	}
	L.Push(lua.LNumber(n))
	return 1
}

func migrationSteps(L *lua.LState, t *lua.LTable) []sqldb.Step {
	var steps []sqldb.Step
	if n := t.Len(); n > 0 {
		for i := 1; i <= n; i++ {
			steps = append(steps, listStep(L, i, t.RawGetInt(i)))
		}
		return steps
	}
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		name, ok := k.(lua.LString)
		sql, ok2 := v.(lua.LString)
		if !ok || !ok2 {
			L.ArgError(1, "steps must be a list, or a table of name = SQL text")
		}
		steps = append(steps, sqldb.Step{Name: string(name), SQL: string(sql)})
	}
	sort.Slice(steps, func(i, j int) bool { return steps[i].Name < steps[j].Name })
	return steps
}

// listStep reads entry i of a list of steps.
func listStep(L *lua.LState, i int, v lua.LValue) sqldb.Step {
	switch v := v.(type) {
	case lua.LString:
		return sqldb.Step{Name: strconv.Itoa(i), SQL: string(v)}
	case *lua.LTable:
		name, ok := v.RawGetString("name").(lua.LString)
		sql, ok2 := v.RawGetString("sql").(lua.LString)
		if ok && ok2 {
			return sqldb.Step{Name: string(name), SQL: string(sql)}
		}
	}
	L.ArgError(1, "step "+strconv.Itoa(i)+" must be SQL text or { name = ..., sql = ... }")
	return sqldb.Step{}
}
