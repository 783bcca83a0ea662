package httpcore

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

// Byte classes from RFC 9110, section 5.6.2 (tchar), section 5.5 (field
// values: field-vchar, SP, HTAB, obs-text) and RFC 3986, section 3.2.2:
// the characters of a reg-name or IPv4address, and those inside an
// IP-literal's brackets (':' too). With '[', ']' and ':' between them,
// they are the bytes Go's net/http accepts in a Host.
var (
	isTokenChar   = byteSet(alnum+"!#$%&'*+-.^_`|~", 0, 0)
	isValueChar   = byteSet(" \t", 0x21, 0xff)
	isNameChar    = byteSet(alnum+"-._~!$&'()*+,;=%", 0, 0)
	isLiteralChar = byteSet(alnum+"-._~!$&'()*+,;=%:", 0, 0)
)

// byteSet marks the bytes of chars and those in [lo, hi], except DEL.
func byteSet(chars string, lo, hi int) (set [256]bool) {
	for i := 0; i < len(chars); i++ {
		set[chars[i]] = true
	}
	for c := lo; c <= hi && hi > 0; c++ {
		set[c] = c != 0x7f
	}
	return set
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// trimOWS removes leading and trailing spaces and tabs (OWS, RFC 9110,
// section 5.6.3).
func trimOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// validHost reports whether h is a syntactically acceptable Host value or
// absolute-form authority: "uri-host [ ':' port ]" (RFC 9112, section 3.2;
// RFC 3986, section 3.2). Bytes are checked as Go's net/http does; besides,
// brackets only enclose an IP-literal, a name holds no colon, and the port
// is digits only (RFC 3986, section 3.2.3: port = *DIGIT). An empty port,
// "example.com:", is accepted: *DIGIT allows it, and RFC 3986, section
// 6.2.3 makes it equivalent to no port. Routing decides what h means.
func validHost(h []byte) bool {
	i := 0
	if len(h) > 0 && h[0] == '[' {
		for i = 1; i < len(h) && isLiteralChar[h[i]]; i++ {
		}
		if i == len(h) || h[i] != ']' {
			return false
		}
		i++
	} else {
		for i < len(h) && isNameChar[h[i]] {
			i++
		}
	}
	if i == len(h) {
		return true
	}
	if h[i] != ':' {
		return false
	}
	for _, c := range h[i+1:] {
		if !isDigit(c) {
			return false
		}
	}
	return true
}

// ValidFieldName reports whether name is a valid header field name (a
// token, RFC 9110 section 5.1).
func ValidFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		if !isTokenChar[name[i]] {
			return false
		}
	}
	return true
}

// ValidFieldValue reports whether value may be sent as a header field
// value (RFC 9110 section 5.5): no CR, LF, NUL or other control character
// but HTAB. A handler that sends untrusted text in a header checks it with
// this, so that it cannot split the response.
func ValidFieldValue(value string) bool {
	for i := 0; i < len(value); i++ {
		if !isValueChar[value[i]] {
			return false
		}
	}
	return true
}
