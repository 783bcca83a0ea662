package main

import (
	"context"
	"hash/maphash"
	"log/slog"
	"strconv"
	"sync"
	"time"
)

// throttle is a slog.Handler that passes at most burst identical warnings
// and errors per window; the next one that passes says how many were
// dropped meanwhile (suppressed=N). Identical means the same level,
// message and attributes, the request's target and remote address aside:
// a route that fails on every request logs its traceback a few times per
// window, not thousands (9 MB/s of them once). Info and below pass
// untouched.
type throttle struct {
	next   slog.Handler
	prefix uint64 // hash of the attributes and groups added by With*
	runs   *runs
}

// runs is what every handler derived from one throttle shares.
type runs struct {
	mu     sync.Mutex
	seed   maphash.Seed
	byKey  map[uint64]*logRun
	window time.Duration
	burst  int
	now    func() time.Time
}

type logRun struct {
	start      time.Time // of the current window
	passed     int       // lines passed in the window
	suppressed int       // lines dropped since the last one passed
}

// maxRuns bounds the map; past it, runs whose window ended are dropped.
const maxRuns = 4096

func newThrottle(next slog.Handler, window time.Duration, burst int) *throttle {
	return &throttle{next: next, runs: &runs{seed: maphash.MakeSeed(), byKey: map[uint64]*logRun{},
		window: window, burst: burst, now: time.Now}}
}

func (t *throttle) Enabled(ctx context.Context, l slog.Level) bool { return t.next.Enabled(ctx, l) }

func (t *throttle) WithAttrs(as []slog.Attr) slog.Handler {
	var h maphash.Hash
	h.SetSeed(t.runs.seed)
	h.WriteString(strconv.FormatUint(t.prefix, 16))
	for _, a := range as {
		hashAttr(&h, a)
	}
	return &throttle{next: t.next.WithAttrs(as), prefix: h.Sum64(), runs: t.runs}
}

func (t *throttle) WithGroup(name string) slog.Handler {
	return &throttle{next: t.next.WithGroup(name), prefix: t.prefix ^ maphash.String(t.runs.seed, name), runs: t.runs}
}

func (t *throttle) Handle(ctx context.Context, r slog.Record) error {
	if r.Level < slog.LevelWarn {
		return t.next.Handle(ctx, r)
	}
	var h maphash.Hash
	h.SetSeed(t.runs.seed)
	h.WriteString(r.Level.String())
	h.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		if a.Key != "target" && a.Key != "remote" && a.Key != "request_id" {
			hashAttr(&h, a)
		}
		return true
	})
	pass, dropped := t.runs.admit(h.Sum64() ^ t.prefix)
	if !pass {
		return nil
	}
	if dropped > 0 {
		r = r.Clone()
		r.AddAttrs(slog.Int("suppressed", dropped))
	}
	return t.next.Handle(ctx, r)
}

func hashAttr(h *maphash.Hash, a slog.Attr) {
	h.WriteString(a.Key)
	h.WriteByte(0)
	h.WriteString(a.Value.String())
	h.WriteByte(0)
}

// admit decides on one line of key: pass it or count it as suppressed;
// dropped is how many were suppressed before a line that passes.
func (rs *runs) admit(key uint64) (pass bool, dropped int) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	now := rs.now()
	r := rs.byKey[key]
	if r == nil {
		if len(rs.byKey) >= maxRuns {
			rs.forgetLocked(now)
		}
		r = &logRun{start: now}
		rs.byKey[key] = r
	}
	if now.Sub(r.start) >= rs.window {
		r.start, r.passed = now, 0
	}
	if r.passed >= rs.burst {
		r.suppressed++
		return false, 0
	}
	r.passed++
	dropped, r.suppressed = r.suppressed, 0
	return true, dropped
}

// forgetLocked drops the runs whose window has ended with nothing
// suppressed (what a later line would report).
func (rs *runs) forgetLocked(now time.Time) {
	for k, r := range rs.byKey {
		if now.Sub(r.start) >= rs.window && r.suppressed == 0 {
			delete(rs.byKey, k)
		}
	}
}
