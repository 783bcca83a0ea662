package httpcore

import (
	"strings"
	"testing"
)

func TestCookies(t *testing.T) {
	tests := []struct {
		name   string
		fields []string // Cookie field values, one field each
		want   []string // "name=value" per cookie yielded
	}{
		{"none", nil, nil},
		{"one", []string{"a=1"}, []string{"a=1"}},
		{"several", []string{"a=1; b=2; c=3"}, []string{"a=1", "b=2", "c=3"}},
		{"several_fields", []string{"a=1; b=2", "c=3", "d=4"}, []string{"a=1", "b=2", "c=3", "d=4"}},
		{"quoted", []string{`a="x y"; b=""; c="`}, []string{"a=x y", "b=", `c="`}},
		{"quote_inside", []string{`a=x"y"; b="x"y`}, []string{`a=x"y"`, `b="x"y`}},
		{"spaces", []string{"  a = 1 ;\tb\t=\t2 ;; c=3  "}, []string{"a=1", "b=2", "c=3"}},
		{"no_space_after_semicolon", []string{"a=1;b=2"}, []string{"a=1", "b=2"}},
		{"empty_values", []string{"a=; b=;c="}, []string{"a=", "b=", "c="}},
		{"equals_in_value", []string{"tok=YWJj=="}, []string{"tok=YWJj=="}},
		{"repeated_name", []string{"a=1; a=2"}, []string{"a=1", "a=2"}},
		{"no_equals", []string{"flag; a=1; other"}, []string{"a=1"}},
		{"empty_name", []string{"=1; =; a=1;  =2"}, []string{"a=1"}},
		{"only_separators", []string{";;; ; "}, nil},
		{"empty_field", []string{"", "a=1"}, []string{"a=1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var raw strings.Builder
			raw.WriteString("GET / HTTP/1.1\nHost: x\nX-Cookie: z=9\n")
			for _, f := range tt.fields {
				raw.WriteString("Cookie: " + f + "\n")
			}
			raw.WriteString("\n")
			req, _, _, err := parseRaw(&Server{}, []byte(wire(raw.String())))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for name, value := range req.Cookies() {
				got = append(got, string(name)+"="+string(value))
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("cookies %q, want %q", got, tt.want)
			}
		})
	}
}

// TestCookiesStop: a loop that breaks stops the iteration, across fields too.
func TestCookiesStop(t *testing.T) {
	raw := wire("GET / HTTP/1.1\nHost: x\nCookie: a=1; b=2\nCookie: c=3\n\n")
	req, _, _, err := parseRaw(&Server{}, []byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	for stop := 1; stop <= 3; stop++ {
		n := 0
		for range req.Cookies() {
			n++
			if n == stop {
				break
			}
		}
		if n != stop {
			t.Errorf("break after %d: iterated %d", stop, n)
		}
	}
}

// TestCookiesZeroRequest: a Request without a header yields nothing.
func TestCookiesZeroRequest(t *testing.T) {
	var r Request
	for name := range r.Cookies() {
		t.Errorf("yielded %q", name)
	}
}
