// Package fileserver answers requests with files from a folder, for
// luaserve's static mounts and file responses. It is a first cut: one file
// per request with a content type, validators and sendfile; conditional
// requests, ranges, compression and listings are still to come.
package fileserver

import (
	"errors"
	"io"
	"io/fs"
	"mime"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/luaserve/luaserve/httpcore"
)

// ErrNotFound and ErrForbidden are returned, with nothing written, for a
// missing file and for one the server may not read; the caller decides
// what to answer (a script's not-found hook, say).
var (
	ErrNotFound  = errors.New("fileserver: not found")
	ErrForbidden = errors.New("fileserver: forbidden")
)

// Options tune a Dir.
type Options struct {
	// CacheControl, when set, is sent with every file.
	CacheControl string
}

// FileOptions tune one file response.
type FileOptions struct {
	Download    string // attachment file name for Content-Disposition
	ContentType string // overrides the type from the extension
	Status      int    // for a full response; 0 means 200
}

// Dir serves the files below one root folder.
type Dir struct {
	root string // absolute, symlinks resolved; "" with fsys
	fsys fs.FS  // an embedded tree, instead of root
	opts Options
}

// NewFS serves the files of fsys (an embedded tree, say). Files from an
// fs.FS are copied through user space: no sendfile.
func NewFS(fsys fs.FS, opts Options) *Dir {
	return &Dir{fsys: fsys, opts: opts}
}

// NewDir serves root, which must be an existing folder.
func NewDir(root string, opts Options) (*Dir, error) {
	abs, err := filepath.Abs(root)
	if err == nil {
		abs, err = filepath.EvalSymlinks(abs)
	}
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		return nil, errors.New(root + " is not a folder")
	}
	return &Dir{root: abs, opts: opts}, nil
}

// Serve answers r with the file at name, a slash-separated path relative to
// the root. fo may be nil.
func (d *Dir) Serve(w *httpcore.ResponseWriter, r *httpcore.Request, name string, fo *FileOptions) error {
	if d.fsys != nil {
		return d.serveFS(w, name, fo)
	}
	full, err := d.resolve(name)
	if err != nil {
		return err
	}
	f, err := os.Open(full)
	if err != nil {
		return classify(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return classify(err)
	}
	if st.IsDir() {
		return ErrNotFound
	}
	d.setHeaders(w, full, st, fo)
	return w.SendFile(f, 0, st.Size())
}

func (d *Dir) setHeaders(w *httpcore.ResponseWriter, name string, st fs.FileInfo, fo *FileOptions) {
	h := w.Header()
	ct := ""
	if fo != nil {
		ct = fo.ContentType
	}
	if ct == "" {
		ct = ContentType(name)
	}
	h.Set("Content-Type", ct)
	if !st.ModTime().IsZero() {
		h.Set("Last-Modified", st.ModTime().UTC().Format("Mon, 02 Jan 2006 15:04:05 GMT"))
	}
	h.Set("ETag", `"`+strconv.FormatInt(st.ModTime().UnixNano(), 36)+"-"+strconv.FormatInt(st.Size(), 36)+`"`)
	h.Set("Accept-Ranges", "bytes")
	if d.opts.CacheControl != "" {
		h.Set("Cache-Control", d.opts.CacheControl)
	}
	if fo != nil && fo.Download != "" {
		h.Set("Content-Disposition", `attachment; filename="`+strings.ReplaceAll(fo.Download, `"`, "_")+`"`)
	}
	if fo != nil && fo.Status != 0 {
		w.WriteHeader(fo.Status)
	}
}

func (d *Dir) serveFS(w *httpcore.ResponseWriter, name string, fo *FileOptions) error {
	clean := strings.TrimPrefix(path.Clean("/"+name), "/")
	for _, seg := range strings.Split(clean, "/") {
		if strings.HasPrefix(seg, ".") || strings.ContainsAny(seg, "\x00\\") {
			return ErrNotFound
		}
	}
	f, err := d.fsys.Open(clean)
	if err != nil {
		return classify(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || st.IsDir() {
		return ErrNotFound
	}
	d.setHeaders(w, clean, st, fo)
	w.SetContentLength(st.Size())
	_, err = io.Copy(w, f)
	return err
}

// resolve maps name to a path below the root, refusing any way out: "..",
// absolute paths, NUL bytes, backslashes, dotfiles, and symbolic links that
// lead outside the root.
func (d *Dir) resolve(name string) (string, error) {
	if strings.ContainsAny(name, "\x00\\") {
		return "", ErrNotFound
	}
	clean := path.Clean("/" + name)
	for _, seg := range strings.Split(clean, "/") {
		if strings.HasPrefix(seg, ".") {
			return "", ErrNotFound
		}
	}
	full := filepath.Join(d.root, filepath.FromSlash(clean))
	real, err := filepath.EvalSymlinks(full)
	if err != nil {
		return "", classify(err)
	}
	if real != d.root && !strings.HasPrefix(real, d.root+string(filepath.Separator)) {
		return "", ErrNotFound
	}
	return real, nil
}

func classify(err error) error {
	switch {
	case errors.Is(err, fs.ErrPermission):
		return ErrForbidden
	default:
		return ErrNotFound
	}
}

// ContentType returns the media type for a file name's extension, with
// charset=utf-8 for text, and application/octet-stream when unknown.
func ContentType(name string) string {
	ct := mime.TypeByExtension(filepath.Ext(name))
	if ct == "" {
		return "application/octet-stream"
	}
	if strings.HasPrefix(ct, "text/") && !strings.Contains(ct, "charset") {
		ct += "; charset=utf-8"
	}
	return ct
}
