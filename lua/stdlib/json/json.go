// Package json is luaserve.json: JSON for Lua values, and the encoder and
// decoder the engine uses for response tables and request bodies.
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
//     \t, else \u00XX); each byte of invalid UTF-8 becomes \ufffd, as in Go's
//     encoding/json; U+2028 and U+2029 are escaped (JavaScript ends a line at
//     them); '/' and all other valid UTF-8 pass through unescaped. These are
//     the access log's rules too (one escaper: internal/jsonstr).
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
//     The request's own tables (req, req.headers, req.query, req.params,
//     req.cookies) are the exception: they are filled first, so they encode
//     as pairs() lists them.
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
package json

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

func Module() stdlib.Module { return stdlib.Module{Name: "luaserve.json", Open: open} }

func open(L *lua.LState, h stdlib.Host) *lua.LTable {
	st := jsonStateOf(L)
	st.host = h
	mod := L.SetFuncs(L.CreateTable(0, 5), jsonFuncs, L.G.Registry.RawGetString(jsonStateKey))
	mod.RawSetString("null", st.null)
	return mod
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
	// checkEvery is how many values a long encode or decode handles between
	// checks of the request's time limit and memory budget.
	checkEvery = 1024
	// decodedValueBytes is what one decoded value costs in Lua, roughly.
	decodedValueBytes = 64
	jsonMaxDepth      = 1000
	jsonStateKey      = "luaserve.json" // registry key of the state's *jsonState userdata
	jsonTypeField     = "__jsontype"    // metatable field read by the encoder
	jsonKeepBytes     = 64 << 10        // scratch larger than this is dropped after a call
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
	host     stdlib.Host // the opening module's; what json.encode and json.decode check
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
	buf, err := e.encode(st.host.Context(), st.buf[:0], L.Get(1))
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
	v, err := Decode(jsonStateArg(L).host.Context(), L, L.CheckString(1))
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

// Encode appends the compact JSON encoding of v to dst. It reads tables
// raw and calls no Lua code. On error it returns dst unchanged, with an error
// whose text names the path to the bad value.
//
// A long encode checks ctx (nil for none) every checkEvery values: it stops
// with ctx's cause when ctx ends, and charges the output to the request's
// memory budget (stdlib.Charge).
func Encode(ctx context.Context, dst []byte, v lua.LValue) ([]byte, error) {
	e := jsonEncoders.Get().(*jsonEncoder)
	b, err := e.encode(ctx, dst, v)
	jsonEncoders.Put(e)
	return b, err
}

// EncodeSorted is Encode with every object's keys sorted bytewise: a
// value always encodes the same, so that two encodings can be compared
// (the engine's sessions write their cookie only when it changed).
func EncodeSorted(ctx context.Context, dst []byte, v lua.LValue) ([]byte, error) {
	e := jsonEncoders.Get().(*jsonEncoder)
	e.sortKeys = true
	b, err := e.encode(ctx, dst, v)
	e.sortKeys = false
	jsonEncoders.Put(e)
	return b, err
}

// Decode decodes the JSON text s into a Lua value for L, with the rules of
// json.decode (null is L's json.null). Strings in the result share memory
// with s. Like Encode, it checks ctx (nil for none) as it goes, charging an
// estimate of what the values cost.
func Decode(ctx context.Context, L *lua.LState, s string) (lua.LValue, error) {
	st := jsonStateOf(L)
	d := &st.dec
	d.L, d.st, d.s, d.i, d.depth, d.ctx, d.steps = L, st, s, 0, 0, ctx, 0
	v, err := d.top()
	d.L, d.st, d.s, d.ctx = nil, nil, "", nil
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

// check is what a long encode or decode does every checkEvery values
// (stdlib.Check), its error worded as luaserve.json's.
func check(ctx context.Context, n int) error {
	if err := stdlib.Check(ctx, n); err != nil {
		return fmt.Errorf("json: %w", err)
	}
	return nil
}

// IsNull reports whether v is json.null (of any state).
func IsNull(v lua.LValue) bool {
	ud, ok := v.(*lua.LUserData)
	if !ok {
		return false
	}
	_, ok = ud.Value.(jsonNull)
	return ok
}

// Null returns L's json.null.
func Null(L *lua.LState) lua.LValue { return jsonStateOf(L).null }

// Kind returns how tb's __jsontype mark says to encode it: "array",
// "object", or "" when it has no mark.
func Kind(tb *lua.LTable) string {
	switch jsonKindOf(tb) {
	case jsonKindArray:
		return "array"
	case jsonKindObject:
		return "object"
	}
	return ""
}

// Mark gives tb, which has no metatable, L's marker metatable for kind
// ("array" or "object"); any other kind leaves it alone.
func Mark(L *lua.LState, tb *lua.LTable, kind string) {
	st := jsonStateOf(L)
	switch kind {
	case "array":
		tb.Metatable = st.arrayMT
	case "object":
		tb.Metatable = st.objectMT
	}
}
