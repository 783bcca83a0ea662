package json

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	lua "github.com/yuin/gopher-lua"
)

// jsonDecoder is a recursive-descent parser over one input string. Its scratch
// slices are stacks shared by nested containers and reused across calls.
type jsonDecoder struct {
	L     *lua.LState
	st    *jsonState
	s     string
	i     int // offset of the next byte
	depth int
	vals  []lua.LValue // pending array elements and object values
	keys  []string     // pending object keys
	buf   []byte       // unescaping scratch

	ctx   context.Context // the request's, checked every checkEvery values; nil: none
	steps int             // values decoded so far
}

// top decodes the whole input: one value and optional whitespace.
func (d *jsonDecoder) top() (lua.LValue, error) {
	v, err := d.value()
	if err != nil {
		return nil, err
	}
	d.skipSpace()
	if d.i < len(d.s) {
		return nil, d.unexpected()
	}
	return v, nil
}

// RFC 8259, section 2: insignificant whitespace is space, tab, LF and CR.
func (d *jsonDecoder) skipSpace() {
	for d.i < len(d.s) {
		switch d.s[d.i] {
		case ' ', '\t', '\n', '\r':
			d.i++
		default:
			return
		}
	}
}

// value decodes the value after optional whitespace.
func (d *jsonDecoder) value() (lua.LValue, error) {
	if d.steps++; d.steps%checkEvery == 0 && d.ctx != nil {
		// What the values cost in Lua, roughly: a slot each, more for tables.
		if err := check(d.ctx, checkEvery*decodedValueBytes); err != nil {
			return nil, err
		}
	}
	d.skipSpace()
	if d.i >= len(d.s) {
		return nil, errJSONEOF
	}
	switch c := d.s[d.i]; {
	case c == '{':
		return d.object()
	case c == '[':
		return d.array()
	case c == '"':
		s, err := d.str()
		if err != nil {
			return nil, err
		}
		return lua.LString(s), nil
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	case c == 't':
		return lua.LTrue, d.literal("true")
	case c == 'f':
		return lua.LFalse, d.literal("false")
	case c == 'n':
		return d.st.null, d.literal("null")
	}
	return nil, d.unexpected()
}

// literal consumes word, which starts at d.i.
func (d *jsonDecoder) literal(word string) error {
	for j := 0; j < len(word); j++ {
		if d.i >= len(d.s) {
			return errJSONEOF
		}
		if d.s[d.i] != word[j] {
			return d.unexpected()
		}
		d.i++
	}
	return nil
}

// enter counts a level of nesting at d.i.
func (d *jsonDecoder) enter() error {
	d.depth++
	if d.depth > jsonMaxDepth {
		line, col := d.position(d.i)
		return fmt.Errorf("%w at line %d column %d", errJSONDepth, line, col)
	}
	return nil
}

// array decodes an array starting at '['.
func (d *jsonDecoder) array() (lua.LValue, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.i++
	base := len(d.vals)
	if d.skipSpace(); d.i < len(d.s) && d.s[d.i] == ']' {
		d.i++
	} else {
		for {
			v, err := d.value()
			if err != nil {
				return nil, err
			}
			d.vals = append(d.vals, v)
			if done, err := d.next(']'); done || err != nil {
				if err != nil {
					return nil, err
				}
				break
			}
		}
	}
	tb := d.L.CreateTable(len(d.vals)-base, 0)
	for _, v := range d.vals[base:] {
		tb.Append(v)
	}
	clear(d.vals[base:])
	d.vals = d.vals[:base]
	tb.Metatable = d.st.arrayMT
	d.depth--
	return tb, nil
}

// object decodes an object starting at '{'.
func (d *jsonDecoder) object() (lua.LValue, error) {
	if err := d.enter(); err != nil {
		return nil, err
	}
	d.i++
	base := len(d.vals)
	if d.skipSpace(); d.i < len(d.s) && d.s[d.i] == '}' {
		d.i++
	} else {
		for {
			if err := d.member(); err != nil {
				return nil, err
			}
			if done, err := d.next('}'); done || err != nil {
				if err != nil {
					return nil, err
				}
				break
			}
		}
	}
	n := len(d.vals) - base
	kbase := len(d.keys) - n
	tb := d.L.CreateTable(0, n)
	for j, v := range d.vals[base:] {
		tb.RawSetString(d.keys[kbase+j], v) // a later duplicate overwrites
	}
	clear(d.vals[base:])
	d.vals = d.vals[:base]
	clear(d.keys[kbase:])
	d.keys = d.keys[:kbase]
	tb.Metatable = d.st.objectMT
	d.depth--
	return tb, nil
}

// member decodes `"key": value` onto the scratch stacks.
func (d *jsonDecoder) member() error {
	d.skipSpace()
	if d.i >= len(d.s) {
		return errJSONEOF
	}
	if d.s[d.i] != '"' {
		return d.unexpected()
	}
	k, err := d.str()
	if err != nil {
		return err
	}
	d.skipSpace()
	if d.i >= len(d.s) {
		return errJSONEOF
	}
	if d.s[d.i] != ':' {
		return d.unexpected()
	}
	d.i++
	v, err := d.value()
	if err != nil {
		return err
	}
	d.keys = append(d.keys, k)
	d.vals = append(d.vals, v)
	return nil
}

// next consumes the ',' between members or the closing byte; done reports
// the closing byte.
func (d *jsonDecoder) next(closing byte) (done bool, err error) {
	d.skipSpace()
	if d.i >= len(d.s) {
		return false, errJSONEOF
	}
	switch d.s[d.i] {
	case ',':
		d.i++
		return false, nil
	case closing:
		d.i++
		return true, nil
	}
	return false, d.unexpected()
}

// number decodes a number with the grammar of RFC 8259, section 6:
// -? (0 | [1-9][0-9]*) (\.[0-9]+)? ([eE][+-]?[0-9]+)?
func (d *jsonDecoder) number() (lua.LValue, error) {
	s, start := d.s, d.i
	if s[d.i] == '-' {
		d.i++
	}
	if d.i < len(s) && s[d.i] == '0' {
		d.i++
	} else if err := d.digits(); err != nil {
		return nil, err
	}
	integer := d.i
	if d.i < len(s) && s[d.i] == '.' {
		d.i++
		if err := d.digits(); err != nil {
			return nil, err
		}
	}
	if d.i < len(s) && (s[d.i] == 'e' || s[d.i] == 'E') {
		d.i++
		if d.i < len(s) && (s[d.i] == '+' || s[d.i] == '-') {
			d.i++
		}
		if err := d.digits(); err != nil {
			return nil, err
		}
	}
	text := s[start:d.i]
	if d.i == integer {
		if n, ok := jsonCanonicalInt(text); ok { // up to 15 digits, exact; not -0
			return lua.LNumber(n), nil
		}
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil {
		return nil, d.errorf(start, "number %s out of range", text)
	}
	return lua.LNumber(f), nil
}

// digits consumes one or more decimal digits.
func (d *jsonDecoder) digits() error {
	start := d.i
	for d.i < len(d.s) && d.s[d.i] >= '0' && d.s[d.i] <= '9' {
		d.i++
	}
	if d.i == start {
		return d.unexpected()
	}
	return nil
}

// str decodes a string starting at '"'. Without escapes or invalid UTF-8
// the result is a substring of the input, so it costs no copy.
func (d *jsonDecoder) str() (string, error) {
	s := d.s
	start := d.i + 1
	for i := start; i < len(s); {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			return s[start:i], nil
		case c == '\\' || c < 0x20:
			return d.unescape(start, i)
		case c < utf8.RuneSelf:
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError && size == 1 {
				return d.unescape(start, i)
			}
			i += size
		}
	}
	return "", errJSONEOF
}

// unescape finishes a string whose plain prefix is s[start:i], building it
// in d.buf.
func (d *jsonDecoder) unescape(start, i int) (string, error) {
	s := d.s
	b := append(d.buf[:0], s[start:i]...)
	for i < len(s) {
		c := s[i]
		switch {
		case c == '"':
			d.i = i + 1
			d.buf = b[:0]
			return string(b), nil
		case c < 0x20:
			return "", d.errorf(i, "unescaped control character %U in string", c)
		case c == '\\':
			var err error
			if b, i, err = d.escape(b, i); err != nil {
				return "", err
			}
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			b = utf8.AppendRune(b, r) // invalid UTF-8 decodes as U+FFFD, size 1
			i += size
		}
	}
	return "", errJSONEOF
}

// escape appends the character of the escape sequence at s[i] == '\\' and
// returns the offset after it.
func (d *jsonDecoder) escape(b []byte, i int) ([]byte, int, error) {
	s := d.s
	if i+1 >= len(s) {
		return b, i, errJSONEOF
	}
	switch c := s[i+1]; c {
	case '"', '\\', '/':
		return append(b, c), i + 2, nil
	case 'b':
		return append(b, '\b'), i + 2, nil
	case 'f':
		return append(b, '\f'), i + 2, nil
	case 'n':
		return append(b, '\n'), i + 2, nil
	case 'r':
		return append(b, '\r'), i + 2, nil
	case 't':
		return append(b, '\t'), i + 2, nil
	case 'u':
		r, err := d.hex4(i + 2)
		if err != nil {
			return b, i, err
		}
		i += 6
		if utf16.IsSurrogate(r) {
			// RFC 8259, section 7: a pair of escapes spells a character
			// outside the BMP; a lone surrogate becomes U+FFFD.
			if i+1 < len(s) && s[i] == '\\' && s[i+1] == 'u' {
				if r2, err := d.hex4(i + 2); err == nil {
					if pair := utf16.DecodeRune(r, r2); pair != utf8.RuneError {
						return utf8.AppendRune(b, pair), i + 6, nil
					}
				}
			}
			r = utf8.RuneError
		}
		return utf8.AppendRune(b, r), i, nil
	}
	return b, i, d.errorf(i, "invalid escape %s in string", strconv.Quote(s[i:i+2]))
}

// hex4 reads the 4 hex digits of a \u escape at s[i:].
func (d *jsonDecoder) hex4(i int) (rune, error) {
	var r rune
	for j := i; j < i+4; j++ {
		if j >= len(d.s) {
			return 0, errJSONEOF
		}
		c := d.s[j]
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			d.i = j
			return 0, d.unexpected()
		}
		r = r<<4 | rune(c)
	}
	return r, nil
}

// unexpected reports the byte at d.i.
func (d *jsonDecoder) unexpected() error {
	if d.i >= len(d.s) {
		return errJSONEOF
	}
	r, size := utf8.DecodeRuneInString(d.s[d.i:])
	if r == utf8.RuneError && size == 1 {
		return d.errorf(d.i, "unexpected byte 0x%02x", d.s[d.i])
	}
	return d.errorf(d.i, "unexpected character %s", strconv.QuoteRune(r))
}

// errorf formats a decode error at offset pos with its line and column.
func (d *jsonDecoder) errorf(pos int, format string, args ...any) error {
	line, col := d.position(pos)
	return fmt.Errorf("json: "+format+" at line %d column %d", append(args, line, col)...)
}

// position returns the line and column, counted in characters from 1, of
// offset pos.
func (d *jsonDecoder) position(pos int) (line, col int) {
	line = 1 + strings.Count(d.s[:pos], "\n")
	col = 1 + utf8.RuneCountInString(d.s[strings.LastIndexByte(d.s[:pos], '\n')+1:pos])
	return line, col
}
