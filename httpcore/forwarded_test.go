package httpcore

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
	"testing"
)

// whoami answers with what the core made of the client: its address, the
// scheme, whether a proxy named it, and the request id.
var whoami = HandlerFunc(func(w *ResponseWriter, r *Request) {
	fmt.Fprintf(w, "ip=%s scheme=%s forwarded=%v id=%s", r.RemoteIP, r.Scheme, r.Forwarded, r.ID)
})

func prefixes(s ...string) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range s {
		out = append(out, netip.MustParsePrefix(p))
	}
	return out
}

// ask sends one GET with the extra header lines and returns the body and
// the X-Request-Id response field.
func ask(t *testing.T, addr, extra string) (body, id string) {
	t.Helper()
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n%s\r\n", extra)
	res, b := readResponse(t, br, "GET")
	return b, res.Header.Get("X-Request-Id")
}

func TestForwardedFromTrustedProxy(t *testing.T) {
	t.Parallel()
	// The test's client is 127.0.0.1: a trusted proxy, as is 10.0.0.0/8.
	addr := startServer(t, &Server{Handler: whoami, TrustedProxies: prefixes("127.0.0.0/8", "10.0.0.0/8"),
		RequestIDs: true, SendRequestID: true})
	cases := []struct{ name, header, want string }{
		{"no field", "", "ip=127.0.0.1 scheme=http forwarded=false"},
		{"xff one hop", "X-Forwarded-For: 203.0.113.7\r\n", "ip=203.0.113.7 scheme=http forwarded=true"},
		{"xff rightmost untrusted", "X-Forwarded-For: 1.1.1.1, 203.0.113.7, 10.0.0.2\r\n",
			"ip=203.0.113.7 scheme=http forwarded=true"},
		{"xff split over fields", "X-Forwarded-For: 1.1.1.1, 203.0.113.7\r\nX-Forwarded-For: 10.0.0.2\r\n",
			"ip=203.0.113.7 scheme=http forwarded=true"},
		{"xff all trusted", "X-Forwarded-For: 10.1.1.1, 10.0.0.2\r\n", "ip=10.1.1.1 scheme=http forwarded=true"},
		{"xff garbage stops at last trusted", "X-Forwarded-For: 203.0.113.7, evil, 10.0.0.2\r\n",
			"ip=10.0.0.2 scheme=http forwarded=true"},
		{"xff garbage first", "X-Forwarded-For: <script>\r\n", "ip=127.0.0.1 scheme=http forwarded=false"},
		{"xff v6", "X-Forwarded-For: 2001:db8::1\r\n", "ip=2001:db8::1 scheme=http forwarded=true"},
		{"proto", "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n", "ip=203.0.113.7 scheme=https forwarded=true"},
		{"proto per hop", "X-Forwarded-For: 203.0.113.7, 10.0.0.2\r\nX-Forwarded-Proto: https, http\r\n",
			"ip=203.0.113.7 scheme=https forwarded=true"},
		{"proto nonsense", "X-Forwarded-Proto: gopher\r\n", "ip=127.0.0.1 scheme=http forwarded=false"},
		{"forwarded", "Forwarded: for=192.0.2.60;proto=https;by=203.0.113.43\r\n", "ip=192.0.2.60 scheme=https forwarded=true"},
		{"forwarded v6 port", `Forwarded: for="[2001:db8:cafe::17]:4711"` + "\r\n", "ip=2001:db8:cafe::17 scheme=http forwarded=true"},
		{"forwarded chain", "Forwarded: for=198.51.100.1;proto=http, for=192.0.2.60;proto=https, for=10.0.0.9\r\n",
			"ip=192.0.2.60 scheme=https forwarded=true"},
		{"forwarded wins", "Forwarded: for=192.0.2.60\r\nX-Forwarded-For: 203.0.113.7\r\n", "ip=192.0.2.60 scheme=http forwarded=true"},
		{"forwarded unknown", "Forwarded: for=unknown\r\nX-Forwarded-For: 203.0.113.7\r\n", "ip=203.0.113.7 scheme=http forwarded=true"},
	}
	for _, tc := range cases {
		body, _ := ask(t, addr, tc.header)
		if !strings.HasPrefix(body, tc.want+" ") {
			t.Errorf("%s: got %q, want %q", tc.name, body, tc.want)
		}
	}
	body, id := ask(t, addr, "X-Request-Id: abc-123\r\n")
	if !strings.HasSuffix(body, " id=abc-123") || id != "abc-123" {
		t.Errorf("a trusted proxy's X-Request-Id: body %q, header %q", body, id)
	}
	long := strings.Repeat("a", MaxRequestIDLen+1)
	for _, bad := range []string{long, "has space", "a\tb", "caf\xc3\xa9"} {
		body, id := ask(t, addr, "X-Request-Id: "+bad+"\r\n")
		if !generatedID.MatchString(id) || !strings.HasSuffix(body, " id="+id) {
			t.Errorf("X-Request-Id %q: body %q, header %q; want a new id", bad, body, id)
		}
	}
}

var generatedID = regexp.MustCompile(`^[0-9a-v]{12}-[0-9a-v]{1,13}$`)

func TestForwardedIgnoredFromOthers(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: whoami, TrustedProxies: prefixes("10.0.0.0/8"), RequestIDs: true, SendRequestID: true})
	body, id := ask(t, addr, "X-Forwarded-For: 203.0.113.7\r\nX-Forwarded-Proto: https\r\n"+
		"Forwarded: for=192.0.2.60;proto=https\r\nX-Request-Id: spoofed\r\n")
	if want := "ip=127.0.0.1 scheme=http forwarded=false id=" + id; body != want || !generatedID.MatchString(id) {
		t.Errorf("spoofed fields from an untrusted peer: body %q, X-Request-Id %q; want %q", body, id, want)
	}
}

func TestRequestIDs(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: whoami, RequestIDs: true, SendRequestID: true})
	seen := map[string]bool{}
	for range 50 {
		body, id := ask(t, addr, "")
		if !generatedID.MatchString(id) || !strings.HasSuffix(body, " id="+id) || seen[id] {
			t.Fatalf("body %q, X-Request-Id %q (seen before: %v)", body, id, seen[id])
		}
		seen[id] = true
	}
	quiet := startServer(t, &Server{Handler: whoami, RequestIDs: true})
	body, id := ask(t, quiet, "")
	if id != "" || !generatedID.MatchString(strings.TrimPrefix(body[strings.LastIndex(body, " ")+1:], "id=")) {
		t.Errorf("without SendRequestID: body %q, X-Request-Id %q", body, id)
	}
	own := startServer(t, &Server{RequestIDs: true, SendRequestID: true, Handler: HandlerFunc(func(w *ResponseWriter, r *Request) {
		w.Header().Set("X-Request-Id", "mine")
	})})
	if _, id := ask(t, own, ""); id != "mine" {
		t.Errorf("the handler's own X-Request-Id: got %q", id)
	}
}

func TestNextIDAllocatesNothing(t *testing.T) {
	var buf [idBufLen]byte
	if n := testing.AllocsPerRun(100, func() { nextID(buf[:0]) }); n != 0 {
		t.Errorf("nextID allocates %v times", n)
	}
}

func BenchmarkNextID(b *testing.B) {
	var buf [idBufLen]byte
	b.ReportAllocs()
	for b.Loop() {
		nextID(buf[:0])
	}
}

// TestRefusedRequestHasNoStaleID: a request the parser refuses gets no
// X-Request-Id, not the previous request's.
func TestRefusedRequestHasNoStaleID(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: whoami, RequestIDs: true, SendRequestID: true})
	c, br := dial(t, addr)
	fmt.Fprintf(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nBad Field: 1\r\n\r\n")
	if res, _ := readResponse(t, br, "GET"); res.Header.Get("X-Request-Id") == "" {
		t.Fatal("the first request has no id")
	}
	if res, _ := readResponse(t, br, "GET"); res.StatusCode != 400 || res.Header.Get("X-Request-Id") != "" {
		t.Errorf("refused request: %d with X-Request-Id %q", res.StatusCode, res.Header.Get("X-Request-Id"))
	}
}
