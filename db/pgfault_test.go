package db

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"sync"
	"testing"
	"time"
)

// relay forwards TCP connections to target until cut, which closes every
// connection it carries and refuses new ones until mend: a database
// server going away and coming back, seen from the client.
type relay struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	down   bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

func newRelay(t *testing.T, target string) *relay {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r := &relay{ln: ln, target: target}
	r.wg.Go(r.serve)
	t.Cleanup(func() { ln.Close(); r.cut(); r.wg.Wait() })
	return r
}

func (r *relay) serve() {
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.mu.Lock()
		if r.down {
			r.mu.Unlock()
			c.Close()
			continue
		}
		up, err := net.Dial("tcp", r.target)
		if err != nil {
			r.mu.Unlock()
			c.Close()
			continue
		}
		r.conns = append(r.conns, c, up)
		r.mu.Unlock()
		r.wg.Go(func() { io.Copy(up, c); up.Close() })
		r.wg.Go(func() { io.Copy(c, up); c.Close() })
	}
}

func (r *relay) cut() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.down = true
	for _, c := range r.conns {
		c.Close()
	}
	r.conns = nil
}

func (r *relay) mend() {
	r.mu.Lock()
	r.down = false
	r.mu.Unlock()
}

// While the server cannot be reached, statements fail fast with
// ErrUnavailable naming the address; when it is back the pool serves
// again by itself.
func TestPostgresUnavailableAndRecovery(t *testing.T) {
	t.Parallel()
	_, surl := openPostgres(t)
	u, err := url.Parse(surl)
	if err != nil {
		t.Fatal(err)
	}
	r := newRelay(t, u.Host)
	u.Host = r.ln.Addr().String()
	p, err := OpenPostgres(context.Background(), u.String(), PostgresOptions{MaxConns: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	mustExec(t, p, "CREATE TABLE w (x int)")
	r.cut()
	for i := range 3 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		start := time.Now()
		_, err := p.Exec(ctx, "INSERT INTO w VALUES (?)", Args{List: []any{int64(i)}})
		cancel()
		if !errors.Is(err, ErrUnavailable) || time.Since(start) > 3*time.Second {
			t.Fatalf("statement %d during the outage, after %v: %v", i, time.Since(start), err)
		}
		if i == 0 {
			t.Logf("error during the outage: %v", err)
		}
	}
	if err := p.Ping(context.Background()); !errors.Is(err, ErrUnavailable) {
		t.Errorf("ping during the outage: %v", err)
	}
	r.mend()
	mustExec(t, p, "INSERT INTO w VALUES (42)")
	if got := rows(t, p, "SELECT x FROM w", Args{}); len(got) != 1 || got[0][0] != int64(42) {
		t.Errorf("after recovery: %v", got)
	}
}
