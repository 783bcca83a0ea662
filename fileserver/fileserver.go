package fileserver

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"

	"github.com/luaserve/luaserve/httpcore"
)

// ErrNotFound and ErrForbidden are returned, with nothing written, for a
// missing (or refused) file and for one the server may not read; the
// caller decides what to answer (a script's not-found hook, say). Neither
// carries a filesystem path.
var (
	ErrNotFound  = errors.New("fileserver: not found")
	ErrForbidden = errors.New("fileserver: forbidden")
)

// errIsDir is open's answer for a folder.
var errIsDir = errors.New("fileserver: is a folder")

// Defaults for the zero values of Options' sizes.
const (
	DefaultCompressMin  = 1 << 10  // smallest file gzipped on the fly
	DefaultCacheFileMax = 64 << 10 // largest file kept in memory
	DefaultCacheMax     = 32 << 20 // memory for cached files, per Dir
)

// Options tune a Dir. The zero value serves files only: no index file, no
// listing, no compression, no dotfiles.
type Options struct {
	// Index is the file served for a folder's URL (the URL ends with a
	// slash); "" serves none. Lua mounts default to "index.html".
	Index string
	// Listing answers a folder's URL without an index file with an HTML
	// list of its entries.
	Listing bool
	// CacheControl, when set, is sent with every file.
	CacheControl string
	// Compress serves precompressed siblings (name.br, name.gz) to clients
	// that accept them and gzips compressible types of at least
	// CompressMin bytes on the fly.
	Compress bool
	// Dotfiles allows names with a segment starting with a dot (.env,
	// .git/); ".well-known" is always allowed.
	Dotfiles bool
	// FallbackType is the Content-Type of files whose extension is
	// unknown; "" means DefaultType.
	FallbackType string

	// CompressMin, CacheFileMax and CacheMax: zero takes the default
	// above; a negative value turns the feature off.
	CompressMin  int64
	CacheFileMax int64
	CacheMax     int64
}

// FileOptions tune one file response.
type FileOptions struct {
	Download     string // attachment file name for Content-Disposition
	ContentType  string // overrides the type from the extension
	CacheControl string // overrides Options.CacheControl
	// Status, other than 0 and 200, sends the whole file with that status
	// and no conditional or range handling (a custom error page, say).
	Status int
}

// Dir serves the files below one root folder, or of one fs.FS. It is safe
// for concurrent use.
type Dir struct {
	root   *os.Root // nil with fsys
	path   string   // absolute path of the root; "" with fsys
	fsys   fs.FS    // an embedded tree, instead of root
	static bool     // fsys never changes (embed.FS): entries need no revalidation
	opts   Options

	compressMin  int64
	cacheFileMax int64
	cache        *cache // shared with w, which must not reach the Dir
	wOnce        sync.Once
	w            *watcher // set by watcher(); nil: cached entries are revalidated by a stat
	noWatch      bool     // never start a watcher (tests of the stat path)
}

// NewDir serves root, which must be an existing folder. The folder is
// opened once: files are looked up below it with os.Root, which refuses
// any path or symbolic link that leads outside.
func NewDir(root string, opts Options) (*Dir, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(abs)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("open folder %s: %w", root, err)
	}
	d := &Dir{root: r, path: filepath.Clean(abs)}
	d.init(opts)
	return d, nil
}

// NewFS serves the files of fsys (an embedded tree, say). Files from an
// fs.FS are copied through user space: no sendfile.
func NewFS(fsys fs.FS, opts Options) *Dir {
	d := &Dir{fsys: fsys}
	switch fsys.(type) {
	case embed.FS, *embed.FS:
		d.static = true
	}
	d.init(opts)
	return d
}

func (d *Dir) init(opts Options) {
	d.opts = opts
	d.compressMin = pickSize(opts.CompressMin, DefaultCompressMin)
	d.cacheFileMax = pickSize(opts.CacheFileMax, DefaultCacheFileMax)
	d.cache = &cache{m: map[string]*entry{}, max: pickSize(opts.CacheMax, DefaultCacheMax)}
	if d.compressMin < 0 {
		d.compressMin = 1 << 62
	}
}

func pickSize(v, def int64) int64 {
	switch {
	case v == 0:
		return def
	case v < 0:
		return -1
	}
	return v
}

// Close releases the root folder; the Dir must not be used afterwards.
func (d *Dir) Close() error {
	d.wOnce.Do(func() {}) // no watcher from now on
	if d.w != nil {
		d.w.close()
	}
	if d.root != nil {
		return d.root.Close()
	}
	return nil
}

// ServeMount answers r, a GET or HEAD request under a mount, with the file
// or folder rel: r.Path below the mount's prefix (percent-decoded). A
// folder's URL ("" or ending in a slash) gets its index file or, with
// Options.Listing, a listing; a folder named without the final slash gets a
// redirect that adds it, when there is something to show.
//
// ServeMount returns ErrNotFound or ErrForbidden with nothing written, nil
// when it answered, or another error when the answer could not be
// completed after it was started (w.Committed() tells): the connection
// must then be abandoned.
func (d *Dir) ServeMount(w *httpcore.ResponseWriter, r *httpcore.Request, rel []byte) error {
	isDir, ok := checkName(rel, d.opts.Dotfiles)
	if !ok || bytes.IndexByte(r.RawPath, '%') >= 0 && hasEncodedSeparator(r.RawPath) {
		return ErrNotFound
	}
	var f fields
	f.read(&r.Header)
	if isDir {
		return d.serveFolder(w, r, rel, &f)
	}
	e, file, err := d.open(rel)
	if err == errIsDir {
		return d.redirectFolder(w, r, rel)
	}
	if err != nil {
		return err
	}
	return d.serve(w, r, &f, e, file, nil)
}

// ServeFile answers r with the file name, a slash-separated path below the
// root chosen by a script (the same name rules as requests apply). A
// folder is not found. fo may be nil. Errors are as for ServeMount.
func (d *Dir) ServeFile(w *httpcore.ResponseWriter, r *httpcore.Request, name string, fo *FileOptions) error {
	o, err := d.OpenFile(name)
	if err != nil {
		return err
	}
	return o.Serve(w, r, fo)
}

// Opened is a file resolved and opened by OpenFile, ready to be served. It
// lets a caller decide "found or not" while it holds something (a Lua
// state) and send the bytes after letting go of it.
type Opened struct {
	d    *Dir
	e    *entry
	file fs.File // nil when the bytes are cached
}

// OpenFile resolves name as ServeFile does, without answering: ErrNotFound
// or ErrForbidden, or an Opened the caller must Serve or Close.
func (d *Dir) OpenFile(name string) (*Opened, error) {
	isDir, ok := checkName(name, d.opts.Dotfiles)
	if !ok || isDir {
		return nil, ErrNotFound
	}
	e, file, err := d.open([]byte(name))
	if err == errIsDir {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	return &Opened{d: d, e: e, file: file}, nil
}

// Serve answers r with the opened file (conditional requests, ranges and
// compression included) and closes it. fo may be nil.
func (o *Opened) Serve(w *httpcore.ResponseWriter, r *httpcore.Request, fo *FileOptions) error {
	var f fields
	f.read(&r.Header)
	return o.d.serve(w, r, &f, o.e, o.file, fo)
}

// Close releases an opened file that will not be served.
func (o *Opened) Close() {
	if o.file != nil {
		o.file.Close()
	}
}

// open returns the current entry for name and, when its bytes are not in
// memory, the open file to send them from (the caller closes it).
func (d *Dir) open(name []byte) (*entry, fs.File, error) {
	e := d.cache.get(name)
	if e != nil && e.data != nil && d.fresh(e) {
		return e, nil, nil
	}
	sname := string(name)
	if e != nil {
		sname = e.name
	}
	// Watch the way to the file before opening it, so that no change
	// after the open can go unreported.
	var gen uint64
	watched := false
	if w := d.watcher(); w != nil && (e == nil || e.data != nil) {
		gen, watched = w.prepare(sname, d.root.Lstat)
	}
	f, err := d.openFile(sname)
	if err != nil {
		if e != nil {
			d.cache.drop(e)
		}
		return nil, nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, classify(err)
	}
	if fi.IsDir() {
		f.Close()
		return nil, nil, errIsDir
	}
	if !fi.Mode().IsRegular() {
		f.Close() // a device or a FIFO: nothing to serve
		return nil, nil, ErrNotFound
	}
	if e != nil && e.data == nil && e.id == idOf(fi) {
		return e, f, nil // a large file, unchanged: reuse its header values
	}
	e, err = d.newEntry(sname, fi, f)
	if err != nil {
		f.Close()
		return nil, nil, classify(err)
	}
	if e.data != nil {
		// Did the file change while it was read? Then do not keep it.
		if fi2, err := f.Stat(); err != nil || idOf(fi2) != e.id {
			e.data = nil
			if _, err := f.(io.Seeker).Seek(0, io.SeekStart); err != nil {
				f.Close()
				return nil, nil, classify(err)
			}
			return e, f, nil
		}
		f.Close()
		f = nil
	}
	d.cache.put(e, gen, watched)
	return e, f, nil
}

// watcher starts the change watcher on first use: a Dir that never caches
// a file takes no inotify instance (there are 128 per user by default). It
// is nil where there is none (see watch_other.go).
func (d *Dir) watcher() *watcher {
	d.wOnce.Do(func() {
		if d.root == nil || d.cache.max <= 0 || d.noWatch {
			return
		}
		if d.w = newWatcher(d.path, d.cache); d.w != nil {
			// A Dir dropped without Close must not leak the watcher's
			// descriptor and goroutine.
			runtime.AddCleanup(d, func(w *watcher) { w.close() }, d.w)
		}
	})
	return d.w
}

// fresh reports whether a cached entry still describes the file: free for
// an entry the watcher vouches for, else one stat.
func (d *Dir) fresh(e *entry) bool {
	switch {
	case e.watched && d.w.trusted():
		return true
	case d.static:
		return true
	case d.fsys != nil:
		fi, err := fs.Stat(d.fsys, e.name)
		return err == nil && fi.Mode().IsRegular() && idOf(fi) == e.id
	}
	id, ok := statPath(e.path)
	return ok && id == e.id
}

// openFile opens name below the root. O_NONBLOCK keeps a FIFO from
// blocking the open; it changes nothing for regular files.
func (d *Dir) openFile(name string) (fs.File, error) {
	var f fs.File
	var err error
	if d.fsys != nil {
		f, err = d.fsys.Open(name)
	} else {
		f, err = d.root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	}
	if err != nil {
		return nil, classify(err)
	}
	return f, nil
}

// classify maps a filesystem error to the two answers a caller gets; the
// error's path goes no further.
func classify(err error) error {
	if errors.Is(err, fs.ErrPermission) {
		return ErrForbidden
	}
	return ErrNotFound
}
