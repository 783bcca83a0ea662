// Command soak runs luaserve under a mix of hostile and normal traffic for
// a while (10 minutes by default) and reports the share of normal requests
// answered in time and the server's memory over time. It is not part of
// the test suite; run it by hand:
//
//	go build -o /tmp/luaserve ./cmd/luaserve
//	go run ./bench/soak -bin /tmp/luaserve [-duration 10m]
//
// Everything talks to 127.0.0.1 and stops by itself.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	bin := flag.String("bin", "", "the luaserve binary (required)")
	duration := flag.Duration("duration", 10*time.Minute, "how long the load runs")
	inTime := flag.Duration("in-time", time.Second, "a normal request answered later than this counts as late")
	burstOnly := flag.Bool("burst", false, "only post 50 bodies of 10 MiB at once and follow the server's RSS for 15 s after")
	only := flag.String("only", "", "run only the hostile traffic whose names contain this (e.g. \"concat\")")
	flag.Parse()
	if *only != "" {
		var kept []hostile
		for _, h := range hostiles {
			if strings.Contains(h.name, *only) {
				kept = append(kept, h)
			}
		}
		hostiles = kept
	}
	if *bin == "" {
		fmt.Fprintln(os.Stderr, "soak: -bin is required (go build -o /tmp/luaserve ./cmd/luaserve)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, *bin, *duration, *inTime, *burstOnly); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, bin string, duration, inTime time.Duration, burstOnly bool) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	_, self, _, _ := runtime.Caller(0)
	routes := filepath.Join(filepath.Dir(self), "routes.lua")
	srv := exec.Command(bin, "-quiet", "-addr", addr, "-timeout", "2s", "-header-timeout", "2s",
		"-max-conns", "2000", "-max-memory", "1GiB", "-max-request-memory", "64MiB", routes)
	srv.Stdout, srv.Stderr = io.Discard, io.Discard
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { srv.Process.Kill(); srv.Wait() }()
	if err := waitUp(addr); err != nil {
		return err
	}
	if burstOnly {
		burst(ctx, addr, srv.Process.Pid)
		return nil
	}
	fmt.Printf("soak: luaserve pid %d on %s for %v\n", srv.Process.Pid, addr, duration)

	ctx, cancel := context.WithTimeout(ctx, duration)
	defer cancel()
	var wg sync.WaitGroup
	var st stats
	for range 4 {
		wg.Go(func() { normal(ctx, addr, inTime, &st) })
	}
	for _, h := range hostiles {
		wg.Go(func() { h.run(ctx, addr) })
	}
	wg.Go(func() { sampleRSS(ctx, srv.Process.Pid, &st) })
	wg.Wait()
	st.report(inTime)
	return nil
}

// stats are the normal clients' counts and the memory samples.
type stats struct {
	total, inTime, failed atomic.Int64
	mu                    sync.Mutex
	rss                   []string
}

func (s *stats) report(inTime time.Duration) {
	total := s.total.Load()
	share := 0.0
	if total > 0 {
		share = 100 * float64(s.inTime.Load()) / float64(total)
	}
	fmt.Printf("normal requests: %d, answered within %v: %.3f%%, failed: %d\n", total, inTime, share, s.failed.Load())
	fmt.Println("server RSS over time:")
	for _, line := range s.rss {
		fmt.Println("  " + line)
	}
}

// normal sends the requests a real client sends, one at a time.
func normal(ctx context.Context, addr string, inTime time.Duration, st *stats) {
	c := &http.Client{Timeout: 5 * time.Second}
	urls := []string{"/hello", "/users/42?fields=name", "/hello"}
	for i := 0; ctx.Err() == nil; i++ {
		start := time.Now()
		var res *http.Response
		var err error
		if i%4 == 3 {
			res, err = c.Post("http://"+addr+"/echo", "text/plain", strings.NewReader("some body"))
		} else {
			res, err = c.Get("http://" + addr + urls[i%len(urls)])
		}
		if ctx.Err() != nil {
			return
		}
		st.total.Add(1)
		if err != nil {
			st.failed.Add(1)
			continue
		}
		io.Copy(io.Discard, res.Body)
		res.Body.Close()
		if res.StatusCode != 200 {
			st.failed.Add(1)
		} else if time.Since(start) <= inTime {
			st.inTime.Add(1)
		}
	}
}

func sampleRSS(ctx context.Context, pid int, st *stats) {
	t := time.NewTicker(10 * time.Second)
	defer t.Stop()
	start := time.Now()
	for {
		st.mu.Lock()
		st.rss = append(st.rss, fmt.Sprintf("%4.0fs %s", time.Since(start).Seconds(), rss(pid)))
		st.mu.Unlock()
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitUp(addr string) error {
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		if c, err := net.Dial("tcp", addr); err == nil {
			c.Close()
			return nil
		}
		time.Sleep(50 * time.Millisecond) // polling for the server to listen, with the deadline above
	}
	return fmt.Errorf("luaserve did not listen on %s", addr)
}
