package engine

import (
	"fmt"
	"net/url"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/httpcore"
)

// A browser lets any page open a WebSocket to any server, with the user's
// cookies: CORS does not apply (cross-site WebSocket hijacking). So a
// WebSocket route refuses a handshake whose Origin is another site unless
// the route names it: app.ws(pattern, { origins = { "https://app.example" }
// | "*", ... }). A request without Origin (not a browser) is let through.

// wsOrigins is a WebSocket route's allowed origins; nil: same origin only.
type wsOrigins struct {
	any  bool
	list map[string]bool // lower-case "scheme://host[:port]"
}

// readOrigins reads the origins field of app.ws's handlers.
func readOrigins(v lua.LValue) (*wsOrigins, error) {
	switch v := v.(type) {
	case *lua.LNilType:
		return nil, nil
	case lua.LString:
		if v == "*" {
			return &wsOrigins{any: true}, nil
		}
	case *lua.LTable:
		o := &wsOrigins{list: map[string]bool{}}
		for i := 1; i <= v.Len(); i++ {
			s, ok := v.RawGetInt(i).(lua.LString)
			if !ok || !strings.Contains(string(s), "://") {
				return nil, fmt.Errorf("origins[%d] must be a string like \"https://example.com\"", i)
			}
			o.list[strings.ToLower(strings.TrimSuffix(string(s), "/"))] = true
		}
		return o, nil
	}
	return nil, fmt.Errorf("origins must be a list of origins or \"*\"")
}

// readProtocols reads the protocols field of app.ws's handlers: a list of
// subprotocol names.
func readProtocols(v lua.LValue) ([]string, error) {
	t, ok := v.(*lua.LTable)
	if !ok {
		if v == lua.LNil {
			return nil, nil
		}
		return nil, fmt.Errorf("protocols must be a list of names")
	}
	var out []string
	for i := 1; i <= t.Len(); i++ {
		s, ok := t.RawGetInt(i).(lua.LString)
		if !ok || !httpcore.ValidFieldName(string(s)) {
			return nil, fmt.Errorf("protocols[%d] must be a token like \"chat.v1\"", i)
		}
		out = append(out, string(s))
	}
	return out, nil
}

// originAllowed reports whether a handshake's Origin may open the socket.
func (o *wsOrigins) allowed(r *httpcore.Request) bool {
	origin := r.Header.Get("Origin")
	switch {
	case origin == nil:
		return true
	case o != nil && o.any:
		return true
	case o != nil && o.list[strings.ToLower(string(origin))]:
		return true
	}
	u, err := url.Parse(string(origin))
	return err == nil && u.Host != "" && strings.EqualFold(u.Host, string(r.Host))
}
