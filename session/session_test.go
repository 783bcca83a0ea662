package session

import (
	"strings"
	"testing"
	"time"
)

func TestSealOpen(t *testing.T) {
	s1, s2 := strings.Repeat("k", 32), strings.Repeat("j", 40)
	c, err := NewCodec([]string{s1})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	v := c.Seal("sid", []byte(`{"u":1}`), now.Add(time.Hour))
	if p, ok := c.Open("sid", v, now); !ok || string(p) != `{"u":1}` {
		t.Fatalf("open: %q %v", p, ok)
	}
	if _, ok := c.Open("other", v, now); ok {
		t.Error("opened under another cookie name")
	}
	if _, ok := c.Open("sid", v, now.Add(2*time.Hour)); ok {
		t.Error("opened after expiry")
	}
	rotated, _ := NewCodec([]string{s2, s1})
	if _, ok := rotated.Open("sid", v, now); !ok {
		t.Error("an old secret's value does not open after rotation")
	}
	retired, _ := NewCodec([]string{s2})
	if _, ok := retired.Open("sid", v, now); ok {
		t.Error("a retired secret's value opens")
	}
	if v2 := c.Seal("sid", []byte(`{"u":1}`), now.Add(time.Hour)); v2 == v {
		t.Error("two seals of the same session are equal: nonce reused")
	}
	for _, bad := range []string{"", "!", "AQ", v[:len(v)-1], strings.Repeat("A", 100)} {
		if _, ok := c.Open("sid", bad, now); ok {
			t.Errorf("opened %q", bad)
		}
	}
}

func TestNewCodecRefusesWeakSecrets(t *testing.T) {
	for _, s := range [][]string{nil, {""}, {"short"}, {strings.Repeat("k", 32), "short"}} {
		if _, err := NewCodec(s); err == nil {
			t.Errorf("NewCodec(%q) accepted", s)
		}
	}
	if !Equal("abc", "abc") || Equal("abc", "abd") || len(Token()) != 43 {
		t.Error("Equal or Token")
	}
}
