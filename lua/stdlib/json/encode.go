package json

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/internal/jsonstr"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// jsonEncoder holds the options of one encode and scratch reused across encodes.
type jsonEncoder struct {
	indent   string
	sortKeys bool
	frames   []jsonFrame // the tables from the root to the value being encoded
	pairs    []jsonPair  // sort_keys scratch, used as a stack by nested objects

	ctx     context.Context // the request's, checked every checkEvery values; nil: none
	steps   int             // values encoded so far
	charged int             // output bytes charged to the request's budget
}

// jsonFrame is a table being encoded and the key within it being encoded, so
// the cycle check and the path in error messages need no allocation.
type jsonFrame struct {
	tb  *lua.LTable
	key lua.LValue // nil while encoding array element idx
	idx int
}

// jsonPair is one object member collected for sorting.
type jsonPair struct {
	name string // the key as written
	key  lua.LValue
	val  lua.LValue
}

// jsonEncoders recycles encodeJSON's scratch; jsonEncode keeps one per state.
var jsonEncoders = sync.Pool{New: func() any { return new(jsonEncoder) }}

// Kinds of table, from the __jsontype field of its metatable.
const (
	jsonKindAuto = iota
	jsonKindArray
	jsonKindObject
)

func (e *jsonEncoder) encode(ctx context.Context, dst []byte, v lua.LValue) ([]byte, error) {
	e.ctx, e.steps, e.charged = ctx, 0, 0
	b, err := e.value(dst, v, 0)
	e.ctx = nil
	clear(e.frames)
	e.frames = e.frames[:0]
	if err != nil {
		clear(e.pairs)
		e.pairs = e.pairs[:0]
		return dst, err
	}
	return b, nil
}

// value appends v, which sits at the current key of the table at depth d
// (d is 0 at the root).
func (e *jsonEncoder) value(b []byte, v lua.LValue, d int) ([]byte, error) {
	if e.steps++; e.steps%checkEvery == 0 && e.ctx != nil {
		if err := check(e.ctx, len(b)-e.charged); err != nil {
			return b, err
		}
		e.charged = len(b)
	}
	switch v := v.(type) {
	case lua.LString:
		return jsonstr.Append(b, string(v)), nil
	case lua.LNumber:
		if b, ok := appendJSONNumber(b, float64(v)); ok {
			return b, nil
		}
		return b, e.errorf(d, "cannot encode %s", jsonNonFinite(float64(v)))
	case lua.LBool:
		if v {
			return append(b, "true"...), nil
		}
		return append(b, "false"...), nil
	case *lua.LNilType:
		return append(b, "null"...), nil
	case *lua.LTable:
		return e.table(b, v, d)
	case *lua.LUserData:
		if _, ok := v.Value.(jsonNull); ok {
			return append(b, "null"...), nil
		}
	}
	return b, e.errorf(d, "cannot encode %s", v.Type())
}

// table appends tb, which sits in the table at depth d, choosing array or
// object by its mark and its keys.
func (e *jsonEncoder) table(b []byte, tb *lua.LTable, d int) ([]byte, error) {
	if d >= jsonMaxDepth {
		return b, e.errorf(d, "nesting deeper than %d", jsonMaxDepth)
	}
	for i := range d {
		if e.frames[i].tb == tb {
			return b, e.errorf(d, "cycle")
		}
	}
	// The request's lazily built tables (req, req.headers, ...) are filled
	// first, so that encoding them shows what pairs() shows.
	stdlib.Fill(tb)
	e.frames = append(e.frames[:d], jsonFrame{tb: tb})
	d++ // tb's own depth from here on
	var err error
	kind := jsonKindOf(tb)
	n := tb.MaxN() // the array part holds keys 1..n; the rest are in the hash part
	var first, firstVal lua.LValue = lua.LNil, nil
	if kind != jsonKindObject {
		if n > 0 {
			first, _ = tb.Next(jsonBoxedInt(n))
		} else {
			first, firstVal = tb.Next(lua.LNil)
		}
	}
	_, stringKey := first.(lua.LString)
	switch {
	case stringKey && kind == jsonKindAuto && n == 0:
		b, err = e.object(b, d, first, firstVal) // the table's first pair, found already
	case kind == jsonKindObject || (stringKey && kind == jsonKindAuto):
		b, err = e.object(b, d, lua.LNil, nil)
	case first == lua.LNil:
		b, err = e.array(b, d, n)
	default:
		b, err = e.mixed(b, d, n, first, kind)
	}
	e.frames[d-1] = jsonFrame{}
	e.frames = e.frames[:d-1]
	return b, err
}

// jsonBoxedInts are array lengths as Lua values, so probing the hash part of
// a small array with tb.Next(n) does not allocate. Built once, never written.
var jsonBoxedInts = func() (a [256]lua.LValue) {
	for i := range a {
		a[i] = lua.LNumber(i)
	}
	return a
}()

func jsonBoxedInt(n int) lua.LValue {
	if n < len(jsonBoxedInts) {
		return jsonBoxedInts[n]
	}
	return lua.LNumber(n)
}

// jsonKindOf reads the __jsontype mark of tb's metatable.
func jsonKindOf(tb *lua.LTable) int {
	mt, ok := tb.Metatable.(*lua.LTable)
	if !ok {
		return jsonKindAuto
	}
	switch mt.RawGetString(jsonTypeField) {
	case lua.LString("array"):
		return jsonKindArray
	case lua.LString("object"):
		return jsonKindObject
	}
	return jsonKindAuto
}

// mixed handles the table at depth d whose hash part starts with the key
// first and is not known to be an object: integer keys outside the array
// part, or a marked array. It scans the hash part to choose the encoding.
func (e *jsonEncoder) mixed(b []byte, d, n int, first lua.LValue, kind int) ([]byte, error) {
	f := &e.frames[d-1]
	maxKey, count := n, 0
	for k := first; k != lua.LNil; k, _ = f.tb.Next(k) {
		num, ok := k.(lua.LNumber)
		switch {
		case ok && isJSONIndex(num):
			count++
			maxKey = max(maxKey, int(num))
		case kind == jsonKindArray:
			return b, e.errorf(d-1, "cannot encode key of type %s in array", jsonKeyType(k))
		case ok && !isJSONInt(num):
			return b, e.errorf(d-1, "cannot encode key of type %s", jsonKeyType(k))
		default: // a string or other integer key: an object, which checks the rest
			return e.object(b, d, lua.LNil, nil)
		}
	}
	for i := 1; i <= n; i++ {
		if f.tb.RawGetInt(i) != lua.LNil {
			count++
		}
	}
	if maxKey > 10 && maxKey > 2*count {
		return b, e.errorf(d-1, "sparse array")
	}
	b = append(b, '[')
	for i := 1; i <= maxKey; i++ {
		var err error
		b = e.separator(b, d, i)
		e.frames[d-1].idx = i
		if b, err = e.value(b, e.frames[d-1].tb.RawGet(lua.LNumber(i)), d); err != nil {
			return b, err
		}
	}
	return e.closing(b, d, maxKey, ']'), nil
}

// array appends the elements 1..n of the array part of the table at depth
// d, which are all of its keys.
func (e *jsonEncoder) array(b []byte, d, n int) ([]byte, error) {
	tb := e.frames[d-1].tb
	b = append(b, '[')
	checked := false
	for i := 1; i <= n; i++ {
		v := tb.RawGetInt(i)
		if v == lua.LNil && !checked {
			if !jsonDense(tb, i, n) {
				return b, e.errorf(d-1, "sparse array")
			}
			checked = true
		}
		var err error
		b = e.separator(b, d, i)
		e.frames[d-1].idx = i
		if b, err = e.value(b, v, d); err != nil {
			return b, err
		}
	}
	return e.closing(b, d, n, ']'), nil
}

// jsonDense reports whether keys 1..n of tb's array part, with a hole at
// i and none before it, are dense enough to encode as an array.
func jsonDense(tb *lua.LTable, i, n int) bool {
	if n <= 10 {
		return true
	}
	count := i - 1
	for j := i + 1; j <= n; j++ {
		if tb.RawGetInt(j) != lua.LNil {
			count++
		}
	}
	return n <= 2*count
}

// object appends the table at depth d as an object, in pairs() order
// unless sorting.
// When first is not nil it is the table's first key and firstVal its value
// (found by the caller already: each step of next costs a hash lookup).
func (e *jsonEncoder) object(b []byte, d int, first, firstVal lua.LValue) ([]byte, error) {
	if e.sortKeys {
		return e.sortedObject(b, d)
	}
	tb := e.frames[d-1].tb
	b = append(b, '{')
	n := 0
	k, v := first, firstVal
	if k == lua.LNil {
		k, v = tb.Next(lua.LNil)
	}
	for ; k != lua.LNil; k, v = tb.Next(k) {
		var err error
		n++
		b = e.separator(b, d, n)
		if b, err = e.key(b, d, k); err != nil {
			return b, err
		}
		e.frames[d-1].key = k
		if b, err = e.value(b, v, d); err != nil {
			return b, err
		}
	}
	return e.closing(b, d, n, '}'), nil
}

// key appends k, a key of the table at depth d, and the colon after it.
func (e *jsonEncoder) key(b []byte, d int, k lua.LValue) ([]byte, error) {
	switch k := k.(type) {
	case lua.LString:
		i, ok := jsonCanonicalInt(string(k))
		if ok && e.frames[d-1].tb.RawGet(lua.LNumber(i)) != lua.LNil {
			return b, e.errorf(d-1, "duplicate key %q", string(k))
		}
		b = jsonstr.Append(b, string(k))
	case lua.LNumber:
		if !isJSONInt(k) {
			return b, e.errorf(d-1, "cannot encode key of type %s", jsonKeyType(k))
		}
		b = append(b, '"')
		b, _ = appendJSONNumber(b, float64(k))
		b = append(b, '"')
	default:
		return b, e.errorf(d-1, "cannot encode key of type %s", jsonKeyType(k))
	}
	return e.colon(b), nil
}

func (e *jsonEncoder) colon(b []byte) []byte {
	if e.indent != "" {
		return append(b, ':', ' ')
	}
	return append(b, ':')
}

// sortedObject appends the table at depth d as an object with its keys
// sorted bytewise.
func (e *jsonEncoder) sortedObject(b []byte, d int) ([]byte, error) {
	tb := e.frames[d-1].tb
	base := len(e.pairs)
	for k, v := tb.Next(lua.LNil); k != lua.LNil; k, v = tb.Next(k) {
		p := jsonPair{key: k, val: v}
		switch k := k.(type) {
		case lua.LString:
			p.name = string(k)
		case lua.LNumber:
			if !isJSONInt(k) {
				return b, e.errorf(d-1, "cannot encode key of type %s", jsonKeyType(k))
			}
			name, _ := appendJSONNumber(nil, float64(k))
			p.name = string(name)
		default:
			return b, e.errorf(d-1, "cannot encode key of type %s", jsonKeyType(k))
		}
		e.pairs = append(e.pairs, p)
	}
	end := len(e.pairs)
	slices.SortFunc(e.pairs[base:end], func(x, y jsonPair) int { return strings.Compare(x.name, y.name) })
	b = append(b, '{')
	for i := base; i < end; i++ {
		p := e.pairs[i] // a copy: nested objects may grow e.pairs
		if i > base && p.name == e.pairs[i-1].name {
			return b, e.errorf(d-1, "duplicate key %q", p.name)
		}
		var err error
		b = e.separator(b, d, i-base+1)
		b = e.colon(jsonstr.Append(b, p.name))
		e.frames[d-1].key = p.key
		if b, err = e.value(b, p.val, d); err != nil {
			return b, err
		}
	}
	clear(e.pairs[base:end])
	e.pairs = e.pairs[:base]
	return e.closing(b, d, end-base, '}'), nil
}

// separator starts member i (from 1) of a container at depth d.
func (e *jsonEncoder) separator(b []byte, d, i int) []byte {
	if i > 1 {
		b = append(b, ',')
	}
	if e.indent != "" {
		b = e.newline(b, d)
	}
	return b
}

// closing ends a container at depth d that had n members.
func (e *jsonEncoder) closing(b []byte, d, n int, c byte) []byte {
	if n > 0 && e.indent != "" {
		b = e.newline(b, d-1)
	}
	return append(b, c)
}

func (e *jsonEncoder) newline(b []byte, d int) []byte {
	b = append(b, '\n')
	for range d {
		b = append(b, e.indent...)
	}
	return b
}

// isJSONInt reports whether n is integral and finite, so it can be written
// as an object key.
func isJSONInt(n lua.LNumber) bool {
	f := float64(n)
	return f == math.Trunc(f) && !math.IsInf(f, 0)
}

// isJSONIndex reports whether n can be an array index.
func isJSONIndex(n lua.LNumber) bool {
	return n >= 1 && n <= math.MaxInt32 && isJSONInt(n)
}

// jsonKeyType names the type of an unencodable key.
func jsonKeyType(k lua.LValue) string {
	if n, ok := k.(lua.LNumber); ok && !isJSONInt(n) {
		return "number (" + jsonNonFinite(float64(n)) + ")"
	}
	return k.Type().String()
}

// jsonNonFinite formats a number JSON has no integer or number for, as Lua
// prints it.
func jsonNonFinite(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

// jsonCanonicalInt parses s when it is how an integer key below 1e15 would be
// written ("0", "-12", not "012" or "+1"), so a string key can be checked
// against an integer key that would print the same.
func jsonCanonicalInt(s string) (int64, bool) {
	digits := strings.TrimPrefix(s, "-")
	if len(digits) == 0 || len(digits) > 15 || (digits[0] == '0' && (len(digits) > 1 || len(s) > 1)) {
		return 0, false
	}
	var n int64
	for i := 0; i < len(digits); i++ {
		c := digits[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if len(s) > len(digits) {
		n = -n
	}
	return n, true
}

// appendJSONNumber appends f as JavaScript's JSON.stringify would; ok is
// false for NaN and ±Inf, which JSON cannot represent.
func appendJSONNumber(b []byte, f float64) (_ []byte, ok bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	// Integers up to 2^53 are exact, and their digits are the shortest form.
	if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
		return strconv.AppendInt(b, int64(f), 10), true
	}
	abs, format := math.Abs(f), byte('f')
	if abs < 1e-6 || abs >= 1e21 {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// 1e-07 -> 1e-7, as JavaScript writes it.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}

// errorf formats an encode error naming the path from the root to the
// current key of the table at depth d; built only on failure.
func (e *jsonEncoder) errorf(d int, format string, args ...any) error {
	msg := "json: " + fmt.Sprintf(format, args...)
	if d == 0 {
		return errors.New(msg)
	}
	var path strings.Builder
	for i, f := range e.frames[:d] {
		if d > 24 && i == 12 { // deep nesting: the ends say where
			path.WriteString("...")
		}
		if d <= 24 || i < 12 || i >= d-8 {
			path.WriteString(jsonPathSegment(f))
		}
	}
	return errors.New(msg + " at " + path.String())
}

// jsonPathSegment writes f's current key the way Lua would index it.
func jsonPathSegment(f jsonFrame) string {
	switch k := f.key.(type) {
	case nil:
		return "[" + strconv.Itoa(f.idx) + "]"
	case lua.LString:
		if jsonIsLuaName(string(k)) {
			return "." + string(k)
		}
		return "[" + strconv.Quote(string(k)) + "]"
	default:
		return "[" + k.String() + "]"
	}
}

// jsonIsLuaName reports whether s can follow a dot in Lua: t.s.
func jsonIsLuaName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '_' && (c < 'a' || c > 'z') && (c < 'A' || c > 'Z') && (i == 0 || c < '0' || c > '9') {
			return false
		}
	}
	return s != ""
}
