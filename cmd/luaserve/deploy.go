package main

import (
	"flag"
	"fmt"
	"net/netip"
	"strings"

	"github.com/luaserve/luaserve/httpcore"
)

// deployOptions are the flags of running behind a proxy and in the open:
// trusted proxies, request ids, the PROXY protocol, TLS, the admin
// listener and compression.
type deployOptions struct {
	trusted       prefixList
	noRequestID   bool
	proxyProtocol bool
}

func addDeployFlags(fs *flag.FlagSet, o *deployOptions) {
	fs.Var(&o.trusted, "trusted-proxies", "comma-separated CIDR prefixes or addresses of proxies whose Forwarded, "+
		"X-Forwarded-For, X-Forwarded-Proto and X-Request-Id are believed (and, with -proxy-protocol, that send a PROXY header)")
	fs.BoolVar(&o.noRequestID, "no-request-id-header", false, "do not send the request id as the X-Request-Id response "+
		"field (req.id and the logs still have it) (default off)")
	fs.BoolVar(&o.proxyProtocol, "proxy-protocol", false, "connections from -trusted-proxies begin with a PROXY protocol "+
		"v1 or v2 header (HAProxy, cloud load balancers); others are served as they are (default off)")
}

// apply sets the server's part of the options.
func (o *deployOptions) apply(s *httpcore.Server) {
	s.TrustedProxies = o.trusted
	s.RequestIDs = true
	s.SendRequestID = !o.noRequestID
	s.ProxyProtocol = o.proxyProtocol
}

// prefixList is a flag of comma-separated CIDR prefixes; a bare address
// is a prefix of its full length.
type prefixList []netip.Prefix

func (p *prefixList) String() string {
	if p == nil {
		return ""
	}
	s := make([]string, len(*p))
	for i, v := range *p {
		s[i] = v.String()
	}
	return strings.Join(s, ",")
}

func (p *prefixList) Set(v string) error {
	*p = nil
	for _, item := range strings.Split(v, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			a, err := netip.ParseAddr(item)
			if err != nil {
				return fmt.Errorf("%q is neither an address nor a CIDR prefix", item)
			}
			*p = append(*p, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pf, err := netip.ParsePrefix(item)
		if err != nil {
			return fmt.Errorf("%q is not a CIDR prefix like 10.0.0.0/8", item)
		}
		*p = append(*p, pf.Masked())
	}
	return nil
}
