package reload

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// fixture is a script on disk and a Reloader over it that counts builds.
type fixture struct {
	script string
	rl     *Reloader
	builds atomic.Int64
}

func newFixture(t *testing.T, watch bool) *fixture {
	t.Helper()
	return newFixtureDebounce(t, watch, 0)
}

// newFixtureDebounce is newFixture with a quiet time of its own (0: the
// default).
func newFixtureDebounce(t *testing.T, watch bool, debounce time.Duration) *fixture {
	t.Helper()
	f := &fixture{script: filepath.Join(t.TempDir(), "routes.lua")}
	f.write(t, 0)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rl, err := New(Config{
		Build: func() (*engine.Engine, error) {
			f.builds.Add(1)
			return engine.New(engine.Config{Script: f.script, Workers: 1, Log: log})
		},
		Log:      log,
		Extra:    []string{f.script},
		Debounce: debounce,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rl.Close)
	f.rl = rl
	if watch {
		ctx, cancel := context.WithCancel(context.Background())
		done, err := rl.Watch(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { cancel(); <-done })
	}
	return f
}

func (f *fixture) write(t *testing.T, v int) {
	t.Helper()
	src := "local app = require('luaserve')\napp.get('/v" + string(rune('a'+v)) + "', function() return 'x' end)\n"
	if err := os.WriteFile(f.script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
}

// waitReloads polls until n reloads completed, failing after 5s.
func (f *fixture) waitReloads(t *testing.T, n int64) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for st := f.rl.Stats(); st.Reloads+st.Failures < n; st = f.rl.Stats() {
		if time.Now().After(deadline) {
			t.Fatalf("%+v after 5s; want %d reloads", st, n)
		}
		time.Sleep(2 * time.Millisecond) // polling, with the deadline above
	}
}

func TestEachSaveStyleReloadsOnce(t *testing.T) {
	t.Parallel()
	// The last save style pauses for an fsync between its writes, which
	// under load (the race detector, a busy disk) can outlast the default
	// 50ms quiet time; a second reload would then be right. The quiet time
	// here is long enough for the fsync, so one reload is what is due.
	f := newFixtureDebounce(t, true, 500*time.Millisecond)
	saves := []struct {
		name string
		save func(path string, data []byte) error
	}{
		{"write in place", func(p string, b []byte) error { return os.WriteFile(p, b, 0o644) }},
		{"rename over", func(p string, b []byte) error {
			if err := os.WriteFile(p+".tmp", b, 0o644); err != nil {
				return err
			}
			return os.Rename(p+".tmp", p)
		}},
		{"delete and create", func(p string, b []byte) error {
			if err := os.Remove(p); err != nil {
				return err
			}
			return os.WriteFile(p, b, 0o644)
		}},
		{"truncate, then write in two parts", func(p string, b []byte) error {
			fh, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC, 0o644)
			if err != nil {
				return err
			}
			defer fh.Close()
			fh.Write(b[:10])
			fh.Sync()
			_, err = fh.Write(b[10:])
			return err
		}},
	}
	for i, s := range saves {
		src := []byte("local app = require('luaserve')\napp.get('/" + s.name + "', function() return 'x' end)\n")
		if err := s.save(f.script, src); err != nil {
			t.Fatal(err)
		}
		f.waitReloads(t, int64(i+1))
		if st := f.rl.Stats(); st.Reloads != int64(i+1) || st.Failures != 0 {
			t.Fatalf("%s: %+v", s.name, st)
		}
		if r := f.rl.Routes(); len(r) != 1 || r[0].Pattern != "/"+s.name {
			t.Fatalf("%s: routes %v", s.name, r)
		}
	}
	// A touch and a rewrite with the same contents change nothing: no build.
	now := time.Now()
	os.Chtimes(f.script, now, now)
	os.Chmod(f.script, 0o600)
	src, _ := os.ReadFile(f.script)
	os.WriteFile(f.script, src, 0o600)
	deadline := time.Now().Add(5 * time.Second)
	for f.rl.Stats().Skips == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the same-contents rewrite was not seen")
		}
		time.Sleep(2 * time.Millisecond) // polling, with the deadline above
	}
	if n := f.builds.Load(); n != int64(len(saves)+1) {
		t.Fatalf("%d builds for %d saves; want one per save", n, len(saves))
	}
}

func TestReloadForcesABuild(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	if err := f.rl.Reload(); err != nil {
		t.Fatal(err)
	}
	if f.builds.Load() != 2 || f.rl.Stats().Reloads != 1 {
		t.Fatalf("builds %d, stats %+v", f.builds.Load(), f.rl.Stats())
	}
}

func TestFailedReloadKeepsTheEngine(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	os.WriteFile(f.script, []byte("local app = require('luaserve')\napp.get('/x', function() end\n"), 0o644)
	err := f.rl.Reload()
	var le *engine.LoadError
	if err == nil || f.rl.Failed() == nil || !errors.As(err, &le) || le.Line != 2 {
		t.Fatalf("Reload: %v", err)
	}
	if r := f.rl.Routes(); len(r) != 1 || r[0].Pattern != "/va" {
		t.Fatalf("routes after a failed reload: %v", r)
	}
	f.write(t, 1)
	if err := f.rl.Reload(); err != nil || f.rl.Failed() != nil {
		t.Fatalf("Reload: %v, Failed: %v", err, f.rl.Failed())
	}
}

// TestOldEngineClosesAfterItsRequests checks the generation's reference
// count: an engine swapped out stays open while a request holds it.
func TestOldEngineClosesAfterItsRequests(t *testing.T) {
	t.Parallel()
	f := newFixture(t, false)
	g := f.rl.acquire() // a request in flight
	if err := f.rl.Reload(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-g.closed:
		t.Fatal("the old engine closed under a request in flight")
	default:
	}
	if g2 := f.rl.acquire(); g2 == g {
		t.Fatal("a new request got the old engine")
	} else {
		g2.release()
	}
	g.release()
	select {
	case <-g.closed:
	case <-time.After(5 * time.Second):
		t.Fatal("the old engine was not closed after its last request")
	}
}

// TestDeletedFileIsWaitedFor: an editor that deletes the script and writes
// it again, slower than the debounce (a busy machine), gets one reload and
// no failure; a script that stays deleted is a failed reload after the
// grace period.
func TestDeletedFileIsWaitedFor(t *testing.T) {
	t.Parallel()
	f := newFixtureDebounce(t, true, 20*time.Millisecond)
	if err := os.Remove(f.script); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond) // the editor's gap between delete and write: the case under test
	src := []byte("local app = require('luaserve')\napp.get('/back', function() return 'x' end)\n")
	if err := os.WriteFile(f.script, src, 0o644); err != nil {
		t.Fatal(err)
	}
	f.waitReloads(t, 1)
	if st := f.rl.Stats(); st.Reloads != 1 || st.Failures != 0 {
		t.Fatalf("after a slow delete and write: %+v", st)
	}
	if err := os.Remove(f.script); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for f.rl.Stats().Failures == 0 {
		if time.Now().After(deadline) {
			t.Fatal("a script deleted for good was never reported")
		}
		time.Sleep(5 * time.Millisecond) // polling, with the deadline above
	}
	if r := f.rl.Routes(); len(r) != 1 || r[0].Pattern != "/back" {
		t.Fatalf("the last good version is not serving: %v", r)
	}
}
