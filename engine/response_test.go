package engine

import (
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// TestResponseKeysAreRead: ResponseKeys (used by "luaserve check") names
// exactly the fields readResponseTable handles: a table with each key alone
// is read without the unknown-key path, and a near-miss key is not.
func TestResponseKeysAreRead(t *testing.T) {
	known := map[string]bool{}
	for _, k := range ResponseKeys() {
		known[k] = true
	}
	for _, k := range append(ResponseKeys(), "stauts", "jsn") {
		tbl := &lua.LTable{}
		tbl.RawSetString(k, lua.LString("x"))
		var f responseFields
		if err := readResponseTable(&f, tbl); err != nil {
			t.Fatal(err)
		}
		read := f.status != nil || f.headers != nil || f.cookies != nil || f.dl != nil || f.kind != ""
		if read == (f.unknown != nil) {
			t.Errorf("key %q: read %v, reported unknown %v", k, read, f.unknown != nil)
		}
		if read != known[k] {
			t.Errorf("key %q: read %v, listed in ResponseKeys %v", k, read, known[k])
		}
	}
}
