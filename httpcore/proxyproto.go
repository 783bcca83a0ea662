package httpcore

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net/netip"
	"strconv"
)

// The PROXY protocol (HAProxy's proxy-protocol.txt): a load balancer
// that passes TCP through begins each connection with a header naming
// the client's address, in text (v1) or binary (v2).

var (
	proxyV1Prefix = []byte("PROXY ")
	proxyV2Sig    = []byte("\r\n\r\n\x00\r\nQUIT\n")
)

// proxyV1Max is the longest v1 header, CRLF included.
const proxyV1Max = 107

var errProxyHeader = errors.New("httpcore: malformed PROXY protocol header")

// parseProxy parses a PROXY protocol header at the start of b. It returns
// the header's length, 0 while b may be the start of one; and the source
// address, "ip:port", or "" when the header names none (v1 UNKNOWN, v2
// LOCAL: the proxy's own health check). Anything else is errProxyHeader.
func parseProxy(b []byte) (n int, remote string, err error) {
	switch {
	case len(b) >= len(proxyV2Sig) && bytes.Equal(b[:len(proxyV2Sig)], proxyV2Sig):
		return parseProxyV2(b)
	case len(b) >= len(proxyV1Prefix) && bytes.Equal(b[:len(proxyV1Prefix)], proxyV1Prefix):
		return parseProxyV1(b)
	case bytes.HasPrefix(proxyV2Sig, b[:min(len(b), len(proxyV2Sig))]),
		bytes.HasPrefix(proxyV1Prefix, b[:min(len(b), len(proxyV1Prefix))]):
		return 0, "", nil // too short to tell yet
	}
	return 0, "", errProxyHeader
}

// parseProxyV1 parses "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n".
func parseProxyV1(b []byte) (int, string, error) {
	end := bytes.Index(b[:min(len(b), proxyV1Max)], []byte("\r\n"))
	if end < 0 {
		if len(b) >= proxyV1Max {
			return 0, "", errProxyHeader
		}
		return 0, "", nil
	}
	f := bytes.Split(b[len(proxyV1Prefix):end], []byte{' '})
	if string(f[0]) == "UNKNOWN" {
		return end + 2, "", nil
	}
	if len(f) != 5 || (string(f[0]) != "TCP4" && string(f[0]) != "TCP6") {
		return 0, "", errProxyHeader
	}
	src, err1 := netip.ParseAddr(string(f[1]))
	dst, err2 := netip.ParseAddr(string(f[2]))
	sport, ok1 := proxyPort(f[3])
	_, ok2 := proxyPort(f[4])
	if err1 != nil || err2 != nil || !ok1 || !ok2 || src.Is4() != (string(f[0]) == "TCP4") || dst.Is4() != src.Is4() {
		return 0, "", errProxyHeader
	}
	return end + 2, netip.AddrPortFrom(src, sport).String(), nil
}

// proxyPort parses a v1 port: decimal, no leading zero, at most 65535.
func proxyPort(b []byte) (uint16, bool) {
	if len(b) == 0 || len(b) > 5 || (b[0] == '0' && len(b) > 1) {
		return 0, false
	}
	for _, c := range b {
		if !isDigit(c) {
			return 0, false
		}
	}
	n, err := strconv.Atoi(string(b))
	return uint16(n), err == nil && n <= 65535
}

// parseProxyV2 parses the binary header: the signature, version and
// command, family and protocol, the length of what follows, the
// addresses, then TLVs, which are skipped.
func parseProxyV2(b []byte) (int, string, error) {
	const head = 16
	if len(b) < head {
		return 0, "", nil
	}
	verCmd, fam := b[12], b[13]
	size := head + int(binary.BigEndian.Uint16(b[14:16]))
	if verCmd>>4 != 2 || verCmd&0xf > 1 {
		return 0, "", errProxyHeader
	}
	if len(b) < size {
		return 0, "", nil
	}
	if verCmd&0xf == 0 { // LOCAL
		return size, "", nil
	}
	addrs := b[head:size]
	switch fam {
	case 0x11: // TCP over IPv4
		if len(addrs) < 12 {
			return 0, "", errProxyHeader
		}
		src := netip.AddrFrom4([4]byte(addrs[0:4]))
		return size, netip.AddrPortFrom(src, binary.BigEndian.Uint16(addrs[8:10])).String(), nil
	case 0x21: // TCP over IPv6
		if len(addrs) < 36 {
			return 0, "", errProxyHeader
		}
		src := netip.AddrFrom16([16]byte(addrs[0:16])).Unmap()
		return size, netip.AddrPortFrom(src, binary.BigEndian.Uint16(addrs[32:34])).String(), nil
	case 0x00: // UNSPEC: keep the connection's address
		return size, "", nil
	}
	return 0, "", errProxyHeader // UDP or unix sockets: not for HTTP
}
