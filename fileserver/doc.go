// Package fileserver answers HTTP requests with files, for luaserve's
// static mounts (app.static) and file responses (res.file): content types,
// validators and conditional requests, byte ranges, HEAD, folders (index
// file, trailing-slash redirect, optional listing sortable by query
// parameters: listing.go), precompressed siblings
// and on-the-fly gzip, Cache-Control and Content-Disposition.
//
// Safety: a Dir serves only below its root. Names are checked before any
// filesystem access (see name.go: no "..", ".", empty segments, backslashes,
// control bytes or, by default, dotfiles; no percent-encoded separators in
// the request), and files are opened through os.Root, which refuses
// symbolic links that lead outside the root. Failures come back as
// ErrNotFound or ErrForbidden with nothing written and no path in them, so
// that the caller can fall through to its routes and not-found hook.
//
// Speed: small files (64 KiB by default) are kept in memory with their
// precomputed header values (ETag, Last-Modified, Content-Type, gzip form),
// so that a hit is one write of header and body. On Linux a watcher
// (fsnotify, over inotify) on the folders of cached files drops an entry
// as soon as the kernel reports a change to its name, its folders or its
// siblings; an entry the watcher cannot vouch for (a symbolic link on the
// way, a hard-linked file, a folder under a second name or on another
// device, events lost to a full queue or a watcher error, another OS (see
// watch_other.go), an fs.FS) is instead revalidated with one stat per
// request (device, inode, size, modification time; size and time only
// off Linux). The watcher starts with the first cached file and stops
// when the Dir is closed (or dropped unclosed). Larger files are opened per request and streamed with sendfile(2)
// through httpcore.ResponseWriter.SendFile when nothing transforms them
// (ranges included), through a pooled buffer when gzip does. Nothing is
// ever read whole into memory except a cached small file.
//
// It deliberately does not: follow nginx's merge_slashes or dot-segment
// normalization (such names are refused), compress with brotli on the fly
// (only .br siblings), or answer methods other than GET and HEAD (the
// caller routes those).
package fileserver
