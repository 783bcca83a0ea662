// Package jsonstr writes JSON strings: the one escaper luaserve has, used
// by luaserve.json and the access log alike.
package jsonstr

import "unicode/utf8"

// Append appends s to b as a JSON string (RFC 8259), escaped as Go's
// log/slog JSON handler escapes it, so that a hand-formatted log line is
// byte for byte what slog would write: '"' and '\' get a backslash; \n,
// \r and \t their short escapes and other control characters \u00XX; each
// byte of invalid UTF-8 becomes \ufffd; U+2028 and U+2029 are escaped
// (they end a line in JavaScript); everything else, '/' and <>& included,
// passes through.
func Append[T string | []byte](b []byte, s T) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] is pending, to be copied as is
	for i := 0; i < len(s); {
		c := s[i]
		if plain[c] {
			i++
			continue
		}
		if c >= utf8.RuneSelf {
			r, size := decodeRune(s[i:])
			var esc string
			switch {
			case r == utf8.RuneError && size == 1:
				esc = `\ufffd`
			case r == '\u2028':
				esc = `\u2028`
			case r == '\u2029':
				esc = `\u2029`
			default:
				i += size
				continue
			}
			b = append(append(b, s[start:i]...), esc...)
			i += size
			start = i
			continue
		}
		b = append(b, s[start:i]...)
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		case '\t':
			b = append(b, '\\', 't')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
		i++
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// plain marks the bytes that pass through as they are: printable ASCII but
// '"' and '\\'. One load per byte instead of four comparisons.
var plain = func() (p [256]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		p[c] = c != '"' && c != '\\'
	}
	return p
}()

// decodeRune is utf8.DecodeRune for either type; each instantiation of
// Append keeps one branch, without allocating.
func decodeRune[T string | []byte](s T) (rune, int) {
	switch v := any(s).(type) {
	case string:
		return utf8.DecodeRuneInString(v)
	case []byte:
		return utf8.DecodeRune(v)
	}
	return utf8.RuneError, 1
}
