//go:build !race

package luatest

// raceEnabled: see race_on_test.go.
const raceEnabled = false
