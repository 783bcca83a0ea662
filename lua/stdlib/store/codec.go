package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strconv"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	"github.com/luaserve/luaserve/lua/stdlib/json"
)

// The stored form of a Lua value. Every Lua string is kept byte for byte
// (JSON could not hold invalid UTF-8), and a number at the top is its
// decimal text, so that a backend's own increment (store.Incr, Redis INCRBY)
// works on what store.set wrote:
//
//	number   decimal text, as strconv writes it ("42", "0.5", "+Inf", "NaN")
//	string   's' and the bytes
//	boolean  't' or 'f'
//	null     'z' (luaserve.json's null)
//	table    'T', its mark ('a' array, 'o' object, '-' none), then pairs of
//	         key and value items in pairs() order, then 'e'
//
// Inside a table an item is self-delimiting: a string is 's', its length as
// a uvarint, and the bytes; a number is 'i' and a zigzag varint when it is
// an integer, else 'd' and its 8 IEEE bytes; the rest as above.

const (
	maxDepth = 1000
	// valueBytes is what one decoded value costs in Lua, roughly, for the
	// memory budget.
	valueBytes = 64
	checkEvery = 1024
)

var errCorrupt = errors.New("store: stored value is corrupt")

// encoder appends the stored form of a value, checking the request's time
// and memory as it goes, like json.Encode.
type encoder struct {
	ctx     context.Context
	steps   int
	charged int // bytes of output charged so far
}

func encode(ctx context.Context, v lua.LValue) ([]byte, error) {
	switch v := v.(type) {
	case lua.LNumber:
		return appendNumber(nil, float64(v)), nil
	case lua.LString:
		if err := stdlib.Charge(ctx, len(v)); err != nil {
			return nil, err
		}
		return append(append(make([]byte, 0, len(v)+1), 's'), v...), nil
	}
	e := encoder{ctx: ctx}
	return e.item(nil, v, 0)
}

func appendNumber(b []byte, f float64) []byte {
	if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
		return strconv.AppendInt(b, int64(f), 10)
	}
	return strconv.AppendFloat(b, f, 'g', -1, 64)
}

// Long: one case per Lua type, each a line or two.
func (e *encoder) item(b []byte, v lua.LValue, depth int) ([]byte, error) {
	if e.steps++; e.steps%checkEvery == 0 {
		if err := stdlib.Check(e.ctx, len(b)-e.charged); err != nil {
			return nil, err
		}
		e.charged = len(b)
	}
	switch v := v.(type) {
	case lua.LBool:
		if v {
			return append(b, 't'), nil
		}
		return append(b, 'f'), nil
	case lua.LString:
		b = binary.AppendUvarint(append(b, 's'), uint64(len(v)))
		return append(b, v...), nil
	case lua.LNumber:
		f := float64(v)
		if f == math.Trunc(f) && math.Abs(f) < 1<<63 {
			return binary.AppendVarint(append(b, 'i'), int64(f)), nil
		}
		return binary.BigEndian.AppendUint64(append(b, 'd'), math.Float64bits(f)), nil
	case *lua.LTable:
		return e.table(b, v, depth+1)
	}
	if json.IsNull(v) {
		return append(b, 'z'), nil
	}
	return nil, fmt.Errorf("cannot store a %s", v.Type())
}

func (e *encoder) table(b []byte, tb *lua.LTable, depth int) ([]byte, error) {
	if depth > maxDepth {
		return nil, errors.New("tables nested deeper than 1000 (or a cycle)")
	}
	mark := byte('-')
	switch json.Kind(tb) {
	case "array":
		mark = 'a'
	case "object":
		mark = 'o'
	}
	b = append(b, 'T', mark)
	var err error
	for k, v := tb.Next(lua.LNil); k != lua.LNil; k, v = tb.Next(k) {
		if _, ok := k.(*lua.LTable); ok {
			return nil, errors.New("cannot store a table used as a key")
		}
		if b, err = e.item(b, k, depth); err != nil {
			return nil, err
		}
		if b, err = e.item(b, v, depth); err != nil {
			return nil, err
		}
	}
	return append(b, 'e'), nil
}

// decoder rebuilds a Lua value from its stored form.
type decoder struct {
	L     *lua.LState
	ctx   context.Context
	s     []byte
	i     int
	steps int
}

func decode(ctx context.Context, L *lua.LState, s []byte) (lua.LValue, error) {
	if len(s) == 0 {
		return nil, errCorrupt
	}
	switch c := s[0]; {
	case c == 's':
		if err := stdlib.Charge(ctx, len(s)); err != nil {
			return nil, err
		}
		return lua.LString(s[1:]), nil
	case c == '-' || c == '+' || c == 'N' || (c >= '0' && c <= '9'):
		f, err := strconv.ParseFloat(string(s), 64)
		if err != nil {
			return nil, errCorrupt
		}
		return lua.LNumber(f), nil
	}
	d := decoder{L: L, ctx: ctx, s: s}
	v, err := d.item(0)
	if err == nil && d.i != len(s) {
		err = errCorrupt
	}
	return v, err
}

// Long: one case per tag, each a few lines.
func (d *decoder) item(depth int) (lua.LValue, error) {
	if d.steps++; d.steps%checkEvery == 0 {
		if err := stdlib.Check(d.ctx, checkEvery*valueBytes); err != nil {
			return nil, err
		}
	}
	if d.i >= len(d.s) {
		return nil, errCorrupt
	}
	c := d.s[d.i]
	d.i++
	switch c {
	case 't':
		return lua.LTrue, nil
	case 'f':
		return lua.LFalse, nil
	case 'z':
		return json.Null(d.L), nil
	case 's':
		n, w := binary.Uvarint(d.s[d.i:])
		if w <= 0 || n > uint64(len(d.s)-d.i-w) {
			return nil, errCorrupt
		}
		if err := stdlib.Charge(d.ctx, int(n)); err != nil {
			return nil, err
		}
		start := d.i + w
		d.i = start + int(n)
		return lua.LString(d.s[start:d.i]), nil
	case 'i':
		n, w := binary.Varint(d.s[d.i:])
		if w <= 0 {
			return nil, errCorrupt
		}
		d.i += w
		return lua.LNumber(n), nil
	case 'd':
		if len(d.s)-d.i < 8 {
			return nil, errCorrupt
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(d.s[d.i:]))
		d.i += 8
		return lua.LNumber(f), nil
	case 'T':
		return d.table(depth + 1)
	}
	return nil, errCorrupt
}

func (d *decoder) table(depth int) (lua.LValue, error) {
	if depth > maxDepth || d.i >= len(d.s) {
		return nil, errCorrupt
	}
	tb := d.L.CreateTable(0, 0)
	switch d.s[d.i] {
	case 'a':
		json.Mark(d.L, tb, "array")
	case 'o':
		json.Mark(d.L, tb, "object")
	}
	d.i++
	for d.i < len(d.s) && d.s[d.i] != 'e' {
		k, err := d.item(depth)
		if err != nil {
			return nil, err
		}
		v, err := d.item(depth)
		if err != nil {
			return nil, err
		}
		if n, ok := k.(lua.LNumber); ok && n != n {
			return nil, errCorrupt // NaN cannot be a key
		}
		tb.RawSet(k, v)
	}
	if d.i >= len(d.s) {
		return nil, errCorrupt
	}
	d.i++
	return tb, nil
}
