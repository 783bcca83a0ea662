package engine

import (
	"fmt"
	"html"
	"net/url"
	"strings"

	"github.com/luaserve/luaserve/httpcore"
)

// devRequest is the request as the -dev error page shows it: copied out
// of the connection's buffer, with secrets masked. A developer shares
// screenshots of this page; a bearer token or session cookie in one would
// be a leak.
type devRequest struct {
	method, path, query string // query: as sent, secrets masked
	params              []devField
	headers             []devField
}

// devField is one name and value shown; masked says the value was hidden.
type devField struct {
	name, value string
	masked      bool
}

// maskText replaces a secret value.
const maskText = "•••••• (masked)"

func newDevRequest(r *httpcore.Request) devRequest {
	d := devRequest{method: string(r.Method), path: string(r.Path)}
	if r.Query != nil {
		d.params = queryFields(string(r.Query))
		d.query = maskQuery(string(r.Query))
	}
	for i := range r.Header.Len() {
		name, value := r.Header.At(i)
		d.headers = append(d.headers, maskHeader(string(name), string(value)))
	}
	return d
}

// secretName reports whether a header or query parameter called name
// probably carries a credential.
func secretName(name string) bool {
	n := strings.ToLower(name)
	switch n {
	case "cookie", "set-cookie", "key", "sig", "signature":
		return true
	}
	for _, s := range []string{"auth", "token", "secret", "password", "passwd", "api-key", "api_key", "apikey",
		"session", "credential", "private"} {
		if strings.Contains(n, s) {
			return true
		}
	}
	return false
}

// maskHeader hides a secret header's value, keeping what helps debugging
// and gives nothing away: an Authorization scheme ("Bearer"), cookie names.
func maskHeader(name, value string) devField {
	f := devField{name: name, value: value}
	if !secretName(name) {
		return f
	}
	f.masked = true
	switch n := strings.ToLower(name); {
	case n == "cookie":
		var parts []string
		for _, c := range strings.Split(value, ";") {
			k, _, _ := strings.Cut(strings.TrimSpace(c), "=")
			parts = append(parts, k+"=••••••")
		}
		f.value = strings.Join(parts, "; ") + " (values masked)"
	case strings.HasSuffix(n, "authorization"):
		if scheme, _, ok := strings.Cut(value, " "); ok {
			f.value = scheme + " " + maskText
		} else {
			f.value = maskText
		}
	default:
		f.value = maskText
	}
	return f
}

// queryFields splits a query string into its decoded parameters, in order.
func queryFields(q string) []devField {
	var out []devField
	for _, kv := range strings.Split(q, "&") {
		if kv == "" {
			continue
		}
		k, v, _ := strings.Cut(kv, "=")
		k, v = unescapeQuery(k), unescapeQuery(v)
		f := devField{name: k, value: v}
		if secretName(k) {
			f.value, f.masked = maskText, true
		}
		out = append(out, f)
	}
	return out
}

// maskQuery is the raw query string with the values of secret parameters
// replaced.
func maskQuery(q string) string {
	parts := strings.Split(q, "&")
	for i, kv := range parts {
		if k, _, ok := strings.Cut(kv, "="); ok && secretName(unescapeQuery(k)) {
			parts[i] = k + "=***"
		}
	}
	return strings.Join(parts, "&")
}

func unescapeQuery(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// text writes the request for the plain-text page.
func (d *devRequest) text(b *strings.Builder) {
	if d.method == "" {
		return
	}
	target := d.path
	if d.query != "" {
		target += "?" + d.query
	}
	fmt.Fprintf(b, "request: %s %s\n", d.method, target)
	for _, f := range d.params {
		fmt.Fprintf(b, "  query %s = %s\n", f.name, f.value)
	}
	for _, f := range d.headers {
		fmt.Fprintf(b, "  %s: %s\n", f.name, f.value)
	}
}

// html writes the request's tables for the HTML page; every string is
// escaped, since all of it comes from the client.
func (d *devRequest) html(b *strings.Builder) {
	if d.method == "" {
		return
	}
	b.WriteString("<h2>Request</h2>\n<table class=\"kv req\">\n")
	kvRow(b, devField{name: "Method", value: d.method})
	kvRow(b, devField{name: "Path", value: d.path})
	if d.query != "" {
		kvRow(b, devField{name: "Query", value: d.query})
	}
	b.WriteString("</table>\n")
	if len(d.params) > 0 {
		b.WriteString("<h2>Query parameters</h2>\n<table class=\"kv params\">\n")
		for _, f := range d.params {
			kvRow(b, f)
		}
		b.WriteString("</table>\n")
	}
	b.WriteString("<h2>Headers</h2>\n<table class=\"kv headers\">\n")
	for _, f := range d.headers {
		kvRow(b, f)
	}
	b.WriteString("</table>\n")
}

func kvRow(b *strings.Builder, f devField) {
	class := ""
	if f.masked {
		class = ` class="masked"`
	}
	b.WriteString("<tr><th>" + html.EscapeString(f.name) + "</th><td" + class + ">" + html.EscapeString(f.value) + "</td></tr>\n")
}
