package fileserver

import (
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// benchConn sends one request per iteration on a keep-alive loopback
// connection to a server on d and reads a response of the first one's size.
func benchConn(b *testing.B, d *Dir, req string) {
	addr := serveDir(b, d)
	c, err := net.Dial("tcp", addr)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	io.WriteString(c, req)
	buf := make([]byte, 2<<20)
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, err := c.Read(buf)
	if err != nil {
		b.Fatal(err)
	}
	head := string(buf[:n])
	want := n
	if i := strings.Index(head, "Content-Length: "); i >= 0 {
		var cl int
		for _, ch := range head[i+16:] {
			if ch < '0' || ch > '9' {
				break
			}
			cl = cl*10 + int(ch-'0')
		}
		want = strings.Index(head, "\r\n\r\n") + 4 + cl
	}
	if _, err := io.ReadFull(c, buf[n:want]); err != nil {
		b.Fatal(err)
	}
	c.SetReadDeadline(time.Time{})
	resp := buf[:want]
	r := []byte(req)
	b.SetBytes(int64(len(resp)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Write(r); err != nil {
			b.Fatal(err)
		}
		if _, err := io.ReadFull(c, resp); err != nil {
			b.Fatal(err)
		}
	}
}

func benchDir(b *testing.B, opts Options, files map[string]int) *Dir {
	dir := b.TempDir()
	for name, size := range files {
		os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755)
		if err := os.WriteFile(filepath.Join(dir, name), []byte(strings.Repeat("luaserve ", size/9+1)[:size]), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	d, err := NewDir(dir, opts)
	if err != nil {
		b.Fatal(err)
	}
	return d
}

// BenchmarkServe4K: a cached 4 KiB file, the mount path (a stat and a write).
func BenchmarkServe4K(b *testing.B) {
	d := benchDir(b, Options{Compress: true, Index: "index.html"}, map[string]int{"4k.txt": 4096})
	benchConn(b, d, "GET /static/4k.txt HTTP/1.1\r\nHost: b\r\n\r\n")
}

// BenchmarkServe4KGzip: the same with Accept-Encoding: gzip (compressed once).
func BenchmarkServe4KGzip(b *testing.B) {
	d := benchDir(b, Options{Compress: true}, map[string]int{"4k.txt": 4096})
	benchConn(b, d, "GET /static/4k.txt HTTP/1.1\r\nHost: b\r\nAccept-Encoding: gzip, deflate, br\r\n\r\n")
}

// BenchmarkServe4KNoCache: the 4 KiB file opened and sent per request.
func BenchmarkServe4KNoCache(b *testing.B) {
	d := benchDir(b, Options{CacheMax: -1}, map[string]int{"4k.txt": 4096})
	benchConn(b, d, "GET /static/4k.txt HTTP/1.1\r\nHost: b\r\n\r\n")
}

// BenchmarkServe1M: a 1 MiB file through sendfile.
func BenchmarkServe1M(b *testing.B) {
	d := benchDir(b, Options{Compress: true}, map[string]int{"1m.txt": 1 << 20})
	benchConn(b, d, "GET /static/1m.txt HTTP/1.1\r\nHost: b\r\n\r\n")
}

// BenchmarkServe304: a revalidation that ends in 304.
func BenchmarkServe304(b *testing.B) {
	d := benchDir(b, Options{Compress: true}, map[string]int{"4k.txt": 4096})
	e, _, err := d.open([]byte("4k.txt"))
	if err != nil {
		b.Fatal(err)
	}
	benchConn(b, d, "GET /static/4k.txt HTTP/1.1\r\nHost: b\r\nIf-None-Match: "+e.etag+"\r\n\r\n")
}
