package httpcore

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"
)

// typed answers with a body of the size and type the query asks:
// "?n=2000&ct=application/json&h=Cache-Control:no-transform".
var typed = HandlerFunc(func(w *ResponseWriter, r *Request) {
	q := string(r.Query)
	var n int
	var ct string
	for _, kv := range strings.Split(q, "&") {
		k, v, _ := strings.Cut(kv, "=")
		switch k {
		case "n":
			fmt.Sscan(v, &n)
		case "ct":
			ct = v
		case "h":
			name, value, _ := strings.Cut(v, ":")
			w.Header().Set(name, value)
		}
	}
	if ct != "" {
		w.Header().Set("Content-Type", ct)
	}
	w.Header().Set("ETag", `"v1"`)
	body := strings.Repeat(`{"name":"Ada Lovelace","id":42},`, n/32+1)[:n]
	w.SetContentLength(int64(n))
	w.WriteString(body)
})

func TestCompressRouteResponses(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: typed, CompressMin: 1024})
	cases := []struct {
		name, query, accept string
		gzipped, vary       bool
	}{
		{"json", "n=26000&ct=application/json", "gzip, deflate, br", true, true},
		{"text q", "n=2000&ct=text/plain;%20charset=utf-8", "br;q=1.0, gzip;q=0.5", true, true},
		{"problem+json", "n=2000&ct=application/problem+json", "*", true, true},
		{"q=0", "n=2000&ct=application/json", "gzip;q=0, br", false, true},
		{"star but gzip q=0", "n=2000&ct=application/json", "gzip;q=0, *", false, true},
		{"no accept", "n=2000&ct=application/json", "", false, true},
		{"tiny", "n=100&ct=application/json", "gzip", false, false},
		{"image", "n=2000&ct=image/png", "gzip", false, false},
		{"no type", "n=2000", "gzip", false, false},
		{"already encoded", "n=2000&ct=text/plain&h=Content-Encoding:br", "gzip", false, false},
		{"no-transform", "n=2000&ct=text/plain&h=Cache-Control:no-transform", "gzip", false, false},
	}
	for _, tc := range cases {
		c, br := dial(t, addr)
		ae := ""
		if tc.accept != "" {
			ae = "Accept-Encoding: " + tc.accept + "\r\n"
		}
		fmt.Fprintf(c, "GET /?%s HTTP/1.1\r\nHost: x\r\n%s\r\n", tc.query, ae)
		res, body := readResponse(t, br, "GET")
		gz := res.Header.Get("Content-Encoding") == "gzip"
		vary := res.Header.Get("Vary") == "Accept-Encoding"
		if gz != tc.gzipped || vary != tc.vary {
			t.Errorf("%s: gzip %v vary %v, want %v %v", tc.name, gz, vary, tc.gzipped, tc.vary)
			continue
		}
		if gz {
			zr, err := gzip.NewReader(strings.NewReader(body))
			if err != nil {
				t.Fatalf("%s: %v", tc.name, err)
			}
			plain, _ := io.ReadAll(zr)
			if !bytes.HasPrefix(plain, []byte(`{"name":"Ada`)) || res.ContentLength != int64(len(body)) ||
				res.Header.Get("ETag") != `W/"v1"` {
				t.Errorf("%s: %d bytes unzipped, Content-Length %d of %d, ETag %q", tc.name, len(plain), res.ContentLength,
					len(body), res.Header.Get("ETag"))
			}
			if tc.name == "json" {
				t.Logf("26000 bytes of JSON sent as %d", len(body))
			}
		}
	}
}

func TestCompressOffByDefault(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: typed})
	c, br := dial(t, addr)
	io.WriteString(c, "GET /?n=5000&ct=application/json HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n")
	if res, body := readResponse(t, br, "GET"); res.Header.Get("Content-Encoding") != "" || len(body) != 5000 {
		t.Errorf("without CompressMin: %q, %d bytes", res.Header.Get("Content-Encoding"), len(body))
	}
}

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{"gzip": true, "GZIP;Q=0.001": true, "x-gzip": true, "gzip;q=0.000": false,
		"identity": false, "*;q=0": false, "*;q=0.1": true, "deflate, gzip ;q=0": false, "gzip;q=nonsense": false} {
		var h Header
		h.Add("Accept-Encoding", v)
		if got := acceptsGzip(&h); got != want {
			t.Errorf("%q: %v, want %v", v, got, want)
		}
	}
}

func BenchmarkCompressJSON26K(b *testing.B) {
	body := []byte(strings.Repeat(`{"name":"Ada Lovelace","id":42},`, 26000/32))
	b.SetBytes(int64(len(body)))
	out := new(bytes.Buffer)
	for b.Loop() {
		out.Reset()
		zw := gzipPool.Get().(*gzip.Writer)
		zw.Reset(out)
		zw.Write(body)
		zw.Close()
		gzipPool.Put(zw)
	}
}
