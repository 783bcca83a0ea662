package main

import (
	"os"
	"runtime"
)

// minProcs is the fewest processors (GOMAXPROCS) the server runs Go code
// on, when the GOMAXPROCS variable does not say. Go gives one to a
// machine or container with one CPU, and then a single long instruction
// that Go cannot preempt stops every other request: a Lua `s .. s` that
// copies a large string is one memmove, during which nothing else runs
// (the soak with the server on one CPU and concatenation bombs: 90% of
// the normal requests within a second, 291 in 30 s). With two, the
// system's scheduler shares the CPU between the two threads and the other
// requests go on (99.98%, 114,114 requests; a hello route under wrk on one
// CPU was not slower either: 53,000-58,000 requests/s against 32,000-35,000).
const minProcs = 2

// raiseProcs sets GOMAXPROCS to minProcs when Go chose fewer and the
// variable is not set; it returns the value in force.
func raiseProcs() int {
	n := runtime.GOMAXPROCS(0)
	if _, set := os.LookupEnv("GOMAXPROCS"); !set && n < minProcs {
		runtime.GOMAXPROCS(minProcs)
		n = minProcs
	}
	return n
}
