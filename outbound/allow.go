package outbound

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// allowList says which hosts calls may reach (SSRF defence). An empty list
// allows every host.
type allowList struct {
	hosts    map[string]bool // "api.example.com", or "api.example.com:8443"
	suffixes []string        // ".example.com", from "*.example.com"
	nets     []netip.Prefix  // "10.0.0.0/8", and single addresses as /32 or /128
}

// parseAllow reads allow-list entries: a host name (any port), host:port,
// *.domain (its subdomains, not the domain itself), an IP address or a
// CIDR prefix (matching URLs whose host is a literal address inside it).
func parseAllow(entries []string) (*allowList, error) {
	a := &allowList{hosts: map[string]bool{}}
	for _, e := range entries {
		e = strings.ToLower(strings.TrimSpace(e))
		switch {
		case e == "":
			continue
		case strings.HasPrefix(e, "*."):
			a.suffixes = append(a.suffixes, e[1:])
		case strings.Contains(e, "/"):
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return nil, fmt.Errorf("allow-list entry %q: %v", e, err)
			}
			a.nets = append(a.nets, p.Masked())
		default:
			if ip, err := netip.ParseAddr(strings.Trim(e, "[]")); err == nil {
				a.nets = append(a.nets, netip.PrefixFrom(ip, ip.BitLen()))
				continue
			}
			if strings.ContainsAny(e, "*/?#@ ") {
				return nil, fmt.Errorf("allow-list entry %q: not a host, host:port, *.domain, address or prefix", e)
			}
			a.hosts[e] = true
		}
	}
	return a, nil
}

func (a *allowList) empty() bool {
	return len(a.hosts) == 0 && len(a.suffixes) == 0 && len(a.nets) == 0
}

// allows reports whether a URL's host (hostport as in url.URL.Host) may be
// called.
func (a *allowList) allows(hostport string) bool {
	if a.empty() {
		return true
	}
	hostport = strings.ToLower(hostport)
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if ip, err := netip.ParseAddr(host); err == nil {
		ip = ip.Unmap()
		for _, p := range a.nets {
			if p.Contains(ip) {
				return true
			}
		}
		return a.hosts[host] || a.hosts[hostport]
	}
	host = strings.TrimSuffix(host, ".")
	if a.hosts[host] || a.hosts[hostport] {
		return true
	}
	for _, s := range a.suffixes {
		if strings.HasSuffix(host, s) {
			return true
		}
	}
	return false
}
