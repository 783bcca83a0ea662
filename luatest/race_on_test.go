//go:build race

package luatest

// raceEnabled: the race detector slows the runner several times over,
// so time bounds meant for a normal build are only logged under it.
const raceEnabled = true
