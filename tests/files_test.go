package tests

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// Secrets that must never come back from any request.
const (
	secretRoot    = "TOPSECRET-IN-ROOT"
	secretOutside = "TOPSECRET-OUTSIDE"
	secretDot     = "TOPSECRET-DOTFILE"
)

// fileMtime is the modification time of every fixture file, so that
// validators are predictable (and identical for nginx in nginx_test.go).
var fileMtime = time.Date(2024, 3, 1, 12, 0, 0, 0, time.UTC)

// bigText is a text file past the cache size: gzipped on the fly as a stream.
var bigText = strings.Repeat("All work and no play makes Jack a dull boy.\n", 3000)

// appJS is a text file above the compression threshold.
var appJS = strings.Repeat("console.log('luaserve');\n", 100)

// fileTree builds, in a temporary folder, the tree the file tests serve:
//
//	outside/secret.txt        beside the root, never reachable
//	root/routes.lua           testdata/files/routes.lua
//	root/secret.txt           in the root, outside the mounted site
//	root/reports/42.pdf       for file responses
//	root/site/...             the mount (see below)
//
// It returns the root.
func fileTree(t testing.TB) string {
	t.Helper()
	base := t.TempDir()
	root := filepath.Join(base, "root")
	site := filepath.Join(root, "site")
	script, err := os.ReadFile(filepath.Join("testdata", "files", "routes.lua"))
	if err != nil {
		t.Fatal(err)
	}
	gzCSS := gzipString(t, "body { color: red }\n")
	files := map[string]string{
		"outside/secret.txt":          secretOutside,
		"root/routes.lua":             string(script),
		"root/secret.txt":             secretRoot,
		"root/reports/42.pdf":         "%PDF-1.4 report 42\n",
		"root/site/index.html":        "<h1>home</h1>\n",
		"root/site/hello.txt":         "Hello, files!\n",
		"root/site/digits.txt":        "0123456789abcdefghijklmnopqrstuvwxyz",
		"root/site/style.css":         "body { color: red }\n",
		"root/site/style.css.gz":      gzCSS,
		"root/site/style.css.br":      "fake-brotli-bytes",
		"root/site/old.js":            "var old = 1;\n",
		"root/site/old.js.gz":         gzipString(t, "var stale = 1;\n"),
		"root/site/app.js":            appJS,
		"root/site/big.txt":           bigText,
		"root/site/logo.png":          "\x89PNG\r\n\x1a\n" + strings.Repeat("\x00", 3000),
		"root/site/data.json":         `{"ok":true}`,
		"root/site/noext":             "no extension",
		"root/site/thing.weird":       "weird type",
		"root/site/empty.txt":         "",
		"root/site/sub/index.html":    "<h1>sub</h1>\n",
		"root/site/docs/readme.txt":   "read me\n",
		"root/site/docs/guide.html":   "<p>guide</p>\n",
		"root/site/docs/.hidden":      secretDot,
		"root/site/my dir/a b.txt":    "spaces\n",
		"root/site/.env":              secretDot,
		"root/site/.git/config":       secretDot,
		"root/site/.well-known/x.txt": "well known\n",
	}
	for name, content := range files {
		p := filepath.Join(base, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		writeFile(t, p, content)
		if err := os.Chtimes(p, fileMtime, fileMtime); err != nil {
			t.Fatal(err)
		}
	}
	// old.js.gz is older than old.js: a stale sibling, to be ignored.
	older := fileMtime.Add(-time.Hour)
	os.Chtimes(filepath.Join(site, "old.js.gz"), older, older)
	for link, target := range map[string]string{
		"link-in.txt":  "hello.txt",                // inside: fine
		"link-out.txt": "../../outside/secret.txt", // leads outside
		"link-dir":     "../../outside",            // a folder outside
		"link-up":      "../secret.txt",            // in the root, outside the mount
		"link-abs":     filepath.Join(base, "outside", "secret.txt"),
		"link-loop":    "link-loop",
	} {
		if err := os.Symlink(target, filepath.Join(site, link)); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func gzipString(t testing.TB, s string) string {
	var b bytes.Buffer
	zw := gzip.NewWriter(&b)
	zw.Write([]byte(s))
	zw.Close()
	return b.String()
}

// startFiles serves fileTree's script.
func startFiles(t testing.TB) *server {
	t.Helper()
	root := fileTree(t)
	return startConfig(t, engine.Config{Script: filepath.Join(root, "routes.lua"), Workers: 2})
}

// reply is a parsed response read off a raw connection.
type reply struct {
	status int
	header http.Header
	body   string
	rest   int // bytes after the message (a HEAD body that should not be there)
}

// rawGet sends one request with the target and extra header lines exactly
// as given (no client library normalizing them) and reads the response.
func rawGet(t testing.TB, addr, method, target string, headers ...string) reply {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(10 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "%s %s HTTP/1.1\r\nHost: test\r\nConnection: close\r\n", method, target)
	for i := 0; i+1 < len(headers); i += 2 {
		fmt.Fprintf(&req, "%s: %s\r\n", headers[i], headers[i+1])
	}
	req.WriteString("\r\n")
	if _, err := io.WriteString(c, req.String()); err != nil {
		t.Fatal(err)
	}
	all, _ := io.ReadAll(c)
	br := bufio.NewReader(bytes.NewReader(all))
	res, err := http.ReadResponse(br, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("%s %s: %v\n%q", method, target, err, all)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	rest, _ := io.Copy(io.Discard, br)
	return reply{res.StatusCode, res.Header, string(body), int(rest)}
}

func TestFilesContentType(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	for path, want := range map[string]string{
		"/assets/index.html":  "text/html; charset=utf-8",
		"/assets/style.css":   "text/css; charset=utf-8",
		"/assets/app.js":      "text/javascript; charset=utf-8",
		"/assets/hello.txt":   "text/plain; charset=utf-8",
		"/assets/data.json":   "application/json",
		"/assets/logo.png":    "image/png",
		"/assets/noext":       "application/octet-stream",
		"/assets/thing.weird": "application/octet-stream",
		"/open/thing.weird":   "text/plain", // fallback_type
		"/report/42":          "application/pdf",
	} {
		r := rawGet(t, s.addr, "GET", path)
		if r.status != 200 || r.header.Get("Content-Type") != want {
			t.Errorf("%s: %d, Content-Type %q, want %q", path, r.status, r.header.Get("Content-Type"), want)
		}
	}
}

func TestFilesValidators(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	first := rawGet(t, s.addr, "GET", "/assets/hello.txt")
	etag, lastMod := first.header.Get("ETag"), first.header.Get("Last-Modified")
	if etag == "" || lastMod != fileMtime.Format(http.TimeFormat) || first.header.Get("Accept-Ranges") != "bytes" {
		t.Fatalf("validators: %v", first.header)
	}
	before := fileMtime.Add(-time.Hour).Format(http.TimeFormat)
	after := fileMtime.Add(time.Hour).Format(http.TimeFormat)
	cases := []struct {
		name    string
		headers []string
		status  int
	}{
		{"inm_match", []string{"If-None-Match", etag}, 304},
		{"inm_weak_form", []string{"If-None-Match", "W/" + etag}, 304},
		{"inm_list", []string{"If-None-Match", `"nope", ` + etag}, 304},
		{"inm_star", []string{"If-None-Match", "*"}, 304},
		{"inm_other", []string{"If-None-Match", `"nope"`}, 200},
		{"inm_beats_ims", []string{"If-None-Match", `"nope"`, "If-Modified-Since", lastMod}, 200},
		{"ims_equal", []string{"If-Modified-Since", lastMod}, 304},
		{"ims_later", []string{"If-Modified-Since", after}, 304},
		{"ims_earlier", []string{"If-Modified-Since", before}, 200},
		{"ims_garbage", []string{"If-Modified-Since", "yesterday"}, 200},
		{"im_match", []string{"If-Match", etag}, 200},
		{"im_star", []string{"If-Match", "*"}, 200},
		{"im_other", []string{"If-Match", `"nope"`}, 412},
		{"im_weak", []string{"If-Match", "W/" + etag}, 412},
		{"ius_later", []string{"If-Unmodified-Since", after}, 200},
		{"ius_earlier", []string{"If-Unmodified-Since", before}, 412},
		{"im_beats_ius", []string{"If-Match", etag, "If-Unmodified-Since", before}, 200},
	}
	for _, c := range cases {
		for _, method := range []string{"GET", "HEAD"} {
			r := rawGet(t, s.addr, method, "/assets/hello.txt", c.headers...)
			if r.status != c.status {
				t.Errorf("%s %s: %d, want %d", c.name, method, r.status, c.status)
				continue
			}
			switch c.status {
			case 304:
				if r.header.Get("ETag") != etag || r.body != "" || r.header.Get("Content-Length") != "" {
					t.Errorf("%s %s: 304 with %v %q", c.name, method, r.header, r.body)
				}
			case 200:
				if method == "GET" && r.body != "Hello, files!\n" {
					t.Errorf("%s: body %q", c.name, r.body)
				}
			}
		}
	}
	// The file responses of routes carry validators too.
	r := rawGet(t, s.addr, "GET", "/report/42")
	if r.header.Get("ETag") == "" || r.header.Get("Last-Modified") == "" {
		t.Errorf("file response validators: %v", r.header)
	}
	if r := rawGet(t, s.addr, "GET", "/report/42", "If-None-Match", r.header.Get("ETag")); r.status != 304 {
		t.Errorf("file response If-None-Match: %d", r.status)
	}
}

func TestFilesRanges(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	etag := rawGet(t, s.addr, "HEAD", "/assets/digits.txt").header.Get("ETag")
	single := []struct {
		name, rng string
		extra     []string
		status    int
		body      string
		cr        string
	}{
		{"first", "bytes=0-9", nil, 206, "0123456789", "bytes 0-9/36"},
		{"middle", "bytes=10-12", nil, 206, "abc", "bytes 10-12/36"},
		{"open", "bytes=30-", nil, 206, "uvwxyz", "bytes 30-35/36"},
		{"suffix", "bytes=-3", nil, 206, "xyz", "bytes 33-35/36"},
		{"past_end", "bytes=30-1000", nil, 206, "uvwxyz", "bytes 30-35/36"},
		{"whole_suffix", "bytes=-100", nil, 206, digits, "bytes 0-35/36"},
		{"one_satisfiable_of_two", "bytes=0-0,100-200", nil, 206, "0", "bytes 0-0/36"},
		{"unsatisfiable", "bytes=36-", nil, 416, "", "bytes */36"},
		{"unsatisfiable_suffix", "bytes=-0", nil, 416, "", "bytes */36"},
		{"malformed", "bytes=z-1", nil, 416, "", "bytes */36"},
		{"backwards", "bytes=5-1", nil, 416, "", "bytes */36"},
		{"other_unit", "lines=1-2", nil, 200, digits, ""},
		{"overlap_amplification", "bytes=0-35,0-35", nil, 200, digits, ""},
		{"if_range_etag", "bytes=0-1", []string{"If-Range", etag}, 206, "01", "bytes 0-1/36"},
		{"if_range_date", "bytes=0-1", []string{"If-Range", fileMtime.Format(http.TimeFormat)}, 206, "01", "bytes 0-1/36"},
		{"if_range_stale_etag", "bytes=0-1", []string{"If-Range", `"old"`}, 200, digits, ""},
		{"if_range_weak", "bytes=0-1", []string{"If-Range", "W/" + etag}, 200, digits, ""},
		{"if_range_other_date", "bytes=0-1", []string{"If-Range", fileMtime.Add(-time.Hour).Format(http.TimeFormat)}, 200, digits, ""},
		{"never_compressed", "bytes=0-1", []string{"Accept-Encoding", "gzip, br"}, 206, "01", "bytes 0-1/36"},
	}
	for _, c := range single {
		r := rawGet(t, s.addr, "GET", "/assets/digits.txt", append([]string{"Range", c.rng}, c.extra...)...)
		if r.status != c.status || r.header.Get("Content-Range") != c.cr || (c.status != 416 && r.body != c.body) {
			t.Errorf("%s: %d %q %q; want %d %q %q", c.name, r.status, r.header.Get("Content-Range"), r.body, c.status, c.cr, c.body)
		}
		if c.status == 206 && (r.header.Get("Content-Encoding") != "" || r.header.Get("Content-Length") != strconv.Itoa(len(c.body))) {
			t.Errorf("%s: %v", c.name, r.header)
		}
		h := rawGet(t, s.addr, "HEAD", "/assets/digits.txt", append([]string{"Range", c.rng}, c.extra...)...)
		if h.status != c.status || h.header.Get("Content-Range") != c.cr || h.rest != 0 || h.body != "" {
			t.Errorf("%s HEAD: %d %q, %d stray bytes", c.name, h.status, h.header.Get("Content-Range"), h.rest)
		}
	}

	// Several ranges: multipart/byteranges, each part with its range.
	for _, path := range []string{"/assets/digits.txt", "/report/42"} {
		r := rawGet(t, s.addr, "GET", path, "Range", "bytes=0-1, 4-5,-2")
		mt, params, err := mime.ParseMediaType(r.header.Get("Content-Type"))
		if r.status != 206 || err != nil || mt != "multipart/byteranges" || r.header.Get("Content-Length") != strconv.Itoa(len(r.body)) {
			t.Fatalf("%s multipart: %d %v", path, r.status, r.header)
		}
		full := rawGet(t, s.addr, "GET", path).body
		mr := multipart.NewReader(strings.NewReader(r.body), params["boundary"])
		n := len(full)
		want := []struct{ cr, body string }{
			{fmt.Sprintf("bytes 0-1/%d", n), full[0:2]},
			{fmt.Sprintf("bytes 4-5/%d", n), full[4:6]},
			{fmt.Sprintf("bytes %d-%d/%d", n-2, n-1, n), full[n-2:]},
		}
		for i := 0; ; i++ {
			p, err := mr.NextPart()
			if err == io.EOF {
				if i != len(want) {
					t.Errorf("%s: %d parts", path, i)
				}
				break
			}
			if err != nil {
				t.Fatalf("%s part %d: %v", path, i, err)
			}
			b, _ := io.ReadAll(p)
			if i >= len(want) || p.Header.Get("Content-Range") != want[i].cr || string(b) != want[i].body || p.Header.Get("Content-Type") == "" {
				t.Errorf("%s part %d: %v %q", path, i, p.Header, b)
			}
		}
	}

	// A large file: single ranges go through sendfile, several through reads.
	r := rawGet(t, s.addr, "GET", "/assets/big.txt", "Range", "bytes=100000-100009")
	if r.status != 206 || r.body != bigText[100000:100010] {
		t.Errorf("big range: %d %q", r.status, r.body)
	}
	r = rawGet(t, s.addr, "GET", "/assets/big.txt", "Range", "bytes=5-6,100000-100001")
	if r.status != 206 || !strings.Contains(r.body, bigText[100000:100002]) || !strings.Contains(r.body, "Content-Range: bytes 5-6/") {
		t.Errorf("big multipart: %d %q", r.status, r.body)
	}
	if r := rawGet(t, s.addr, "GET", "/assets/empty.txt", "Range", "bytes=0-"); r.status != 416 || r.header.Get("Content-Range") != "bytes */0" {
		t.Errorf("empty file range: %d %v", r.status, r.header)
	}
}

func TestFilesHead(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	for _, c := range []struct {
		path    string
		headers []string
	}{
		{"/assets/hello.txt", nil},
		{"/assets/big.txt", nil},
		{"/assets/app.js", []string{"Accept-Encoding", "gzip"}},
		{"/assets/style.css", []string{"Accept-Encoding", "br"}},
		{"/assets/", nil},
		{"/report/42", nil},
		{"/list/docs/", nil},
	} {
		get := rawGet(t, s.addr, "GET", c.path, c.headers...)
		head := rawGet(t, s.addr, "HEAD", c.path, c.headers...)
		if get.status != 200 || head.status != 200 || head.body != "" || head.rest != 0 {
			t.Errorf("%s: GET %d, HEAD %d with %d body bytes", c.path, get.status, head.status, head.rest+len(head.body))
			continue
		}
		for _, k := range []string{"Content-Type", "Content-Length", "ETag", "Last-Modified", "Accept-Ranges", "Content-Encoding", "Vary", "Content-Disposition", "Cache-Control"} {
			if get.header.Get(k) != head.header.Get(k) {
				t.Errorf("%s: %s is %q for GET, %q for HEAD", c.path, k, get.header.Get(k), head.header.Get(k))
			}
		}
	}
	// A large text file gzipped on the fly: GET streams it chunked; HEAD
	// cannot know its length without compressing, so it sends none.
	get := rawGet(t, s.addr, "GET", "/assets/big.txt", "Accept-Encoding", "gzip")
	head := rawGet(t, s.addr, "HEAD", "/assets/big.txt", "Accept-Encoding", "gzip")
	if get.header.Get("Content-Encoding") != "gzip" || head.header.Get("Content-Encoding") != "gzip" ||
		head.header.Get("ETag") != get.header.Get("ETag") || head.rest != 0 {
		t.Errorf("streamed gzip: GET %v, HEAD %v", get.header, head.header)
	}
}

func TestFilesFolders(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	cases := []struct {
		name, target string
		status       int
		location     string
		body         string // substring
	}{
		{"index", "/assets/", 200, "", "<h1>home</h1>"},
		{"sub_index", "/assets/sub/", 200, "", "<h1>sub</h1>"},
		{"redirect", "/assets/sub", 301, "/assets/sub/", ""},
		{"redirect_query", "/assets/sub?a=1&b=%20", 301, "/assets/sub/?a=1&b=%20", ""},
		{"redirect_encoded", "/assets/%73ub", 301, "/assets/%73ub/", ""},
		{"no_index_no_listing", "/assets/docs/", 404, "", "custom 404 for /assets/docs/"},
		{"no_redirect_without_content", "/assets/docs", 404, "", "custom 404"},
		{"file_with_slash", "/assets/hello.txt/", 404, "", "custom 404"},
		{"index_off", "/open/", 200, "", `href="index.html"`},
		{"listing", "/open/docs/", 200, "", `<a href="guide.html">guide.html</a>`},
		{"listing_escapes", "/open/", 200, "", `href="my%20dir/"`},
		{"listing_dotfiles_on", "/open/docs/", 200, "", `href="./.hidden"`},
		{"listing_dotfiles_off", "/list/docs/", 200, "", "readme.txt"},
		{"listing_redirect", "/list/docs", 301, "/list/docs/", ""},
		{"listing_index_first", "/list/", 200, "", "<h1>home</h1>"},
		// The mount's root named without its slash is a folder like any other.
		{"root_redirect_index", "/assets", 301, "/assets/", ""},
		{"root_redirect_query", "/list?a=1", 301, "/list/?a=1", ""},
		{"root_redirect_listing", "/browse", 301, "/browse/", ""},
		{"root_redirect_open", "/open", 301, "/open/", ""},
		{"root_nothing_to_show", "/plain", 404, "", "custom 404 for /plain"},
		{"root_lookalike", "/asset", 404, "", "custom 404 for /asset\n"},
		{"root_longer_lookalike", "/assetsx", 404, "", "custom 404 for /assetsx"},
	}
	for _, c := range cases {
		r := rawGet(t, s.addr, "GET", c.target)
		if r.status != c.status || r.header.Get("Location") != c.location || !strings.Contains(r.body, c.body) {
			t.Errorf("%s: %d Location %q body %q; want %d %q ~%q", c.name, r.status, r.header.Get("Location"), r.body, c.status, c.location, c.body)
		}
	}
	outside := []string{"link-out", "link-dir", "link-abs", "link-up", "link-loop", secretDot}
	for target, hidden := range map[string][]string{
		"/browse/":    append([]string{".env", ".git", ".well-known"}, outside...),
		"/list/docs/": append([]string{".hidden"}, outside...),
		"/open/":      outside,
	} {
		r := rawGet(t, s.addr, "GET", target)
		if r.status != 200 {
			t.Errorf("listing %s: %d %q", target, r.status, r.body)
			continue
		}
		for _, h := range hidden {
			if strings.Contains(r.body, h) {
				t.Errorf("listing %s shows %q:\n%s", target, h, r.body)
			}
		}
		if !strings.Contains(r.body, "link-in.txt") && target != "/list/docs/" {
			t.Errorf("listing %s lacks link-in.txt:\n%s", target, r.body)
		}
	}
}

// TestFilesRedirectNotOpen: a folder redirect on a mount at "/" never
// yields a Location another host could be read from.
func TestFilesRedirectNotOpen(t *testing.T) {
	t.Parallel()
	root := fileTree(t)
	os.MkdirAll(filepath.Join(root, "site", "evil.com"), 0o755)
	writeFile(t, filepath.Join(root, "site", "evil.com", "index.html"), "x")
	s := startSource(t, fmt.Sprintf(`local app = require("luaserve")
app.static("/", %q, { listing = true })`, filepath.Join(root, "site")), engine.Config{})
	for _, target := range []string{"//evil.com", "///evil.com", "/%2Fevil.com", "/%2fevil.com/", "/\\evil.com", "/%5Cevil.com", "//evil.com/", "/./evil.com"} {
		r := rawGet(t, s.addr, "GET", target)
		loc := r.header.Get("Location")
		if strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.Contains(loc, "://") || r.status == 301 && loc != "/evil.com/" {
			t.Errorf("%s: %d Location %q", target, r.status, loc)
		}
	}
	if r := rawGet(t, s.addr, "GET", "/evil.com"); r.status != 301 || r.header.Get("Location") != "/evil.com/" {
		t.Errorf("plain folder redirect: %d %q", r.status, r.header.Get("Location"))
	}
}

func TestFilesCompression(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	gz := func(s string) string {
		zr, err := gzip.NewReader(strings.NewReader(s))
		if err != nil {
			return "not gzip: " + err.Error()
		}
		b, err := io.ReadAll(zr)
		if err != nil {
			return "bad gzip: " + err.Error()
		}
		return string(b)
	}
	cases := []struct {
		name, path, accept string
		coding             string
		vary               bool
	}{
		{"br_sibling", "/assets/style.css", "gzip, deflate, br", "br", true},
		{"gz_sibling", "/assets/style.css", "gzip", "gzip", true},
		{"br_refused", "/assets/style.css", "br;q=0, gzip", "gzip", true},
		{"gzip_preferred", "/assets/style.css", "br;q=0.5, gzip;q=1", "gzip", true},
		{"nothing_accepted", "/assets/style.css", "", "", true},
		{"identity_only", "/assets/style.css", "identity", "", true},
		{"stale_sibling_ignored", "/assets/old.js", "gzip", "", false},
		{"on_the_fly", "/assets/app.js", "gzip", "gzip", true},
		{"on_the_fly_star", "/assets/app.js", "*", "gzip", true},
		{"on_the_fly_streamed", "/assets/big.txt", "gzip", "gzip", true},
		{"below_threshold", "/assets/hello.txt", "gzip", "", false},
		{"never_png", "/assets/logo.png", "gzip", "", false},
		{"compress_off", "/open/app.js", "gzip", "", false},
		{"file_response", "/raw/site/app.js", "gzip", "gzip", true},
	}
	for _, c := range cases {
		var hdr []string
		if c.accept != "" {
			hdr = []string{"Accept-Encoding", c.accept}
		}
		r := rawGet(t, s.addr, "GET", c.path, hdr...)
		if r.status != 200 || r.header.Get("Content-Encoding") != c.coding || (r.header.Get("Vary") == "Accept-Encoding") != c.vary {
			t.Errorf("%s: %d Content-Encoding %q Vary %q", c.name, r.status, r.header.Get("Content-Encoding"), r.header.Get("Vary"))
			continue
		}
		plain := rawGet(t, s.addr, "GET", c.path).body
		switch c.coding {
		case "gzip":
			if c.name != "gz_sibling" && c.name != "br_refused" && c.name != "gzip_preferred" && gz(r.body) != plain {
				t.Errorf("%s: gunzipped body differs", c.name)
			}
			if c.name == "gz_sibling" && gz(r.body) != "body { color: red }\n" {
				t.Errorf("%s: %q", c.name, gz(r.body))
			}
		case "br":
			if r.body != "fake-brotli-bytes" {
				t.Errorf("%s: %q", c.name, r.body)
			}
		case "":
			if r.body != plain {
				t.Errorf("%s: body differs", c.name)
			}
		}
		if c.coding != "" && r.header.Get("Content-Type") != rawGet(t, s.addr, "GET", c.path).header.Get("Content-Type") {
			t.Errorf("%s: Content-Type %q", c.name, r.header.Get("Content-Type"))
		}
	}
	// Each encoded form has its own validator, and revalidates.
	id := rawGet(t, s.addr, "GET", "/assets/app.js")
	z := rawGet(t, s.addr, "GET", "/assets/app.js", "Accept-Encoding", "gzip")
	if id.header.Get("ETag") == z.header.Get("ETag") || z.header.Get("Content-Length") == "" {
		t.Errorf("gzip ETag %q vs %q, length %q", z.header.Get("ETag"), id.header.Get("ETag"), z.header.Get("Content-Length"))
	}
	if r := rawGet(t, s.addr, "GET", "/assets/app.js", "Accept-Encoding", "gzip", "If-None-Match", z.header.Get("ETag")); r.status != 304 || r.header.Get("Vary") != "Accept-Encoding" {
		t.Errorf("gzip 304: %d %v", r.status, r.header)
	}
	sib := rawGet(t, s.addr, "GET", "/assets/style.css", "Accept-Encoding", "br")
	if r := rawGet(t, s.addr, "GET", "/assets/style.css", "Accept-Encoding", "br", "If-None-Match", sib.header.Get("ETag")); r.status != 304 {
		t.Errorf("br sibling 304: %d", r.status)
	}
}

func TestFilesHeadersAndDownloads(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	r := rawGet(t, s.addr, "GET", "/open/hello.txt")
	if r.header.Get("Cache-Control") != "public, max-age=60" {
		t.Errorf("mount cache_control: %v", r.header)
	}
	if r := rawGet(t, s.addr, "GET", "/assets/hello.txt"); r.header.Get("Cache-Control") != "" {
		t.Errorf("no cache_control by default: %v", r.header)
	}
	r = rawGet(t, s.addr, "GET", "/report/42")
	if r.status != 200 || r.body != "%PDF-1.4 report 42\n" || r.header.Get("Content-Disposition") != `attachment; filename="report 42.pdf"` {
		t.Errorf("download: %d %v", r.status, r.header)
	}
	r = rawGet(t, s.addr, "GET", "/page")
	if r.header.Get("Content-Type") != "text/x-custom" || r.header.Get("Cache-Control") != "no-store" || r.body != "<h1>home</h1>\n" {
		t.Errorf("content_type/cache_control options: %v", r.header)
	}
	r = rawGet(t, s.addr, "GET", "/error-page", "Range", "bytes=0-1", "If-None-Match", "*")
	if r.status != 503 || r.body != "<h1>home</h1>\n" {
		t.Errorf("status option: %d %q", r.status, r.body)
	}
}

// TestFilesTraversal sends raw request targets that try to leave the mount
// or the root, or reach dotfiles. Every one must be refused (400 from the
// core, or 404 through the not-found hook) and no secret may come back.
func TestFilesTraversal(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	cases := []struct {
		target string
		status int
	}{
		{"/assets/../secret.txt", 404},
		{"/assets/../../outside/secret.txt", 404},
		{"/assets/%2e%2e/secret.txt", 404},
		{"/assets/%2E%2E/secret.txt", 404},
		{"/assets/.%2e/secret.txt", 404},
		{"/assets/%2e%2e%2fsecret.txt", 404},
		{"/assets/..%2fsecret.txt", 404},
		{"/assets/..%2Fsecret.txt", 404},
		{"/assets/..%5csecret.txt", 404},
		{"/assets/..%5Csecret.txt", 404},
		{"/assets/..\\secret.txt", 404},
		{"/assets/sub\\..\\..\\secret.txt", 404},
		{"/assets/%252e%252e/secret.txt", 404},
		{"/assets/%c0%ae%c0%ae/secret.txt", 404},
		{"/assets//secret.txt", 404},
		{"/assets//etc/passwd", 404},
		{"/assets/%2fetc%2fpasswd", 404},
		{"/assets/./hello.txt", 404},
		{"/assets/sub/../hello.txt", 404},
		{"/assets/hello.txt%00.png", 400},
		{"/assets/%00", 400},
		{"/assets/%zz", 400},
		{"/assets/.env", 404},
		{"/assets/%2eenv", 404},
		{"/assets/.git/config", 404},
		{"/assets/.git/", 404},
		{"/assets/docs/.hidden", 404},
		{"/assets/link-out.txt", 404},
		{"/assets/link-dir/secret.txt", 404},
		{"/assets/link-up", 404},
		{"/assets/link-abs", 404},
		{"/assets/link-loop", 404},
		{"http://test/assets/../secret.txt", 404},
		{"/report/..%2f..%2fsecret", 404},
		{"/report/..%2F..%2Fsecret.txt%23", 404},
		{"/raw/secret.txt/..", 404},
		{"/raw/../outside/secret.txt", 404},
		{"/raw//etc/passwd", 404},
		{"/raw/site/.env", 404},
		{"/raw/site/link-out.txt", 404},
		{"/raw/site/link-dir/secret.txt", 404},
		{"/raw/site/", 404},
		{"/open/link-out.txt", 404},
		{"/open/link-dir/secret.txt", 404},
		{"/open/../secret.txt", 404},
	}
	for _, c := range cases {
		for _, method := range []string{"GET", "HEAD"} {
			r := rawGet(t, s.addr, method, c.target)
			if r.status != c.status {
				t.Errorf("%s %s: %d, want %d (%q)", method, c.target, r.status, c.status, r.body)
			}
			for _, secret := range []string{secretRoot, secretOutside, secretDot, "root:x:0:0"} {
				if strings.Contains(r.body, secret) {
					t.Errorf("%s %s: leaked %s", method, c.target, secret)
				}
			}
			if strings.Contains(r.body, os.TempDir()) {
				t.Errorf("%s %s: body shows a filesystem path: %q", method, c.target, r.body)
			}
		}
	}
	// What is allowed stays allowed.
	for target, want := range map[string]string{
		"/assets/link-in.txt":        "Hello, files!\n",
		"/assets/.well-known/x.txt":  "well known\n",
		"/assets/my%20dir/a%20b.txt": "spaces\n",
		"/open/.env":                 secretDot, // dotfiles = true
		"/raw/site/hello.txt":        "Hello, files!\n",
	} {
		if r := rawGet(t, s.addr, "GET", target); r.status != 200 || r.body != want {
			t.Errorf("%s: %d %q", target, r.status, r.body)
		}
	}
}

// TestFilesNotFound: a missing file reaches the script's not-found hook,
// without a path in the answer.
func TestFilesNotFound(t *testing.T) {
	t.Parallel()
	s := startFiles(t)
	for _, target := range []string{"/assets/missing.txt", "/report/7", "/raw/site/nope.css"} {
		r := rawGet(t, s.addr, "GET", target)
		if r.status != 404 || r.body != "custom 404 for "+strings.SplitN(target, "?", 2)[0]+"\n" {
			t.Errorf("%s: %d %q", target, r.status, r.body)
		}
	}
}

func TestFilesMountOptionErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cases := []struct{ src, want string }{
		{`app.static("/a", ".", { listnig = true })`, "routes.lua:2: app.static: unknown option listnig"},
		{`app.static("/a", ".", { listing = "yes" })`, "routes.lua:2: app.static: option listing must be a boolean, not a string"},
		{`app.static("/a", ".", { index = true })`, "routes.lua:2: app.static: option index must be a file name or false"},
		{`app.static("/a", ".", { index = "../x.html" })`, "routes.lua:2: app.static: option index must be a plain file name"},
		{`app.static("/a", ".", { cache_control = 60 })`, "routes.lua:2: app.static: option cache_control must be a string, not a number"},
		{`app.static("/a", ".", { cache_control = "a\nb" })`, "routes.lua:2: app.static: option cache_control contains a control character"},
		{`app.static("/a", ".", "fast")`, "routes.lua:2: bad argument #3 to static (options must be a table)"},
		{`app.static("/a", "missing-folder")`, "routes.lua:2: app.static(\"/a/\", \"missing-folder\")"},
	}
	for _, c := range cases {
		script := filepath.Join(dir, "routes.lua")
		writeFile(t, script, "local app = require('luaserve')\n"+c.src+"\n")
		_, err := engine.New(engine.Config{Script: script, Workers: 1})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s:\n got %v\nwant ~%s", c.src, err, c.want)
		}
	}
}

// TestFilesLargeMemoryFlat downloads a 200 MB file and checks the server
// did not read it into memory: the whole process (server and this client,
// which reads into one buffer) allocates far less than the file. Not
// parallel: other tests' allocations would count.
func TestFilesLargeMemoryFlat(t *testing.T) {
	const size = 200 << 20
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, "big.bin"), size); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	s := startSource(t, fmt.Sprintf(`local app = require("luaserve")
app.static("/files", %q)
app.get("/dl", function() return { file = "big.bin", download = "big.bin" } end)`, dir),
		engine.Config{Root: dir, Timeout: 20 * time.Millisecond}) // the transfer is not Lua time

	for _, path := range []string{"/files/big.bin", "/dl"} {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n\r\n", path)
		br := bufio.NewReaderSize(c, 64<<10)
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 256<<10)
		var n int64
		for {
			m, err := res.Body.Read(buf)
			n += int64(m)
			if err != nil {
				break
			}
		}
		runtime.ReadMemStats(&after)
		c.Close()
		alloc := after.TotalAlloc - before.TotalAlloc
		t.Logf("%s: %d bytes received, %d bytes allocated, RSS-ish heap %d MiB", path, n, alloc, after.HeapSys>>20)
		if res.StatusCode != 200 || n != size || res.ContentLength != size {
			t.Fatalf("%s: %d, %d of %d bytes", path, res.StatusCode, n, size)
		}
		if alloc > 16<<20 {
			t.Errorf("%s: %d bytes allocated to serve %d", path, alloc, size)
		}
	}
	if logs := s.logs.String(); strings.Contains(logs, "level=ERROR") {
		t.Errorf("server log:\n%s", logs)
	}
}

// TestFileResponseReleasesState: a route's file is sent after its Lua state
// is back in the pool, so a client reading a download slowly does not hold
// the only state.
func TestFileResponseReleasesState(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "big.bin"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(filepath.Join(dir, "big.bin"), 64<<20); err != nil {
		t.Fatal(err)
	}
	s := startSource(t, `local app = require("luaserve")
app.get("/dl", function() return { file = "big.bin" } end)
app.get("/fast", function() return "fast" end)`, engine.Config{Root: dir, Workers: 1})
	slow, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer slow.Close()
	fmt.Fprintf(slow, "GET /dl HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(bufio.NewReader(slow), nil)
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("download: %v %v", res, err)
	}
	// The client now reads nothing more: the server is stuck writing 64 MiB.
	c := client(t)
	for range 3 {
		if _, body := do(t, c, "GET", s.url+"/fast", ""); body != "fast" {
			t.Fatalf("while a download stalls: %q", body)
		}
	}
}
