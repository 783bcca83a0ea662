package main

import (
	"flag"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/internal/gcpace"
)

// memoryOptions are the memory flags.
type memoryOptions struct {
	max        byteSize // the process: Go's soft limit, and the watchdog's line
	perRequest byteSize // one request, through the built-ins that charge it
	minHeap    byteSize // the heap the collector lets grow before it runs (gcpace)
}

// fallbackMaxMemory is -max-memory's default where the system's memory
// cannot be read.
const fallbackMaxMemory = 1 << 30

func addMemoryFlags(fs *flag.FlagSet, o *memoryOptions) {
	o.max = byteSize(defaultMaxMemory())
	o.perRequest = engine.DefaultRequestMemory
	fs.Var(&o.max, "max-memory", "the process's memory limit (Go's soft limit); past it the heaviest request is stopped with a 500; "+
		"0 for none (default: a quarter of the machine's or container's memory)")
	o.minHeap = defaultMinHeap
	fs.Var(&o.minHeap, "min-heap", "the heap may grow to this before the garbage collector runs (at most an eighth of -max-memory); "+
		"0 for GOGC alone; ignored when GOGC is set")
	fs.Var(&o.perRequest, "max-request-memory", "what one request may allocate through string.rep, table.concat, string.format "+
		"and JSON decoding; 0 for none")
}

// defaultMaxMemory is a quarter of what the machine (or the container's
// memory limit) has, or fallbackMaxMemory when unknown. A quarter, because
// memory a route takes in plain Lua is stopped only between two VM
// instructions: a string doubled by ".." can reach about three times the
// limit in the instruction that crosses it, and that must still fit.
func defaultMaxMemory() int64 {
	if total := systemMemory(); total > 0 {
		return total / 4
	}
	return fallbackMaxMemory
}

// defaultMinHeap is -min-heap's default: a collection marks the whole live
// heap (a few MiB of Lua states) however little garbage there is, so
// letting 64 MiB of a request's short-lived tables pile up first makes a
// JSON route about 6% cheaper than GOGC=400 alone (docs/BENCHMARKS.md).
const defaultMinHeap = 64 << 20

// startPacer paces the collector for -min-heap, unless the GOGC variable
// or a -min-heap of 0 says not to; stop ends it.
func (o *memoryOptions) startPacer() (stop func()) {
	floor := int64(o.minHeap)
	if o.max > 0 {
		floor = min(floor, int64(o.max)/8)
	}
	if _, set := os.LookupEnv("GOGC"); set || floor <= 0 {
		return func() {}
	}
	return gcpace.Start(floor, defaultGOGC).Stop
}

// apply sets Go's soft memory limit and the engine's limits.
func (o *memoryOptions) apply(cfg *engine.Config) {
	if o.max > 0 {
		debug.SetMemoryLimit(int64(o.max))
	}
	cfg.MaxMemory = int64(o.max)
	cfg.RequestMemory = int64(o.perRequest)
	if o.perRequest == 0 {
		cfg.RequestMemory = -1 // the flag's 0 is "none"; the engine's 0 is its default
	}
}

// byteSize is a flag of bytes: a number with an optional unit, 512MiB,
// 1.5GiB, 800M, 64KB (powers of 1024 or 1000 as the unit says).
type byteSize int64

func (b *byteSize) String() string { return formatBytes(int64(*b)) }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		scale  float64
	}{
		{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40},
		{"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12},
		{"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"T", 1 << 40}, {"B", 1},
	}
	num, scale := strings.TrimSpace(s), 1.0
	for _, u := range units {
		if rest, ok := strings.CutSuffix(num, u.suffix); ok {
			num, scale = strings.TrimSpace(rest), u.scale
			break
		}
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || f*scale > 1<<62 {
		return fmt.Errorf("want a size like 512MiB or 2GiB, not %q", s)
	}
	*b = byteSize(f * scale)
	return nil
}

// formatBytes shows n in the largest unit it reaches, with one decimal
// when it is not whole.
func formatBytes(n int64) string {
	for _, u := range []struct {
		name  string
		scale int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.scale {
			if n%u.scale == 0 {
				return strconv.FormatInt(n/u.scale, 10) + u.name
			}
			return strconv.FormatFloat(float64(n)/float64(u.scale), 'f', 1, 64) + u.name
		}
	}
	return strconv.FormatInt(n, 10)
}
