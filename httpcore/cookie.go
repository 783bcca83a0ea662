package httpcore

import (
	"bytes"
	"iter"
)

// Cookies returns the cookies of the request's Cookie fields (RFC 6265,
// section 5.4), in order: name and value, values without surrounding double
// quotes. Pairs without '=' or with an empty name are skipped. The slices
// alias the read buffer.
//
// Pairs are split at ';' and trimmed of spaces and tabs, around the pair
// and around the '='; a client that sends several Cookie fields (HTTP/2
// does, and some HTTP/1.1 clients) has them read in arrival order. Names
// and values are not otherwise checked against RFC 6265's grammar, and a
// name that occurs twice is yielded twice: the first is the most specific
// (section 5.4, step 2).
func (r *Request) Cookies() iter.Seq2[[]byte, []byte] {
	return func(yield func(name, value []byte) bool) {
		for i := 0; i < r.Header.n; i++ {
			f := &r.Header.fields[i]
			if !EqualFold(f.name, "cookie") {
				continue
			}
			for v := f.value; len(v) > 0; {
				var pair []byte
				if j := bytes.IndexByte(v, ';'); j >= 0 {
					pair, v = v[:j], v[j+1:]
				} else {
					pair, v = v, nil
				}
				name, value, ok := splitCookie(pair)
				if ok && !yield(name, value) {
					return
				}
			}
		}
	}
}

// splitCookie splits one "name=value" pair of a Cookie field.
func splitCookie(pair []byte) (name, value []byte, ok bool) {
	eq := bytes.IndexByte(pair, '=')
	if eq < 0 {
		return nil, nil, false
	}
	name, value = trimOWS(pair[:eq]), trimOWS(pair[eq+1:])
	if len(name) == 0 {
		return nil, nil, false
	}
	if n := len(value); n >= 2 && value[0] == '"' && value[n-1] == '"' {
		value = value[1 : n-1]
	}
	return name, value, true
}
