package fileserver

import (
	"bufio"
	"compress/gzip"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

func TestCheckName(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		dotfiles bool
		dir, ok  bool
	}{
		{"", false, true, true},
		{"a.txt", false, false, true},
		{"a/b.txt", false, false, true},
		{"a/", false, true, true},
		{"a/b/", false, true, true},
		{"/etc/passwd", false, false, false},
		{"/", false, false, false},
		{"a//b", false, false, false},
		{"a//", false, false, false},
		{"..", false, false, false},
		{"../x", false, false, false},
		{"a/../x", false, false, false},
		{"a/..", false, false, false},
		{".", false, false, false},
		{"./a", false, false, false},
		{"a/./b", false, false, false},
		{"..", true, false, false},
		{".env", false, false, false},
		{".env", true, false, true},
		{".git/config", false, false, false},
		{"a/.git/", false, false, false},
		{".well-known/acme", false, false, true},
		{"...", false, false, false},
		{"...", true, false, true},
		{"a\\b", false, false, false},
		{"..\\x", true, false, false},
		{"a\x00b", false, false, false},
		{"a\nb", false, false, false},
		{"a\x7fb", false, false, false},
		{strings.Repeat("x", 256), false, false, false},
		{strings.Repeat("x", 255), false, false, true},
		{"héllo wörld.txt", false, false, true},
	}
	for _, c := range cases {
		dir, ok := checkName(c.name, c.dotfiles)
		if dir != c.dir || ok != c.ok {
			t.Errorf("checkName(%q, %v) = %v, %v; want %v, %v", c.name, c.dotfiles, dir, ok, c.dir, c.ok)
		}
		bdir, bok := checkName([]byte(c.name), c.dotfiles)
		if bdir != dir || bok != ok {
			t.Errorf("checkName([]byte(%q)) differs from the string form", c.name)
		}
	}
}

func TestEncodedSeparator(t *testing.T) {
	t.Parallel()
	for raw, want := range map[string]bool{
		"/a/b": false, "/a%2Fb": true, "/a%2fb": true, "/a%5Cb": true, "/a%5c": true,
		"/a%20b": false, "/%2": false, "/a%25%32%66": false,
	} {
		if got := hasEncodedSeparator([]byte(raw)); got != want {
			t.Errorf("hasEncodedSeparator(%q) = %v", raw, got)
		}
	}
}

func TestParseRange(t *testing.T) {
	t.Parallel()
	const size = 100
	cases := []struct {
		v    string
		want []byteRange
		res  rangeResult
	}{
		{"bytes=0-9", []byteRange{{0, 10}}, rangeOK},
		{"bytes=90-", []byteRange{{90, 10}}, rangeOK},
		{"bytes=-10", []byteRange{{90, 10}}, rangeOK},
		{"bytes=-500", []byteRange{{0, 100}}, rangeOK},
		{"bytes=95-200", []byteRange{{95, 5}}, rangeOK},
		{"Bytes=0-0", []byteRange{{0, 1}}, rangeOK},
		{"bytes=0-0, 99-99", []byteRange{{0, 1}, {99, 1}}, rangeOK},
		{"bytes=0-1,,5-6", []byteRange{{0, 2}, {5, 2}}, rangeOK},
		{"bytes=0-1,200-300", []byteRange{{0, 2}}, rangeOK},
		{"bytes=100-", nil, rangeUnsatisfiable},
		{"bytes=200-300", nil, rangeUnsatisfiable},
		{"bytes=-0", nil, rangeUnsatisfiable},
		{"bytes=5-1", nil, rangeUnsatisfiable},
		{"bytes=a-b", nil, rangeUnsatisfiable},
		{"bytes=", nil, rangeUnsatisfiable},
		{"items=0-1", nil, rangeIgnore},
		{"bytes=1", nil, rangeUnsatisfiable},
		{"bytes=0-99,0-99", nil, rangeIgnore}, // more than the file: ignored
		{"bytes=" + strings.Repeat("0-0,", 40), nil, rangeIgnore},
	}
	for _, c := range cases {
		got, res := parseRange([]byte(c.v), size, nil)
		if res != c.res || len(got) != len(c.want) {
			t.Errorf("parseRange(%q) = %v, %v; want %v, %v", c.v, got, res, c.want, c.res)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("parseRange(%q) = %v; want %v", c.v, got, c.want)
			}
		}
	}
	if _, res := parseRange([]byte("bytes=-5"), 0, nil); res != rangeUnsatisfiable {
		t.Errorf("suffix of an empty file: %v", res)
	}
}

func TestAcceptedCodings(t *testing.T) {
	t.Parallel()
	cases := []struct {
		v            string
		best, second int
	}{
		{"", 0, 0},
		{"gzip", codingGzip, 0},
		{"gzip, deflate, br", codingBrotli, codingGzip},
		{"br;q=0.5, gzip", codingGzip, codingBrotli},
		{"br;q=0, gzip;q=0", 0, 0},
		{"GZIP;Q=1.0", codingGzip, 0},
		{"*", codingBrotli, codingGzip},
		{"*;q=0", 0, 0},
		{"identity", 0, 0},
		{"x-gzip", codingGzip, 0},
		{"gzip;q=0.001", codingGzip, 0},
		{"deflate", 0, 0},
	}
	for _, c := range cases {
		b, s := acceptedCodings([]byte(c.v))
		if b != c.best || s != c.second {
			t.Errorf("acceptedCodings(%q) = %d, %d; want %d, %d", c.v, b, s, c.best, c.second)
		}
	}
}

func TestETagLists(t *testing.T) {
	t.Parallel()
	const tag = `"abc-1"`
	cases := []struct {
		list         string
		strong, weak bool
	}{
		{`"abc-1"`, true, true},
		{`W/"abc-1"`, false, true},
		{`"x", "abc-1"`, true, true},
		{`"x",W/"abc-1"`, false, true},
		{`*`, true, true},
		{`"abc-2"`, false, false},
		{`abc-1`, false, false},
		{`"abc-1`, false, false},
		{``, false, false},
	}
	for _, c := range cases {
		if got := etagListMatches([]byte(c.list), tag, true); got != c.strong {
			t.Errorf("strong %q = %v", c.list, got)
		}
		if got := etagListMatches([]byte(c.list), tag, false); got != c.weak {
			t.Errorf("weak %q = %v", c.list, got)
		}
	}
	if etagListMatches([]byte(`"abc-1"`), `W/"abc-1"`, true) {
		t.Error("a weak ETag matched strongly")
	}
	if !etagListMatches([]byte(`"abc-1"`), `W/"abc-1"`, false) {
		t.Error("a weak ETag did not match weakly")
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"a.html": "text/html; charset=utf-8", "A.CSS": "text/css; charset=utf-8",
		"x.js": "text/javascript; charset=utf-8", "p.PNG": "image/png", "d.json": "application/json",
		"noext": DefaultType, "dir.d/noext": DefaultType, "x.unknownext": DefaultType,
	} {
		if got := ContentType(name, ""); got != want {
			t.Errorf("ContentType(%q) = %q, want %q", name, got, want)
		}
	}
	if got := ContentType("x.weird", "text/plain"); got != "text/plain" {
		t.Errorf("fallback: %q", got)
	}
}

func TestContentDisposition(t *testing.T) {
	t.Parallel()
	for name, want := range map[string]string{
		"report.pdf":      `attachment; filename="report.pdf"`,
		"résumé 1.pdf":    `attachment; filename="r_sum_ 1.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%201.pdf`,
		`a"b.txt`:         `attachment; filename="a_b.txt"; filename*=UTF-8''a%22b.txt`,
		"../etc/passwd":   `attachment; filename=".._etc_passwd"; filename*=UTF-8''.._etc_passwd`,
		"x\r\nSet-Cookie": `attachment; filename="x__Set-Cookie"; filename*=UTF-8''xSet-Cookie`,
	} {
		if got := ContentDisposition(name); got != want {
			t.Errorf("ContentDisposition(%q) =\n %s\nwant\n %s", name, got, want)
		}
	}
}

// serveDir runs an httpcore server on loopback whose handler serves d under
// /static/ (mount style) and /file/ (file-response style).
func serveDir(t testing.TB, d *Dir) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &httpcore.Server{Name: "test", ErrorLog: slog.New(slog.DiscardHandler),
		Handler: httpcore.HandlerFunc(func(w *httpcore.ResponseWriter, r *httpcore.Request) {
			var err error
			switch p := string(r.Path); {
			case strings.HasPrefix(p, "/static/"):
				err = d.ServeMount(w, r, r.Path[len("/static/"):])
			case strings.HasPrefix(p, "/file/"):
				err = d.ServeFile(w, r, p[len("/file/"):], &FileOptions{Download: string(r.Header.Get("X-Download"))})
			default:
				err = ErrNotFound
			}
			switch {
			case errors.Is(err, ErrNotFound):
				w.WriteHeader(404)
				w.WriteString("nf\n")
			case errors.Is(err, ErrForbidden):
				w.WriteHeader(403)
				w.WriteString("forbidden\n")
			case err != nil:
				panic(httpcore.ErrAbortHandler)
			}
		})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

// deniedFS is a tree where one file cannot be read, as a file the server's
// user may not open (tests run as root, for whom chmod 000 changes nothing).
type deniedFS struct{ fstest.MapFS }

func (f deniedFS) Open(name string) (fs.File, error) {
	if name == "secret.txt" {
		return nil, &fs.PathError{Op: "open", Path: "/srv/private/secret.txt", Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func TestFSServe(t *testing.T) {
	t.Parallel()
	fsys := deniedFS{fstest.MapFS{
		"hello.txt":      {Data: []byte("hello, world\n")},
		"big.txt":        {Data: []byte(strings.Repeat("abcdefgh", 20000))},
		"sub/index.html": {Data: []byte("<p>sub</p>")},
	}}
	addr := serveDir(t, NewFS(fsys, Options{Index: "index.html", Compress: true}))
	c := &http.Client{Transport: &http.Transport{DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	t.Cleanup(c.CloseIdleConnections)
	get := func(path string, hdr ...string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", "http://"+addr+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		res, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		return res, string(b)
	}
	res, body := get("/static/hello.txt")
	etag := res.Header.Get("ETag")
	if res.StatusCode != 200 || body != "hello, world\n" || etag == "" || res.Header.Get("Last-Modified") != "" {
		t.Fatalf("hello: %d %q %v", res.StatusCode, body, res.Header)
	}
	if res, _ := get("/static/hello.txt", "If-None-Match", etag); res.StatusCode != 304 {
		t.Errorf("If-None-Match on an embedded file: %d", res.StatusCode)
	}
	res, body = get("/static/big.txt", "Range", "bytes=8-15")
	if res.StatusCode != 206 || body != "abcdefgh" {
		t.Errorf("range: %d %q", res.StatusCode, body)
	}
	res, body = get("/static/big.txt", "Accept-Encoding", "gzip")
	if res.Header.Get("Content-Encoding") != "gzip" || len(body) >= 160000 {
		t.Errorf("gzip: %v, %d bytes", res.Header, len(body))
	}
	if res, body := get("/static/sub/"); body != "<p>sub</p>" {
		t.Errorf("index: %d %q", res.StatusCode, body)
	}
	if res, _ := get("/static/sub?x=1"); res.StatusCode != 301 || res.Header.Get("Location") != "/static/sub/?x=1" {
		t.Errorf("redirect: %d %v", res.StatusCode, res.Header)
	}
	res, body = get("/static/secret.txt")
	if res.StatusCode != 403 || strings.Contains(body, "/srv") {
		t.Errorf("denied: %d %q", res.StatusCode, body)
	}
	if res, _ := get("/file/secret.txt"); res.StatusCode != 403 {
		t.Errorf("denied file response: %d", res.StatusCode)
	}
	res, body = get("/file/hello.txt", "X-Download", "Grüße.txt")
	if res.StatusCode != 200 || body != "hello, world\n" ||
		res.Header.Get("Content-Disposition") != `attachment; filename="Gr__e.txt"; filename*=UTF-8''Gr%C3%BC%C3%9Fe.txt` {
		t.Errorf("download: %d %v", res.StatusCode, res.Header)
	}
}

// TestCacheFollowsChanges: a cached small file that changes on disk is
// served new (the watcher drops it within moments; a stat catches the rest):
// edits in place, renames over it, removal, a folder renamed away, a
// sibling appearing, a symbolic link's target changing.
func TestCacheFollowsChanges(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.txt", "one")
	write("sub/deep/b.txt", "bee")
	write("target.txt", "tgt1")
	os.Symlink("target.txt", filepath.Join(dir, "link.txt"))
	write("app.css", strings.Repeat("body{}", 300))
	d, err := NewDir(dir, Options{Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	addr := serveDir(t, d)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	get := func(path string, hdr string) (*http.Response, string) {
		io.WriteString(conn, "GET "+path+" HTTP/1.1\r\nHost: x\r\n"+hdr+"\r\n")
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	// eventually asks until the answer shows the change, for at most 5s:
	// the watcher applies events asynchronously.
	eventually := func(what, path, hdr string, ok func(*http.Response, string) bool) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for {
			res, body := get(path, hdr)
			if ok(res, body) {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("%s: still %d %q", what, res.StatusCode, body)
			}
		}
	}
	body := func(want string) func(*http.Response, string) bool {
		return func(_ *http.Response, b string) bool { return b == want }
	}
	for i := 0; i < 2; i++ { // load, then hit the cache
		get("/static/a.txt", "")
		get("/static/sub/deep/b.txt", "")
		get("/static/link.txt", "")
		get("/static/app.css", "Accept-Encoding: gzip\r\n")
	}
	for name, want := range map[string]bool{"a.txt": true, "sub/deep/b.txt": true, "app.css": true, "link.txt": false} {
		if e := d.cache.get([]byte(name)); e == nil || e.watched != want {
			t.Fatalf("%s: cached %v, watched want %v", name, e != nil, want)
		}
	}

	write("a.txt", "two")
	eventually("edit in place", "/static/a.txt", "", body("two"))

	q := filepath.Join(dir, "new.tmp")
	os.WriteFile(q, []byte("333"), 0o644)
	st, _ := os.Stat(filepath.Join(dir, "a.txt"))
	os.Chtimes(q, st.ModTime(), st.ModTime())
	os.Rename(q, filepath.Join(dir, "a.txt"))
	eventually("rename over", "/static/a.txt", "", body("333"))

	os.Remove(filepath.Join(dir, "a.txt"))
	eventually("removal", "/static/a.txt", "", func(r *http.Response, _ string) bool { return r.StatusCode == 404 })

	os.Rename(filepath.Join(dir, "sub"), filepath.Join(dir, "old-sub"))
	write("sub/deep/b.txt", "new bee")
	eventually("folder renamed away", "/static/sub/deep/b.txt", "", body("new bee"))

	write("target.txt", "tgt2")
	eventually("link target edited", "/static/link.txt", "", body("tgt2"))

	write("app.css.gz", gzipString(t, "sibling"))
	eventually("sibling added", "/static/app.css", "Accept-Encoding: gzip\r\n", func(_ *http.Response, b string) bool {
		return b == gzipString(t, "sibling")
	})
}

func gzipString(t *testing.T, s string) string {
	var b strings.Builder
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

// TestCacheWithoutWatcher: with the watcher off (as on other systems), a
// change is seen by the very next request: the stat per request.
func TestCacheWithoutWatcher(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	p := filepath.Join(dir, "a.txt")
	os.WriteFile(p, []byte("one"), 0o644)
	d, err := NewDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.noWatch = true
	addr := serveDir(t, d)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	get := func() string {
		io.WriteString(conn, "GET /static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		return string(b)
	}
	get()
	if b := get(); b != "one" {
		t.Fatalf("cached: %q", b)
	}
	os.WriteFile(p, []byte("two"), 0o644)
	os.Chtimes(p, time.Now(), time.Now().Add(time.Second))
	if b := get(); b != "two" {
		t.Fatalf("after a change: %q", b)
	}
}
