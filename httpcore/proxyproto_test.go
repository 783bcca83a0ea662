package httpcore

import (
	"bufio"
	"crypto/tls"
	"encoding/binary"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"
)

// proxyV2 builds a v2 header: command (0x21 PROXY, 0x20 LOCAL), family,
// and the address block.
func proxyV2(cmd, fam byte, addrs []byte) string {
	b := append([]byte(nil), proxyV2Sig...)
	b = append(b, cmd, fam, 0, 0)
	binary.BigEndian.PutUint16(b[14:], uint16(len(addrs)))
	return string(append(b, addrs...))
}

func v4Addrs() []byte {
	return []byte{203, 0, 113, 7, 10, 0, 0, 1, 0xdb, 0x0c, 0x01, 0xbb, 0x04, 0x00, 0x02, 'h', 'i'} // a TLV after the addresses
}

func v6Addrs() []byte {
	b := make([]byte, 36)
	b[0], b[1], b[15] = 0x20, 0x01, 0x09
	b[31] = 1
	binary.BigEndian.PutUint16(b[32:], 4711)
	binary.BigEndian.PutUint16(b[34:], 443)
	return b
}

func TestParseProxy(t *testing.T) {
	t.Parallel()
	ok := []struct{ in, remote string }{
		{"PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n", "192.0.2.1:56324"},
		{"PROXY TCP6 2001:db8::1 2001:db8::2 4711 443\r\n", "[2001:db8::1]:4711"},
		{"PROXY UNKNOWN\r\n", ""},
		{"PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n", ""},
		{proxyV2(0x21, 0x11, v4Addrs()), "203.0.113.7:56076"},
		{proxyV2(0x21, 0x21, v6Addrs()), "[2001::9]:4711"},
		{proxyV2(0x20, 0x00, nil), ""},
		{proxyV2(0x20, 0x11, v4Addrs()), ""},
	}
	for _, tc := range ok {
		n, remote, err := parseProxy([]byte(tc.in + "GET /"))
		if err != nil || n != len(tc.in) || remote != tc.remote {
			t.Errorf("%q: n %d remote %q err %v; want %d %q", tc.in, n, remote, err, len(tc.in), tc.remote)
		}
		for i := range len(tc.in) { // every prefix asks for more
			if n, _, err := parseProxy([]byte(tc.in[:i])); n != 0 || err != nil {
				t.Errorf("%q cut at %d: n %d err %v", tc.in, i, n, err)
			}
		}
	}
	bad := []string{
		"GET / HTTP/1.1\r\n", "PROXY TCP4 192.0.2.1 198.51.100.1 56324\r\n", "PROXY TCP4 2001:db8::1 198.51.100.1 1 2\r\n",
		"PROXY TCP4 192.0.2.1 198.51.100.1 65536 443\r\n", "PROXY TCP4 192.0.2.1 198.51.100.1 080 443\r\n",
		"PROXY TCP5 192.0.2.1 198.51.100.1 1 2\r\n", "PROXY TCP4 192.0.2.1  198.51.100.1 1 2\r\n",
		"PROXY TCP4 " + strings.Repeat("1", 100) + "\r\n", "proxy TCP4 192.0.2.1 198.51.100.1 1 2\r\n",
		proxyV2(0x31, 0x11, v4Addrs()), proxyV2(0x22, 0x11, v4Addrs()), proxyV2(0x21, 0x11, v4Addrs()[:8]),
		proxyV2(0x21, 0x21, v6Addrs()[:20]), proxyV2(0x21, 0x12, v4Addrs()), proxyV2(0x21, 0x31, make([]byte, 216)),
	}
	for _, in := range bad {
		if _, _, err := parseProxy([]byte(in)); err != errProxyHeader {
			t.Errorf("%q: err %v, want errProxyHeader", in, err)
		}
	}
}

// TestProxyProtocolOverSocket: from a trusted peer the header's source
// becomes the client; a malformed or missing header closes the
// connection; an untrusted peer is served without one.
func TestProxyProtocolOverSocket(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: whoami, ProxyProtocol: true, TrustedProxies: prefixes("127.0.0.1/32"),
		ReadHeaderTimeout: 300 * time.Millisecond, ErrorLog: slog.New(slog.DiscardHandler)})
	get := "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
	for _, tc := range []struct{ name, header, want string }{
		{"v1", "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n", "ip=192.0.2.1 "},
		{"v1 unknown", "PROXY UNKNOWN\r\n", "ip=127.0.0.1 "},
		{"v2 v4", proxyV2(0x21, 0x11, v4Addrs()), "ip=203.0.113.7 "},
		{"v2 v6", proxyV2(0x21, 0x21, v6Addrs()), "ip=2001::9 "},
		{"v2 local", proxyV2(0x20, 0x00, nil), "ip=127.0.0.1 "},
	} {
		for _, split := range []bool{false, true} { // the header alone first, or with the request
			c, br := dial(t, addr)
			if split {
				io.WriteString(c, tc.header) // a write of its own (Nagle is off): usually a segment of its own
			}
			io.WriteString(c, map[bool]string{false: tc.header, true: ""}[split]+get+get)
			for range 2 {
				if _, body := readResponse(t, br, "GET"); !strings.HasPrefix(body, tc.want) {
					t.Errorf("%s (split %v): %q, want %q", tc.name, split, body, tc.want)
				}
			}
		}
	}
	for _, bad := range []string{get, "PROXY TCP4 nonsense\r\n" + get, proxyV2(0x21, 0x12, v4Addrs()) + get, "PROXY TCP4 1.2.3.4"} {
		c, br := dial(t, addr)
		io.WriteString(c, bad)
		expectClosed(t, c, br) // no answer, and within the header timeout
	}
}

func TestProxyProtocolUntrustedPeer(t *testing.T) {
	t.Parallel()
	addr := startServer(t, &Server{Handler: whoami, ProxyProtocol: true, TrustedProxies: prefixes("10.0.0.0/8")})
	c, br := dial(t, addr)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := readResponse(t, br, "GET"); !strings.HasPrefix(body, "ip=127.0.0.1 ") {
		t.Errorf("untrusted peer: %q", body)
	}
	c, br = dial(t, addr)
	io.WriteString(c, "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if res, _ := readResponse(t, br, "GET"); res.StatusCode != 400 {
		t.Errorf("a PROXY header from an untrusted peer: %d, want 400", res.StatusCode)
	}
}

// TestProxyProtocolUnderTLS: the PROXY header comes before the TLS
// handshake, in the same write as the ClientHello.
func TestProxyProtocolUnderTLS(t *testing.T) {
	t.Parallel()
	addr, ccfg := startTLS(t, &Server{Handler: whoami, ProxyProtocol: true, TrustedProxies: prefixes("127.0.0.1/32")})
	raw, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	raw.SetDeadline(time.Now().Add(10 * time.Second))
	ccfg.ServerName = "127.0.0.1"
	c := tls.Client(&headerConn{Conn: raw, header: []byte(proxyV2(0x21, 0x11, v4Addrs()))}, ccfg)
	io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
	if _, body := readResponse(t, bufio.NewReader(c), "GET"); !strings.HasPrefix(body, "ip=203.0.113.7 scheme=https ") {
		t.Errorf("PROXY then TLS: %q", body)
	}
}

// headerConn sends header in the same write as the first bytes.
type headerConn struct {
	net.Conn
	header []byte
}

func (h *headerConn) Write(p []byte) (int, error) {
	if h.header != nil {
		b := append(h.header, p...)
		h.header = nil
		_, err := h.Conn.Write(b)
		return len(p), err
	}
	return h.Conn.Write(p)
}
