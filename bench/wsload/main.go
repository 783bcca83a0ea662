// Command wsload measures WebSocket servers (docs/BENCHMARKS.md) with
// hand-written frames, so that every server meets the same client:
//
//	wsload -mode idle -n 10000 -pid PID -url http://127.0.0.1:9001
//	    opens n connections subscribed to "all" (one echo on each), reports
//	    the server's RSS growth per connection, then POSTs /broadcast and
//	    reports the time until every connection has the message.
//	wsload -mode sse -n 1000 -m 100 -url http://127.0.0.1:9001
//	    opens n event streams on /events, POSTs m messages to /broadcast
//	    and reports the events per second until every stream has them all.
//	wsload -mode echo -c 64 -d 10s -url http://127.0.0.1:9001
//	    c connections each sending a 32-byte text message and waiting for
//	    its echo, in a loop: round trips per second.
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	mode := flag.String("mode", "echo", "idle or echo")
	n := flag.Int("n", 10000, "idle: connections")
	c := flag.Int("c", 64, "echo: connections")
	d := flag.Duration("d", 10*time.Second, "echo: duration")
	m := flag.Int("m", 100, "sse: messages")
	pid := flag.Int("pid", 0, "idle: the server's process id, for its RSS")
	base := flag.String("url", "http://127.0.0.1:9001", "the server")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil {
		log.Fatal(err)
	}
	switch *mode {
	case "idle":
		idle(u.Host, *base, *n, *pid)
	case "echo":
		echo(u.Host, *c, *d)
	case "sse":
		fanout(u.Host, *base, *n, *m)
	default:
		log.Fatalf("unknown mode %q", *mode)
	}
}

type wsConn struct {
	nc net.Conn
	br *bufio.Reader
}

func dial(addr, path string) (*wsConn, error) {
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(nc, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n", path, addr)
	br := bufio.NewReaderSize(nc, 512)
	status, err := br.ReadString('\n')
	if err != nil || !strings.Contains(status, " 101 ") {
		nc.Close()
		return nil, fmt.Errorf("handshake: %q %v", status, err)
	}
	for {
		line, err := br.ReadString('\n')
		if err != nil {
			return nil, err
		}
		if line == "\r\n" {
			return &wsConn{nc, br}, nil
		}
	}
}

// frame is a masked client text frame of p (p at most 125 bytes).
func frame(p []byte) []byte {
	b := append([]byte{0x81, 0x80 | byte(len(p)), 1, 2, 3, 4}, p...)
	for i := range p {
		b[6+i] ^= b[2+i%4]
	}
	return b
}

// read reads the next data frame's payload (at most 125 bytes, unmasked),
// skipping the server's pings (idle connections get them).
func (c *wsConn) read(buf []byte) ([]byte, error) {
	var h [2]byte
	if _, err := io.ReadFull(c.br, h[:]); err != nil {
		return nil, err
	}
	if h[0]&0x0F == 0x9 {
		io.ReadFull(c.br, buf[:h[1]&0x7F])
		return c.read(buf)
	}
	n := int(h[1] & 0x7F)
	if n > 125 {
		return nil, fmt.Errorf("frame of %d bytes", n)
	}
	_, err := io.ReadFull(c.br, buf[:n])
	return buf[:n], err
}

func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		log.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseInt(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func idle(addr, base string, n, pid int) {
	msg := frame([]byte("hi"))
	buf := make([]byte, 125)
	open := func(k int) []*wsConn {
		conns := make([]*wsConn, 0, k)
		for range k {
			c, err := dial(addr, "/ws?sub=1")
			if err != nil {
				log.Fatal(err)
			}
			c.nc.Write(msg)
			if _, err := c.read(buf); err != nil {
				log.Fatal(err)
			}
			conns = append(conns, c)
		}
		return conns
	}
	warm := open(200) // the pools, the states, the first goroutines
	time.Sleep(2 * time.Second)
	before := rss(pid)
	conns := open(n)
	time.Sleep(12 * time.Second) // luaserve gives back garbage when quiet, every 5 s
	after := rss(pid)
	fmt.Printf("%d idle connections: RSS %d -> %d MiB, %d bytes per connection\n",
		n, before>>20, after>>20, (after-before)/int64(n))
	all := append(warm, conns...)
	var wg sync.WaitGroup
	var got atomic.Int64
	var firstErr atomic.Value
	for _, c := range all {
		wg.Go(func() {
			b := make([]byte, 125)
			p, err := c.read(b)
			if err == nil && string(p) == "broadcast" {
				got.Add(1)
			} else if firstErr.CompareAndSwap(nil, fmt.Sprintf("%q %v", p, err)) {
				log.Printf("a connection got %q, %v", p, err)
			}
		})
	}
	start := time.Now()
	res, err := http.Post(base+"/broadcast", "text/plain", bytes.NewReader([]byte("broadcast")))
	if err != nil {
		log.Fatal(err)
	}
	res.Body.Close()
	wg.Wait()
	fmt.Printf("broadcast to %d connections: %d received in %v\n", len(all), got.Load(), time.Since(start).Round(time.Millisecond))
}

func echo(addr string, c int, d time.Duration) {
	msg := frame([]byte("0123456789abcdef0123456789abcdef"))
	var total atomic.Int64
	var wg sync.WaitGroup
	stop := time.Now().Add(d)
	for range c {
		conn, err := dial(addr, "/ws")
		if err != nil {
			log.Fatal(err)
		}
		wg.Go(func() {
			buf := make([]byte, 125)
			for time.Now().Before(stop) {
				conn.nc.Write(msg)
				if _, err := conn.read(buf); err != nil {
					log.Print(err)
					return
				}
				total.Add(1)
			}
		})
	}
	wg.Wait()
	fmt.Printf("%d connections, %v: %.0f round trips/s\n", c, d, float64(total.Load())/d.Seconds())
}

// fanout measures event stream fan-out: n streams, m broadcasts.
func fanout(addr, base string, n, m int) {
	var ready, done sync.WaitGroup
	for range n {
		nc, err := net.Dial("tcp", addr)
		if err != nil {
			log.Fatal(err)
		}
		fmt.Fprintf(nc, "GET /events HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		br := bufio.NewReaderSize(nc, 4096)
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				log.Fatal(err)
			}
			if line == "\r\n" {
				break
			}
		}
		ready.Add(1)
		done.Go(func() {
			ready.Done()
			for got := 0; got < m; {
				line, err := br.ReadString('\n')
				if err != nil {
					log.Fatal(err)
				}
				if strings.HasPrefix(line, "data: ") {
					got++
				}
			}
			nc.Close()
		})
	}
	ready.Wait()
	start := time.Now()
	for i := range m {
		res, err := http.Post(base+"/broadcast", "text/plain", strings.NewReader(fmt.Sprintf("event %d", i)))
		if err != nil {
			log.Fatal(err)
		}
		res.Body.Close()
	}
	done.Wait()
	d := time.Since(start)
	fmt.Printf("%d streams x %d messages in %v: %.0f events/s\n", n, m, d.Round(time.Millisecond), float64(n*m)/d.Seconds())
}
