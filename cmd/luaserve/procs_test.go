package main

import (
	"os"
	"runtime"
	"testing"
)

// TestRaiseProcs: one processor, as Go gives a one-CPU machine, becomes
// two; more stay as they are; GOMAXPROCS set by the operator is kept.
func TestRaiseProcs(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	t.Setenv("GOMAXPROCS", "") // registers the restore; unset below
	for _, c := range []struct {
		env       string // "" for unset
		procs     int
		wantProcs int
	}{
		{"", 1, 2},
		{"", 2, 2},
		{"", 3, 3},
		{"1", 1, 1},
	} {
		if c.env == "" {
			os.Unsetenv("GOMAXPROCS") // t.Setenv above puts it back
		} else {
			t.Setenv("GOMAXPROCS", c.env)
		}
		runtime.GOMAXPROCS(c.procs)
		if got := raiseProcs(); got != c.wantProcs || runtime.GOMAXPROCS(0) != c.wantProcs {
			t.Errorf("GOMAXPROCS=%q, %d processors: raiseProcs gave %d, in force %d, want %d",
				c.env, c.procs, got, runtime.GOMAXPROCS(0), c.wantProcs)
		}
	}
}
