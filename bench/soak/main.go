// Command soak runs luaserve under a mix of hostile and normal traffic for
// a while (10 minutes by default) and reports the share of normal requests
// answered in time and the server's memory over time. It is not part of
// the test suite; run it by hand:
//
//	go build -o /tmp/luaserve ./cmd/luaserve
//	go run ./bench/soak -bin /tmp/luaserve [-duration 10m]
//
// Besides the share in time it prints the normal requests' latency
// percentiles and the late and failed ones per 10 s window; -only runs one
// hostile kind, -pin separates the server's CPU from the clients', and
// -server-log, -gctrace and -outliers keep what it takes to find out why
// a request was late (see docs/BENCHMARKS.md, the soak).
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
	"time"
)

// options are the command's flags.
type options struct {
	bin        string
	duration   time.Duration
	inTime     time.Duration
	burstOnly  bool
	serverLog  string // a file for the server's stdout and stderr
	gctrace    bool   // GODEBUG=gctrace=1 for the server
	pin        bool   // the server on CPU 1, the soak's clients on CPU 0
	serverArgs string // more server flags, space-separated
	outliers   string // a file for every late or failed normal request
}

func main() {
	var o options
	flag.StringVar(&o.bin, "bin", "", "the luaserve binary (required)")
	flag.DurationVar(&o.duration, "duration", 10*time.Minute, "how long the load runs")
	flag.DurationVar(&o.inTime, "in-time", time.Second, "a normal request answered later than this counts as late")
	flag.BoolVar(&o.burstOnly, "burst", false, "only post 50 bodies of 10 MiB at once and follow the server's RSS for 15 s after")
	only := flag.String("only", "", "run only the hostile traffic whose names contain this (e.g. \"concat\"); \"none\" for none")
	flag.StringVar(&o.serverLog, "server-log", "", "write the server's output (its error log) to this file instead of discarding it")
	flag.BoolVar(&o.gctrace, "gctrace", false, "run the server with GODEBUG=gctrace=1 (one line per collection, in -server-log)")
	flag.BoolVar(&o.pin, "pin", false, "pin the server to CPU 1 and this process (the clients, normal and hostile) to CPU 0, with taskset")
	flag.StringVar(&o.outliers, "outliers", "", "write every late or failed normal request to this file (start, latency, URL, what)")
	flag.StringVar(&o.serverArgs, "server-args", "", "more server flags, space-separated (e.g. \"-workers 16\")")
	flag.Parse()
	if *only != "" {
		var kept []hostile
		for _, h := range hostiles {
			if *only != "none" && strings.Contains(h.name, *only) {
				kept = append(kept, h)
			}
		}
		hostiles = kept
	}
	if o.bin == "" {
		fmt.Fprintln(os.Stderr, "soak: -bin is required (go build -o /tmp/luaserve ./cmd/luaserve)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, o); err != nil {
		fmt.Fprintln(os.Stderr, "soak:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, o options) error {
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	srv, closeLog, err := startServer(o, addr)
	if err != nil {
		return err
	}
	defer func() { srv.Process.Kill(); srv.Wait(); closeLog() }()
	if err := waitUp(addr); err != nil {
		return err
	}
	if o.burstOnly {
		burst(ctx, addr, srv.Process.Pid)
		return nil
	}
	fmt.Printf("soak: luaserve pid %d on %s for %v, pinned: %v, hostile: %d kinds, load average at start: %s\n",
		srv.Process.Pid, addr, o.duration, o.pin, len(hostiles), loadavg())

	ctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	var wg sync.WaitGroup
	st := stats{start: time.Now()}
	for range 4 {
		wg.Go(func() { normal(ctx, addr, o.inTime, &st) })
	}
	for _, h := range hostiles {
		wg.Go(func() { h.run(ctx, addr) })
	}
	wg.Go(func() { sampleRSS(ctx, srv.Process.Pid, &st) })
	wg.Wait()
	st.report(o.inTime)
	answers.report()
	if o.outliers != "" {
		if err := st.writeOutliers(o.outliers); err != nil {
			return err
		}
	}
	fmt.Println("load average at the end:", loadavg())
	return nil
}

// startServer starts luaserve on addr with the soak's limits, and returns
// it and what closes its log file.
func startServer(o options, addr string) (*exec.Cmd, func(), error) {
	_, self, _, _ := runtime.Caller(0)
	routes := filepath.Join(filepath.Dir(self), "routes.lua")
	args := []string{o.bin, "-quiet", "-addr", addr, "-timeout", "2s", "-header-timeout", "2s",
		"-max-conns", "2000", "-max-memory", "1GiB", "-max-request-memory", "64MiB"}
	args = append(append(args, strings.Fields(o.serverArgs)...), routes)
	if o.pin {
		args = append([]string{"taskset", "-c", "1"}, args...)
		// Every thread of this process, and the ones it starts later
		// (they inherit it), on CPU 0.
		if out, err := exec.Command("taskset", "-a", "-p", "-c", "0", fmt.Sprint(os.Getpid())).CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("taskset: %v: %s", err, out)
		}
	}
	srv := exec.Command(args[0], args[1:]...)
	srv.Stdout, srv.Stderr = io.Discard, io.Discard
	closeLog := func() {}
	if o.serverLog != "" {
		f, err := os.Create(o.serverLog)
		if err != nil {
			return nil, nil, err
		}
		srv.Stdout, srv.Stderr, closeLog = f, f, func() { f.Close() }
	}
	if o.gctrace {
		srv.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	}
	if err := srv.Start(); err != nil {
		closeLog()
		return nil, nil, err
	}
	return srv, closeLog, nil
}

// loadavg is the machine's load average (1, 5 and 15 minutes).
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

// normal sends the requests a real client sends, one at a time.
func normal(ctx context.Context, addr string, inTime time.Duration, st *stats) {
	c := &http.Client{Timeout: 5 * time.Second}
	urls := []string{"/hello", "/users/42?fields=name", "/hello", "/echo"}
	for i := 0; ctx.Err() == nil; i++ {
		start := time.Now()
		var res *http.Response
		var err error
		url := urls[i%len(urls)]
		if url == "/echo" {
			res, err = c.Post("http://"+addr+url, "text/plain", strings.NewReader("some body"))
		} else {
			res, err = c.Get("http://" + addr + url)
		}
		if ctx.Err() != nil {
			return
		}
		status := 0
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			status = res.StatusCode
		}
		st.record(start, url, status, err, inTime)
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
