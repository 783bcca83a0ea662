package tests

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"testing"
	"time"
)

// A headless Chromium driven through the DevTools protocol, for the pages
// meant for a person (the -dev error page, folder listings): a layout bug
// shows only where a browser lays the page out. The protocol runs over a
// pipe (--remote-debugging-pipe: JSON messages ended by a NUL byte, the
// browser reading fd 3 and writing fd 4), so no port and no WebSocket
// client are needed.
//
// Without Chromium the tests skip, unless LUASERVE_REQUIRE_BROWSER=1
// (.ci/run installs it and sets that). LUASERVE_CHROMIUM names another
// binary.

// browserWait bounds every wait on the browser.
const browserWait = 30 * time.Second

// browser is a running Chromium with one page attached.
type browser struct {
	cmd     *exec.Cmd
	in      *os.File        // our end of the browser's fd 3
	msgs    chan cdpMessage // from the reader goroutine; closed on EOF
	stderr  *syncBuffer     // the browser's own log, for failures
	session string          // the attached page's session
	nextID  int             // last command id used
	events  []cdpMessage    // events read while waiting for something else
	mu      sync.Mutex      // guards closed
	closed  bool            // close was called
	done    chan struct{}   // closed when the process has exited
	profile string          // the browser's fresh profile folder
}

// cdpMessage is a response (ID set) or an event (Method set).
type cdpMessage struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// chromiumPath finds the browser, or skips the test (fails it when
// LUASERVE_REQUIRE_BROWSER=1).
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("LUASERVE_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("LUASERVE_REQUIRE_BROWSER") == "1" {
		t.Fatal("LUASERVE_REQUIRE_BROWSER=1 but no chromium on PATH")
	}
	t.Skip("no chromium on PATH (LUASERVE_REQUIRE_BROWSER=1 makes this a failure)")
	return ""
}

// startBrowser starts a headless Chromium with a fresh profile and a blank
// page of width × height CSS pixels, stopped when the test ends.
func startBrowser(t *testing.T, width, height int) *browser {
	t.Helper()
	path := chromiumPath(t)
	cmdR, cmdW, err := os.Pipe() // we write commands; the browser reads fd 3
	if err != nil {
		t.Fatal(err)
	}
	outR, outW, err := os.Pipe() // the browser writes fd 4; we read
	if err != nil {
		t.Fatal(err)
	}
	// The profile folder is removed by close, errors ignored: not
	// t.TempDir, whose cleanup fails the test if a helper process of the
	// browser is still writing there as it exits.
	profile, err := os.MkdirTemp("", "luaserve-chromium-")
	if err != nil {
		t.Fatal(err)
	}
	b := &browser{in: cmdW, msgs: make(chan cdpMessage, 64), stderr: &syncBuffer{}, done: make(chan struct{}), profile: profile}
	b.cmd = exec.Command(path, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-dev-shm-usage", "--hide-scrollbars", "--password-store=basic", "--user-data-dir="+profile,
		"--remote-debugging-pipe", "about:blank")
	b.cmd.ExtraFiles = []*os.File{cmdR, outW}
	b.cmd.Stderr = b.stderr
	if err := b.cmd.Start(); err != nil {
		os.RemoveAll(profile)
		t.Fatalf("start %s: %v", path, err)
	}
	cmdR.Close()
	outW.Close()
	go func() {
		b.cmd.Wait()
		close(b.done)
	}()
	go readCDP(outR, b.msgs)
	t.Cleanup(b.close)
	b.attach(t, width, height)
	return b
}

// readCDP passes the browser's messages on until its pipe closes.
func readCDP(r io.ReadCloser, msgs chan<- cdpMessage) {
	defer close(msgs)
	defer r.Close()
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		raw, err := br.ReadBytes(0)
		if err != nil {
			return
		}
		var m cdpMessage
		if json.Unmarshal(bytes.TrimSuffix(raw, []byte{0}), &m) == nil {
			msgs <- m
		}
	}
}

// close ends the browser: closing its command pipe asks it to quit; a kill
// follows if it has not within a few seconds.
func (b *browser) close() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return
	}
	b.closed = true
	b.in.Close()
	select {
	case <-b.done:
	case <-time.After(5 * time.Second):
		b.cmd.Process.Kill()
		<-b.done
	}
	for range b.msgs { // let the reader finish
	}
	os.RemoveAll(b.profile)
}

// attach opens a page and attaches to it (one flat session), at a fixed
// viewport so that layouts are the same on every machine.
func (b *browser) attach(t *testing.T, width, height int) {
	t.Helper()
	var target struct {
		TargetID string `json:"targetId"`
	}
	b.call(t, "", "Target.createTarget", map[string]any{"url": "about:blank"}, &target)
	var att struct {
		SessionID string `json:"sessionId"`
	}
	b.call(t, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true}, &att)
	b.session = att.SessionID
	b.call(t, b.session, "Page.enable", nil, nil)
	b.call(t, b.session, "Emulation.setDeviceMetricsOverride",
		map[string]any{"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false}, nil)
}

// call sends a command and waits for its answer, decoded into result
// (when not nil). Events read meanwhile are kept for waitEvent.
func (b *browser) call(t *testing.T, session, method string, params any, result any) {
	t.Helper()
	b.nextID++
	id := b.nextID
	msg := map[string]any{"id": id, "method": method}
	if params != nil {
		msg["params"] = params
	}
	if session != "" {
		msg["sessionId"] = session
	}
	raw, err := json.Marshal(msg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.in.Write(append(raw, 0)); err != nil {
		t.Fatalf("%s: write to the browser: %v\n%s", method, err, b.stderr.String())
	}
	m := b.next(t, method, func(m cdpMessage) bool { return m.ID == id })
	if m.Error != nil {
		t.Fatalf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
	}
	if result != nil {
		if err := json.Unmarshal(m.Result, result); err != nil {
			t.Fatalf("%s: decode %s: %v", method, m.Result, err)
		}
	}
}

// next reads messages until one matches, keeping events for later.
func (b *browser) next(t *testing.T, what string, match func(cdpMessage) bool) cdpMessage {
	t.Helper()
	timeout := time.NewTimer(browserWait)
	defer timeout.Stop()
	for {
		select {
		case m, ok := <-b.msgs:
			if !ok {
				t.Fatalf("%s: the browser went away\n%s", what, b.stderr.String())
			}
			if match(m) {
				return m
			}
			if m.Method != "" {
				b.events = append(b.events, m)
			}
		case <-timeout.C:
			t.Fatalf("%s: no answer from the browser in %v\n%s", what, browserWait, b.stderr.String())
		}
	}
}

// waitEvent waits for an event of the page's session.
func (b *browser) waitEvent(t *testing.T, method string) {
	t.Helper()
	for i, m := range b.events {
		if m.Method == method && m.SessionID == b.session {
			b.events = append(b.events[:i], b.events[i+1:]...)
			return
		}
	}
	b.next(t, method, func(m cdpMessage) bool { return m.Method == method && m.SessionID == b.session })
}

// open loads url in the page and waits for its load event.
func (b *browser) open(t *testing.T, url string) {
	t.Helper()
	b.events = b.events[:0]
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	b.call(t, b.session, "Page.navigate", map[string]any{"url": url}, &nav)
	if nav.ErrorText != "" {
		t.Fatalf("navigate %s: %s", url, nav.ErrorText)
	}
	b.waitEvent(t, "Page.loadEventFired")
}

// eval runs a JavaScript expression in the page and decodes its value
// (JSON-serialisable) into out.
func (b *browser) eval(t *testing.T, expr string, out any) {
	t.Helper()
	var res struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text      string `json:"text"`
			Exception struct {
				Description string `json:"description"`
			} `json:"exception"`
		} `json:"exceptionDetails"`
	}
	b.call(t, b.session, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true}, &res)
	if e := res.ExceptionDetails; e != nil {
		t.Fatalf("eval: %s %s", e.Text, e.Exception.Description)
	}
	if err := json.Unmarshal(res.Result.Value, out); err != nil {
		t.Fatalf("eval: decode %s: %v", res.Result.Value, err)
	}
}

// screenshot saves the page as a PNG, for a person to look at when a
// layout test fails (LUASERVE_SCREENSHOTS=folder keeps them).
func (b *browser) screenshot(t *testing.T, name string) {
	t.Helper()
	dir := os.Getenv("LUASERVE_SCREENSHOTS")
	if dir == "" {
		return
	}
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON: []byte decodes it
	}
	b.call(t, b.session, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true}, &shot)
	path := fmt.Sprintf("%s/%s.png", dir, name)
	if err := os.WriteFile(path, shot.Data, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", path)
}
