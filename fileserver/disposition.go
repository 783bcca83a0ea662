package fileserver

import (
	"strings"
	"unicode/utf8"
)

// ContentDisposition returns an attachment Content-Disposition value for a
// download name (RFC 6266): a plain quoted filename when the name is
// printable ASCII, else an ASCII fallback plus filename* in UTF-8 (RFC
// 8187). Path separators become underscores: the name is a file name, not
// a path.
func ContentDisposition(name string) string {
	plain := true
	for i := 0; i < len(name); i++ {
		if c := name[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' || c == '/' {
			plain = false
			break
		}
	}
	if plain {
		return `attachment; filename="` + name + `"`
	}
	var fallback, star strings.Builder
	const hex = "0123456789ABCDEF"
	for i, r := range name {
		switch {
		case r == '/' || r == '\\':
			fallback.WriteByte('_')
			star.WriteString("_")
			continue
		case r < 0x20 || r > 0x7e || r == '"' || r == utf8.RuneError:
			fallback.WriteByte('_')
		default:
			fallback.WriteRune(r)
		}
		if r < 0x20 || r == 0x7f {
			continue // control characters are dropped from filename*
		}
		// attr-char (RFC 8187, section 3.2.1) is sent as is.
		if r < 0x80 && (r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' ||
			strings.ContainsRune("!#$&+-.^_`|~", r)) {
			star.WriteRune(r)
			continue
		}
		end := i + utf8.RuneLen(r)
		if r == utf8.RuneError {
			end = i + 1
		}
		for j := i; j < end && j < len(name); j++ {
			star.WriteByte('%')
			star.WriteByte(hex[name[j]>>4])
			star.WriteByte(hex[name[j]&15])
		}
	}
	return `attachment; filename="` + fallback.String() + `"; filename*=UTF-8''` + star.String()
}
