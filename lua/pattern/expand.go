package pattern

import "strconv"

// Expand appends to dst the replacement repl for the match m of a
// pattern in s, as string.gsub does with a string replacement: %0 is the
// whole match, %1-%9 a capture (a position capture as its position
// counted from 1), and %1 the whole match when the pattern has no
// captures. Any other %x is x, so %% is a '%' (Lua 5.1; later Lua
// rejects the others); a '%' that ends repl is kept (Lua 5.1 added the
// NUL that ends its C string, gopher-lua keeps the '%'). A capture index
// past the pattern's captures is "invalid capture index".
func Expand(dst []byte, repl, s string, m Match) ([]byte, error) {
	for i := 0; i < len(repl); i++ {
		c := repl[i]
		if c != '%' || i+1 == len(repl) {
			dst = append(dst, c)
			continue
		}
		i++
		c = repl[i]
		switch {
		case c == '0':
			dst = append(dst, s[m.Start:m.End]...)
		case '1' <= c && c <= '9':
			k := int(c - '1')
			switch {
			case k < len(m.Captures):
				dst = AppendCapture(dst, s, m.Captures[k])
			case k == 0 && len(m.Captures) == 0:
				dst = append(dst, s[m.Start:m.End]...)
			default:
				return dst, errCaptureIndex
			}
		default:
			dst = append(dst, c)
		}
	}
	return dst, nil
}

// AppendCapture appends c's text in s to dst, or for a position capture
// its position counted from 1, in decimal.
func AppendCapture(dst []byte, s string, c Capture) []byte {
	if c.Position {
		return strconv.AppendInt(dst, int64(c.Start)+1, 10)
	}
	return append(dst, s[c.Start:c.End]...)
}
