package jsonstr

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"
)

// TestAppendMatchesSlog: the escaping is slog's, byte for byte, and the
// result is JSON that decodes to the input (invalid UTF-8 aside).
func TestAppendMatchesSlog(t *testing.T) {
	for _, s := range []string{
		"", "plain", `q"b\s/n`, "nl\ncr\rtab\tbs\bff\f", "\x00\x01\x1f\x7f",
		"é日本😀", "\u2028\u2029", "a\xffb", "\xe6\x97", "\xed\xa0\x80", "<html>&amp;",
	} {
		var want bytes.Buffer
		slog.New(slog.NewJSONHandler(&want, &slog.HandlerOptions{
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
				if a.Key == "time" || a.Key == "level" || a.Key == "msg" {
					return slog.Attr{}
				}
				return a
			}})).Log(context.Background(), slog.LevelInfo, "", "s", s)
		wantStr := strings.TrimSuffix(strings.TrimPrefix(want.String(), `{"s":`), "}\n")
		if got := string(Append(nil, s)); got != wantStr {
			t.Errorf("string %q: got %s, slog %s", s, got, wantStr)
		}
		if got := string(Append(nil, []byte(s))); got != wantStr {
			t.Errorf("bytes %q: got %s, slog %s", s, got, wantStr)
		}
		var back string
		if err := json.Unmarshal(Append(nil, s), &back); err != nil {
			t.Errorf("%q: not JSON: %v", s, err)
		}
	}
}

func TestAppendAllocs(t *testing.T) {
	buf := make([]byte, 0, 256)
	s, bs := "héllo\n\"world\"\u2028", []byte("héllo\n\"world\"\u2028")
	if n := testing.AllocsPerRun(100, func() { buf = Append(buf[:0], s); buf = Append(buf, bs) }); n != 0 {
		t.Fatalf("%v allocations, want 0", n)
	}
}

func FuzzAppend(f *testing.F) {
	f.Add("a\"b\\c\n\x01é\u2028\xff")
	f.Fuzz(func(t *testing.T, s string) {
		out := Append(nil, s)
		var back string
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("%q -> %s: %v", s, out, err)
		}
		if strings.ToValidUTF8(s, "\ufffd") == s && back != s {
			t.Fatalf("%q -> %s -> %q", s, out, back)
		}
	})
}
