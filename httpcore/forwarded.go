package httpcore

import (
	"bytes"
	"net"
	"net/netip"
)

// Schemes of Request.Scheme.
const (
	SchemeHTTP  = "http"
	SchemeHTTPS = "https"
)

// peer is what a connection knows of its peer, worked out once per
// connection (and again after a PROXY protocol header): the address to
// show, and whether its forwarding headers are believed.
type peer struct {
	ip      string     // RemoteAddr's host part, a substring (no allocation)
	addr    netip.Addr // zero when RemoteAddr is not an IP address (net.Pipe)
	trusted bool       // in Server.TrustedProxies
	scheme  string     // the connection's own: "https" over TLS
}

// setPeer records the connection's peer address, "ip:port".
func (c *conn) setPeer(remote string) {
	c.req.RemoteAddr = remote
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	c.peer.ip = host
	c.peer.addr, _ = netip.ParseAddr(host)
	c.peer.addr = c.peer.addr.Unmap()
	c.peer.trusted = c.srv.trusts(c.peer.addr)
}

// trusts reports whether a is one of the trusted proxies.
func (s *Server) trusts(a netip.Addr) bool {
	if !a.IsValid() {
		return false
	}
	for _, p := range s.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// prepare sets what the core adds to a parsed request: the client's
// address and scheme (from forwarding headers when a trusted proxy sent
// them) and the request id.
func (c *conn) prepare() {
	r := &c.req
	r.RemoteIP, r.Scheme, r.Forwarded = c.peer.ip, c.peer.scheme, false
	r.ID = nil
	if c.peer.trusted {
		c.forwarded()
	}
	if c.srv.RequestIDs && r.ID == nil {
		r.ID = nextID(c.idBuf[:0])
	}
}

// forwarded believes the trusted peer's Forwarded (RFC 7239), else its
// X-Forwarded-For and X-Forwarded-Proto, and its X-Request-Id.
func (c *conn) forwarded() {
	r := &c.req
	if c.srv.RequestIDs {
		if id := r.Header.Get("X-Request-Id"); saneID(id) {
			r.ID = id
		}
	}
	ip, proto := c.forwardedRFC7239()
	if ip == "" {
		ip, proto = c.forwardedFor()
	}
	if ip != "" {
		r.RemoteIP, r.Forwarded = ip, true
	}
	switch {
	case EqualFold(proto, SchemeHTTPS):
		r.Scheme = SchemeHTTPS
	case EqualFold(proto, SchemeHTTP):
		r.Scheme = SchemeHTTP
	}
}

// forwardedFor walks X-Forwarded-For from the right, past the trusted
// proxies, to the first hop that is not one: the client as the nearest
// proxy it did not trust saw it. A hop that is not an address stops the
// walk at the last trusted one. proto is the X-Forwarded-Proto item at
// the same place from the right, or its first item.
func (c *conn) forwardedFor() (ip string, proto []byte) {
	h := &c.req.Header
	hop := -1
	for i := h.Len() - 1; i >= 0; i-- {
		name, v := h.At(i)
		if !EqualFold(name, "x-forwarded-for") {
			continue
		}
		for len(v) > 0 {
			var item []byte
			item, v = lastItem(v)
			if len(item) == 0 {
				continue
			}
			hop++
			a, err := netip.ParseAddr(string(item))
			if err != nil {
				return ip, c.protoAt(hop - 1)
			}
			ip = a.Unmap().String()
			if !c.srv.trusts(a.Unmap()) {
				return ip, c.protoAt(hop)
			}
		}
	}
	return ip, c.protoAt(hop)
}

// protoAt is X-Forwarded-Proto's item k from the right, or its leftmost
// when it has fewer; nil without the field or for k < 0.
func (c *conn) protoAt(k int) []byte {
	if k < 0 {
		return nil
	}
	v := c.req.Header.Get("X-Forwarded-Proto")
	var item []byte
	for n := 0; len(v) > 0; n++ {
		item, v = lastItem(v)
		if n == k {
			break
		}
	}
	return item
}

// lastItem splits the last comma-separated item, trimmed, off v.
func lastItem(v []byte) (item, rest []byte) {
	i := bytes.LastIndexByte(v, ',')
	return bytes.TrimSpace(v[i+1:]), v[:max(i, 0)]
}

// forwardedRFC7239 is forwardedFor for the Forwarded field (RFC 7239):
// its elements from the right, each's for= node, and the proto= of the
// element the client was found in.
func (c *conn) forwardedRFC7239() (ip string, proto []byte) {
	h := &c.req.Header
	for i := h.Len() - 1; i >= 0; i-- {
		name, v := h.At(i)
		if !EqualFold(name, "forwarded") {
			continue
		}
		for len(v) > 0 {
			var elem []byte
			elem, v = lastItem(v)
			if len(elem) == 0 {
				continue
			}
			node, p := forwardedPairs(elem)
			a, ok := forwardedNode(node)
			if !ok {
				return ip, proto // "unknown", obfuscated or malformed
			}
			ip, proto = a.String(), p
			if !c.srv.trusts(a) {
				return ip, proto
			}
		}
	}
	return ip, proto
}

// forwardedPairs finds the for= and proto= values of one element,
// "for=192.0.2.60;proto=http;by=203.0.113.43", quotes removed.
func forwardedPairs(elem []byte) (node, proto []byte) {
	for len(elem) > 0 {
		var pair []byte
		pair, elem, _ = bytes.Cut(elem, []byte{';'})
		k, v, _ := bytes.Cut(bytes.TrimSpace(pair), []byte{'='})
		v = unquote(v)
		switch {
		case EqualFold(k, "for"):
			node = v
		case EqualFold(k, "proto"):
			proto = v
		}
	}
	return node, proto
}

// forwardedNode parses a for= node: "192.0.2.60", "192.0.2.60:47011",
// "[2001:db8:cafe::17]:4711"; not "unknown" or an obfuscated "_name".
func forwardedNode(node []byte) (netip.Addr, bool) {
	if len(node) > 0 && node[0] == '[' {
		end := bytes.IndexByte(node, ']')
		if end < 0 {
			return netip.Addr{}, false
		}
		node = node[1:end]
	} else if i := bytes.IndexByte(node, ':'); i >= 0 {
		node = node[:i]
	}
	a, err := netip.ParseAddr(string(node))
	return a.Unmap(), err == nil
}

// unquote drops the double quotes around a quoted-string.
func unquote(v []byte) []byte {
	if len(v) >= 2 && v[0] == '"' && v[len(v)-1] == '"' {
		return v[1 : len(v)-1]
	}
	return v
}
