package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"sync"
	"time"

	"github.com/luaserve/luaserve/db"
	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/metrics"
	"github.com/luaserve/luaserve/reload"
	"github.com/luaserve/luaserve/store"
)

// readyCheck is one thing /readyz asks: the script, the store, the
// database; a backend added later adds its own.
type readyCheck struct {
	name string
	fn   func(ctx context.Context) error
}

// readyTimeout bounds /readyz's checks together.
const readyTimeout = 2 * time.Second

// adminAddr is where the admin listener listens: an address without a
// host ("":9090") is loopback's, so that it is not public by accident.
func adminAddr(addr string) string {
	if host, port, err := net.SplitHostPort(addr); err == nil && host == "" {
		return net.JoinHostPort("127.0.0.1", port)
	}
	return addr
}

// readyChecks are /readyz's: the script is loaded (with -dev, a failed
// reload shows its error instead of serving), the store and the database
// answer.
func readyChecks(rl *reload.Reloader, dev bool, cfg *engine.Config, stats *storeStats) []readyCheck {
	return []readyCheck{
		{"script", func(context.Context) error {
			if err := rl.Failed(); err != nil && dev {
				return err
			}
			if rl.PoolStats().Workers == 0 {
				return errors.New("no script loaded")
			}
			return nil
		}},
		{"store", func(ctx context.Context) error { _, err := stats.get(ctx); return err }},
		{"db", cfg.DB.Ready},
	}
}

// startAdmin serves /healthz, /readyz and /metrics on -admin-addr until
// the returned stop is called; without the flag (m nil) it does nothing.
func startAdmin(o *options, m *metrics.Metrics, srv *httpcore.Server, rl *reload.Reloader, cfg *engine.Config,
	log *slog.Logger) (func(), error) {
	if m == nil {
		return func() {}, nil
	}
	stats := newStoreStats(cfg.Store)
	register(m, srv, rl, cfg, stats)
	checks := readyChecks(rl, o.dev, cfg, stats)
	addr := o.deploy.admin
	ln, err := net.Listen("tcp", adminAddr(addr))
	if err != nil {
		return nil, listenError(addr, err)
	}
	as := &httpcore.Server{Handler: adminHandler(m, checks), Name: "luaserve", MaxBodyBytes: 1 << 10, MaxConns: 64,
		ErrorLog: log}
	log.Info("luaserve: admin listener", "addr", ln.Addr().String())
	done := make(chan struct{})
	go func() { as.Serve(ln); close(done) }()
	return func() { as.Close(); <-done }, nil
}

// adminHandler answers the admin paths; anything else is 404.
func adminHandler(m *metrics.Metrics, checks []readyCheck) httpcore.HandlerFunc {
	return func(w *httpcore.ResponseWriter, r *httpcore.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		switch string(r.Path) {
		case "/healthz":
			w.WriteString("ok\n")
		case "/readyz":
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			defer cancel()
			failed := false
			for _, c := range checks {
				if err := c.fn(ctx); err != nil {
					failed = true
					fmt.Fprintf(w, "%s: %v\n", c.name, err)
				}
			}
			if failed {
				w.WriteHeader(503)
				return
			}
			w.WriteString("ok\n")
		case "/metrics":
			w.Header().Set("Content-Type", metrics.ContentType)
			m.WriteTo(w)
		default:
			w.WriteHeader(404)
			w.WriteString("404 Not Found: /healthz, /readyz and /metrics are here\n")
		}
	}
}

// register adds the figures read at scrape time: connections, the Lua
// states, reloads, rebuilds, time limits, the store's and the database's.
func register(m *metrics.Metrics, srv *httpcore.Server, rl *reload.Reloader, cfg *engine.Config, stats *storeStats) {
	m.Gauge("luaserve_open_connections", "Open client connections.", func() float64 { return float64(srv.OpenConns()) })
	pool := func(f func(engine.PoolStats) int) func() float64 {
		return func() float64 { return float64(f(rl.PoolStats())) }
	}
	m.Gauge("luaserve_lua_states", "Lua states (-workers).", pool(func(p engine.PoolStats) int { return p.Workers }))
	m.Gauge("luaserve_lua_states_busy", "Lua states serving a request or being rebuilt.", pool(func(p engine.PoolStats) int { return p.Busy }))
	m.Gauge("luaserve_lua_requests_waiting", "Requests waiting for a free Lua state.", pool(func(p engine.PoolStats) int { return p.Waiting }))
	m.Counter("luaserve_lua_state_rebuilds_total", "Lua states closed and built again (time limit, Go panic).", "",
		func() float64 { return float64(cfg.Counters.Rebuilds.Load()) })
	m.Counter("luaserve_time_limit_hits_total", "Requests stopped at the -timeout time limit.", "",
		func() float64 { return float64(cfg.Counters.TimeLimits.Load()) })
	m.Counter("luaserve_reloads_total", "Script reloads, by result.", `result="ok"`, func() float64 { return float64(rl.Stats().Reloads) })
	m.Counter("luaserve_reloads_total", "", `result="failed"`, func() float64 { return float64(rl.Stats().Failures) })
	st := func(f func(s store.Stats) int64) func() float64 {
		return func() float64 {
			ctx, cancel := context.WithTimeout(context.Background(), time.Second)
			defer cancel()
			s, err := stats.get(ctx)
			if v := f(s); err == nil && v >= 0 {
				return float64(v)
			}
			return math.NaN() // unknown to the backend, or unreachable
		}
	}
	m.Gauge("luaserve_store_keys", "Keys in the shared store.", st(func(s store.Stats) int64 { return s.Keys }))
	m.Gauge("luaserve_store_bytes", "Bytes the store's entries take, roughly.", st(func(s store.Stats) int64 { return s.Bytes }))
	m.Counter("luaserve_store_evictions_total", "Store entries evicted to stay under -store-max-memory.", "",
		st(func(s store.Stats) int64 { return s.Evictions }))
	dbs := func(f func(s db.PoolStats) float64) func() float64 {
		return func() float64 { return f(cfg.DB.PoolStats()) }
	}
	m.Gauge("luaserve_db_connections_open", "luaserve.db's connections (0 until the database is first used).",
		dbs(func(s db.PoolStats) float64 { return float64(s.Open) }))
	m.Gauge("luaserve_db_connections_in_use", "luaserve.db's connections held by a statement or a transaction.",
		dbs(func(s db.PoolStats) float64 { return float64(s.InUse) }))
	m.Counter("luaserve_db_connection_waits_total", "Statements that waited for a free database connection.", "",
		dbs(func(s db.PoolStats) float64 { return float64(s.Waits) }))
	m.Counter("luaserve_db_connection_wait_seconds_total", "Time statements waited for a free database connection.", "",
		dbs(func(s db.PoolStats) float64 { return s.WaitTime.Seconds() }))
}

// storeStats asks the store for its Stats at most once a second: a scrape
// reads three figures from one answer, and the SQLite backend counts its
// table to give it.
type storeStats struct {
	st  store.Store
	mu  sync.Mutex
	at  time.Time
	s   store.Stats
	err error
}

func newStoreStats(st store.Store) *storeStats { return &storeStats{st: st} }

func (c *storeStats) get(ctx context.Context) (store.Stats, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if time.Since(c.at) >= time.Second {
		c.s, c.err = c.st.Stats(ctx)
		c.at = time.Now()
	}
	return c.s, c.err
}
