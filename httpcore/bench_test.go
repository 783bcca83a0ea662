package httpcore

import (
	"bufio"
	"net/http"
	"strings"
	"testing"
)

// BenchmarkServeKeepAlive: one request per iteration on a loopback
// keep-alive connection: parse a browser GET, call a hello handler, write.
// Client and server run on the same machine; compare ratios, not absolutes.
func BenchmarkServeKeepAlive(b *testing.B) {
	addr := startServer(b, &Server{Handler: hello})
	rt := newRoundTripper(b, addr, browserGET, 1)
	b.ReportAllocs()
	b.SetBytes(int64(len(browserGET)))
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkServeKeepAliveIDs is BenchmarkServeKeepAlive with request ids
// generated and sent, and a list of trusted proxies the client is not in.
func BenchmarkServeKeepAliveIDs(b *testing.B) {
	idCounter.Store(1 << 40) // ids of one length for the run: the client reads fixed-size responses
	addr := startServer(b, &Server{Handler: hello, RequestIDs: true, SendRequestID: true,
		TrustedProxies: prefixes("10.0.0.0/8")})
	rt := newRoundTripper(b, addr, browserGET, 1)
	b.ReportAllocs()
	b.SetBytes(int64(len(browserGET)))
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkServePipelined16IDs is BenchmarkServePipelined16 with request ids.
func BenchmarkServePipelined16IDs(b *testing.B) {
	idCounter.Store(1 << 40)
	addr := startServer(b, &Server{Handler: hello, RequestIDs: true, SendRequestID: true})
	rt := newRoundTripper(b, addr, browserGET, 16)
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkServePipelined16: sixteen pipelined requests per iteration.
func BenchmarkServePipelined16(b *testing.B) {
	addr := startServer(b, &Server{Handler: hello})
	rt := newRoundTripper(b, addr, browserGET, 16)
	b.ReportAllocs()
	for b.Loop() {
		rt.do(b)
	}
}

// BenchmarkParseHead parses the head of a browser GET.
func BenchmarkParseHead(b *testing.B) {
	raw := []byte(browserGET)
	var req Request
	lim := &limits{maxLine: DefaultMaxRequestLineBytes, maxHeader: DefaultMaxHeaderBytes, maxFields: DefaultMaxHeaderFields}
	b.ReportAllocs()
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		req.reset()
		if err := parseHead(&req, raw, lim); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkNetHTTPReadRequest parses the same bytes with net/http, for
// comparison.
func BenchmarkNetHTTPReadRequest(b *testing.B) {
	sr := strings.NewReader(browserGET)
	br := bufio.NewReader(sr)
	b.ReportAllocs()
	b.SetBytes(int64(len(browserGET)))
	for b.Loop() {
		sr.Reset(browserGET)
		br.Reset(sr)
		if _, err := http.ReadRequest(br); err != nil {
			b.Fatal(err)
		}
	}
}
