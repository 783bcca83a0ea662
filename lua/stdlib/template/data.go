package template

import (
	"context"
	"fmt"
	htmltemplate "html/template"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// Limits on the data of one render: nesting (which also stops a table
// that contains itself) and the number of values.
const (
	MaxDepth  = 64
	MaxValues = 1 << 20
)

// valueCost is what one converted value is charged to the request's
// memory budget: a Go interface, map or slice slot, roughly.
const valueCost = 48

// converter turns Lua data into the Go values templates read.
type converter struct {
	ctx context.Context
	n   int // values converted
}

func toGo(ctx context.Context, v lua.LValue) (any, error) {
	c := &converter{ctx: ctx}
	x, err := c.value(v, 0)
	if pe, ok := err.(*pathError); ok {
		return nil, fmt.Errorf("data%s: %w", pe.path, pe.err)
	}
	return x, err
}

// pathError is a conversion error with where it happened: ".user.name[2]",
// built as it goes up, so that a render that succeeds builds no paths.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return e.path + ": " + e.err.Error() }

// at returns err (from a value at segment) with segment before its path.
func at(err error, segment string) error {
	if pe, ok := err.(*pathError); ok {
		pe.path = segment + pe.path
		return pe
	}
	return &pathError{segment, err}
}

// value converts v, d tables deep.
func (c *converter) value(v lua.LValue, d int) (any, error) {
	c.n++
	if c.n > MaxValues {
		return nil, fmt.Errorf("more than %d values", MaxValues)
	}
	switch v := v.(type) {
	case lua.LString:
		return string(v), nil
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
		return f, nil
	case lua.LBool:
		return bool(v), nil
	case *lua.LNilType:
		return nil, nil
	case *lua.LTable:
		if d >= MaxDepth {
			return nil, fmt.Errorf("nested deeper than %d tables (or contains itself)", MaxDepth)
		}
		if err := stdlib.Charge(c.ctx, valueCost); err != nil {
			return nil, err
		}
		return c.table(v, d+1)
	case *lua.LUserData:
		if json.IsNull(v) {
			return nil, nil
		}
		if h, ok := v.Value.(htmltemplate.HTML); ok {
			return h, nil
		}
	}
	return nil, fmt.Errorf("a %s cannot be passed to a template", v.Type())
}

// table converts a sequence (or a json.array) to a list, any other table
// to a map with string keys (numbers as their text).
func (c *converter) table(t *lua.LTable, d int) (any, error) {
	n := t.Len()
	if json.Kind(t) == "array" || (n > 0 && isSequence(t, n)) {
		list := make([]any, n)
		for i := range list {
			v, err := c.value(t.RawGetInt(i+1), d)
			if err != nil {
				return nil, at(err, "["+strconv.Itoa(i+1)+"]")
			}
			list[i] = v
		}
		return list, stdlib.Charge(c.ctx, n*valueCost)
	}
	m := map[string]any{}
	for k, v := t.Next(lua.LNil); k != lua.LNil; k, v = t.Next(k) {
		var key string
		switch k := k.(type) {
		case lua.LString:
			key = string(k)
		case lua.LNumber:
			key = k.String()
		default:
			return nil, fmt.Errorf("a %s key cannot be passed to a template", k.Type())
		}
		if err := stdlib.Charge(c.ctx, valueCost+len(key)); err != nil {
			return nil, err
		}
		x, err := c.value(v, d)
		if err != nil {
			return nil, at(err, "."+key)
		}
		m[key] = x
	}
	return m, nil
}

// isSequence reports whether t's keys are exactly 1..n.
func isSequence(t *lua.LTable, n int) bool {
	count := 0
	for k, _ := t.Next(lua.LNil); k != lua.LNil; k, _ = t.Next(k) {
		count++
		if count > n {
			return false
		}
	}
	return count == n
}
