package outbound

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
)

// guard is the RoundTripper in front of the transport: every hop of a
// call (redirects included) passes the allow-list and takes one of its
// host's slots, given back when the response body is closed.
type guard struct {
	next    http.RoundTripper
	allow   *allowList
	perHost int // slots per host; <= 0: no limit

	mu       sync.Mutex
	inFlight map[string]int // host -> calls holding a slot; guarded by mu
}

func (g *guard) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.URL.Scheme != "http" && r.URL.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q (http or https only)", ErrNotAllowed, r.URL.Scheme)
	}
	if !g.allow.allows(r.URL.Host) {
		return nil, fmt.Errorf("%w: host %s is not in the allow-list", ErrNotAllowed, r.URL.Host)
	}
	host := strings.ToLower(r.URL.Host)
	if !g.acquire(host) {
		return nil, fmt.Errorf("%w: %d calls to %s already in flight", ErrBusy, g.perHost, host)
	}
	res, err := g.next.RoundTrip(r)
	if err != nil {
		g.release(host)
		return nil, err
	}
	if res.Body == http.NoBody { // nothing more to wait for (and Do knows it)
		g.release(host)
		return res, nil
	}
	res.Body = &releasingBody{ReadCloser: res.Body, release: func() { g.release(host) }}
	return res, nil
}

func (g *guard) acquire(host string) bool {
	if g.perHost <= 0 {
		return true
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inFlight[host] >= g.perHost {
		return false
	}
	g.inFlight[host]++
	return true
}

func (g *guard) release(host string) {
	if g.perHost <= 0 {
		return
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.inFlight[host]--; g.inFlight[host] <= 0 {
		delete(g.inFlight, host)
	}
}

// releasingBody gives its host's slot back on the first Close.
type releasingBody struct {
	io.ReadCloser
	once    sync.Once
	release func()
}

func (b *releasingBody) Close() error {
	err := b.ReadCloser.Close()
	b.once.Do(b.release)
	return err
}
