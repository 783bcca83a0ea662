package fileserver

import (
	"io/fs"
	"strings"
	"time"

	"github.com/luaserve/luaserve/httpcore"
)

// serveFolder answers a folder's URL (rel is "" or ends with a slash): the
// index file, else a listing when enabled, else ErrNotFound. nginx answers
// 403 there; a 404 that the script may handle tells less about the tree.
func (d *Dir) serveFolder(w *httpcore.ResponseWriter, r *httpcore.Request, rel []byte, f *fields) error {
	if d.opts.Index != "" {
		var buf [256]byte
		name := append(append(buf[:0], rel...), d.opts.Index...)
		e, file, err := d.open(name)
		switch err {
		case nil:
			return d.serve(w, r, f, e, file, nil)
		case ErrForbidden:
			return err
		}
	}
	if d.opts.Listing {
		return d.list(w, r, string(rel))
	}
	return ErrNotFound
}

// redirectFolder answers a folder named without its final slash with a 301
// to the same URL plus the slash, when the folder has something to show
// (an index file, or a listing); else ErrNotFound.
func (d *Dir) redirectFolder(w *httpcore.ResponseWriter, r *httpcore.Request, rel []byte) error {
	if !d.opts.Listing {
		if d.opts.Index == "" {
			return ErrNotFound
		}
		name := d.opts.Index // the root's
		if len(rel) > 0 {
			name = string(rel) + "/" + name
		}
		if fi, err := d.stat(name); err != nil || !fi.Mode().IsRegular() {
			return ErrNotFound
		}
	}
	// The Location is the request's own path, still percent-encoded, so it
	// names the same resource whatever the mount's prefix. A path that
	// starts with "//" or "/\" would be read as another host: refused.
	raw := r.RawPath
	if len(raw) == 0 || raw[0] != '/' || len(raw) > 1 && (raw[1] == '/' || raw[1] == '\\') {
		return ErrNotFound
	}
	loc := make([]byte, 0, len(raw)+2+len(r.Query))
	loc = append(append(loc, raw...), '/')
	if r.Query != nil {
		loc = append(append(loc, '?'), r.Query...)
	}
	h := w.Header()
	h.AddBytes([]byte("Location"), loc)
	h.Add("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(301)
	const msg = "301 Moved Permanently\n"
	w.SetContentLength(int64(len(msg)))
	w.WriteString(msg)
	return nil
}

// RedirectRoot answers r, a GET or HEAD request for the mount's root named
// without its final slash ("/files" for a mount at "/files/"), as
// redirectFolder answers any folder so named: a 301 that adds the slash
// when there is an index file or a listing to show, else ErrNotFound.
func (d *Dir) RedirectRoot(w *httpcore.ResponseWriter, r *httpcore.Request) error {
	return d.redirectFolder(w, r, nil)
}

func (d *Dir) stat(name string) (fs.FileInfo, error) {
	if d.fsys != nil {
		return fs.Stat(d.fsys, name)
	}
	return d.root.Stat(name)
}

// list answers with an HTML listing of the folder rel ("" or ending with a
// slash).
func (d *Dir) list(w *httpcore.ResponseWriter, r *httpcore.Request, rel string) error {
	items, err := d.listItems(rel)
	if err != nil {
		return err
	}
	by := parseListSort(r.Query)
	by.sort(items)
	body := listingHTML(string(r.Path), rel != "", items, by)
	h := w.Header()
	h.Add("Content-Type", "text/html; charset=utf-8")
	if d.opts.CacheControl != "" {
		h.Add("Cache-Control", d.opts.CacheControl)
	}
	w.SetContentLength(int64(len(body)))
	w.WriteString(body)
	return nil
}

// listItem is one line of a listing.
type listItem struct {
	name string
	dir  bool
	size int64
	mod  time.Time
}

// listItems returns what the folder rel shows, in no order. Entries the name rules refuse (dotfiles, unless allowed) and
// symbolic links that lead outside the root are left out.
func (d *Dir) listItems(rel string) ([]listItem, error) {
	entries, err := d.readDir(rel)
	if err != nil {
		return nil, classify(err)
	}
	items := make([]listItem, 0, len(entries))
	for _, de := range entries {
		n := de.Name()
		if _, ok := checkName(n, d.opts.Dotfiles); !ok || n[0] == '.' && !d.opts.Dotfiles {
			continue // .well-known too: fetchable, not listed
		}
		fi, err := d.stat(rel + n) // follows links, inside the root only
		if err != nil || !fi.IsDir() && !fi.Mode().IsRegular() {
			continue
		}
		items = append(items, listItem{n, fi.IsDir(), fi.Size(), fi.ModTime()})
	}
	return items, nil
}

// readDir reads the entries of the folder rel ("" or ending with a slash).
func (d *Dir) readDir(rel string) ([]fs.DirEntry, error) {
	name := strings.TrimSuffix(rel, "/")
	if name == "" {
		name = "."
	}
	if d.fsys != nil {
		return fs.ReadDir(d.fsys, name)
	}
	f, err := d.root.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.ReadDir(-1)
}
