package stdlib

import lua "github.com/yuin/gopher-lua"

// Lazily built tables: the engine gives the request and its header, query,
// params and cookie tables a metatable whose __index builds a field on
// first read. Code that reads tables raw, as json.encode does, calls Fill
// first so that such a table shows every field, as pairs() does.

// FillField names the metatable field holding a lazily built table's
// Filler, as a userdata.
const FillField = "__luaserve_fill"

// Filler completes a lazily built table in place.
type Filler func(t *lua.LTable)

// Fill runs t's Filler, if its metatable has one.
func Fill(t *lua.LTable) {
	mt, ok := t.Metatable.(*lua.LTable)
	if !ok {
		return
	}
	if ud, ok := mt.RawGetString(FillField).(*lua.LUserData); ok {
		if f, ok := ud.Value.(Filler); ok {
			f(t)
		}
	}
}
