package fileserver

import "strings"

// types maps a lower-case extension (with its dot) to a media type. It is a
// fixed table rather than mime.TypeByExtension, which reads the host's
// /etc/mime.types: the same file must get the same type on every machine.
// It follows nginx's mime.types, except where a newer registration exists
// (text/javascript, RFC 9239).
var types = map[string]string{
	".html":        "text/html",
	".htm":         "text/html",
	".shtml":       "text/html",
	".xhtml":       "application/xhtml+xml",
	".css":         "text/css",
	".js":          "text/javascript",
	".mjs":         "text/javascript",
	".json":        "application/json",
	".map":         "application/json",
	".webmanifest": "application/manifest+json",
	".xml":         "text/xml",
	".rss":         "application/rss+xml",
	".atom":        "application/atom+xml",
	".txt":         "text/plain",
	".text":        "text/plain",
	".md":          "text/markdown",
	".csv":         "text/csv",
	".tsv":         "text/tab-separated-values",
	".ics":         "text/calendar",
	".vtt":         "text/vtt",
	".yaml":        "application/yaml",
	".yml":         "application/yaml",
	".wasm":        "application/wasm",
	".svg":         "image/svg+xml",
	".svgz":        "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".avif":        "image/avif",
	".ico":         "image/x-icon",
	".bmp":         "image/bmp",
	".tif":         "image/tiff",
	".tiff":        "image/tiff",
	".woff":        "font/woff",
	".woff2":       "font/woff2",
	".ttf":         "font/ttf",
	".otf":         "font/otf",
	".eot":         "application/vnd.ms-fontobject",
	".mp3":         "audio/mpeg",
	".ogg":         "audio/ogg",
	".oga":         "audio/ogg",
	".m4a":         "audio/mp4",
	".wav":         "audio/wav",
	".flac":        "audio/flac",
	".mp4":         "video/mp4",
	".m4v":         "video/mp4",
	".webm":        "video/webm",
	".ogv":         "video/ogg",
	".mov":         "video/quicktime",
	".pdf":         "application/pdf",
	".zip":         "application/zip",
	".gz":          "application/gzip",
	".tgz":         "application/gzip",
	".br":          "application/x-brotli",
	".zst":         "application/zstd",
	".bz2":         "application/x-bzip2",
	".xz":          "application/x-xz",
	".7z":          "application/x-7z-compressed",
	".tar":         "application/x-tar",
	".rar":         "application/vnd.rar",
	".epub":        "application/epub+zip",
	".doc":         "application/msword",
	".docx":        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":         "application/vnd.ms-excel",
	".xlsx":        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".ppt":         "application/vnd.ms-powerpoint",
	".pptx":        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	".bin":         "application/octet-stream",
	".exe":         "application/octet-stream",
	".iso":         "application/octet-stream",
	".dmg":         "application/octet-stream",
}

// compressible lists the non-text types worth gzipping; every text/* type
// is too. Images, audio, video, fonts in WOFF and archives are compressed
// already: gzip would cost CPU for nothing.
var compressible = map[string]bool{
	"application/json":              true,
	"application/manifest+json":     true,
	"application/xhtml+xml":         true,
	"application/rss+xml":           true,
	"application/atom+xml":          true,
	"application/yaml":              true,
	"application/wasm":              true,
	"image/svg+xml":                 true,
	"image/x-icon":                  true,
	"image/bmp":                     true,
	"font/ttf":                      true,
	"font/otf":                      true,
	"application/vnd.ms-fontobject": true,
}

// DefaultType is the media type of files whose extension is unknown, unless
// Options.FallbackType says otherwise.
const DefaultType = "application/octet-stream"

// ContentType returns the media type for a file name's extension, with
// charset=utf-8 for text types (files are served as stored, and UTF-8 is
// what a site's text is today), or fallback when the extension is unknown
// ("" means DefaultType).
func ContentType(name, fallback string) string {
	ct, ok := lookupType(name)
	if !ok {
		if fallback == "" {
			return DefaultType
		}
		return fallback
	}
	if strings.HasPrefix(ct, "text/") {
		return ct + "; charset=utf-8"
	}
	return ct
}

// lookupType finds the type of name's extension, folding its case without
// allocating.
func lookupType(name string) (string, bool) {
	dot := strings.LastIndexByte(name, '.')
	if dot < 0 || strings.IndexByte(name[dot:], '/') >= 0 {
		return "", false
	}
	ext := name[dot:]
	if ct, ok := types[ext]; ok {
		return ct, true
	}
	var buf [16]byte
	if len(ext) > len(buf) {
		return "", false
	}
	for i := 0; i < len(ext); i++ {
		c := ext[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[i] = c
	}
	ct, ok := types[string(buf[:len(ext)])]
	return ct, ok
}

// isCompressible reports whether gzip is worth trying on a media type (with
// or without parameters).
func isCompressible(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = strings.TrimSpace(ct[:i])
	}
	return strings.HasPrefix(ct, "text/") || compressible[ct]
}
