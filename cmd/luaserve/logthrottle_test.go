package main

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// TestThrottle: identical errors pass burst times per window, the rest are
// counted and reported on the next line that passes; other lines and
// info lines are not held back.
func TestThrottle(t *testing.T) {
	var out bytes.Buffer
	th := newThrottle(slog.NewTextHandler(&out, nil), 10*time.Second, 3)
	clock := time.Unix(1_700_000_000, 0)
	th.runs.now = func() time.Time { return clock }
	log := slog.New(th)
	for i := range 100 {
		log.Error("luaserve: route failed", "route", "GET /boom", "target", "/boom?"+string(rune('a'+i%26)), "err", "kaboom")
		log.Info("request", "n", i)
	}
	log.Error("another failure", "err", "x")
	if n := strings.Count(out.String(), "route failed"); n != 3 {
		t.Fatalf("%d route-failed lines in the window, want 3:\n%s", n, out.String())
	}
	if n := strings.Count(out.String(), "msg=request"); n != 100 {
		t.Fatalf("%d info lines, want all 100", n)
	}
	if !strings.Contains(out.String(), "another failure") {
		t.Fatal("a different error was held back")
	}
	out.Reset()
	clock = clock.Add(10 * time.Second)
	log.Error("luaserve: route failed", "route", "GET /boom", "target", "/boom", "err", "kaboom")
	if !strings.Contains(out.String(), "suppressed=97") {
		t.Fatalf("the next window's first line should count the 97 dropped:\n%s", out.String())
	}
	out.Reset()
	log.With("component", "x").Error("luaserve: route failed", "route", "GET /boom", "err", "kaboom")
	if !strings.Contains(out.String(), "component=x") {
		t.Fatalf("attributes added by With make another run:\n%s", out.String())
	}
}

// TestThrottleForgets: the map of runs stays bounded.
func TestThrottleForgets(t *testing.T) {
	th := newThrottle(slog.NewTextHandler(&bytes.Buffer{}, nil), time.Second, 1)
	clock := time.Unix(1_700_000_000, 0)
	th.runs.now = func() time.Time { return clock }
	log := slog.New(th)
	for i := range 3 * maxRuns {
		if i%maxRuns == 0 {
			clock = clock.Add(time.Second)
		}
		log.Error("failure", "n", i)
	}
	if n := len(th.runs.byKey); n > maxRuns {
		t.Fatalf("%d runs kept, want at most %d", n, maxRuns)
	}
}
