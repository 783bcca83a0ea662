package fileserver

import (
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// fields are the request header fields the file server reads, found in one
// pass over the header. The slices alias the request and are valid only
// while it is served. A repeated list field (two If-None-Match lines, say)
// is marked multi and then read with Header.Values.
type fields struct {
	ifMatch, ifNoneMatch, ifModSince, ifUnmodSince []byte
	ifRange, rng, acceptEnc                        []byte
	has                                            uint8 // bits below: present fields
	multi                                          uint8 // bits: fields seen more than once
}

const (
	hasIfMatch uint8 = 1 << iota
	hasIfNoneMatch
	hasIfModSince
	hasIfUnmodSince
	hasIfRange
	hasRange
	hasAcceptEnc
)

// conditional is every bit that makes a request more than a plain GET.
const conditional = hasIfMatch | hasIfNoneMatch | hasIfModSince | hasIfUnmodSince

func (f *fields) read(h *httpcore.Header) {
	for i := 0; i < h.Len(); i++ {
		name, value := h.At(i)
		if len(name) < 5 || (name[0]|0x20) != 'i' && (name[0]|0x20) != 'r' && (name[0]|0x20) != 'a' {
			continue
		}
		var bit uint8
		var dst *[]byte
		switch len(name) {
		case 5:
			if httpcore.EqualFold(name, "range") {
				bit, dst = hasRange, &f.rng
			}
		case 8:
			switch {
			case httpcore.EqualFold(name, "if-match"):
				bit, dst = hasIfMatch, &f.ifMatch
			case httpcore.EqualFold(name, "if-range"):
				bit, dst = hasIfRange, &f.ifRange
			}
		case 13:
			if httpcore.EqualFold(name, "if-none-match") {
				bit, dst = hasIfNoneMatch, &f.ifNoneMatch
			}
		case 15:
			if httpcore.EqualFold(name, "accept-encoding") {
				bit, dst = hasAcceptEnc, &f.acceptEnc
			}
		case 17:
			if httpcore.EqualFold(name, "if-modified-since") {
				bit, dst = hasIfModSince, &f.ifModSince
			}
		case 19:
			if httpcore.EqualFold(name, "if-unmodified-since") {
				bit, dst = hasIfUnmodSince, &f.ifUnmodSince
			}
		}
		if dst == nil {
			continue
		}
		if f.has&bit != 0 {
			f.multi |= bit
			continue
		}
		f.has |= bit
		*dst = value
	}
}

// outcome of the preconditions (RFC 9110, section 13.2.2).
type outcome uint8

const (
	proceed            outcome = iota
	notModified                // 304
	preconditionFailed         // 412
)

// evaluate applies RFC 9110, section 13.2.2, for a GET or HEAD of a
// representation with the given strong ETag and modification time (zero
// when unknown).
func (f *fields) evaluate(h *httpcore.Header, etag string, mod time.Time) outcome {
	if f.has&conditional == 0 {
		return proceed
	}
	// 1-2: If-Match, else If-Unmodified-Since.
	if f.has&hasIfMatch != 0 {
		if !f.listMatches(h, "if-match", hasIfMatch, f.ifMatch, etag, true) {
			return preconditionFailed
		}
	} else if f.has&hasIfUnmodSince != 0 && !mod.IsZero() {
		if t, ok := parseHTTPDate(f.ifUnmodSince); ok && mod.Truncate(time.Second).After(t) {
			return preconditionFailed
		}
	}
	// 3-4: If-None-Match, else If-Modified-Since.
	if f.has&hasIfNoneMatch != 0 {
		if f.listMatches(h, "if-none-match", hasIfNoneMatch, f.ifNoneMatch, etag, false) {
			return notModified
		}
	} else if f.has&hasIfModSince != 0 && !mod.IsZero() {
		// "Earlier or equal" (RFC 9110, section 13.1.3); nginx by default
		// wants an exact match.
		if t, ok := parseHTTPDate(f.ifModSince); ok && !mod.Truncate(time.Second).After(t) {
			return notModified
		}
	}
	return proceed
}

// listMatches checks an entity-tag list field, every line of it.
func (f *fields) listMatches(h *httpcore.Header, name string, bit uint8, first []byte, etag string, strong bool) bool {
	if f.multi&bit == 0 {
		return etagListMatches(first, etag, strong)
	}
	found := false
	h.Values(name, func(v []byte) {
		found = found || etagListMatches(v, etag, strong)
	})
	return found
}

// etagListMatches reports whether the field value list ("*" or a comma
// list of entity-tags) matches etag. Strong comparison (If-Match,
// If-Range) never matches a weak tag; weak comparison (If-None-Match)
// ignores the W/ prefix on both sides (RFC 9110, section 8.8.3.2).
func etagListMatches(list []byte, etag string, strong bool) bool {
	weakOurs := len(etag) > 2 && etag[0] == 'W' && etag[1] == '/'
	if weakOurs {
		if strong {
			return false
		}
		etag = etag[2:]
	}
	for len(list) > 0 {
		for len(list) > 0 && (list[0] == ' ' || list[0] == '\t' || list[0] == ',') {
			list = list[1:]
		}
		if len(list) == 0 {
			break
		}
		if list[0] == '*' {
			return true
		}
		weak := false
		if len(list) > 2 && list[0] == 'W' && list[1] == '/' {
			weak = true
			list = list[2:]
		}
		if len(list) == 0 || list[0] != '"' {
			return false // malformed: stop, matching nothing more
		}
		end := 1
		for end < len(list) && list[end] != '"' {
			end++
		}
		if end == len(list) {
			return false
		}
		tag := list[:end+1]
		list = list[end+1:]
		if string(tag) == etag && !(strong && weak) {
			return true
		}
	}
	return false
}

// ifRangeAllows reports whether an If-Range value lets the range apply:
// an entity-tag must match strongly, a date must equal Last-Modified
// exactly (RFC 9110, section 13.1.5).
func ifRangeAllows(v []byte, etag string, mod time.Time) bool {
	for len(v) > 0 && v[0] == ' ' {
		v = v[1:]
	}
	if len(v) > 0 && (v[0] == '"' || v[0] == 'W') {
		return len(v) > 0 && v[0] == '"' && etagListMatches(v, etag, true)
	}
	if mod.IsZero() {
		return false
	}
	t, ok := parseHTTPDate(v)
	return ok && t.Equal(mod.Truncate(time.Second))
}

// timeFormat is the IMF-fixdate of RFC 9110, section 5.6.7.
const timeFormat = "Mon, 02 Jan 2006 15:04:05 GMT"

// parseHTTPDate reads the three date forms a recipient must accept.
func parseHTTPDate(b []byte) (time.Time, bool) {
	s := string(b)
	for _, layout := range [...]string{timeFormat, "Monday, 02-Jan-06 15:04:05 GMT", "Mon Jan _2 15:04:05 2006"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}
