package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"
)

// burst posts 50 bodies of 10 MiB at once to a route that reads them,
// then waits 15 s, printing the server's RSS every second: the memory a
// burst of large bodies takes, and whether it is given back.
func burst(ctx context.Context, addr string, pid int) {
	body := strings.Repeat("B", 10<<20)
	var wg sync.WaitGroup
	ok := 0
	var mu sync.Mutex
	start := time.Now()
	for range 50 {
		wg.Go(func() {
			c := &http.Client{Timeout: 2 * time.Minute}
			res, err := c.Post("http://"+addr+"/echo", "application/octet-stream", strings.NewReader(body))
			if err == nil {
				res.Body.Close()
				if res.StatusCode == 200 {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	fmt.Println("50 × 10 MiB bodies at once; server RSS:")
	t := time.NewTicker(time.Second)
	defer t.Stop()
	var ended time.Time
	for {
		phase := "during"
		if !ended.IsZero() {
			phase = fmt.Sprintf("%2.0fs after", time.Since(ended).Seconds())
		}
		fmt.Printf("  %5.1fs %-10s %s\n", time.Since(start).Seconds(), phase, rss(pid))
		select {
		case <-ctx.Done():
			return
		case <-done:
			if ended.IsZero() {
				ended = time.Now()
				fmt.Printf("  all answered after %.1fs: %d of 50 with 200\n", time.Since(start).Seconds(), ok)
			}
			done = nil
		case <-t.C:
		}
		if !ended.IsZero() && time.Since(ended) > 15*time.Second {
			return
		}
	}
}

// rss is the server's resident memory, from /proc.
func rss(pid int) string {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return "unknown (no /proc)"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "VmRSS:") {
			return strings.TrimSpace(strings.TrimPrefix(l, "VmRSS:"))
		}
	}
	return "unknown"
}
