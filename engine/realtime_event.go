package engine

import (
	lua "github.com/yuin/gopher-lua"
)

// eventArgs picks an event's handler and builds its arguments in st.
type eventArgs func(h *rtHandlers, st *state) (*lua.LFunction, []lua.LValue)

// eventJob is one event for a worker; done gets a value when it ran.
type eventJob struct {
	s    *socket
	args eventArgs
	done chan struct{}
}

// maxEventWorkers bounds the goroutines that run events. More than the
// states would only wait for one.
const maxEventWorkers = 64

// dispatch runs one event of s on an event worker and waits for it, so
// that a connection's events run in order. The Lua call deepens the
// stack of the goroutine that makes it; running it on a few long-lived
// workers keeps the connections' own goroutines (one per WebSocket,
// blocked in a read) at their small starting stacks. done is the
// caller's channel of capacity 1, reused per event.
func (rt *Realtime) dispatch(s *socket, done chan struct{}, args eventArgs) {
	job := eventJob{s, args, done}
	select {
	case rt.jobs <- job:
	default:
		if rt.workers.Add(1) <= maxEventWorkers {
			go rt.worker(job)
		} else {
			rt.workers.Add(-1)
			rt.jobs <- job
		}
	}
	<-done
}

// worker runs events until the process ends.
func (rt *Realtime) worker(job eventJob) {
	for {
		rt.runEvent(job.s, job.args)
		job.done <- struct{}{}
		job = <-rt.jobs
	}
}

// runEvent runs one event of s in a state borrowed from the engine now
// serving the script, as a request borrows one: under the time limit and
// memory budget. An engine closed by a reload meanwhile hands over to the
// new one. A failing handler is logged; the connection stays open.
func (rt *Realtime) runEvent(s *socket, args eventArgs) {
	for range 3 {
		e := rt.current.Load()
		if e == nil {
			return
		}
		st := e.acquire()
		if st == nil {
			if rt.current.Load() != e {
				continue // reloaded: the new engine serves it
			}
			e.log.Warn("luaserve: realtime event dropped: no free Lua state", "route", s.pattern, "conn", s.id)
			return
		}
		e.runEventIn(st, s, args)
		return
	}
}

// runEventIn runs the handler args picks, releasing st after.
func (e *Engine) runEventIn(st *state, s *socket, args eventArgs) {
	released := false
	defer func() {
		if !released { // a Go panic went through: never reuse this state
			e.release(st, true)
		}
	}()
	i, ok := e.rtIndex[s.key]
	var fn *lua.LFunction
	var vals []lua.LValue
	if ok {
		fn, vals = args(st.rtFuncs[i], st)
	}
	dirty := false
	if fn != nil {
		st.budget.reset()
		st.limit.arm(e.timeout)
		L := st.L
		L.Push(fn)
		for _, v := range vals {
			L.Push(v)
		}
		if err := L.PCall(len(vals), 0, nil); err != nil {
			se := newScriptError(s.pattern, err, st.limit.Err())
			e.log.Error("luaserve: realtime handler failed", "route", s.pattern, "conn", s.id,
				"err", se.message(), "traceback", se.Traceback)
		}
		dirty = !st.limit.disarm()
		L.SetTop(0)
	}
	released = true
	e.release(st, dirty)
}

// rtKey finds a realtime route's index by kind and pattern, in whichever
// engine serves it after a reload.
func rtKey(sse bool, pattern string) string {
	if sse {
		return "sse " + pattern
	}
	return "ws " + pattern
}
