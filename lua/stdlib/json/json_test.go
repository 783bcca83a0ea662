package json

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// newJSONState returns a state with the standard libraries and luaserve.json
// preloaded.
func newJSONState(tb testing.TB) *lua.LState {
	tb.Helper()
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{Modules: []stdlib.Module{Module()}})
	tb.Cleanup(L.Close)
	return L
}

// jsonLuaValue evaluates the Lua expression expr, in which json is the module.
func jsonLuaValue(tb testing.TB, L *lua.LState, expr string) lua.LValue {
	tb.Helper()
	if err := L.DoString(`local json = require("luaserve.json") return ` + expr); err != nil {
		tb.Fatalf("evaluate %s: %v", expr, err)
	}
	v := L.Get(-1)
	L.Pop(1)
	return v
}

// nested returns n arrays nested in one another, in Lua and in JSON.
func jsonNested(n int) (lua string, text string) {
	return "json.decode('" + strings.Repeat("[", n) + strings.Repeat("]", n) + "')",
		strings.Repeat("[", n) + strings.Repeat("]", n)
}

func TestEncodeJSON(t *testing.T) {
	deep1000, _ := jsonNested(1000)
	tests := []struct {
		name string
		expr string // a Lua expression
		want string
		err  string // substring of the error, when one is expected
	}{
		{name: "nil", expr: "nil", want: "null"},
		{name: "null", expr: "json.null", want: "null"},
		{name: "true", expr: "true", want: "true"},
		{name: "false", expr: "false", want: "false"},
		{name: "int", expr: "42", want: "42"},
		{name: "negative_int", expr: "-7", want: "-7"},
		{name: "zero", expr: "0", want: "0"},
		{name: "negative_zero", expr: "-0", want: "0"},
		{name: "two_pow_53", expr: "2^53", want: "9007199254740992"},
		{name: "above_two_pow_53", expr: "2^53 + 2", want: "9007199254740994"},
		{name: "two_pow_60_like_js", expr: "2^60", want: "1152921504606847000"},
		{name: "1e20", expr: "1e20", want: "100000000000000000000"},
		{name: "1e21", expr: "1e21", want: "1e+21"},
		{name: "1e300", expr: "1e300", want: "1e+300"},
		{name: "max_float", expr: "1.7976931348623157e308", want: "1.7976931348623157e+308"},
		{name: "0.1", expr: "0.1", want: "0.1"},
		{name: "fraction", expr: "-1.5", want: "-1.5"},
		{name: "small", expr: "1e-6", want: "0.000001"},
		{name: "smaller", expr: "-1.5e-7", want: "-1.5e-7"},
		{name: "denormal", expr: "5e-324", want: "5e-324"},
		{name: "nan", expr: "0/0", err: "json: cannot encode nan"},
		{name: "inf", expr: "1/0", err: "json: cannot encode inf"},
		{name: "negative_inf", expr: "{x = -1/0}", err: "json: cannot encode -inf at .x"},

		{name: "empty_string", expr: `""`, want: `""`},
		{name: "escapes", expr: `"q\"b\\s/n\nr\rt\tb\bf\f"`, want: `"q\"b\\s/n\nr\rt\tb\u0008f\u000c"`},
		{name: "control", expr: `"\0\1\31\127"`, want: "\"\\u0000\\u0001\\u001f\x7f\""},
		{name: "utf8", expr: `"é日本😀\226\128\168\226\128\169"`, want: `"é日本😀\u2028\u2029"`},
		{name: "invalid_utf8", expr: `"a\255b"`, want: `"a\ufffdb"`},
		{name: "truncated_utf8", expr: `"\230\151"`, want: `"\ufffd\ufffd"`},
		{name: "surrogate_utf8", expr: `"\237\160\128"`, want: `"\ufffd\ufffd\ufffd"`},

		{name: "empty_table", expr: "{}", want: "[]"},
		{name: "array", expr: `{1, "a", true}`, want: `[1,"a",true]`},
		{name: "object", expr: "{b = 1, a = 2, c = 3}", want: `{"b":1,"a":2,"c":3}`},
		{name: "nested", expr: `{list = {{id = 1}, {id = 2}}, meta = {}}`, want: `{"list":[{"id":1},{"id":2}],"meta":[]}`},
		{name: "marked_object", expr: "json.object()", want: "{}"},
		{name: "marked_object_table", expr: "json.object({})", want: "{}"},
		{name: "marked_empty_array", expr: "json.array({})", want: "[]"},
		{name: "marked_object_ints", expr: "json.object({10, 20})", want: `{"1":10,"2":20}`},
		{name: "marked_array", expr: "json.array({1, 2})", want: "[1,2]"},
		{name: "marked_array_string_key", expr: "json.array({1, x = 2})", err: "json: cannot encode key of type string in array"},
		{name: "jsontype_in_own_metatable", expr: `setmetatable({}, {__jsontype = "object"})`, want: "{}"},
		{name: "metamethods_ignored", expr: `setmetatable({a = 1}, {__index = function() return 2 end})`, want: `{"a":1}`},
		{name: "null_in_array", expr: "{1, json.null, 3}", want: "[1,null,3]"},
		{name: "hole", expr: "{1, nil, 3}", want: "[1,null,3]"},
		{name: "leading_holes", expr: "{[3] = 1}", want: "[null,null,1]"},
		{name: "sparse_small", expr: "{[1] = 1, [10] = 1}", want: "[1,null,null,null,null,null,null,null,null,1]"},
		{name: "sparse_half", expr: "{1, 2, 3, 4, 5, 6, [12] = 12}", want: "[1,2,3,4,5,6,null,null,null,null,null,12]"},
		{name: "sparse_too", expr: "{[1] = 1, [100] = 1}", err: "json: sparse array"},
		{name: "sparse_nested", expr: "{a = {[50] = 1}}", err: "json: sparse array at .a"},
		{name: "huge_int_key", expr: "{[2^40] = 1}", want: `{"1099511627776":1}`},
		{name: "huge_int_key_with_array", expr: "{1, [2^40] = 1}", want: `{"1":1,"1099511627776":1}`},
		{name: "zero_key", expr: "{[0] = 1}", want: `{"0":1}`},
		{name: "zero_and_array", expr: "{[0] = 0, 1, 2}", want: `{"1":1,"2":2,"0":0}`},
		{name: "negative_key", expr: "{[-1] = 1}", want: `{"-1":1}`},
		{name: "mixed", expr: "{1, 2, x = 3}", want: `{"1":1,"2":2,"x":3}`},
		{name: "mixed_string_first", expr: `(function() local t = {x = 3} t[1] = 1 return t end)()`, want: `{"1":1,"x":3}`},
		{name: "duplicate_key", expr: `{[1] = 1, ["1"] = 2}`, err: `json: duplicate key "1"`},
		{name: "boolean_key", expr: "{[true] = 1}", err: "json: cannot encode key of type boolean"},
		{name: "table_key", expr: "{a = {[{}] = 1}}", err: "json: cannot encode key of type table at .a"},
		{name: "function_key", expr: "{[print] = 1}", err: "json: cannot encode key of type function"},
		{name: "float_key", expr: "{[1.5] = 1}", err: "json: cannot encode key of type number (1.5)"},
		{name: "inf_key", expr: "{[1/0] = 1}", err: "json: cannot encode key of type number (inf)"},

		{name: "function", expr: "print", err: "json: cannot encode function"},
		{name: "thread", expr: "{co = coroutine.create(print)}", err: "json: cannot encode thread at .co"},
		{name: "path", expr: "{users = {{name = 'a'}, {cb = print}}}", err: "json: cannot encode function at .users[2].cb"},
		{name: "path_quoted_key", expr: `{["a b"] = {print}}`, err: `json: cannot encode function at ["a b"][1]`},
		{name: "cycle", expr: "(function() local t = {} t.self = t return t end)()", err: "json: cycle at .self"},
		{name: "cycle_deep", expr: "(function() local a = {b = {}} a.b.c = {a} return a end)()", err: "json: cycle at .b.c[1]"},
		{name: "shared_not_cycle", expr: "(function() local x = {1} return {x, x} end)()", want: "[[1],[1]]"},
		{name: "depth_1000", expr: deep1000, want: strings.Repeat("[", 1000) + strings.Repeat("]", 1000)},
		{name: "depth_1001", expr: "{" + deep1000 + "}", err: "json: nesting deeper than 1000 at [1][1]"},
	}
	L := newJSONState(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := jsonLuaValue(t, L, tc.expr)
			dst := []byte("prefix")
			got, err := Encode(context.Background(), dst, v)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("encode %s: got %q, %v; want error %q", tc.expr, got, err, tc.err)
				}
				if string(got) != "prefix" {
					t.Errorf("on error encodeJSON returned %q, want dst unchanged", got)
				}
				return
			}
			if err != nil || string(got) != "prefix"+tc.want {
				t.Fatalf("encode %s: got %q, %v; want %q", tc.expr, got, err, tc.want)
			}
			if !json.Valid(got[len("prefix"):]) {
				t.Errorf("encoding/json rejects %q", got)
			}
		})
	}
}

func TestEncodeJSONGoValues(t *testing.T) {
	L := newJSONState(t)
	ud := L.NewUserData()
	for _, tc := range []struct {
		v   lua.LValue
		err string
	}{
		{ud, "json: cannot encode userdata"},
		{lua.LChannel(make(chan lua.LValue)), "json: cannot encode channel"},
	} {
		if _, err := Encode(context.Background(), nil, tc.v); err == nil || err.Error() != tc.err {
			t.Errorf("encode %v: got %v, want %q", tc.v.Type(), err, tc.err)
		}
	}
}

// TestEncodeJSONKeyOrder checks that output follows the order keys were
// first inserted, on every run, including after deletes.
func TestEncodeJSONKeyOrder(t *testing.T) {
	L := newJSONState(t)
	v := jsonLuaValue(t, L, `(function()
		local t = {}
		for i = 1, 50 do t["k" .. (i * 7919 % 50)] = i end
		t.k3 = nil; t.k3 = "back"; t.k0 = nil
		return t
	end)()`)
	first, err := Encode(context.Background(), nil, v)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(first), `{"k19":1,"k38":2,"k7":3,"k26":4,`) || strings.Contains(string(first), `"k0"`) {
		t.Fatalf("unexpected order: %s", first)
	}
	for range 100 {
		if again, _ := Encode(context.Background(), nil, v); string(again) != string(first) {
			t.Fatalf("order changed:\n%s\n%s", first, again)
		}
	}
}

// TestEncodeJSONNumbersMatchGo compares numbers with encoding/json, whose
// float format is also the one of JavaScript.
func TestEncodeJSONNumbersMatchGo(t *testing.T) {
	floats := []float64{0, 1, -1, 0.1, 1.0 / 3, 1e-6, 9.99e-7, 1e21, 9.99e20, 123456789.125,
		math.MaxFloat64, math.SmallestNonzeroFloat64, 1 << 53, 1<<53 + 2, 1 << 62, math.MaxInt64}
	r := rand.New(rand.NewPCG(1, 2))
	for range 10000 {
		f := math.Float64frombits(r.Uint64())
		if !math.IsNaN(f) && !math.IsInf(f, 0) {
			floats = append(floats, f)
		}
		floats = append(floats, float64(r.Int64N(1<<60)-1<<59), r.NormFloat64()*1e6)
	}
	for _, f := range floats {
		got, ok := appendJSONNumber(nil, f)
		want, err := json.Marshal(f)
		if !ok || err != nil || string(got) != string(want) {
			t.Fatalf("number %v: got %s, want %s", f, got, want)
		}
		if back, err := strconv.ParseFloat(string(got), 64); err != nil || back != f {
			t.Fatalf("number %v: %s parses as %v, %v", f, got, back, err)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	_, deep1000 := jsonNested(1000)
	tests := []struct {
		name string
		in   string
		want string // the value encoded again, when decoding succeeds
		err  string // the whole error message, or a prefix ending in "..."
	}{
		{name: "object", in: `{"b": 1, "a": [true, false, null], "c": {}}`, want: `{"b":1,"a":[true,false,null],"c":{}}`},
		{name: "whitespace", in: " \t\r\n[ 1 , 2 ]\n ", want: "[1,2]"},
		{name: "empty_array", in: "[]", want: "[]"},
		{name: "empty_object", in: "{}", want: "{}"},
		{name: "nested_empty", in: `[[],{},[{}]]`, want: `[[],{},[{}]]`},
		{name: "top_scalar", in: `"x"`, want: `"x"`},
		{name: "top_null", in: "null", want: "null"},
		{name: "nulls_keep_length", in: "[null,null]", want: "[null,null]"},
		{name: "duplicate_last_wins", in: `{"a":1,"b":2,"a":3}`, want: `{"a":3,"b":2}`},
		{name: "numbers", in: `[0,-0,1,-1,0.5,1e2,1E-2,-1.5e+3,123456789012345,1234567890123456789]`,
			want: `[0,0,1,-1,0.5,100,0.01,-1500,123456789012345,1234567890123456800]`},
		{name: "big_numbers", in: `[1e300,9007199254740993,1e-400]`, want: `[1e+300,9007199254740992,0]`},
		{name: "escapes", in: `"\"\\\/\b\f\n\r\t\u0041\u00e9\u65e5"`, want: `"\"\\/\u0008\u000c\n\r\tAé日"`},
		{name: "surrogate_pair", in: `"\ud83d\ude00"`, want: `"😀"`},
		{name: "surrogate_pair_upper", in: `"\uD83D\uDE00"`, want: `"😀"`},
		{name: "lone_high", in: `"\ud83dx"`, want: `"�x"`},
		{name: "lone_high_end", in: `"\ud83d"`, want: `"�"`},
		{name: "lone_low", in: `"\ude00\ud83d"`, want: `"��"`},
		{name: "high_then_non_low", in: `"\ud83d\u0041"`, want: `"�A"`},
		{name: "utf8", in: `"é日本😀"`, want: `"é日本😀"`},
		{name: "invalid_utf8", in: "\"a\xffb\xe6\x97\"", want: `"a�b��"`},
		{name: "invalid_utf8_after_escape", in: "\"\\n\xff\"", want: `"\n�"`},
		{name: "del_raw", in: "\"\x7f\"", want: "\"\x7f\""},
		{name: "depth_1000", in: deep1000, want: deep1000},

		{name: "empty", in: "", err: "json: unexpected end of input"},
		{name: "spaces", in: "  ", err: "json: unexpected end of input"},
		{name: "trailing_comma_array", in: "[1,]", err: "json: unexpected character ']' at line 1 column 4"},
		{name: "trailing_comma_object", in: "{\"a\":1,\n}", err: "json: unexpected character '}' at line 2 column 1"},
		{name: "column_in_characters", in: `["é", x]`, err: "json: unexpected character 'x' at line 1 column 7"},
		{name: "leading_zero", in: "01", err: "json: unexpected character '1' at line 1 column 2"},
		{name: "leading_zero_negative", in: "[-01]", err: "json: unexpected character '1' at line 1 column 4"},
		{name: "plus", in: "+1", err: "json: unexpected character '+' at line 1 column 1"},
		{name: "dot_first", in: ".5", err: "json: unexpected character '.' at line 1 column 1"},
		{name: "dot_last", in: "1.", err: "json: unexpected end of input"},
		{name: "dot_no_digits", in: "[1.e5]", err: "json: unexpected character 'e' at line 1 column 4"},
		{name: "exponent_no_digits", in: "[1e]", err: "json: unexpected character ']' at line 1 column 4"},
		{name: "minus_only", in: "-", err: "json: unexpected end of input"},
		{name: "hex", in: "0x10", err: "json: unexpected character 'x' at line 1 column 2"},
		{name: "nan", in: "NaN", err: "json: unexpected character 'N' at line 1 column 1"},
		{name: "infinity", in: "[-Infinity]", err: "json: unexpected character 'I' at line 1 column 3"},
		{name: "out_of_range", in: "[1e400]", err: "json: number 1e400 out of range at line 1 column 2"},
		{name: "line_comment", in: "// c\n1", err: "json: unexpected character '/' at line 1 column 1"},
		{name: "block_comment", in: "[1/* c */]", err: "json: unexpected character '/' at line 1 column 3"},
		{name: "single_quotes", in: "['a']", err: `json: unexpected character '\'' at line 1 column 2`},
		{name: "bare_key", in: "{a:1}", err: "json: unexpected character 'a' at line 1 column 2"},
		{name: "number_key", in: "{1:1}", err: "json: unexpected character '1' at line 1 column 2"},
		{name: "missing_colon", in: `{"a" 1}`, err: "json: unexpected character '1' at line 1 column 6"},
		{name: "missing_comma", in: "[1 2]", err: "json: unexpected character '2' at line 1 column 4"},
		{name: "unclosed_array", in: "[1", err: "json: unexpected end of input"},
		{name: "unclosed_object", in: `{"a":1`, err: "json: unexpected end of input"},
		{name: "unclosed_string", in: `"abc`, err: "json: unexpected end of input"},
		{name: "unclosed_escaped", in: `"a\n`, err: "json: unexpected end of input"},
		{name: "trailing_value", in: "1 2", err: "json: unexpected character '2' at line 1 column 3"},
		{name: "trailing_garbage", in: "{}x", err: "json: unexpected character 'x' at line 1 column 3"},
		{name: "truncated_literal", in: "tru", err: "json: unexpected end of input"},
		{name: "bad_literal", in: "[nul]", err: "json: unexpected character ']' at line 1 column 5"},
		{name: "capital_literal", in: "True", err: "json: unexpected character 'T' at line 1 column 1"},
		{name: "raw_newline", in: "\"a\nb\"", err: "json: unescaped control character U+000A in string at line 1 column 3"},
		{name: "raw_tab", in: "\"\\n\t\"", err: "json: unescaped control character U+0009 in string at line 1 column 4"},
		{name: "bad_escape", in: `"\x"`, err: `json: invalid escape "\\x" in string at line 1 column 2`},
		{name: "bad_unicode", in: `"\u12G4"`, err: "json: unexpected character 'G' at line 1 column 6"},
		{name: "short_unicode", in: `"\u12"`, err: `json: unexpected character '"' at line 1 column 6`},
		{name: "bom", in: "\ufeff1", err: "json: unexpected character '\\ufeff' at line 1 column 1"},
		{name: "invalid_byte", in: "\xff", err: "json: unexpected byte 0xff at line 1 column 1"},
		{name: "depth_1001", in: "[" + deep1000 + "]", err: "json: nesting deeper than 1000 at line 1 column 1001"},
		{name: "depth_object", in: strings.Repeat(`{"a":`, 1001), err: "json: nesting deeper than 1000 at line 1 column 5001"},
	}
	L := newJSONState(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, err := Decode(context.Background(), L, tc.in)
			var ref any
			refErr := json.Unmarshal([]byte(tc.in), &ref)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("decode %q: got error %v, want %q", tc.in, err, tc.err)
				}
				if refErr == nil && !errors.Is(err, errJSONDepth) {
					t.Errorf("encoding/json accepts %q", tc.in)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode %q: %v", tc.in, err)
			}
			if refErr != nil {
				t.Fatalf("encoding/json rejects %q: %v", tc.in, refErr)
			}
			if msg := jsonSameAsGo(L, v, ref); msg != "" {
				t.Errorf("decode %q differs from encoding/json: %s", tc.in, msg)
			}
			got, err := Encode(context.Background(), nil, v)
			if err != nil || string(got) != tc.want {
				t.Errorf("decode %q, encode: got %s, %v; want %s", tc.in, got, err, tc.want)
			}
		})
	}
}

func TestDecodeJSONNumbers(t *testing.T) {
	L := newJSONState(t)
	for in, want := range map[string]float64{
		"0": 0, "-0": math.Copysign(0, -1), "-0.0": math.Copysign(0, -1), "123456789012345": 123456789012345,
		"-123456789012345": -123456789012345, "9007199254740993": 1 << 53, "0.1": 0.1, "1e300": 1e300,
		"2.5E-3": 0.0025, "1e-400": 0, "4.9e-324": 5e-324,
	} {
		v, err := Decode(context.Background(), L, in)
		n, ok := v.(lua.LNumber)
		if err != nil || !ok || math.Float64bits(float64(n)) != math.Float64bits(want) {
			t.Errorf("decode %s: got %v, %v; want %v", in, v, err, want)
		}
	}
}

// TestDecodeJSONShares checks what scripts rely on: nulls are json.null,
// arrays and objects carry their marks, strings without escapes are
// substrings of the input.
func TestDecodeJSONShares(t *testing.T) {
	L := newJSONState(t)
	null := jsonLuaValue(t, L, "json.null")
	v, err := Decode(context.Background(), L, `{"list":[null, "plain"], "obj":{}}`)
	if err != nil {
		t.Fatal(err)
	}
	obj := v.(*lua.LTable)
	list := obj.RawGetString("list").(*lua.LTable)
	if list.RawGetInt(1) != null || list.Len() != 2 {
		t.Errorf("list = %v, %v; want json.null and length 2", list.RawGetInt(1), list.Len())
	}
	if jsonKindOf(obj) != jsonKindObject || jsonKindOf(list) != jsonKindArray || jsonKindOf(obj.RawGetString("obj").(*lua.LTable)) != jsonKindObject {
		t.Errorf("decoded tables are not marked")
	}
	if !strings.HasPrefix(string(jsonLuaValue(t, L, `tostring(json.null)`).(lua.LString)), "null") {
		t.Errorf("tostring(json.null) is not null")
	}
}

func TestJSONRoundTrip(t *testing.T) {
	docs := []string{
		`{"id":"42","name":"user-42","fields":"name,email"}`,
		`[1,-1,0.5,1e+300,5e-324,1e-7,123456.789,9007199254740992]`,
		`{"z":{"y":{"x":[[],{},[null],{"":""}]}},"a":"\u0000\u001f\\\"é😀"}`,
		`[true,false,null,"",[[[[]]]]]`,
	}
	L := newJSONState(t)
	for _, doc := range docs {
		v, err := Decode(context.Background(), L, doc)
		if err != nil {
			t.Fatalf("decode %s: %v", doc, err)
		}
		got, err := Encode(context.Background(), nil, v)
		if err != nil || string(got) != doc {
			t.Errorf("round trip %s: got %s, %v", doc, got, err)
		}
	}
}

// TestJSONLua runs the Lua-side tests, which use the module as scripts do.
func TestJSONLua(t *testing.T) {
	L := newJSONState(t)
	if err := L.DoFile("testdata/json_test.lua"); err != nil {
		t.Fatal(err)
	}
}

// jsonSameAsGo compares a decoded Lua value with what encoding/json decodes
// into an any, returning a description of the first difference.
func jsonSameAsGo(L *lua.LState, v lua.LValue, ref any) string {
	switch ref := ref.(type) {
	case nil:
		if ud, ok := v.(*lua.LUserData); !ok || ud != jsonStateOf(L).null {
			return "want json.null, got " + v.String()
		}
	case bool:
		if v != lua.LBool(ref) {
			return "want " + strconv.FormatBool(ref) + ", got " + v.String()
		}
	case float64:
		if n, ok := v.(lua.LNumber); !ok || math.Float64bits(float64(n)) != math.Float64bits(ref) {
			return "want number " + strconv.FormatFloat(ref, 'g', -1, 64) + ", got " + v.String()
		}
	case string:
		if v != lua.LString(ref) {
			return "want string " + strconv.Quote(ref) + ", got " + strconv.Quote(v.String())
		}
	case []any:
		tb, ok := v.(*lua.LTable)
		if !ok || jsonKindOf(tb) != jsonKindArray || tb.MaxN() != len(ref) || jsonCountKeys(tb) != len(ref) {
			return "want array of " + strconv.Itoa(len(ref)) + ", got " + v.String()
		}
		for i, e := range ref {
			if msg := jsonSameAsGo(L, tb.RawGetInt(i+1), e); msg != "" {
				return "[" + strconv.Itoa(i+1) + "]: " + msg
			}
		}
	case map[string]any:
		tb, ok := v.(*lua.LTable)
		if !ok || jsonKindOf(tb) != jsonKindObject || jsonCountKeys(tb) != len(ref) {
			return "want object of " + strconv.Itoa(len(ref)) + ", got " + v.String()
		}
		for k, e := range ref {
			if msg := jsonSameAsGo(L, tb.RawGetString(k), e); msg != "" {
				return strconv.Quote(k) + ": " + msg
			}
		}
	}
	return ""
}

func jsonCountKeys(tb *lua.LTable) int {
	n := 0
	tb.ForEach(func(lua.LValue, lua.LValue) { n++ })
	return n
}

// jsonEqualLua compares two decoded values: numbers by value, tables by kind
// and contents.
func jsonEqualLua(a, b lua.LValue) bool {
	ta, ok1 := a.(*lua.LTable)
	tb, ok2 := b.(*lua.LTable)
	if !ok1 || !ok2 {
		return a == b
	}
	if jsonKindOf(ta) != jsonKindOf(tb) || jsonCountKeys(ta) != jsonCountKeys(tb) {
		return false
	}
	same := true
	ta.ForEach(func(k, v lua.LValue) {
		same = same && jsonEqualLua(v, tb.RawGet(k))
	})
	return same
}

// FuzzJSONDecode checks that decodeJSON never panics, agrees with
// encoding/json on what is valid and what it means, and that whatever
// decodes encodes and decodes again to an equal value.
func FuzzJSONDecode(f *testing.F) {
	for _, seed := range []string{
		`{"id":"42","name":"user-42","fields":"name,email"}`, `[1,2.5,-0,1e400,1e-400]`, `"\ud83d\ude00\ud83d"`,
		"\"\xff\\n\"", `{"a":[{},[]],"a":null}`, "[1,]", "01", `{"a" 1}`, "[[[]]]", " true ", "nul", `"\u00e9"`,
	} {
		f.Add(seed)
	}
	L := lua.NewState()
	defer L.Close()
	f.Fuzz(func(t *testing.T, in string) {
		v, err := Decode(context.Background(), L, in)
		var ref any
		refErr := json.Unmarshal([]byte(in), &ref)
		if (err == nil) != (refErr == nil) && !errors.Is(err, errJSONDepth) {
			t.Fatalf("decode %q: got %v, encoding/json got %v", in, err, refErr)
		}
		if err != nil {
			if !strings.HasPrefix(err.Error(), "json: ") {
				t.Fatalf("decode %q: error %q lacks the prefix", in, err)
			}
			return
		}
		if msg := jsonSameAsGo(L, v, ref); msg != "" {
			t.Fatalf("decode %q differs from encoding/json: %s", in, msg)
		}
		out, err := Encode(context.Background(), nil, v)
		if err != nil || !json.Valid(out) {
			t.Fatalf("encode of decoded %q: %q, %v", in, out, err)
		}
		v2, err := Decode(context.Background(), L, string(out))
		if err != nil || !jsonEqualLua(v, v2) {
			t.Fatalf("decode of %q (from %q): %v, equal %v", out, in, err, jsonEqualLua(v, v2))
		}
	})
}

// FuzzJSONEncodeString checks string escaping against encoding/json: the
// output must be valid and mean what encoding/json makes of the same string.
func FuzzJSONEncodeString(f *testing.F) {
	for _, seed := range []string{"", "plain", "\x00\x1f\"\\/\u2028", "é😀", "\xff\xe6\x97", "\xed\xa0\x80"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := Encode(context.Background(), nil, lua.LString(s))
		if err != nil {
			t.Fatalf("encode %q: %v", s, err)
		}
		var got, want string
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("encode %q: %s is invalid: %v", s, out, err)
		}
		ref, _ := json.Marshal(s)
		if err := json.Unmarshal(ref, &want); err != nil || got != want {
			t.Fatalf("encode %q: %s means %q, encoding/json %s means %q", s, out, got, ref, want)
		}
	})
}

// TestEncodeJSONAllocs holds the encoder to its contract: with reused
// scratch, encoding costs no allocation; json.encode from Lua costs the
// result string and its boxing.
func TestEncodeJSONAllocs(t *testing.T) {
	L := newJSONState(t)
	if err := L.DoString(jsonBenchScript); err != nil {
		t.Fatal(err)
	}
	goEncode, small, list := L.Get(1), L.Get(5), L.Get(6)
	L.Pop(8)
	var e jsonEncoder // not Encode: sync.Pool drops items under -race
	var buf []byte
	for _, v := range []lua.LValue{small, list} {
		if n := testing.AllocsPerRun(100, func() { buf, _ = e.encode(context.Background(), buf[:0], v) }); n != 0 {
			t.Errorf("encode %s: %v allocations, want 0", buf[:20], n)
		}
	}
	p := lua.P{Fn: goEncode, NRet: 1, Protect: true}
	n := testing.AllocsPerRun(100, func() {
		if err := L.CallByParam(p, small); err != nil {
			t.Fatal(err)
		}
		L.Pop(1)
	})
	if n > 2 {
		t.Errorf("json.encode(small): %v allocations, want <= 2", n)
	}
}

// The benchmark data is the same for the Go module and for the pure-Lua
// codec in testdata/json_pure.lua, so the rows compare directly.
const jsonBenchScript = `
local json = require("luaserve.json")
local pure = dofile("testdata/json_pure.lua")
local small = { id = "42", name = "user-42", fields = "name,email" }
local list = {}
for i = 1, 100 do
  list[i] = { id = tostring(i), name = "user-" .. i, email = "user" .. i .. "@example.com", active = i % 2 == 0, score = i * 1.5 }
end
return json.encode, json.decode, pure.encode, pure.decode, small, list, json.encode(small), json.encode(list)
`

func BenchmarkJSON(b *testing.B) {
	L := newJSONState(b)
	if err := L.DoString(jsonBenchScript); err != nil {
		b.Fatal(err)
	}
	goEncode, goDecode, luaEncode, luaDecode := L.Get(1), L.Get(2), L.Get(3), L.Get(4)
	small, list, smallText, listText := L.Get(5), L.Get(6), L.Get(7), L.Get(8)
	L.Pop(8)
	cases := []struct {
		name string
		fn   lua.LValue
		arg  lua.LValue
		size int
	}{
		{"encode/small/go", goEncode, small, len(smallText.String())},
		{"encode/small/lua", luaEncode, small, len(smallText.String())},
		{"encode/list100/go", goEncode, list, len(listText.String())},
		{"encode/list100/lua", luaEncode, list, len(listText.String())},
		{"decode/small/go", goDecode, smallText, len(smallText.String())},
		{"decode/small/lua", luaDecode, smallText, len(smallText.String())},
		{"decode/list100/go", goDecode, listText, len(listText.String())},
		{"decode/list100/lua", luaDecode, listText, len(listText.String())},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			p := lua.P{Fn: tc.fn, NRet: 1, Protect: true}
			b.ReportAllocs()
			b.SetBytes(int64(tc.size))
			for b.Loop() {
				if err := L.CallByParam(p, tc.arg); err != nil {
					b.Fatal(err)
				}
				L.Pop(1)
			}
		})
	}
	// The engine's hot path calls the Go functions without going through Lua.
	b.Run("encode/small/encodeJSON", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		b.SetBytes(int64(len(smallText.String())))
		for b.Loop() {
			buf, _ = Encode(context.Background(), buf[:0], small)
		}
	})
	b.Run("encode/list100/encodeJSON", func(b *testing.B) {
		var buf []byte
		b.ReportAllocs()
		b.SetBytes(int64(len(listText.String())))
		for b.Loop() {
			buf, _ = Encode(context.Background(), buf[:0], list)
		}
	})
	b.Run("decode/small/decodeJSON", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(smallText.String())))
		for b.Loop() {
			if _, err := Decode(context.Background(), L, smallText.String()); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// TestJSONStopsWithTheRequest: a long encode or decode checks the
// request's context every checkEvery values, and charges its budget.
func TestJSONStopsWithTheRequest(t *testing.T) {
	L := newJSONState(t)
	big := L.CreateTable(5000, 0)
	for i := 1; i <= 5000; i++ {
		big.Append(lua.LNumber(i))
	}
	text := "[" + strings.Repeat("1,", 4999) + "1]"
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Encode(ctx, nil, big); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("encode under a cancelled context: %v", err)
	}
	if _, err := Decode(ctx, L, text); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Errorf("decode under a cancelled context: %v", err)
	}
	small := stdlib.WithBudget(context.Background(), budgetOf(1000))
	if _, err := Decode(small, L, text); err == nil || !errors.Is(err, stdlib.ErrMemoryLimit) {
		t.Errorf("decode past the budget: %v", err)
	}
	if _, err := Encode(context.Background(), nil, big); err != nil {
		t.Errorf("without limits: %v", err)
	}
}

// budgetOf is a stdlib.Budget of n bytes.
type budgetOf int

func (b budgetOf) Charge(n int) error {
	if n > int(b) {
		return stdlib.ErrMemoryLimit
	}
	return nil
}
