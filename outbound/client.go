package outbound

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Defaults, for the zero fields of Config and Request.
const (
	DefaultTimeout        = 10 * time.Second
	DefaultConnectTimeout = 5 * time.Second
	DefaultMaxBody        = 4 << 20
	DefaultPerHost        = 64
	DefaultMaxRedirects   = 5
)

// Errors a call can fail with, besides the network's own; test with
// errors.Is.
var (
	ErrNotAllowed       = errors.New("not allowed")
	ErrBusy             = errors.New("too many calls to this host at once")
	ErrBodyTooLarge     = errors.New("response body larger than max_body")
	ErrTooManyRedirects = errors.New("too many redirects")
	ErrTimeout          = errors.New("timeout")
)

// Config says how the Client connects. The zero Config is usable: every
// host allowed, the defaults above.
type Config struct {
	// Allow lists the hosts calls may reach: "api.example.com" (any port),
	// "host:port", "*.example.com" (subdomains), "10.1.2.3", "10.0.0.0/8"
	// (URLs whose host is a literal address inside). Empty: every host.
	Allow []string
	// CAFile is a PEM file of extra certificate authorities to trust
	// besides the system's (a private CA, or a self-signed server's own
	// certificate). Certificates that do not chain to one are refused.
	CAFile string
	// Timeout is a call's total time unless it asks for another; zero
	// means DefaultTimeout. A call never outlives its context either.
	Timeout time.Duration
	// ConnectTimeout bounds opening one connection (TCP and TLS
	// handshakes); zero means DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// MaxBody is a response body's size limit unless a call sets its own;
	// zero means DefaultMaxBody.
	MaxBody int64
	// PerHost is how many calls to one host may be in flight at once;
	// past it a call fails at once with ErrBusy. Zero means
	// DefaultPerHost; negative, no limit.
	PerHost int
	// MaxRedirects is how many redirects a call follows; zero means
	// DefaultMaxRedirects; negative, none.
	MaxRedirects int
	// Transport, when set, answers instead of the network (luaserve
	// test's mocks); the allow-list and per-host limit still apply.
	Transport http.RoundTripper
}

// Client sends calls; it is safe for concurrent use. Make one per process.
type Client struct {
	cfg        Config
	transport  *http.Transport // nil when Config.Transport answers
	http       *http.Client    // follows cfg.MaxRedirects redirects
	noRedirect *http.Client    // returns the first response
	timeoutErr error           // the cause of a call ended by cfg.Timeout
}

// New makes a Client, reading the CA file if one is named.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.PerHost == 0 {
		cfg.PerHost = DefaultPerHost
	}
	if cfg.MaxRedirects == 0 {
		cfg.MaxRedirects = DefaultMaxRedirects
	}
	allow, err := parseAllow(cfg.Allow)
	if err != nil {
		return nil, err
	}
	c := &Client{cfg: cfg}
	next := cfg.Transport
	if next == nil {
		if c.transport, err = newTransport(cfg); err != nil {
			return nil, err
		}
		next = c.transport
	}
	g := &guard{next: next, allow: allow, perHost: cfg.PerHost, inFlight: map[string]int{}}
	c.http = &http.Client{Transport: g, CheckRedirect: func(r *http.Request, via []*http.Request) error {
		return checkRedirect(r, via, cfg.MaxRedirects)
	}}
	c.noRedirect = &http.Client{Transport: g, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	c.timeoutErr = timeoutError(cfg.Timeout)
	return c, nil
}

// newTransport is the one transport: pooled keep-alive connections per
// host, HTTP/2 when offered (ForceAttemptHTTP2, since the TLS config is
// ours), proxies from the environment.
func newTransport(cfg Config) (*http.Transport, error) {
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", cfg.CAFile)
		}
	}
	idle := cfg.PerHost
	if idle <= 0 {
		idle = DefaultPerHost
	}
	dialer := &net.Dialer{Timeout: cfg.ConnectTimeout, KeepAlive: 30 * time.Second}
	return &http.Transport{
		Proxy:                  http.ProxyFromEnvironment,
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSClientConfig:        &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12},
		TLSHandshakeTimeout:    cfg.ConnectTimeout,
		MaxIdleConns:           1024,
		MaxIdleConnsPerHost:    idle,
		IdleConnTimeout:        90 * time.Second,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 1 << 20,
	}, nil
}

// checkRedirect follows up to limit redirects (none when negative) and drops credentials when a redirect leaves the first host:
// net/http keeps Authorization for a subdomain, or another port of the
// same host; a call's credentials are for the host it named.
func checkRedirect(r *http.Request, via []*http.Request, limit int) error {
	if limit < 0 {
		return http.ErrUseLastResponse
	}
	if len(via) > limit {
		return fmt.Errorf("%w (more than %d)", ErrTooManyRedirects, limit)
	}
	if origin(r.URL) != origin(via[0].URL) {
		for _, h := range []string{"Authorization", "Proxy-Authorization", "Cookie"} {
			r.Header.Del(h)
		}
	}
	return nil
}

// timeoutError is the cause of a call's context ended by its timeout.
func timeoutError(d time.Duration) error { return fmt.Errorf("%w after %v", ErrTimeout, d) }

// CloseIdleConnections closes the pool's idle connections.
func (c *Client) CloseIdleConnections() {
	if c.transport != nil {
		c.transport.CloseIdleConnections()
	}
}

// origin is scheme://host:port, the port made explicit: credentials stay
// with it (a move from https to http of the same host drops them too).
func origin(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return u.Scheme + "://" + net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}
