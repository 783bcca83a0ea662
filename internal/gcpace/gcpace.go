// Package gcpace paces Go's garbage collector for a server whose live heap
// is small while its requests allocate fast, as Lua routes do (a gopher-lua
// table costs several allocations per string key).
//
// GOGC alone sets the next collection at a multiple of the live heap: with
// a few MiB live, even GOGC=400 collects every 15 MiB allocated, and each
// collection marks the whole heap, however small the garbage was. A Pacer
// lets the heap grow to at least a floor (64 MiB, say) before the next
// collection, and to GOGC's multiple when that is higher, by setting GOGC
// anew after every collection from the heap that was live. The soft memory
// limit (debug.SetMemoryLimit) still bounds the whole process; keep the
// floor well below it.
package gcpace

import (
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// maxPercent bounds the GOGC a Pacer sets, so that a near-empty heap does
// not make an absurd one (GOGC is an int32 in the runtime).
const maxPercent = 1_000_000

// heapMinimum is the runtime's goal at GOGC=100 for a near-empty heap.
const heapMinimum = 4 << 20

// A Pacer keeps the collector's goal at or above its floor until Stop.
type Pacer struct {
	floor   uint64 // bytes
	percent int    // the GOGC used when the live heap is large
	sample  []metrics.Sample

	mu      sync.Mutex
	set     int // the GOGC last set
	stopped bool
}

// Start paces the collector: after every collection, the next is set for
// when the heap reaches floor bytes, or percent more than was live if that
// is higher. It sets GOGC at once and after each collection.
func Start(floor int64, percent int) *Pacer {
	p := &Pacer{floor: uint64(max(floor, 0)), percent: max(percent, 1),
		sample: []metrics.Sample{{Name: "/gc/heap/live:bytes"}}}
	p.mu.Lock()
	p.adjust()
	p.mu.Unlock()
	p.arm()
	return p
}

// Stop ends the pacing and leaves GOGC at percent.
func (p *Pacer) Stop() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.stopped {
		p.stopped = true
		debug.SetGCPercent(p.percent)
	}
}

// Percent is the GOGC the pacer last set.
func (p *Pacer) Percent() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.set
}

// arm allocates an object nothing refers to, whose cleanup runs after the
// collection that frees it: the way to hear of every collection. 64 bytes,
// so that it is not one of the tiny objects that share a block (whose
// cleanup may wait for its neighbours).
func (p *Pacer) arm() {
	runtime.AddCleanup(new([64]byte), func(p *Pacer) { p.collected() }, p)
}

func (p *Pacer) collected() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.stopped {
		return
	}
	p.adjust()
	p.arm()
}

// adjust sets GOGC for the goal from the heap live at the last collection.
func (p *Pacer) adjust() {
	metrics.Read(p.sample)
	live := max(p.sample[0].Value.Uint64(), 1<<20)
	// The runtime's goal is the larger of live*(1+GOGC/100) and
	// 4 MiB*GOGC/100 (its heap minimum scales with GOGC). Below the floor,
	// the smaller of the two GOGCs that reach it.
	percent, pc := p.percent, uint64(p.percent)
	if goal := max(live+live*pc/100, heapMinimum*pc/100); goal < p.floor {
		percent = int(min((p.floor-live)*100/live, p.floor*100/heapMinimum, maxPercent))
		percent = max(percent, p.percent)
	}
	if percent != p.set {
		debug.SetGCPercent(percent)
		p.set = percent
	}
}
