package fileserver

// Name rules. A name is what the request (or the script) asks for below the
// root: slash-separated segments, "" for the root itself, a final slash for
// a folder. Anything that could mean a different file than the plain
// reading of its segments is refused, so that there is one name per file
// and nothing to normalize:
//
//   - an empty segment: a leading slash (an absolute path) or "//";
//   - "." and ".." segments;
//   - a backslash (a separator elsewhere), NUL and other control bytes;
//   - a segment starting with a dot (.env, .git/), unless dotfiles are
//     allowed; ".well-known" (RFC 8615) is always allowed;
//   - a segment over 255 bytes or a name over 4096 (the kernel's limits).
//
// Symbolic links are not decided here: os.Root refuses those that lead
// outside the root when the file is opened.

const (
	maxSegment = 255
	maxName    = 4096
)

// checkName reports whether name may be served and whether it names a
// folder (ends with a slash, or is "").
func checkName[T string | []byte](name T, dotfiles bool) (dir, ok bool) {
	if len(name) > maxName {
		return false, false
	}
	start := 0
	for i := 0; i <= len(name); i++ {
		if i < len(name) {
			c := name[i]
			if c < 0x20 || c == 0x7f || c == '\\' {
				return false, false
			}
			if c != '/' {
				continue
			}
		}
		seg := name[start:i]
		last := i == len(name)
		switch {
		case len(seg) == 0:
			// Only the last segment may be empty: "" is the root and "a/"
			// a folder; elsewhere it is a leading slash or "//".
			if !last {
				return false, false
			}
			return true, true
		case len(seg) > maxSegment:
			return false, false
		case seg[0] == '.':
			if len(seg) == 1 || (len(seg) == 2 && seg[1] == '.') {
				return false, false
			}
			if !dotfiles && string(seg) != ".well-known" {
				return false, false
			}
		}
		start = i + 1
	}
	return false, true
}

// hasEncodedSeparator reports whether a raw (still percent-encoded) path
// holds %2F or %5C: a slash or backslash inside a segment, which no file
// name can contain. Such paths are refused rather than decoded into
// separators, as Apache does by default.
func hasEncodedSeparator(raw []byte) bool {
	for i := 0; i+2 < len(raw); i++ {
		if raw[i] != '%' {
			continue
		}
		h, l := raw[i+1], raw[i+2]|0x20
		if h == '2' && l == 'f' || h == '5' && l == 'c' {
			return true
		}
	}
	return false
}
