package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"time"
)

// healthCmd implements "luaserve health [-timeout d] [url]": one GET to a
// running server, exit status 0 when it answers with a status below 500.
// It is the Dockerfile's HEALTHCHECK: the image has no shell and no curl.
// Without a URL it asks the address of LUASERVE_ADDR (or :8080) on the
// loopback interface, path "/". Redirects are not followed: a 3xx is an
// answer.
func healthCmd(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("luaserve health", flag.ContinueOnError)
	fs.SetOutput(stderr)
	timeout := fs.Duration("timeout", 3*time.Second, "give up after this long")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: luaserve health [-timeout 3s] [url]\n\n"+
			"GETs url (default %s) and exits 0 if the server answers below 500.\n\nFlags:\n", healthURL())
		fs.PrintDefaults()
	}
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return usageError{"health takes one URL at most"}
	}
	url := healthURL()
	if fs.NArg() == 1 {
		url = fs.Arg(0)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", url, nil)
	if err != nil {
		return usageError{fmt.Sprintf("health: %v", err)}
	}
	req.Header.Set("User-Agent", "luaserve-health")
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.Do(req)
	if err != nil {
		return fmt.Errorf("health: %v", err)
	}
	io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	res.Body.Close()
	if res.StatusCode >= 500 {
		return fmt.Errorf("health: %s answered %s", url, res.Status)
	}
	fmt.Fprintf(stdout, "ok: %s answered %s\n", url, res.Status)
	return nil
}

// healthURL is the server's own address as LUASERVE_ADDR (or the default
// :8080) gives it, on the loopback interface when it listens on all.
func healthURL() string {
	addr := os.Getenv("LUASERVE_ADDR")
	if addr == "" {
		addr = ":8080"
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "http://127.0.0.1:8080/"
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, port) + "/"
}
