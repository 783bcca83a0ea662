package tests

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
)

var update = flag.Bool("update", false, "rewrite the -- response -- sections of testdata/golden")

// A golden case is a file of sections:
//
//	-- routes.lua --      the script (required)
//	-- request --         raw request bytes: the head's \n become \r\n;
//	                      the body (after the blank line) is sent as written,
//	                      without the newline that ends the section
//	-- response --        the expected response, \r\n shown as \n; the
//	                      server's clock is fixed (goldenClock), so the
//	                      Date header is too
//
// Requests and responses pair up in order, on one keep-alive connection.
// "go test ./tests -update" rewrites the responses.
type goldenCase struct {
	script  string
	pairs   []goldenPair
	dev     bool
	timeout time.Duration
}

type goldenPair struct{ request, response string }

var sectionRE = regexp.MustCompile(`(?m)^-- ([a-z.]+(?: [a-z0-9=]+)*) --\n`)

func parseGolden(t *testing.T, text string) *goldenCase {
	gc := &goldenCase{}
	idx := sectionRE.FindAllStringSubmatchIndex(text, -1)
	for i, m := range idx {
		name := text[m[2]:m[3]]
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		body := text[m[1]:end]
		fields := strings.Fields(name)
		switch fields[0] {
		case "routes.lua":
			gc.script = body
			for _, f := range fields[1:] {
				switch {
				case f == "dev":
					gc.dev = true
				case strings.HasPrefix(f, "timeout="):
					d, err := time.ParseDuration(strings.TrimPrefix(f, "timeout="))
					if err != nil {
						t.Fatal(err)
					}
					gc.timeout = d
				}
			}
		case "request":
			gc.pairs = append(gc.pairs, goldenPair{request: body})
		case "response":
			if len(gc.pairs) == 0 {
				t.Fatal("response before request")
			}
			gc.pairs[len(gc.pairs)-1].response = body
		default:
			t.Fatalf("unknown section %q", name)
		}
	}
	if gc.script == "" || len(gc.pairs) == 0 {
		t.Fatal("a golden case needs routes.lua and at least one request")
	}
	return gc
}

// wireRequest turns a request section into bytes.
func wireRequest(s string) string {
	head, body, found := strings.Cut(s, "\n\n")
	if !found {
		return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\r\n") + "\r\n\r\n"
	}
	return strings.ReplaceAll(head, "\n", "\r\n") + "\r\n\r\n" + strings.TrimSuffix(body, "\n")
}

// goldenClock is the time golden servers live in.
func goldenClock(srv *httpcore.Server) {
	srv.Clock = func() time.Time { return time.Date(2026, 1, 2, 15, 4, 5, 0, time.UTC) }
}

// normalize shows a raw response as a golden section.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	if !strings.HasSuffix(s, "\n") {
		s += "\n"
	}
	return s
}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/golden/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			text, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			gc := parseGolden(t, string(text))
			s := startSource(t, gc.script, engine.Config{Dev: gc.dev, Timeout: gc.timeout}, goldenClock)
			c, err := net.Dial("tcp", s.addr)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			br := bufio.NewReader(c)
			got := make([]string, len(gc.pairs))
			for i, p := range gc.pairs {
				req := wireRequest(p.request)
				method, _, _ := strings.Cut(req, " ")
				if _, err := io.WriteString(c, req); err != nil {
					t.Fatal(err)
				}
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				got[i] = normalize(readRaw(t, br, method))
				if !*update && got[i] != p.response {
					t.Errorf("request %d:\n%s\ngot:\n%s\nwant:\n%s", i+1, p.request, got[i], p.response)
				}
			}
			if *update {
				rewriteGolden(t, file, string(text), got)
			}
		})
	}
}

// readRaw reads exactly one response's bytes, framing it as net/http would.
func readRaw(t *testing.T, br *bufio.Reader, method string) string {
	var out strings.Builder
	tee := bufio.NewReader(io.TeeReader(br, &out))
	res, err := http.ReadResponse(tee, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading response: %v (got %q)", err, out.String())
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	// tee may have read ahead of the response; give the rest back by
	// keeping only what net/http consumed.
	consumed := out.Len() - tee.Buffered()
	s := out.String()[:consumed]
	if rest := out.String()[consumed:]; rest != "" {
		t.Fatalf("server sent more than one response: extra %q", rest)
	}
	return s
}

func rewriteGolden(t *testing.T, file, text string, got []string) {
	var b strings.Builder
	idx := sectionRE.FindAllStringSubmatchIndex(text, -1)
	n := 0
	for i, m := range idx {
		name := text[m[2]:m[3]]
		end := len(text)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		if strings.HasPrefix(name, "response") {
			continue
		}
		b.WriteString(text[m[0]:end])
		if strings.HasPrefix(name, "request") {
			fmt.Fprintf(&b, "-- response --\n%s", got[n])
			n++
		}
	}
	if err := os.WriteFile(file, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
