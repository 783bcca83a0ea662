package tests

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
)

// nginxDifferences are the deliberate differences from nginx 1.22's
// defaults for the same requests on the same files. The test checks that
// each side still answers as documented here, so a change on either side
// shows up. Keyed by case name.
var nginxDifferences = map[string]struct {
	ours, nginx int // status codes
	reason      string
}{
	"ims_later": {304, 200, "If-Modified-Since later than the file: RFC 9110 section 13.1.3 says 304 " +
		"when the file is not newer; nginx's default 'if_modified_since exact' wants the very date"},
	"folder_no_index": {404, 403, "a folder without index.html and with listings off is not found, so that " +
		"the script's not-found hook answers and the tree's shape is not revealed"},
	"folder_no_index_no_slash": {404, 301, "no redirect to a folder URL that would only answer 404 (above)"},
	"dotfile": {404, 200, "dotfiles (.env, .git/) are refused unless the mount sets dotfiles = true; " +
		"nginx serves them unless configured not to"},
	"double_slash": {404, 200, "no merge_slashes: a name with an empty segment is refused, one URL per file " +
		"(and no '//host' Location can come out of a folder redirect)"},
	"dot_segment_encoded": {404, 200, "%2e%2e is refused rather than resolved: a request that names .. is " +
		"refused even when it would stay inside the mount"},
	"symlink_outside": {404, 200, "a symbolic link that leads outside the mount's folder is not followed " +
		"(os.Root); nginx follows it unless disable_symlinks is set"},
	"encoded_slash": {404, 200, "%2F is a slash inside a segment, which no file name holds: refused, as " +
		"Apache does by default; nginx decodes it into a separator"},
	"empty_file_range": {416, 200, "bytes=0- on an empty file is unsatisfiable (RFC 9110 section 14.1.1); " +
		"nginx ignores ranges on empty files"},
}

// Header-level differences, honoured for every case (see compareNginx):
//
//   - Location: nginx sends an absolute URL (absolute_redirect on), luaserve
//     the request's own path plus the slash; only the path is compared.
//   - 304 responses: luaserve omits Last-Modified (RFC 9110 section 15.4.5:
//     no representation metadata beyond ETag and the cache fields).
//   - Content-Type: luaserve adds charset=utf-8 to text types (nginx's
//     charset is off by default); compared without parameters.
//   - ETag: the formats differ (luaserve uses nanoseconds); each side's own
//     ETag must validate against itself.
//   - Error bodies (301, 403, 404, 412, 416) differ in wording, hence in
//     length; only 200 and 206 bodies and lengths are compared.
//   - Accept-Ranges: luaserve sends it on 206 responses too, nginx only on
//     200; compared on 200.

type nginxCase struct {
	name, method, path string
	headers            []string // "{etag}" and "{lastmod}" are each server's own
}

var nginxCases = []nginxCase{
	{"get", "GET", "/assets/hello.txt", nil},
	{"head", "HEAD", "/assets/hello.txt", nil},
	{"get_html", "GET", "/assets/index.html", nil},
	{"get_png", "GET", "/assets/logo.png", nil},
	{"get_big", "GET", "/assets/big.txt", nil},
	{"head_big", "HEAD", "/assets/big.txt", nil},
	{"missing", "GET", "/assets/missing.txt", nil},
	{"inm_own", "GET", "/assets/hello.txt", []string{"If-None-Match", "{etag}"}},
	{"inm_own_head", "HEAD", "/assets/hello.txt", []string{"If-None-Match", "{etag}"}},
	{"inm_other", "GET", "/assets/hello.txt", []string{"If-None-Match", `"other"`}},
	{"inm_star", "GET", "/assets/hello.txt", []string{"If-None-Match", "*"}},
	{"ims_equal", "GET", "/assets/hello.txt", []string{"If-Modified-Since", "{lastmod}"}},
	{"ims_equal_head", "HEAD", "/assets/hello.txt", []string{"If-Modified-Since", "{lastmod}"}},
	{"ims_earlier", "GET", "/assets/hello.txt", []string{"If-Modified-Since", "Thu, 01 Feb 2024 00:00:00 GMT"}},
	{"ims_later", "GET", "/assets/hello.txt", []string{"If-Modified-Since", "Wed, 01 May 2024 00:00:00 GMT"}},
	{"inm_beats_ims", "GET", "/assets/hello.txt", []string{"If-None-Match", `"other"`, "If-Modified-Since", "{lastmod}"}},
	{"im_own", "GET", "/assets/hello.txt", []string{"If-Match", "{etag}"}},
	{"im_other", "GET", "/assets/hello.txt", []string{"If-Match", `"other"`}},
	{"im_star", "GET", "/assets/hello.txt", []string{"If-Match", "*"}},
	{"ius_equal", "GET", "/assets/hello.txt", []string{"If-Unmodified-Since", "{lastmod}"}},
	{"ius_earlier", "GET", "/assets/hello.txt", []string{"If-Unmodified-Since", "Thu, 01 Feb 2024 00:00:00 GMT"}},
	{"range_first", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-9"}},
	{"range_open", "GET", "/assets/digits.txt", []string{"Range", "bytes=30-"}},
	{"range_suffix", "GET", "/assets/digits.txt", []string{"Range", "bytes=-3"}},
	{"range_past_end", "GET", "/assets/digits.txt", []string{"Range", "bytes=30-99"}},
	{"range_head", "HEAD", "/assets/digits.txt", []string{"Range", "bytes=0-9"}},
	{"range_big", "GET", "/assets/big.txt", []string{"Range", "bytes=100000-100099"}},
	{"range_multi", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-1,4-5,-2"}},
	{"range_multi_big", "GET", "/assets/big.txt", []string{"Range", "bytes=0-9,100000-100009"}},
	{"range_unsatisfiable", "GET", "/assets/digits.txt", []string{"Range", "bytes=36-"}},
	{"range_unsatisfiable_head", "HEAD", "/assets/digits.txt", []string{"Range", "bytes=100-200"}},
	{"range_one_of_two", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-0,100-200"}},
	{"range_backwards", "GET", "/assets/digits.txt", []string{"Range", "bytes=5-1"}},
	{"range_overlap", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-35,0-35"}},
	{"range_malformed", "GET", "/assets/digits.txt", []string{"Range", "bytes=x-y"}},
	{"range_other_unit", "GET", "/assets/digits.txt", []string{"Range", "lines=0-1"}},
	{"if_range_own", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-1", "If-Range", "{etag}"}},
	{"if_range_other", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-1", "If-Range", `"other"`}},
	{"if_range_date", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-1", "If-Range", "{lastmod}"}},
	{"if_range_old_date", "GET", "/assets/digits.txt", []string{"Range", "bytes=0-1", "If-Range", "Thu, 01 Feb 2024 00:00:00 GMT"}},
	{"empty_file_range", "GET", "/assets/empty.txt", []string{"Range", "bytes=0-"}},
	{"folder_index", "GET", "/assets/", nil},
	{"folder_index_head", "HEAD", "/assets/sub/", nil},
	{"folder_redirect", "GET", "/assets/sub", nil},
	{"folder_redirect_query", "GET", "/assets/sub?x=1", nil},
	{"folder_no_index", "GET", "/assets/docs/", nil},
	{"folder_no_index_no_slash", "GET", "/assets/docs", nil},
	{"dotfile", "GET", "/assets/.env", nil},
	{"double_slash", "GET", "/assets//hello.txt", nil},
	{"dot_segment_encoded", "GET", "/assets/sub/%2e%2e/hello.txt", nil},
	{"symlink_inside", "GET", "/assets/link-in.txt", nil},
	{"symlink_outside", "GET", "/assets/link-out.txt", nil},
	{"encoded_slash", "GET", "/assets/sub%2Findex.html", nil},
}

// TestMatchesNginx serves the file tree with nginx and with a luaserve
// mount, sends both the same requests and compares what matters. Set
// LUASERVE_REQUIRE_NGINX=1 to fail instead of skipping without nginx.
func TestMatchesNginx(t *testing.T) {
	t.Parallel()
	bin := findNginx()
	if bin == "" {
		if os.Getenv("LUASERVE_REQUIRE_NGINX") == "1" {
			t.Fatal("nginx not found (apt-get install nginx) and LUASERVE_REQUIRE_NGINX=1")
		}
		t.Skip("nginx not installed (apt-get install nginx); set LUASERVE_REQUIRE_NGINX=1 to make this a failure")
	}
	root := fileTree(t)
	nginxAddr := startNginx(t, bin, filepath.Join(root, "site"))
	lua := startConfig(t, engine.Config{Script: filepath.Join(root, "routes.lua"), Workers: 2})

	// Each server's own validators for the files the cases revalidate.
	validators := map[string]map[string][2]string{}
	for _, s := range []struct{ name, addr string }{{"luaserve", lua.addr}, {"nginx", nginxAddr}} {
		validators[s.name] = map[string][2]string{}
		for _, p := range []string{"/assets/hello.txt", "/assets/digits.txt"} {
			r := rawGet(t, s.addr, "GET", p)
			validators[s.name][p] = [2]string{r.header.Get("ETag"), r.header.Get("Last-Modified")}
		}
	}
	for _, c := range nginxCases {
		t.Run(c.name, func(t *testing.T) {
			fill := func(server string) []string {
				h := append([]string(nil), c.headers...)
				v := validators[server][c.path]
				for i := range h {
					h[i] = strings.ReplaceAll(strings.ReplaceAll(h[i], "{etag}", v[0]), "{lastmod}", v[1])
				}
				return h
			}
			ours := rawGet(t, lua.addr, c.method, c.path, fill("luaserve")...)
			theirs := rawGet(t, nginxAddr, c.method, c.path, fill("nginx")...)
			if d, ok := nginxDifferences[c.name]; ok {
				if ours.status != d.ours || theirs.status != d.nginx {
					t.Errorf("documented difference no longer holds: luaserve %d (documented %d), nginx %d (documented %d): %s",
						ours.status, d.ours, theirs.status, d.nginx, d.reason)
				}
				return
			}
			compareNginx(t, c, ours, theirs)
		})
	}
}

// compareNginx compares status, framing and the key headers, then bodies
// of successful responses (multipart ones part by part).
func compareNginx(t *testing.T, c nginxCase, ours, theirs reply) {
	t.Helper()
	if ours.status != theirs.status {
		t.Fatalf("status: luaserve %d, nginx %d", ours.status, theirs.status)
	}
	same := func(field string, a, b string) {
		if a != b {
			t.Errorf("%s: luaserve %q, nginx %q", field, a, b)
		}
	}
	multi := strings.HasPrefix(theirs.header.Get("Content-Type"), "multipart/")
	success := ours.status == 200 || ours.status == 206
	if success && !multi {
		same("Content-Length", ours.header.Get("Content-Length"), theirs.header.Get("Content-Length"))
	}
	same("Content-Range", ours.header.Get("Content-Range"), theirs.header.Get("Content-Range"))
	if success {
		same("Content-Type", mediaType(ours.header.Get("Content-Type")), mediaType(theirs.header.Get("Content-Type")))
		same("Last-Modified", ours.header.Get("Last-Modified"), theirs.header.Get("Last-Modified"))
	}
	if ours.status == 200 {
		same("Accept-Ranges", ours.header.Get("Accept-Ranges"), theirs.header.Get("Accept-Ranges"))
	}
	if (ours.header.Get("ETag") == "") != (theirs.header.Get("ETag") == "") {
		t.Errorf("ETag presence: luaserve %q, nginx %q", ours.header.Get("ETag"), theirs.header.Get("ETag"))
	}
	same("Location path", locationPath(ours.header.Get("Location")), locationPath(theirs.header.Get("Location")))
	if ours.rest != 0 || theirs.rest != 0 {
		t.Errorf("bytes after the response: luaserve %d, nginx %d", ours.rest, theirs.rest)
	}
	if c.method == "HEAD" || ours.status != 200 && ours.status != 206 {
		return
	}
	if !multi {
		if ours.body != theirs.body {
			t.Errorf("body: luaserve %d bytes, nginx %d bytes", len(ours.body), len(theirs.body))
		}
		return
	}
	a, b := parts(t, ours), parts(t, theirs)
	if len(a) != len(b) {
		t.Fatalf("parts: luaserve %d, nginx %d", len(a), len(b))
	}
	for i := range a {
		same(fmt.Sprintf("part %d", i), a[i], b[i])
	}
}

func mediaType(ct string) string {
	mt, _, _ := mime.ParseMediaType(ct)
	return mt
}

func locationPath(loc string) string {
	if loc == "" {
		return ""
	}
	u, err := url.Parse(loc)
	if err != nil {
		return "unparsable: " + loc
	}
	if u.RawQuery != "" {
		return u.EscapedPath() + "?" + u.RawQuery
	}
	return u.EscapedPath()
}

// parts returns a multipart/byteranges body as "Content-Range|type|bytes".
func parts(t *testing.T, r reply) []string {
	t.Helper()
	_, params, err := mime.ParseMediaType(r.header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(strings.NewReader(r.body), params["boundary"])
	var out []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		out = append(out, p.Header.Get("Content-Range")+"|"+mediaType(p.Header.Get("Content-Type"))+"|"+string(b))
	}
}

func findNginx() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	for _, p := range []string{"/usr/sbin/nginx", "/usr/local/sbin/nginx", "/usr/local/nginx/sbin/nginx"} {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	return ""
}

// nginxConf serves SITE under /assets/ with nginx's defaults for files
// (etag, index index.html, autoindex off, no gzip), the types of
// fileserver's table for the fixture's extensions, and everything that
// nginx writes kept in RUN.
const nginxConf = `daemon off;
master_process off;
worker_processes 1;
pid @RUN@/nginx.pid;
error_log @RUN@/error.log warn;
events { worker_connections 64; }
http {
    access_log off;
    sendfile on;
    client_body_temp_path @RUN@/body;
    proxy_temp_path @RUN@/proxy;
    fastcgi_temp_path @RUN@/fastcgi;
    uwsgi_temp_path @RUN@/uwsgi;
    scgi_temp_path @RUN@/scgi;
    types {
        text/html html;
        text/css css;
        text/javascript js;
        text/plain txt;
        application/json json;
        image/png png;
        application/pdf pdf;
    }
    default_type application/octet-stream;
    server {
        listen @ADDR@;
        location /assets/ {
            alias @SITE@/;
        }
    }
}
`

// startNginx runs nginx in the foreground on a free loopback port and
// returns its address once it answers.
func startNginx(t *testing.T, bin, site string) string {
	t.Helper()
	run := t.TempDir()
	// A port the kernel just handed out and nobody holds (nginx in
	// single-process mode crashes on an inherited listener).
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	conf := strings.NewReplacer("@RUN@", run, "@SITE@", site, "@ADDR@", addr).Replace(nginxConf)
	writeFile(t, filepath.Join(run, "nginx.conf"), conf)
	cmd := exec.Command(bin, "-p", run, "-c", filepath.Join(run, "nginx.conf"), "-e", filepath.Join(run, "error.log"))
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	var waitErr error
	go func() { waitErr = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			logs, _ := os.ReadFile(filepath.Join(run, "error.log"))
			t.Logf("nginx output:\n%s\nerror.log:\n%s", out.String(), logs)
		}
	})
	// nginx has no readiness signal in the foreground: poll its port until
	// it accepts, it exits, or ten seconds pass.
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		select {
		case <-done:
			t.Fatalf("nginx exited: %v\n%s", waitErr, out.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not listen on %s: %v\n%s", addr, err, out.String())
		}
	}
}
