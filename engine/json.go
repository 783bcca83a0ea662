package engine

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf16"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// openJSON opens the luaserve.json module: it pushes the module table and
// returns 1, so every state can run L.PreloadModule("luaserve.json", openJSON).
//
// Lua API (local json = require("luaserve.json")):
//
//	json.encode(value [, opts:table]) -> string | nil, err:string
//	    opts.indent:string     pretty-print, one indent (spaces/tabs) per level
//	    opts.sort_keys:boolean sort object keys bytewise
//	json.decode(text:string) -> value | nil, err:string
//	json.null                  sentinel for JSON null (a userdata, so it is truthy)
//	json.array([t:table]) -> t  mark t (or a new table) to encode as an array
//	json.object([t:table]) -> t mark t (or a new table) to encode as an object
//
// Misuse raises a Lua error: decode of a non-string, opts or json.array of a
// non-table, an unknown option, json.array of a table with a metatable of its
// own. Bad data returns nil and a message that starts with "json: ".
//
// Encoding rules:
//   - nil (top level only) and json.null encode as null; booleans as true/false.
//   - Numbers print as JavaScript's JSON.stringify prints them: integral
//     values below 1e21 without fraction or exponent ("42"; 2^60 as
//     "1152921504606847000", the shortest digits that round-trip, then zeros),
//     -0 as 0, other values in the shortest form that round-trips, with an
//     exponent below 1e-6 and from 1e21 on ("0.1", "1e-7", "1e+21"). NaN and
//     ±Inf (1/0) are errors; math.huge in gopher-lua is the largest finite
//     float, so it prints as 1.7976931348623157e+308.
//   - Strings: '"', '\' and control characters below 0x20 are escaped (\n, \r,
//     \t, \b, \f, else \u00XX); each byte of invalid UTF-8 becomes \ufffd, as
//     in Go's encoding/json; '/' and all valid UTF-8 pass through unescaped.
//   - A table is encoded as an array when its keys are exactly 1..n (n >= 1)
//     and as an object when it has string keys. An empty table encodes as []
//     (like rxi/json.lua and dkjson), unless marked with json.object.
//   - Positive integer keys with holes encode as an array with null in the
//     holes when n <= 10 or n <= 2*count (n the largest key, count the number
//     of keys); sparser tables are an error ("sparse array").
//   - Other integer keys (0, negative, mixed with string keys) make an object
//     whose integer keys are written as strings; the string key "1" next to the
//     integer key 1 is an error ("duplicate key"). Keys of any other type,
//     non-integer numbers included, are an error naming the key type.
//   - Object keys come in the order pairs() visits them in gopher-lua v1.1.2:
//     integer keys 1..n of the array part first, then the other keys in the
//     order they were first inserted (deleting a key keeps its place). So the
//     output is deterministic and follows the order the table was built, and
//     decode -> encode keeps the order of the input. sort_keys sorts instead.
//   - Marks: json.array and json.object give a table a shared metatable whose
//     __jsontype field is "array" or "object" (the dkjson convention). Any
//     metatable with that field is honoured, so a class can declare it too; a
//     table that already has another metatable is refused by json.array and
//     json.object. A marked array with a non-integer key is an error.
//   - Cycles are an error ("cycle"), as is nesting deeper than 1000 tables.
//     Functions, threads, channels and userdata other than json.null are an
//     error ("cannot encode function"). Errors name the path to the bad value:
//     "json: cannot encode function at .users[2].cb".
//   - Tables are read raw: no metamethod (__index, __pairs, __tostring) runs.
//
// Decoding rules:
//   - Strict RFC 8259: no comments, trailing commas, NaN/Infinity, leading
//     zeros, unescaped control characters in strings, or text after the value.
//     Numbers too large for a float64 (1e400) are an error.
//   - Numbers become Lua numbers, strings Lua strings (sharing memory with text),
//     null becomes json.null (so arrays keep their length, and decode("null")
//     returns json.null, not nil), arrays become tables 1..n marked with
//     json.array, objects tables with string keys marked with json.object, so
//     [] and {} round-trip. Duplicate object keys: the last value wins.
//   - \u escapes combine surrogate pairs; a lone surrogate and invalid UTF-8
//     in the input become U+FFFD.
//   - Nesting deeper than 1000 is an error. Errors give the line and column
//     (counted in characters): "json: unexpected character '}' at line 3 column 7".
func openJSON(L *lua.LState) int {
	st := jsonStateOf(L)
	mod := L.SetFuncs(L.CreateTable(0, 5), jsonFuncs, L.G.Registry.RawGetString(jsonStateKey))
	mod.RawSetString("null", st.null)
	L.Push(mod)
	return 1
}

// jsonFuncs are the module's functions; each gets the state's *jsonState
// userdata as upvalue 1.
var jsonFuncs = map[string]lua.LGFunction{
	"encode": jsonEncode,
	"decode": jsonDecode,
	"array":  jsonArray,
	"object": jsonObject,
}

const (
	jsonMaxDepth  = 1000
	jsonStateKey  = "luaserve.json" // registry key of the state's *jsonState userdata
	jsonTypeField = "__jsontype"    // metatable field read by the encoder
	jsonKeepBytes = 64 << 10        // scratch larger than this is dropped after a call
)

var (
	// errJSONEOF is returned when the input ends inside a value.
	errJSONEOF = errors.New("json: unexpected end of input")
	// errJSONDepth is wrapped by the errors about nesting deeper than 1000.
	errJSONDepth = errors.New("json: nesting deeper than 1000")
)

// jsonNull is the Value of the json.null userdata. The encoder recognises
// null by this type, so it needs no state; each LState has its own userdata.
type jsonNull struct{}

// jsonState is the per-LState part of the module. It lives in the registry,
// so decodeJSON produces the same json.null and marker metatables that
// scripts see, whether or not they required the module.
type jsonState struct {
	null     *lua.LUserData
	arrayMT  *lua.LTable // {__jsontype = "array"}
	objectMT *lua.LTable // {__jsontype = "object"}
	buf      []byte      // owned by jsonEncode; reused per call
	enc      jsonEncoder // owned by jsonEncode; its scratch is reused per call
	dec      jsonDecoder // owned by decodeJSON; its scratch is reused per call
}

// jsonStateOf returns L's jsonState, creating it on first use.
func jsonStateOf(L *lua.LState) *jsonState {
	if ud, ok := L.G.Registry.RawGetString(jsonStateKey).(*lua.LUserData); ok {
		if st, ok := ud.Value.(*jsonState); ok {
			return st
		}
	}
	nullMT := L.CreateTable(0, 1)
	nullMT.RawSetString("__tostring", L.NewFunction(func(L *lua.LState) int {
		L.Push(lua.LString("null"))
		return 1
	}))
	st := &jsonState{
		null:     L.NewUserData(),
		arrayMT:  L.CreateTable(0, 1),
		objectMT: L.CreateTable(0, 1),
	}
	st.null.Value, st.null.Metatable = jsonNull{}, nullMT
	st.arrayMT.RawSetString(jsonTypeField, lua.LString("array"))
	st.objectMT.RawSetString(jsonTypeField, lua.LString("object"))
	ud := L.NewUserData()
	ud.Value = st
	L.G.Registry.RawSetString(jsonStateKey, ud)
	return st
}

// jsonStateArg returns the jsonState passed to module functions as upvalue 1.
func jsonStateArg(L *lua.LState) *jsonState {
	return L.Get(lua.UpvalueIndex(1)).(*lua.LUserData).Value.(*jsonState)
}

// jsonEncode implements json.encode(value [, opts]) -> string | nil, err.
func jsonEncode(L *lua.LState) int {
	st := jsonStateArg(L)
	e := &st.enc
	e.indent, e.sortKeys = "", false
	if opts := L.OptTable(2, nil); opts != nil {
		checkEncodeOpts(L, opts, e)
	}
	buf, err := e.encode(st.buf[:0], L.Get(1))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(lua.LString(buf))
	if cap(buf) <= jsonKeepBytes {
		st.buf = buf
	}
	return 1
}

// checkEncodeOpts reads json.encode's options into e, raising on misuse so
// a typo like "sortkeys" does not pass silently.
func checkEncodeOpts(L *lua.LState, opts *lua.LTable, e *jsonEncoder) {
	opts.ForEach(func(k, v lua.LValue) {
		switch k {
		case lua.LString("indent"):
			s, ok := v.(lua.LString)
			if !ok || strings.Trim(string(s), " \t") != "" {
				L.ArgError(2, "opts.indent must be a string of spaces and tabs")
			}
			e.indent = string(s)
		case lua.LString("sort_keys"):
			b, ok := v.(lua.LBool)
			if !ok {
				L.ArgError(2, "opts.sort_keys must be a boolean")
			}
			e.sortKeys = bool(b)
		default:
			L.ArgError(2, "unknown option "+strconv.Quote(lua.LVAsString(k)))
		}
	})
}

// jsonDecode implements json.decode(text:string) -> value | nil, err:string.
func jsonDecode(L *lua.LState) int {
	v, err := decodeJSON(L, L.CheckString(1))
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString(err.Error()))
		return 2
	}
	L.Push(v)
	return 1
}

// jsonArray implements json.array([t:table]) -> t.
func jsonArray(L *lua.LState) int {
	st := jsonStateArg(L)
	return jsonMark(L, st, st.arrayMT, "array")
}

// jsonObject implements json.object([t:table]) -> t.
func jsonObject(L *lua.LState) int {
	st := jsonStateArg(L)
	return jsonMark(L, st, st.objectMT, "object")
}

// jsonMark gives argument 1 (or a new table) the marker metatable mt. A table
// with a metatable of its own keeps it: replacing a class's metatable would
// break the object, so the script is told to declare __jsontype instead.
func jsonMark(L *lua.LState, st *jsonState, mt *lua.LTable, kind string) int {
	tb := L.OptTable(1, nil)
	if tb == nil {
		tb = L.CreateTable(0, 0)
	}
	switch cur := tb.Metatable.(type) {
	case *lua.LNilType:
		tb.Metatable = mt
	case *lua.LTable:
		switch {
		case cur == st.arrayMT || cur == st.objectMT:
			tb.Metatable = mt
		case cur.RawGetString(jsonTypeField) != lua.LString(kind):
			L.ArgError(1, "table has a metatable; set its __jsontype field to \""+kind+"\"")
		}
	}
	L.Push(tb)
	return 1
}

// encodeJSON appends the compact JSON encoding of v to dst. It reads tables
// raw and calls no Lua code. On error it returns dst unchanged, with an error
// whose text names the path to the bad value.
func encodeJSON(dst []byte, v lua.LValue) ([]byte, error) {
	e := jsonEncoders.Get().(*jsonEncoder)
	b, err := e.encode(dst, v)
	jsonEncoders.Put(e)
	return b, err
}

// decodeJSON decodes the JSON text s into a Lua value for L. Strings in the
// result share memory with s.
func decodeJSON(L *lua.LState, s string) (lua.LValue, error) {
	st := jsonStateOf(L)
	d := &st.dec
	d.L, d.st, d.s, d.i, d.depth = L, st, s, 0, 0
	v, err := d.top()
	d.L, d.st, d.s = nil, nil, ""
	clear(d.vals) // an error leaves pending values behind
	clear(d.keys)
	d.vals, d.keys = d.vals[:0], d.keys[:0]
	if cap(d.vals) > jsonKeepBytes/16 {
		d.vals = nil
	}
	if cap(d.keys) > jsonKeepBytes/16 {
		d.keys = nil
	}
	if cap(d.buf) > jsonKeepBytes {
		d.buf = nil
	}
	return v, err
}

// jsonEncoder holds the options of one encode and scratch reused across encodes.
type jsonEncoder struct {
	indent   string
	sortKeys bool
	frames   []jsonFrame // the tables from the root to the value being encoded
	pairs    []jsonPair  // sort_keys scratch, used as a stack by nested objects
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

func (e *jsonEncoder) encode(dst []byte, v lua.LValue) ([]byte, error) {
	b, err := e.value(dst, v, 0)
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
	switch v := v.(type) {
	case lua.LString:
		return appendJSONString(b, string(v)), nil
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
	e.frames = append(e.frames[:d], jsonFrame{tb: tb})
	d++ // tb's own depth from here on
	var err error
	kind := jsonKindOf(tb)
	n := tb.MaxN() // the array part holds keys 1..n; the rest are in the hash part
	var first lua.LValue = lua.LNil
	if kind != jsonKindObject {
		if n > 0 {
			first, _ = tb.Next(jsonBoxedInt(n))
		} else {
			first, _ = tb.Next(lua.LNil)
		}
	}
	_, stringKey := first.(lua.LString)
	switch {
	case kind == jsonKindObject || (stringKey && kind == jsonKindAuto):
		b, err = e.object(b, d)
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
			return e.object(b, d)
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
func (e *jsonEncoder) object(b []byte, d int) ([]byte, error) {
	if e.sortKeys {
		return e.sortedObject(b, d)
	}
	tb := e.frames[d-1].tb
	b = append(b, '{')
	n := 0
	for k, v := tb.Next(lua.LNil); k != lua.LNil; k, v = tb.Next(k) {
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
		b = appendJSONString(b, string(k))
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
		b = e.colon(appendJSONString(b, p.name))
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

// appendJSONString appends s as a JSON string.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c < utf8.RuneSelf && c != '"' && c != '\\' {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		case '\b':
			b = append(b, '\\', 'b')
		case '\f':
			b = append(b, '\\', 'f')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
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

// jsonDecoder is a recursive-descent parser over one input string. Its scratch
// slices are stacks shared by nested containers and reused across calls.
type jsonDecoder struct {
	L     *lua.LState
	st    *jsonState
	s     string
	i     int // offset of the next byte
	depth int
	vals  []lua.LValue // pending array elements and object values
	keys  []string     // pending object keys
	buf   []byte       // unescaping scratch
}

// top decodes the whole input: one value and optional whitespace.
func (d *jsonDecoder) top() (lua.LValue, error) {
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.i < len(d.s) {
		return nil, d.unexpected()
	}
	return v, nil
}

// RFC 8259, section 2: insignificant whitespace is space, tab, LF and CR.
func (d *jsonDecoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value after optional whitespace.
func (d *jsonDecoder) value() (lua.LValue, error) {
	d.skipSpace()
	if d.i >= len(d.s) {
		return nil, errJSONEOF
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return lua.LString(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case c == 't':
		return lua.LTrue, d.literal("true")
	case c == 'f':
		return lua.LFalse, d.literal("false")
	case c == 'n':
		return d.st.null, d.literal("null")
	}
	return nil, d.unexpected()
}

// literal consumes word, which starts at d.i.
func (d *jsonDecoder) literal(word string) error {
	for j := 0; j < len(word); j++ {
		if d.i >= len(d.s) {
			return errJSONEOF
		}
		if d.s[d.i] != word[j] {
			return d.unexpected()
		}
		d.i++
	}
	return nil
}

// enter counts a level of nesting at d.i.
func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > jsonMaxDepth {
		line, col := d.position(d.i)
		return fmt.Errorf("%w at line %d column %d", errJSONDepth, line, col)
	}
	return nil
}

// array decodes an array starting at '['.
func (d *jsonDecoder) array() (lua.LValue, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.i++
	base := len(d.vals)
	if d.skipSpace(); d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
	} else {
		for {
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			d.vals = append(d.vals, v)
			if done, err := d.next(']'); done || err != nil {
				if err != nil {
					return nil, err
				}
				break
			}
		}
	}
	tb := d.L.CreateTable(len(d.vals)-base, 0)
	for _, v := range d.vals[base:] {
		tb.Append(v)
	}
	clear(d.vals[base:])
	d.vals = d.vals[:base]
	tb.Metatable = d.st.arrayMT
	d.depth--
	return tb, nil
}

// object decodes an object starting at '{'.
func (d *jsonDecoder) object() (lua.LValue, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.i++
	base := len(d.vals)
	if d.skipSpace(); d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
	} else {
		for {
			if err := d.member(); err != nil {
				return nil, err
			}
			if done, err := d.next('}'); done || err != nil {
				if err != nil {
					return nil, err
				}
				break
			}
		}
	}
	n := len(d.vals) - base
	kbase := len(d.keys) - n
	tb := d.L.CreateTable(0, n)
	for j, v := range d.vals[base:] {
		tb.RawSetString(d.keys[kbase+j], v) // a later duplicate overwrites
	}
	clear(d.vals[base:])
	d.vals = d.vals[:base]
	clear(d.keys[kbase:])
	d.keys = d.keys[:kbase]
	tb.Metatable = d.st.objectMT
	d.depth--
	return tb, nil
}

// member decodes `"key": value` onto the scratch stacks.
func (d *jsonDecoder) member() error {
	d.skipSpace()
	if d.i >= len(d.s) {
		return errJSONEOF
	}
	if d.s[d.i] != '"' {
		return d.unexpected()
	}
	k, err := d.str()
	if err != nil {
		return err
	}
	d.skipSpace()
	if d.i >= len(d.s) {
		return errJSONEOF
	}
	if d.s[d.i] != ':' {
		return d.unexpected()
	}
	d.i++
	v, err := d.value()
	if err != nil {
		return err
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// next consumes the ',' between members or the closing byte; done reports
// the closing byte.
func (d *jsonDecoder) next(closing byte) (done bool, err error) {
	d.skipSpace()
	if d.i >= len(d.s) {
		return false, errJSONEOF
	}
	switch d.s[d.i] {
	case ',':
		d.i++
		return false, nil
	case closing:
		d.i++
		return true, nil
	}
	return false, d.unexpected()
}

// number decodes a number with the grammar of RFC 8259, section 6:
// -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
func (d *jsonDecoder) number() (lua.LValue, error) {
	s, start := d.s, d.i
	if s[d.i] == '-' {
		d.i++
	}
	if d.i < len(s) && s[d.i] == '0' {
		d.i++
	} else if err := d.digits(); err != nil {
		return nil, err
	}
	integer := d.i
	if d.i < len(s) && s[d.i] == '.' {
		d.i++
		if err := d.digits(); err != nil {
			return nil, err
		}
	}
	if d.i < len(s) && (s[d.i] == 'e' || s[d.i] == 'E') {
		d.i++
		if d.i < len(s) && (s[d.i] == '+' || s[d.i] == '-') {
			d.i++
		}
		if err := d.digits(); err != nil {
			return nil, err
		}
	}
	text := s[start:d.i]
	if d.i == integer {
		if n, ok := jsonCanonicalInt(text); ok { // up to 15 digits, exact; not -0
			return lua.LNumber(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, d.errorf(start, "number %s out of range", text)
	}
	return lua.LNumber(f), nil
}

// digits consumes one or more decimal digits.
func (d *jsonDecoder) digits() error {
	start := d.i
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
	}
	if d.i == start {
		return d.unexpected()
	}
	return nil
}

// str decodes a string starting at '"'. Without escapes or invalid UTF-8
// the result is a substring of the input, so it costs no copy.
func (d *jsonDecoder) str() (string, error) {
	s := d.s
	start := d.i + 1
	for i := start; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			return s[start:i], nil
		case c == '\\' || c < 0x20:
			return d.unescape(start, i)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return d.unescape(start, i)
			}
			i += size
		}
	}
	return "", errJSONEOF
}

// unescape finishes a string whose plain prefix is s[start:i], building it
// in d.buf.
func (d *jsonDecoder) unescape(start, i int) (string, error) {
	s := d.s
	b := append(d.buf[:0], s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = b[:0]
			return string(b), nil
		case c < 0x20:
			return "", d.errorf(i, "unescaped control character %U in string", c)
		case c == '\\':
			var err error
			if b, i, err = d.escape(b, i); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // invalid UTF-8 decodes as U+FFFD, size 1
			i += size
		}
	}
	return "", errJSONEOF
}

// escape appends the character of the escape sequence at s[i] == '\\' and
// returns the offset after it.
func (d *jsonDecoder) escape(b []byte, i int) ([]byte, int, error) {
	s := d.s
	if i+1 >= len(s) {
		return b, i, errJSONEOF
	}
	switch c := s[i+1]; c {
	case '"', '\\', '/':
		return append(b, c), i + 2, nil
	case 'b':
		return append(b, '\b'), i + 2, nil
	case 'f':
		return append(b, '\f'), i + 2, nil
	case 'n':
		return append(b, '\n'), i + 2, nil
	case 'r':
		return append(b, '\r'), i + 2, nil
	case 't':
		return append(b, '\t'), i + 2, nil
	case 'u':
		r, err := d.hex4(i + 2)
		if err != nil {
			return b, i, err
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// RFC 8259, section 7: a pair of escapes spells a character
			// outside the BMP; a lone surrogate becomes U+FFFD.
			if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if r2, err := d.hex4(i + 2); err == nil {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						return utf8.AppendRune(b, pair), i + 6, nil
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(b, r), i, nil
	}
	return b, i, d.errorf(i, "invalid escape %s in string", strconv.Quote(s[i:i+2]))
}

// hex4 reads the 4 hex digits of a \u escape at s[i:].
func (d *jsonDecoder) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.s) {
			return 0, errJSONEOF
		}
		c := d.s[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			d.i = j
			return 0, d.unexpected()
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// unexpected reports the byte at d.i.
func (d *jsonDecoder) unexpected() error {
	if d.i >= len(d.s) {
		return errJSONEOF
	}
	r, size := utf8.DecodeRuneInString(d.s[d.i:])
	if r == utf8.RuneError && size == 1 {
		return d.errorf(d.i, "unexpected byte 0x%02x", d.s[d.i])
	}
	return d.errorf(d.i, "unexpected character %s", strconv.QuoteRune(r))
}

// errorf formats a decode error at offset pos with its line and column.
func (d *jsonDecoder) errorf(pos int, format string, args ...any) error {
	line, col := d.position(pos)
	return fmt.Errorf("json: "+format+" at line %d column %d", append(args, line, col)...)
}

// position returns the line and column, counted in characters from 1, of
// offset pos.
func (d *jsonDecoder) position(pos int) (line, col int) {
	line = 1 + strings.Count(d.s[:pos], "\n")
	col = 1 + utf8.RuneCountInString(d.s[strings.LastIndexByte(d.s[:pos], '\n')+1:pos])
	return line, col
}
