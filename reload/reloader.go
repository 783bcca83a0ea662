package reload

import (
	"crypto/sha256"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
)

// DefaultDebounce is how long Watch waits after the last change event of a
// burst before it reloads: editors save with several events (truncate and
// write, write a temporary file and rename it over, delete and create),
// all within a few milliseconds, and one save must give one reload.
const DefaultDebounce = 50 * time.Millisecond

// Config says how to build engines and how to report.
type Config struct {
	// Build makes a new engine from the files on disk. It is called once by
	// New and once per reload; give every engine the same store.Store.
	Build func() (*engine.Engine, error)
	// Log receives reload successes and failures; nil means slog.Default().
	Log *slog.Logger
	// Dev shows a failed reload's error (file, line, source) on every
	// response until a reload succeeds; without it the previous version
	// keeps answering.
	Dev bool
	// Debounce is Watch's quiet period; zero means DefaultDebounce.
	Debounce time.Duration
	// Extra names files to watch besides those the engine loaded (the
	// script itself when the engine does not list it).
	Extra []string
}

// Reloader is an httpcore.Handler that serves the current engine.
type Reloader struct {
	cfg Config
	log *slog.Logger

	cur    atomic.Pointer[generation]
	failed atomic.Pointer[failure] // the last reload's error; nil after a success

	mu    sync.Mutex                   // serializes reloads; guards sums and files
	sums  map[string][sha256.Size]byte // file -> contents' hash at the last build attempt
	files []string                     // absolute paths the current engine loaded, plus Extra

	changed chan struct{} // the file set changed: Watch re-reads it (buffered, 1)

	reloads, failures, skips atomic.Int64
}

// generation is one engine and the requests using it. refs counts one for
// being current plus one per request in flight; the engine is closed when
// it drops to zero, so no request ever runs on a closed engine.
type generation struct {
	eng    *engine.Engine
	refs   atomic.Int64
	closed chan struct{} // closed once eng is closed
}

type failure struct{ err error }

func newGeneration(e *engine.Engine) *generation {
	g := &generation{eng: e, closed: make(chan struct{})}
	g.refs.Store(1)
	return g
}

// acquire takes a reference unless the generation is already retired.
func (g *generation) acquire() bool {
	for {
		n := g.refs.Load()
		if n == 0 {
			return false
		}
		if g.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

func (g *generation) release() {
	if g.refs.Add(-1) == 0 {
		// Closing the Lua states takes a moment: not on a request's time.
		go func() {
			g.eng.Close()
			close(g.closed)
		}()
	}
}

// New builds the first engine. Its error is Build's: a broken script fails
// here, before anything listens.
func New(cfg Config) (*Reloader, error) {
	rl := &Reloader{cfg: cfg, log: cfg.Log, changed: make(chan struct{}, 1)}
	if rl.log == nil {
		rl.log = slog.Default()
	}
	if rl.cfg.Debounce <= 0 {
		rl.cfg.Debounce = DefaultDebounce
	}
	rl.mu.Lock()
	defer rl.mu.Unlock()
	sums := hashFiles(rl.absolute(cfg.Extra))
	e, err := cfg.Build()
	if err != nil {
		return nil, err
	}
	rl.cur.Store(newGeneration(e))
	rl.adoptLocked(e, sums)
	return rl, nil
}

// ServeHTTP serves the request with the current engine, or in development
// mode answers with the last failed reload's error.
func (rl *Reloader) ServeHTTP(w *httpcore.ResponseWriter, r *httpcore.Request) {
	if rl.cfg.Dev {
		if f := rl.failed.Load(); f != nil {
			engine.WriteDevError(w, r, 500, f.err)
			return
		}
	}
	g := rl.acquire()
	if g == nil {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(503)
		w.WriteString("503 Service Unavailable: shutting down\n")
		return
	}
	defer g.release() // also when the engine aborts the response with a panic
	g.eng.ServeHTTP(w, r)
}

// acquire returns the current generation with a reference taken, or nil
// after Close. A generation retired between the load and the reference is
// skipped: the next load sees its successor.
func (rl *Reloader) acquire() *generation {
	for {
		g := rl.cur.Load()
		if g == nil || g.acquire() {
			return g
		}
	}
}

// Routes lists the current engine's routes.
func (rl *Reloader) Routes() []engine.RouteInfo {
	g := rl.acquire()
	if g == nil {
		return nil
	}
	defer g.release()
	return g.eng.Routes()
}

// Reload builds a new engine from the files on disk and swaps it in, even
// when nothing changed (SIGHUP). On failure the current engine stays; the
// error is logged and returned.
func (rl *Reloader) Reload() error {
	return rl.reload(true)
}

// reloadIfChanged is Watch's reload: it skips the build when every watched
// file has the contents it had at the last attempt (an editor that touched
// a file, or events that arrived after their reload).
func (rl *Reloader) reloadIfChanged() error {
	return rl.reload(false)
}

func (rl *Reloader) reload(force bool) error {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	// Hash before building: a save that lands during the build then differs
	// from the recorded hash and triggers the next reload.
	sums := hashFiles(rl.files)
	if !force && sameSums(sums, rl.sums) {
		rl.skips.Add(1)
		return nil
	}
	start := time.Now()
	e, err := rl.cfg.Build()
	if err != nil {
		rl.failLocked(err, sums)
		return err
	}
	// Tell Watch the new file set before the new version can answer: an
	// edit made after seeing its answer is then filtered by the new set.
	rl.adoptLocked(e, sums)
	old := rl.cur.Swap(newGeneration(e))
	if old != nil {
		old.release()
	}
	rl.failed.Store(nil)
	rl.reloads.Add(1)
	rl.log.Info("luaserve: reloaded", "files", len(rl.files), "took", time.Since(start).Round(10*time.Microsecond))
	return nil
}

// failLocked records and logs a failed build.
func (rl *Reloader) failLocked(err error, sums map[string][sha256.Size]byte) {
	rl.failures.Add(1)
	rl.sums = sums
	rl.failed.Store(&failure{err})
	msg := "luaserve: reload failed; still serving the previous version"
	if rl.cfg.Dev {
		msg = "luaserve: reload failed; responses show the error until the script loads"
	}
	if le := (*engine.LoadError)(nil); errors.As(err, &le) {
		rl.log.Error(msg, "file", le.File, "line", le.Line, "err", le.Msg)
	} else {
		rl.log.Error(msg, "err", err)
	}
	// Watch the failing files too: one may be a module the previous version
	// did not load ("routes.lua:2: lib/x.lua:7: ..."), and fixing it must
	// trigger a reload.
	added := false
	for _, f := range luaFiles(err.Error()) {
		added = rl.addFileLocked(f) || added
	}
	if added {
		rl.signalChanged()
	}
}

// adoptLocked records the files e loaded (hashing those sums lacks) and
// tells Watch.
func (rl *Reloader) adoptLocked(e *engine.Engine, sums map[string][sha256.Size]byte) {
	rl.files = rl.absolute(append(e.Files(), rl.cfg.Extra...))
	for _, f := range rl.files {
		if _, ok := sums[f]; !ok {
			sums[f] = hashFile(f)
		}
	}
	rl.sums = sums
	rl.signalChanged()
}

func (rl *Reloader) addFileLocked(f string) bool {
	abs, err := filepath.Abs(f)
	if err != nil {
		return false
	}
	for _, g := range rl.files {
		if g == abs {
			return false
		}
	}
	rl.files = append(rl.files, abs)
	return true
}

func (rl *Reloader) signalChanged() {
	select {
	case rl.changed <- struct{}{}:
	default:
	}
}

// Files lists the absolute paths of the files a change to which reloads.
func (rl *Reloader) Files() []string {
	rl.mu.Lock()
	defer rl.mu.Unlock()
	return append([]string(nil), rl.files...)
}

// Failed returns the last reload's error, or nil when it succeeded.
func (rl *Reloader) Failed() error {
	if f := rl.failed.Load(); f != nil {
		return f.err
	}
	return nil
}

// Stats counts what reloads did.
type Stats struct {
	Reloads  int64 // engines swapped in
	Failures int64 // builds that failed
	Skips    int64 // change events whose files had not changed
}

// Stats returns the counts so far.
func (rl *Reloader) Stats() Stats {
	return Stats{Reloads: rl.reloads.Load(), Failures: rl.failures.Load(), Skips: rl.skips.Load()}
}

// Close retires the current engine: it is closed once the requests still
// running on it return (at once when there are none). Call it after the
// server has stopped; requests that arrive later are answered 503.
func (rl *Reloader) Close() {
	if g := rl.cur.Swap(nil); g != nil {
		g.release()
	}
}

// absolute cleans and absolutizes paths, dropping duplicates.
func (rl *Reloader) absolute(paths []string) []string {
	seen := map[string]bool{}
	out := make([]string, 0, len(paths))
	for _, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil || seen[abs] {
			continue
		}
		seen[abs] = true
		out = append(out, abs)
	}
	return out
}

// hashFile hashes a file's contents; a missing file hashes as zero.
func hashFile(path string) [sha256.Size]byte {
	b, err := os.ReadFile(path)
	if err != nil {
		return [sha256.Size]byte{}
	}
	return sha256.Sum256(b)
}

// luaFileRE finds "file.lua:line:" in an error message.
var luaFileRE = regexp.MustCompile(`([^\s:'"()]+\.lua):\d+:`)

// luaFiles lists the existing Lua files an error message names.
func luaFiles(msg string) []string {
	var out []string
	for _, m := range luaFileRE.FindAllStringSubmatch(msg, -1) {
		if fi, err := os.Stat(m[1]); err == nil && !fi.IsDir() {
			out = append(out, m[1])
		}
	}
	return out
}

func hashFiles(paths []string) map[string][sha256.Size]byte {
	m := make(map[string][sha256.Size]byte, len(paths))
	for _, p := range paths {
		m[p] = hashFile(p)
	}
	return m
}

func sameSums(a, b map[string][sha256.Size]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
