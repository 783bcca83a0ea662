package outbound

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// Request is one call.
type Request struct {
	Method string // "" means GET
	URL    string // absolute http or https URL
	Header http.Header
	Body   []byte
	// Timeout bounds the whole call; zero means the Client's. The call
	// ends sooner if its context does.
	Timeout time.Duration
	// MaxBody bounds the response body; zero means the Client's.
	MaxBody int64
	// MaxRedirects: zero means the Client's; negative, return redirects
	// as responses.
	MaxRedirects int
	// Charge, when set, is told of response body bytes before they are
	// kept; an error from it ends the call with that error.
	Charge func(n int) error
}

// Response is a call's answer, read whole.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
	URL    string // the final URL, after redirects
}

// Do sends r and reads the whole response. Any status is a response; an
// error is a failure to get one: a refused or unreachable host, a
// timeout, a refused certificate, a host not allowed, a busy host, a
// body over the limit. Its text starts with the method and URL.
func (c *Client) Do(ctx context.Context, r *Request) (*Response, error) {
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	timeout, timeoutErr := c.cfg.Timeout, c.timeoutErr
	if r.Timeout > 0 && r.Timeout != timeout {
		timeout, timeoutErr = r.Timeout, timeoutError(r.Timeout)
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, timeoutErr)
	defer cancel()
	res, err := c.do(ctx, method, r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, redact(r.URL), cause(ctx, err))
	}
	return res, nil
}

func (c *Client) do(ctx context.Context, method string, r *Request) (*Response, error) {
	var body io.Reader
	if r.Body != nil {
		body = bytes.NewReader(r.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, r.URL, body)
	if err != nil {
		return nil, err
	}
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, fmt.Errorf("%w: scheme %q (http or https only)", ErrNotAllowed, req.URL.Scheme)
	}
	if req.URL.Host == "" {
		return nil, errors.New("URL has no host")
	}
	for k, vs := range r.Header {
		req.Header[k] = vs
	}
	// net/http sends req.Host, not a Host field (a virtual host behind an
	// address); the allow-list still sees the URL's host.
	if h := req.Header.Get("Host"); h != "" {
		req.Host = h
		req.Header.Del("Host")
	}
	hc := c.http
	switch {
	case r.MaxRedirects < 0:
		hc = c.noRedirect
	case r.MaxRedirects > 0:
		limit := r.MaxRedirects
		hc = &http.Client{Transport: c.http.Transport, CheckRedirect: func(r *http.Request, via []*http.Request) error {
			return checkRedirect(r, via, limit)
		}}
	}
	res, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	maxBody := r.MaxBody
	if maxBody <= 0 {
		maxBody = c.cfg.MaxBody
	}
	var b []byte
	if res.Body != http.NoBody { // a HEAD's Content-Length announces a body not sent
		if b, err = readBody(res.Body, res.ContentLength, maxBody, r.Charge); err != nil {
			return nil, err
		}
	}
	final := r.URL
	if res.Request != req {
		final = res.Request.URL.String() // redirected
	}
	return &Response{Status: res.StatusCode, Header: res.Header, Body: b, URL: final}, nil
}

// readBody reads at most limit bytes, charging what it keeps as it grows;
// a longer body (by its Content-Length, or as read) is ErrBodyTooLarge.
// Gzip was undone by the transport, so limit bounds the decoded size.
func readBody(r io.Reader, length, limit int64, charge func(int) error) ([]byte, error) {
	if length > limit {
		return nil, fmt.Errorf("%w (%d bytes, limit %d)", ErrBodyTooLarge, length, limit)
	}
	size := 512
	if length > 0 {
		size = int(length) + 1 // +1: see the end without growing
	}
	var b []byte
	charged := 0
	for {
		if len(b) == cap(b) {
			n := max(size, 2*cap(b))
			if int64(n) > limit+1 {
				n = int(limit + 1)
			}
			if charge != nil {
				if err := charge(n - charged); err != nil {
					return nil, err
				}
				charged = n
			}
			b = append(make([]byte, 0, n), b...)
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if int64(len(b)) > limit {
			return nil, fmt.Errorf("%w (limit %d)", ErrBodyTooLarge, limit)
		}
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// cause makes a failure readable: the url.Error's own wrapping (method
// and quoted URL) goes, and a context that ended says why (the call's
// timeout, or the request's cause).
func cause(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		if c := context.Cause(ctx); c != nil {
			return c
		}
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return ue.Err
	}
	return err
}

// redact drops a URL's password and query (API keys travel there) from
// error messages.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(bad URL)"
	}
	u.RawQuery, u.Fragment, u.ForceQuery = "", "", false
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	return u.String()
}
