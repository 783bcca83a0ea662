package main

import "strconv"

// appendCombined formats e as nginx's "combined" log format, which log
// analysers read:
//
//	203.0.113.7 - - [25/Nov/2026:21:00:45 +0000] "GET /hello HTTP/1.1" 200 11 "-" "curl/8.5.0"
//
// The address is the client's (a trusted proxy's client, else the
// peer's); quotes, backslashes and bytes outside printable ASCII in the
// request line, referer and user agent are written \xHH, as nginx does.
func (e *accessEntry) appendCombined(b []byte) []byte {
	b = append(b, e.ip...)
	b = append(b, " - - ["...)
	b = e.time.AppendFormat(b, "02/Jan/2006:15:04:05 -0700")
	b = append(b, `] "`...)
	b = appendEscaped(b, e.method)
	b = append(b, ' ')
	b = appendEscaped(b, e.target)
	if e.proto == 0 {
		b = append(b, ` HTTP/1.0" `...)
	} else {
		b = append(b, ` HTTP/1.1" `...)
	}
	b = strconv.AppendInt(b, int64(e.status), 10)
	b = append(b, ' ')
	b = strconv.AppendInt(b, e.bytes, 10)
	b = appendQuotedOrDash(b, e.referer)
	b = appendQuotedOrDash(b, e.ua)
	return append(b, '\n')
}

// appendQuotedOrDash appends ` "v"`, or ` "-"` for an empty v.
func appendQuotedOrDash(b, v []byte) []byte {
	b = append(b, ` "`...)
	if len(v) == 0 {
		b = append(b, '-')
	} else {
		b = appendEscaped(b, v)
	}
	return append(b, '"')
}

// appendEscaped appends v with '"', '\\' and bytes outside printable ASCII
// as \xHH.
func appendEscaped(b, v []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, c := range v {
		if c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			b = append(b, '\\', 'x', hex[c>>4], hex[c&15])
			continue
		}
		b = append(b, c)
	}
	return b
}
