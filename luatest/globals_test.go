package luatest

import (
	"slices"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// TestGlobalsListed: Globals names exactly the globals a test file's
// state gets on top of a script's.
func TestGlobalsListed(t *testing.T) {
	L := stdlib.NewState(&stdlib.BasicHost{}, stdlib.Options{Modules: engine.Modules()})
	defer L.Close()
	names := func() map[string]bool {
		m := map[string]bool{}
		L.G.Global.ForEach(func(k, _ lua.LValue) { m[lua.LVAsString(k)] = true })
		return m
	}
	before := names()
	fr := &fileRun{L: L}
	if err := fr.setup(); err != nil {
		t.Fatal(err)
	}
	var added []string
	for n := range names() {
		if !before[n] {
			added = append(added, n)
		}
	}
	slices.Sort(added)
	want := slices.Sorted(slices.Values(Globals()))
	if !slices.Equal(added, want) {
		t.Errorf("a test file's state adds %v; Globals() lists %v", added, want)
	}
}
