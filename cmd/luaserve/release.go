package main

import (
	"context"
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// releaseMemory gives memory back to the system after a burst, until ctx
// ends. With GOGC at 400 (see defaultGOGC) and no allocation after a
// burst, no collection runs for two minutes, and the heap a burst of large
// bodies filled (50 × 10 MiB: 500 MB) stays resident meanwhile; and what a
// collection did free goes back to the system only slowly. Every period it
// checks: when the heap holds (in objects, dead or alive, and in free
// pages not yet returned) far more than was live at the last collection
// (at least releaseFloor more) and little has been allocated since the
// last check (the burst is over), it collects and returns the free pages
// (debug.FreeOSMemory). Under steady load it does nothing.
func releaseMemory(ctx context.Context, period time.Duration) {
	s := []metrics.Sample{
		{Name: "/memory/classes/heap/objects:bytes"},
		{Name: "/gc/heap/live:bytes"},
		{Name: "/gc/heap/allocs:bytes"},
		{Name: "/memory/classes/heap/free:bytes"},
		{Name: "/memory/classes/heap/unused:bytes"},
	}
	t := time.NewTicker(period)
	defer t.Stop()
	var lastAllocs uint64
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		metrics.Read(s)
		objects, live, allocs := s[0].Value.Uint64(), s[1].Value.Uint64(), s[2].Value.Uint64()
		held := objects + s[3].Value.Uint64() + s[4].Value.Uint64()
		quiet := allocs-lastAllocs < held/8
		lastAllocs = allocs
		if quiet && held > live+releaseFloor && held > 2*live {
			debug.FreeOSMemory()
		}
	}
}

// releaseFloor is the garbage worth a collection to give back.
const releaseFloor = 64 << 20
