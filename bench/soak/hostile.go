package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// A hostile is one kind of bad traffic, looping until ctx ends.
type hostile struct {
	name string
	run  func(ctx context.Context, addr string)
}

var hostiles = []hostile{
	{"silent connections", silent},
	{"slow headers", slowHeaders},
	{"slow bodies", slowBodies},
	{"large bodies", largeBodies},
	{"pattern bombs", post("/match?p="+url.QueryEscape("(.-)%w*c"), strings.Repeat("a", 100000)+"b")},
	{"rep bombs", get("/rep?n=3000000000")},
	{"concat bombs", get("/grow")},
	{"endless loops", get("/spin")},
	{"errors", get("/boom")},
	{"deep json", post("/decode", strings.Repeat("[", 100000))},
}

// get and post repeat one request as fast as answers come.
func get(path string) func(context.Context, string) {
	return func(ctx context.Context, addr string) { repeat(ctx, addr, "GET", path, "") }
}

func post(path, body string) func(context.Context, string) {
	return func(ctx context.Context, addr string) { repeat(ctx, addr, "POST", path, body) }
}

func repeat(ctx context.Context, addr, method, path, body string) {
	c := &http.Client{Timeout: 10 * time.Second}
	for ctx.Err() == nil {
		req, _ := http.NewRequestWithContext(ctx, method, "http://"+addr+path, strings.NewReader(body))
		res, err := c.Do(req)
		if ctx.Err() != nil {
			return
		}
		status := 0
		if err == nil {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			status = res.StatusCode
		}
		answers.add(method+" "+strings.SplitN(path, "?", 2)[0], status)
	}
}

// answers counts the hostile requests' answers, by request and status (0:
// no answer), to show how hard each kind pushed.
var answers = tally{n: map[string]map[int]int{}}

type tally struct {
	mu sync.Mutex
	n  map[string]map[int]int
}

func (t *tally) add(req string, status int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.n[req] == nil {
		t.n[req] = map[int]int{}
	}
	t.n[req][status]++
}

func (t *tally) report() {
	t.mu.Lock()
	defer t.mu.Unlock()
	reqs := slices.Sorted(maps.Keys(t.n))
	if len(reqs) > 0 {
		fmt.Println("hostile requests answered, by status (0: no answer):")
	}
	for _, req := range reqs {
		var parts []string
		for _, status := range slices.Sorted(maps.Keys(t.n[req])) {
			parts = append(parts, fmt.Sprintf("%d: %d", status, t.n[req][status]))
		}
		fmt.Printf("  %s  %s\n", req, strings.Join(parts, ", "))
	}
}

// silent keeps opening connections that never send a byte.
func silent(ctx context.Context, addr string) {
	var open []net.Conn
	defer func() {
		for _, c := range open {
			c.Close()
		}
	}()
	t := time.NewTicker(10 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if c, err := net.Dial("tcp", addr); err == nil {
			open = append(open, c)
		}
		if len(open) > 3000 {
			open[0].Close()
			open = open[1:]
		}
	}
}

// slowHeaders sends a request head one byte a second, on 50 connections.
func slowHeaders(ctx context.Context, addr string) {
	trickle(ctx, addr, 50, "GET /hello HTTP/1.1\r\nHost: soak\r\nX-Slow: "+strings.Repeat("z", 1000)+"\r\n\r\n", time.Second)
}

// slowBodies declares a body and sends it a byte every half second, on 50
// connections.
func slowBodies(ctx context.Context, addr string) {
	trickle(ctx, addr, 50, "POST /echo HTTP/1.1\r\nHost: soak\r\nContent-Length: 100000\r\n\r\n"+strings.Repeat("b", 100000), 500*time.Millisecond)
}

func trickle(ctx context.Context, addr string, conns int, msg string, every time.Duration) {
	done := make(chan struct{})
	for range conns {
		go func() {
			defer func() { done <- struct{}{} }()
			for ctx.Err() == nil {
				c, err := net.Dial("tcp", addr)
				if err != nil {
					continue
				}
				for i := 0; i < len(msg) && ctx.Err() == nil; i++ {
					c.SetWriteDeadline(time.Now().Add(5 * time.Second))
					if _, err := c.Write([]byte{msg[i]}); err != nil {
						break
					}
					select {
					case <-ctx.Done():
					case <-time.After(every):
					}
				}
				c.Close()
			}
		}()
	}
	for range conns {
		<-done
	}
}

// largeBodies posts 10 MiB bodies on 10 connections at once.
func largeBodies(ctx context.Context, addr string) {
	body := strings.Repeat("L", 10<<20)
	done := make(chan struct{})
	for range 10 {
		go func() {
			defer func() { done <- struct{}{} }()
			repeat(ctx, addr, "POST", "/echo", body)
		}()
	}
	for range 10 {
		<-done
	}
}
