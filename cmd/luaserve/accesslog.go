package main

import (
	"io"
	"strconv"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/internal/jsonstr"
	"github.com/luaserve/luaserve/metrics"
)

// accessLog logs one line per request after the handler returns: remote
// address, method, target, status, body bytes and the handler's duration.
// Lines have exactly the shape slog's text or JSON handler gives them (the
// time is when the line is written), but are formatted here straight into
// the line buffer: through slog a line cost about 1.5 µs and 2 allocations,
// a tenth of a Lua hello request.
type accessLog struct {
	next     httpcore.Handler
	json     bool
	combined bool // nginx's "combined" format (combined.go)
	lines    *lineBuffer
	metrics  *metrics.Metrics // counted with the same clock readings; nil without -admin-addr
	clock    stamp            // guarded by lines.mu
}

func newAccessLog(next httpcore.Handler, format string, lines *lineBuffer) *accessLog {
	return &accessLog{next: next, json: format == "json", combined: format == "combined", lines: lines}
}

func (a *accessLog) ServeHTTP(w *httpcore.ResponseWriter, r *httpcore.Request) {
	start := r.Received // httpcore read the clock as the request came in
	if start.IsZero() {
		start = time.Now()
	}
	if a.metrics != nil {
		a.metrics.Begin()
	}
	done := false
	defer func() {
		if !done { // the handler panicked: httpcore answers 500 or drops the connection
			a.write(w, r, start, true)
		}
	}()
	a.next.ServeHTTP(w, r)
	done = true
	a.write(w, r, start, false)
}

func (a *accessLog) write(w *httpcore.ResponseWriter, r *httpcore.Request, start time.Time, panicked bool) {
	now := time.Now()
	e := accessEntry{
		time:     now,
		remote:   r.RemoteAddr,
		id:       r.ID,
		ua:       r.Header.Get("User-Agent"),
		referer:  r.Header.Get("Referer"),
		proto:    r.ProtoMinor,
		method:   r.Method,
		target:   r.Target,
		status:   w.Status(),
		bytes:    w.Written(),
		duration: now.Sub(start),
		aborted:  panicked && w.Committed(),
	}
	if panicked && !w.Committed() {
		e.status = 500
	}
	if r.Forwarded {
		e.client = r.RemoteIP
	}
	if a.metrics != nil {
		a.metrics.End(r, e.status, e.bytes, e.duration)
	}
	a.lines.mu.Lock()
	e.clock = &a.clock
	switch {
	case a.json:
		a.lines.buf = e.appendJSON(a.lines.buf)
	case a.combined:
		e.ip = r.RemoteIP
		a.lines.buf = e.appendCombined(a.lines.buf)
	default:
		a.lines.buf = e.appendText(a.lines.buf)
	}
	a.lines.wroteLocked()
	a.lines.mu.Unlock()
}

// accessEntry is one access-log line.
type accessEntry struct {
	time           time.Time
	remote         string
	client         string // the client a trusted proxy named; "" when none
	method, target []byte
	id             []byte
	ua, referer    []byte // "" when the request had none
	proto          int    // ProtoMinor, for the combined format's request line
	ip             string // the client's IP, for the combined format
	status         int
	bytes          int64
	duration       time.Duration
	aborted        bool
	clock          *stamp // formats time; nil: formatted whole each time
}

// appendText formats e as slog.TextHandler would.
func (e *accessEntry) appendText(b []byte) []byte {
	b = append(b, "time="...)
	b = e.clock.appendMillis(b, e.time)
	b = append(b, " level=INFO msg=request remote="...)
	b = appendSafeValue(b, e.remote)
	if e.client != "" {
		b = append(b, " client="...)
		b = appendTextValue(b, e.client)
	}
	b = append(b, " method="...)
	b = appendSafeValue(b, e.method)
	b = append(b, " target="...)
	b = appendTextValue(b, e.target)
	b = append(b, " status="...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, " bytes="...)
	b = strconv.AppendInt(b, e.bytes, 10)
	b = append(b, " duration="...)
	b = append(b, e.duration.String()...)
	if len(e.id) > 0 {
		b = append(b, " request_id="...)
		b = appendTextValue(b, e.id)
	}
	if len(e.ua) > 0 {
		b = append(b, " user_agent="...)
		b = appendTextValue(b, e.ua)
	}
	if len(e.referer) > 0 {
		b = append(b, " referer="...)
		b = appendTextValue(b, e.referer)
	}
	if e.aborted {
		b = append(b, " aborted=true"...)
	}
	return append(b, '\n')
}

// appendJSON formats e as slog.JSONHandler would.
func (e *accessEntry) appendJSON(b []byte) []byte {
	b = append(b, `{"time":"`...)
	b = e.clock.appendNano(b, e.time)
	b = append(b, `","level":"INFO","msg":"request","remote":`...)
	b = jsonstr.Append(b, e.remote)
	if e.client != "" {
		b = append(b, `,"client":`...)
		b = jsonstr.Append(b, e.client)
	}
	b = append(b, `,"method":`...)
	b = jsonstr.Append(b, e.method)
	b = append(b, `,"target":`...)
	b = jsonstr.Append(b, e.target)
	b = append(b, `,"status":`...)
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, `,"bytes":`...)
	b = strconv.AppendInt(b, e.bytes, 10)
	b = append(b, `,"duration":`...)
	b = strconv.AppendInt(b, int64(e.duration), 10)
	if len(e.id) > 0 {
		b = append(b, `,"request_id":`...)
		b = jsonstr.Append(b, e.id)
	}
	if len(e.ua) > 0 {
		b = append(b, `,"user_agent":`...)
		b = jsonstr.Append(b, e.ua)
	}
	if len(e.referer) > 0 {
		b = append(b, `,"referer":`...)
		b = jsonstr.Append(b, e.referer)
	}
	if e.aborted {
		b = append(b, `,"aborted":true`...)
	}
	return append(b, "}\n"...)
}

// appendRFC3339Millis is slog's text time: RFC 3339 with milliseconds.
func appendRFC3339Millis(b []byte, t time.Time) []byte {
	const prefixLen = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros; adding a tenth of a millisecond
	// keeps four fraction digits, and the fourth is dropped.
	t = t.Truncate(time.Millisecond).Add(time.Millisecond / 10)
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefixLen], b[n+prefixLen+1:]...)
}

// stamp caches what of a log line's time changes once a second: the date,
// the clock to the second and the zone, as RFC 3339 writes them. A line
// then formats only its fraction of a second (time's own formatting was
// about half of what a text line cost).
type stamp struct {
	sec   int64
	loc   *time.Location
	clock []byte // "2006-01-02T15:04:05"
	zone  []byte // "Z" or "+01:00"
}

// clockLen is the length of stamp.clock.
const clockLen = len("2006-01-02T15:04:05")

func (s *stamp) at(t time.Time) {
	if sec := t.Unix(); sec != s.sec || t.Location() != s.loc || s.clock == nil {
		full := t.AppendFormat(nil, time.RFC3339)
		s.sec, s.loc = sec, t.Location()
		s.clock, s.zone = full[:clockLen], full[clockLen:]
	}
}

// appendMillis is appendRFC3339Millis through the cache.
func (s *stamp) appendMillis(b []byte, t time.Time) []byte {
	if s == nil {
		return appendRFC3339Millis(b, t)
	}
	s.at(t)
	ms := t.Nanosecond() / 1e6
	b = append(b, s.clock...)
	b = append(b, '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.zone...)
}

// appendNano is t.AppendFormat(b, time.RFC3339Nano) through the cache: the
// fraction's trailing zeros are dropped, and a whole second has none.
func (s *stamp) appendNano(b []byte, t time.Time) []byte {
	if s == nil {
		return t.AppendFormat(b, time.RFC3339Nano)
	}
	s.at(t)
	b = append(b, s.clock...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i > 0; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, s.zone...)
}

// appendTextValue writes s as slog's text handler writes a string value:
// bare when it is safe, else quoted.
func appendTextValue[T string | []byte](b []byte, s T) []byte {
	if !needsQuoting(s) {
		return append(b, s...)
	}
	return appendQuoted(b, s)
}

// appendSafeValue is appendTextValue for a value that has nothing to
// quote unless empty: a method, which httpcore has checked is a token, and
// a remote address, an IP and a port.
func appendSafeValue[T string | []byte](b []byte, s T) []byte {
	if len(s) == 0 {
		return append(b, `""`...)
	}
	return append(b, s...)
}

// appendQuoted is strconv.AppendQuote, by hand for printable ASCII (a
// target with a query has '=' and is quoted on every line): only '"' and
// '\' get a backslash then.
func appendQuoted[T string | []byte](b []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return strconv.AppendQuote(b, string(s))
		}
	}
	b = append(b, '"')
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\\' {
			b = append(b, '\\', c)
		} else {
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// needsQuoting is slog's rule: empty, or any space, '=', '"', control
// character, invalid UTF-8 or non-printing rune.
func needsQuoting[T string | []byte](s T) bool {
	if len(s) == 0 {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !bare[c] {
				return true
			}
			i++
			continue
		}
		r, size := decodeRune(s, i)
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}

// bare marks the ASCII bytes slog's text handler leaves unquoted: all
// but space, '=', '"' and the control characters. One load per byte.
var bare = func() (t [utf8.RuneSelf]bool) {
	for c := 0x21; c < 0x7f; c++ {
		t[c] = c != '=' && c != '"'
	}
	return t
}()

func decodeRune[T string | []byte](s T, i int) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v[i:])
	case []byte:
		return utf8.DecodeRune(v[i:])
	}
	return utf8.RuneError, 1
}

// lineBuffer batches access-log lines into one write per 64 KiB or per
// flushEvery, whichever comes first, instead of a write system call per
// request (which cost a quarter of the hello benchmark's throughput when
// logging to a file). Close flushes what is left. A crash loses at most
// flushEvery of lines.
type lineBuffer struct {
	mu   sync.Mutex
	w    io.Writer
	buf  []byte // pending lines; guarded by mu
	stop chan struct{}
	done chan struct{}
}

const (
	flushEvery   = 100 * time.Millisecond
	flushAtBytes = 64 << 10
)

func newLineBuffer(w io.Writer) *lineBuffer {
	b := &lineBuffer{w: w, stop: make(chan struct{}), done: make(chan struct{})}
	go b.flusher()
	return b
}

// Write takes whole lines.
func (b *lineBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	b.wroteLocked()
	return len(p), nil
}

// wroteLocked flushes once enough lines are pending; b.mu is held.
func (b *lineBuffer) wroteLocked() {
	if len(b.buf) >= flushAtBytes {
		b.flushLocked()
	}
}

func (b *lineBuffer) flushLocked() {
	if len(b.buf) > 0 {
		b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
}

func (b *lineBuffer) flusher() {
	defer close(b.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			b.mu.Lock()
			b.flushLocked()
			b.mu.Unlock()
		}
	}
}

// Close stops the flusher and writes what is pending.
func (b *lineBuffer) Close() {
	close(b.stop)
	<-b.done
	b.mu.Lock()
	b.flushLocked()
	b.mu.Unlock()
}
