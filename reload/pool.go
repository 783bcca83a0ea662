package reload

import "github.com/luaserve/luaserve/engine"

// PoolStats reports the current engine's Lua states (zero after Close).
func (rl *Reloader) PoolStats() engine.PoolStats {
	g := rl.acquire()
	if g == nil {
		return engine.PoolStats{}
	}
	defer g.release()
	return g.eng.PoolStats()
}
