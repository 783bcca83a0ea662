package tests

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/reload"
)

// reloading is a server as "luaserve -watch" runs it: a reload.Reloader
// behind httpcore on 127.0.0.1, watching its script's folder.
type reloading struct {
	addr   string
	script string
	rl     *reload.Reloader
	logs   *syncBuffer
	store  *testStore // shared by every version, as luaserve's is
}

// startReloading serves the script at dir/routes.lua (written from src)
// with -watch.
func startReloading(t *testing.T, src string, dev bool, files ...string) *reloading {
	t.Helper()
	dir := t.TempDir()
	for i := 0; i+1 < len(files); i += 2 {
		path := filepath.Join(dir, files[i])
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, files[i+1])
	}
	script := filepath.Join(dir, "routes.lua")
	writeFile(t, script, src)
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	store := newTestStore()
	rl, err := reload.New(reload.Config{
		Build: func() (*engine.Engine, error) {
			return engine.New(engine.Config{Script: script, Workers: 4, Dev: dev, Log: log, Store: store})
		},
		Log:   log,
		Dev:   dev,
		Extra: []string{script},
	})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpcore.Server{Handler: rl, ErrorLog: log}
	ctx, cancel := context.WithCancel(context.Background())
	watching, err := rl.Watch(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	wg.Go(func() { srv.Serve(ln) })
	t.Cleanup(func() {
		cancel()
		srv.Close()
		wg.Wait()
		<-watching
		rl.Close()
	})
	return &reloading{addr: ln.Addr().String(), script: script, rl: rl, logs: logs, store: store}
}

// saveMode is how an editor saves.
type saveMode int

const (
	inPlace      saveMode = iota // truncate and write (VS Code, nano)
	renameOver                   // write a temporary file, rename it over (vim's default, atomic savers)
	deleteCreate                 // remove, then create (some IDEs' "safe write")
)

func (m saveMode) String() string {
	return [...]string{"in place", "rename over", "delete and create"}[m]
}

func save(path, content string, mode saveMode) error {
	switch mode {
	case renameOver:
		tmp := path + ".swp~"
		if err := os.WriteFile(tmp, []byte(content), 0o644); err != nil {
			return err
		}
		return os.Rename(tmp, path)
	case deleteCreate:
		if err := os.Remove(path); err != nil {
			return err
		}
	}
	return os.WriteFile(path, []byte(content), 0o644)
}

// keepAlive is a client that sends its requests on one connection and
// counts the connections it had to open.
type keepAlive struct {
	addr  string
	conn  net.Conn
	br    *bufio.Reader
	dials int
}

func (k *keepAlive) get(path string) (int, string, error) {
	if k.conn == nil {
		c, err := net.Dial("tcp", k.addr)
		if err != nil {
			return 0, "", err
		}
		k.conn, k.br = c, bufio.NewReader(c)
		k.dials++
	}
	k.conn.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(k.conn, "GET "+path+" HTTP/1.1\r\nHost: test\r\n\r\n"); err != nil {
		k.close()
		return 0, "", err
	}
	res, err := http.ReadResponse(k.br, nil)
	if err != nil {
		k.close()
		return 0, "", err
	}
	body, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil || res.Close {
		k.close()
	}
	return res.StatusCode, string(body), err
}

func (k *keepAlive) close() {
	if k.conn != nil {
		k.conn.Close()
		k.conn = nil
	}
}

func versionScript(v int) string {
	return fmt.Sprintf("local app = require(\"luaserve\")\napp.get(\"/\", function() return \"v%d\" end)\n", v)
}

// TestReloadUnderLoad reloads 20 times, saving the script in the three
// ways editors do, while four clients send requests in a loop on
// keep-alive connections. No request may fail, no connection may drop,
// every version must be served, and each save must cause exactly one
// reload. It logs the time from the start of each save to the first
// response of the new version (docs/reload-latency.md).
func TestReloadUnderLoad(t *testing.T) {
	const versions, clients = 20, 4
	s := startReloading(t, versionScript(0), false)

	var (
		mu        sync.Mutex
		firstSeen = map[int]time.Time{}
		latest    atomic.Int64
		failures  atomic.Int64
		requests  atomic.Int64
		stop      = make(chan struct{})
		wg        sync.WaitGroup
	)
	dials := make([]int, clients)
	for i := range clients {
		wg.Go(func() {
			k := &keepAlive{addr: s.addr}
			defer k.close()
			deadline := time.Now().Add(60 * time.Second) // bounded, whatever happens
			last := -1
			for time.Now().Before(deadline) {
				select {
				case <-stop:
					dials[i] = k.dials
					return
				default:
				}
				status, body, err := k.get("/")
				requests.Add(1)
				var v int
				if err != nil || status != 200 || !strings.HasPrefix(body, "v") {
					failures.Add(1)
					t.Errorf("client %d: status %d, body %q, err %v", i, status, body, err)
					continue
				}
				fmt.Sscanf(body, "v%d", &v)
				if v < last {
					t.Errorf("client %d: version went back from %d to %d", i, last, v)
				}
				last = v
				mu.Lock()
				if _, ok := firstSeen[v]; !ok {
					firstSeen[v] = time.Now()
				}
				mu.Unlock()
				for cur := latest.Load(); int64(v) > cur && !latest.CompareAndSwap(cur, int64(v)); cur = latest.Load() {
				}
			}
			dials[i] = k.dials
		})
	}

	var latencies []time.Duration
	for v := 1; v <= versions; v++ {
		mode := saveMode(v % 3)
		start := time.Now()
		if err := save(s.script, versionScript(v), mode); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for latest.Load() < int64(v) {
			if time.Now().After(deadline) {
				close(stop)
				wg.Wait()
				t.Fatalf("version %d (saved %s) not served after 5s; log:\n%s", v, mode, s.logs.String())
			}
			time.Sleep(time.Millisecond) // polling, with the deadline above
		}
		mu.Lock()
		latencies = append(latencies, firstSeen[v].Sub(start))
		mu.Unlock()
	}
	close(stop)
	wg.Wait()

	if n := failures.Load(); n != 0 {
		t.Errorf("%d of %d requests failed", n, requests.Load())
	}
	for i, d := range dials {
		if d != 1 {
			t.Errorf("client %d opened %d connections; want 1 (a connection dropped)", i, d)
		}
	}
	for v := 0; v <= versions; v++ {
		if _, ok := firstSeen[v]; !ok {
			t.Errorf("version %d was never served", v)
		}
	}
	st := s.rl.Stats()
	if st.Reloads != versions || st.Failures != 0 {
		t.Errorf("stats %+v; want exactly %d reloads (one per save) and no failure; log:\n%s", st, versions, s.logs.String())
	}
	slices.Sort(latencies)
	t.Logf("%d requests on %d keep-alive connections, %d reloads, 0 failed", requests.Load(), clients, st.Reloads)
	t.Logf("save -> first response of the new version: min %v, median %v, max %v (debounce %v)",
		latencies[0].Round(time.Millisecond/10), latencies[len(latencies)/2].Round(time.Millisecond/10),
		latencies[len(latencies)-1].Round(time.Millisecond/10), reload.DefaultDebounce)
	if max := latencies[len(latencies)-1]; max > 300*time.Millisecond && !raceEnabled {
		t.Errorf("slowest reload took %v; the target is under 300ms", max)
	}
}

// bodyCheck is what waitBody waits for.
type bodyCheck struct {
	what string // for the failure message
	ok   func(status int, body string) bool
}

func bodyIs(want string) bodyCheck {
	return bodyCheck{fmt.Sprintf("200 %q", want), func(status int, body string) bool { return status == 200 && body == want }}
}

// waitBody polls GET path until its answer passes check, or fails after 5s.
func waitBody(t *testing.T, addr, path string, check bodyCheck) (int, string) {
	t.Helper()
	k := &keepAlive{addr: addr}
	defer k.close()
	deadline := time.Now().Add(5 * time.Second)
	var (
		status int
		body   string
		err    error
	)
	for time.Now().Before(deadline) {
		status, body, err = k.get(path)
		if err == nil && check.ok(status, body) {
			return status, body
		}
		time.Sleep(5 * time.Millisecond) // polling, with the deadline above
	}
	t.Fatalf("GET %s: waited 5s for %s; last answer %d %q, error %v", path, check.what, status, body, err)
	return 0, ""
}

// waitReloadFailure polls until the last reload is one that failed, or
// fails the test after 5s.
func waitReloadFailure(t *testing.T, s *reloading) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.rl.Failed() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for a failed reload; stats %+v; log:\n%s", s.rl.Stats(), s.logs.String())
		}
		time.Sleep(5 * time.Millisecond) // polling, with the deadline above
	}
}

func TestReloadKeepsServingOnError(t *testing.T) {
	t.Parallel()
	s := startReloading(t, versionScript(1), false)
	waitBody(t, s.addr, "/", bodyIs("v1"))
	writeFile(t, s.script, "local app = require(\"luaserve\")\napp.get(\"/\", function()\n  return \"v2\"\n")
	waitReloadFailure(t, s)
	// The previous version still answers, and the log names file and line.
	k := &keepAlive{addr: s.addr}
	defer k.close()
	if status, body, err := k.get("/"); err != nil || status != 200 || body != "v1" {
		t.Fatalf("after a failed reload: %d %q %v", status, body, err)
	}
	logs := s.logs.String()
	if !strings.Contains(logs, "reload failed") || !strings.Contains(logs, "file="+s.script) || !strings.Contains(logs, "line=3") {
		t.Errorf("log lacks the failure's file and line:\n%s", logs)
	}
	writeFile(t, s.script, versionScript(3))
	waitBody(t, s.addr, "/", bodyIs("v3"))
}

func TestReloadDevShowsErrorUntilFixed(t *testing.T) {
	t.Parallel()
	s := startReloading(t, versionScript(1), true)
	waitBody(t, s.addr, "/", bodyIs("v1"))
	writeFile(t, s.script, "local app = require(\"luaserve\")\napp.get(\"/\", function() return \"v2\" end)\nlocal x = nil + 1\n")
	status, body := waitBody(t, s.addr, "/", bodyCheck{"status 500", func(status int, _ string) bool { return status == 500 }})
	for _, want := range []string{"routes.lua:3:", "cannot perform add", ">    3 | local x = nil + 1"} {
		if !strings.Contains(body, want) {
			t.Errorf("dev error page lacks %q:\n%d %s", want, status, body)
		}
	}
	// A browser gets HTML, with the source line marked.
	res, html := do(t, client(t), "GET", "http://"+s.addr+"/", "", "Accept", "text/html")
	if res.StatusCode != 500 || !strings.Contains(res.Header.Get("Content-Type"), "text/html") ||
		!strings.Contains(html, `class="line hl"><span class="no">3</span>`) || !strings.Contains(html, "local x = nil + 1") {
		t.Errorf("HTML error page: %d %s\n%s", res.StatusCode, res.Header.Get("Content-Type"), html)
	}
	writeFile(t, s.script, versionScript(3))
	waitBody(t, s.addr, "/", bodyIs("v3"))
}

func TestReloadFollowsModules(t *testing.T) {
	t.Parallel()
	s := startReloading(t, `local app = require("luaserve")
local greet = require("lib.greet")
app.get("/", function() return greet() end)
`, false, "lib/greet.lua", `return function() return "hello" end`)
	dir := filepath.Dir(s.script)
	waitBody(t, s.addr, "/", bodyIs("hello"))
	// A change to the module alone reloads.
	writeFile(t, filepath.Join(dir, "lib", "greet.lua"), `return function() return "bonjour" end`)
	waitBody(t, s.addr, "/", bodyIs("bonjour"))

	// A new version requires a new module, which is watched from then on.
	writeFile(t, filepath.Join(dir, "extra.lua"), `return "one"`)
	writeFile(t, s.script, `local app = require("luaserve")
local extra = require("extra")
app.get("/", function() return extra end)
`)
	waitBody(t, s.addr, "/", bodyIs("one"))
	writeFile(t, filepath.Join(dir, "extra.lua"), `return "two"`)
	waitBody(t, s.addr, "/", bodyIs("two"))

	// A broken new module is watched too: fixing it reloads.
	writeFile(t, filepath.Join(dir, "broken.lua"), `return (`)
	writeFile(t, s.script, `local app = require("luaserve")
local b = require("broken")
app.get("/", function() return b end)
`)
	waitReloadFailure(t, s)
	writeFile(t, filepath.Join(dir, "broken.lua"), `return "fixed"`)
	waitBody(t, s.addr, "/", bodyIs("fixed"))
}

func TestReloadKeepsStoreAndFinishesInFlight(t *testing.T) {
	t.Parallel()
	s := startReloading(t, `local app = require("luaserve")
local store = require("luaserve.store")
app.get("/slow", function() store.set("slow", true) return "old slow" end)
app.get("/count", function() return "v1 " .. store.incr("n") end)
`, false)
	waitBody(t, s.addr, "/count", bodyIs("v1 1"))

	// /slow stays in its version 1 state, held in store.set, until the
	// reload is over.
	release := s.store.hold(t, "slow")
	slow := goDo(client(t), "GET", "http://"+s.addr+"/slow", "")
	s.store.waitSet(t, "slow", slow)
	writeFile(t, s.script, `local app = require("luaserve")
local store = require("luaserve.store")
app.get("/count", function() return "v2 " .. store.incr("n") end)
`)
	waitBody(t, s.addr, "/count", bodyCheck{`200 "v2 ..."`, func(status int, body string) bool {
		return status == 200 && strings.HasPrefix(body, "v2 ")
	}})
	release()
	if res, body := slow.wait(t); res.StatusCode != 200 || body != "old slow" {
		t.Errorf("request in flight during the reload: %d %q", res.StatusCode, body)
	}
	// The store survived: the count went on.
	k := &keepAlive{addr: s.addr}
	defer k.close()
	_, body, err := k.get("/count")
	var n int
	fmt.Sscanf(body, "v2 %d", &n)
	if err != nil || n < 3 {
		t.Errorf("count after reload: %q %v; the store did not survive", body, err)
	}
}
