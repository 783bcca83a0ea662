package luatest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// client talks HTTP/1.1 to the server over one in-memory keep-alive
// connection, opened again when the server closes it.
type client struct {
	srv     *httpcore.Server
	timeout time.Duration
	conn    net.Conn // nil until the first request, or after a close
	br      *bufio.Reader
}

// outgoing is a request as the Lua side built it.
type outgoing struct {
	method, target string
	header         [][2]string
	body           []byte
}

// response is what the Lua side gets back.
type response struct {
	status int
	header http.Header
	body   []byte
	isJSON bool
}

func (c *client) dial() {
	cli, srv := net.Pipe()
	go c.srv.ServeConn(srv)
	c.conn, c.br = cli, bufio.NewReader(cli)
}

func (c *client) close() {
	if c.conn != nil {
		c.conn.Close()
		c.conn = nil
	}
}

// do sends one request and reads its response. A connection the server
// closed before answering is retried once on a new one.
func (c *client) do(o *outgoing) (*response, error) {
	for attempt := 0; ; attempt++ {
		fresh := c.conn == nil
		if fresh {
			c.dial()
		}
		res, err := c.roundTrip(o)
		if err == nil {
			return res, nil
		}
		c.close()
		if fresh || attempt > 0 || !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.ErrClosedPipe) {
			return nil, err
		}
	}
}

func (c *client) roundTrip(o *outgoing) (*response, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: localhost\r\n", o.method, o.target)
	hasLength := false
	for _, h := range o.header {
		if strings.ContainsAny(h[0]+h[1], "\r\n") {
			return nil, fmt.Errorf("header %q: value has a line break", h[0])
		}
		if httpcore.EqualFold([]byte(h[0]), "Content-Length") {
			hasLength = true
		}
		fmt.Fprintf(&b, "%s: %s\r\n", h[0], h[1])
	}
	if !hasLength && (o.body != nil || o.method == "POST" || o.method == "PUT" || o.method == "PATCH") {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(o.body))
	}
	b.WriteString("\r\n")
	b.Write(o.body)

	c.conn.SetDeadline(time.Now().Add(c.timeout))
	// Write while reading: the server may answer (413, say) before it has
	// read the whole body, and a pipe blocks the writer until then.
	werr := make(chan error, 1)
	go func() {
		_, err := c.conn.Write(b.Bytes())
		werr <- err
	}()
	hres, err := http.ReadResponse(c.br, &http.Request{Method: o.method})
	if err != nil {
		if e := <-werr; e != nil && !errors.Is(err, io.EOF) {
			return nil, e
		}
		return nil, err
	}
	body, err := io.ReadAll(hres.Body)
	hres.Body.Close()
	if err != nil {
		return nil, err
	}
	if hres.Close {
		c.close()
	} else if err := <-werr; err != nil {
		return nil, err
	}
	ct := hres.Header.Get("Content-Type")
	return &response{status: hres.StatusCode, header: hres.Header, body: body,
		isJSON: strings.Contains(strings.ToLower(ct), "json")}, nil
}

// target joins a path and a query table.
func target(path string, query url.Values) string {
	if len(query) == 0 {
		return path
	}
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	return path + sep + query.Encode()
}

// lowerHeaders returns name -> value with lower-case names, repeated
// fields joined with ", ", in a stable order.
func lowerHeaders(h http.Header) ([]string, map[string]string) {
	out := map[string]string{}
	names := make([]string, 0, len(h))
	for k, v := range h {
		name := strings.ToLower(k)
		names = append(names, name)
		out[name] = strings.Join(v, ", ")
	}
	sort.Strings(names)
	return names, out
}
