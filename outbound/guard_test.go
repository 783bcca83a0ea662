package outbound

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
)

func TestAllowList(t *testing.T) {
	t.Parallel()
	a, err := parseAllow([]string{"api.example.com", "*.internal.test", "10.0.0.0/8", "192.168.1.5", "pay.example.com:8443"})
	if err != nil {
		t.Fatal(err)
	}
	for host, want := range map[string]bool{
		"api.example.com":      true,
		"API.example.com:443":  true,
		"evil.com":             false,
		"a.internal.test":      true,
		"internal.test":        false,
		"x.internal.test.evil": false,
		"10.2.3.4:80":          true,
		"11.0.0.1":             false,
		"192.168.1.5:9000":     true,
		"192.168.1.6":          false,
		"pay.example.com:8443": true,
		"pay.example.com":      false,
		"[::1]:80":             false,
		"127.0.0.1":            false,
	} {
		if got := a.allows(host); got != want {
			t.Errorf("allows(%q) = %v, want %v", host, got, want)
		}
	}
	for _, bad := range []string{"10.0.0.0/99", "http://x/y", "a*b"} {
		if _, err := parseAllow([]string{bad}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestNotAllowedHostsAndRedirects(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://169.254.169.254/latest/meta-data", http.StatusFound)
	}))
	defer srv.Close()
	c := newClient(t, Config{Allow: []string{"127.0.0.1"}})
	_, err := c.Do(context.Background(), &Request{URL: srv.URL})
	if !errors.Is(err, ErrNotAllowed) || !strings.Contains(err.Error(), "169.254.169.254") {
		t.Errorf("redirect to a host not allowed: err %v", err)
	}
	_, err = c.Do(context.Background(), &Request{URL: "http://localhost:1/"})
	if !errors.Is(err, ErrNotAllowed) {
		t.Errorf("err %v, want ErrNotAllowed", err)
	}
	_, err = c.Do(context.Background(), &Request{URL: "file:///etc/passwd"})
	if !errors.Is(err, ErrNotAllowed) {
		t.Errorf("file URL: err %v, want ErrNotAllowed", err)
	}
}

func TestPerHostLimitFailsFast(t *testing.T) {
	t.Parallel()
	entered := make(chan struct{})
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		entered <- struct{}{}
		<-release
	}))
	defer srv.Close()
	c := newClient(t, Config{PerHost: 2})
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range 2 {
		wg.Go(func() { _, errs[i] = c.Do(context.Background(), &Request{URL: srv.URL}) })
	}
	<-entered
	<-entered
	_, err := c.Do(context.Background(), &Request{URL: srv.URL})
	if !errors.Is(err, ErrBusy) || !strings.Contains(err.Error(), "2 calls to 127.0.0.1") {
		t.Errorf("third call: err %v, want ErrBusy", err)
	}
	close(release)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("call %d: %v", i, err)
		}
	}
	// The slots came back.
	go func() { <-entered }()
	if _, err := c.Do(context.Background(), &Request{URL: srv.URL}); err != nil {
		t.Errorf("after: %v", err)
	}
}
