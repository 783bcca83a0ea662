package outbound

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDo: one call over a kept-alive loopback connection, the
// upstream (net/http) included.
func BenchmarkDo(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"message":"hello from upstream","id":42}`)
	}))
	defer srv.Close()
	c, err := New(Config{})
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Do(context.Background(), &Request{URL: srv.URL}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetHTTP: the same call through a bare http.Client, for
// comparison.
func BenchmarkNetHTTP(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"message":"hello from upstream","id":42}`)
	}))
	defer srv.Close()
	c := &http.Client{Transport: &http.Transport{}}
	b.ReportAllocs()
	for b.Loop() {
		res, err := c.Get(srv.URL)
		if err != nil {
			b.Fatal(err)
		}
		io.ReadAll(res.Body)
		res.Body.Close()
	}
}
