package engine

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/fileserver"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/lua/stdlib"
)

// FileSystem is a tree of files to serve instead of a folder on disk (the
// embedded example uses one).
type FileSystem = fs.FS

// mount is an app.static registration, as the script made it.
type mount struct {
	prefix, dir string
	where       stdlib.Place
	opts        fileserver.Options
}

// mountSpec is a mount ready to serve, shared by all states: static files
// are answered in Go, before any Lua state is taken.
type mountSpec struct {
	prefix string
	where  stdlib.Place
	dir    *fileserver.Dir
}

// static implements app.static(prefix, dir [, options]): GET and
// HEAD requests under prefix are answered with files from dir (relative to
// the script's folder). options (all optional):
//
//	index = "index.html"   file served for a folder's URL; false for none
//	listing = false        HTML listing of folders without an index file
//	cache_control = nil    Cache-Control sent with every file
//	compress = true        .br/.gz siblings and on-the-fly gzip of text
//	dotfiles = false       serve names starting with a dot (.well-known always)
//	fallback_type = "application/octet-stream"  type of unknown extensions
//
// An unknown key or a value of the wrong type is a load error.
func (reg *registry) static(L *lua.LState) int {
	reg.mustBeLoading(L, "static")
	prefix := L.CheckString(1)
	dir := L.CheckString(2)
	if !strings.HasPrefix(prefix, "/") {
		L.ArgError(1, "prefix must start with /")
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	m := mount{prefix: prefix, dir: dir, where: stdlib.Caller(L, 1), opts: fileserver.Options{
		Index:    "index.html",
		Compress: true,
	}}
	switch o := L.Get(3).(type) {
	case *lua.LNilType:
	case *lua.LTable:
		if err := mountOptions(o, &m.opts); err != nil {
			L.RaiseError("app.static: %s", err)
		}
	default:
		L.ArgError(3, "options must be a table")
	}
	reg.mounts = append(reg.mounts, m)
	return 0
}

// mountOptions reads app.static's options table into o.
func mountOptions(t *lua.LTable, o *fileserver.Options) error {
	var err error
	t.ForEach(func(k, v lua.LValue) {
		if err != nil {
			return
		}
		key, _ := k.(lua.LString)
		switch key {
		case "index":
			switch v := v.(type) {
			case lua.LBool:
				if v {
					err = fmt.Errorf("option index must be a file name or false")
				}
				o.Index = ""
			case lua.LString:
				if v == "" || strings.ContainsAny(string(v), "/\\\x00") || strings.HasPrefix(string(v), ".") {
					err = fmt.Errorf("option index must be a plain file name, not %q", string(v))
				}
				o.Index = string(v)
			default:
				err = optionType("index", "a string or false", v)
			}
		case "listing":
			err = boolOption(&o.Listing, "listing", v)
		case "compress":
			err = boolOption(&o.Compress, "compress", v)
		case "dotfiles":
			err = boolOption(&o.Dotfiles, "dotfiles", v)
		case "cache_control":
			err = stringOption(&o.CacheControl, "cache_control", v)
		case "fallback_type":
			err = stringOption(&o.FallbackType, "fallback_type", v)
		default:
			err = fmt.Errorf("unknown option %s (want index, listing, cache_control, compress, dotfiles or fallback_type)", k)
		}
	})
	return err
}

func boolOption(dst *bool, name string, v lua.LValue) error {
	b, ok := v.(lua.LBool)
	if !ok {
		return optionType(name, "a boolean", v)
	}
	*dst = bool(b)
	return nil
}

// stringOption reads a header value: a string without control characters.
func stringOption(dst *string, name string, v lua.LValue) error {
	s, ok := v.(lua.LString)
	if !ok {
		return optionType(name, "a string", v)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' && c != '\t' || c == 0x7f {
			return fmt.Errorf("option %s contains a control character", name)
		}
	}
	*dst = string(s)
	return nil
}

func optionType(name, want string, v lua.LValue) error {
	return fmt.Errorf("option %s must be %s, not a %s", name, want, v.Type())
}

func (e *Engine) newMount(m mount) (*mountSpec, error) {
	dir := m.dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(e.scriptDir, dir)
	}
	if e.cfg.Sandbox {
		// -sandbox: a mount serves only from the script's folder or the root.
		if _, err := stdlib.SandboxPath([]string{e.scriptDir, e.cfg.Root}, dir); err != nil {
			return nil, &LoadError{m.where, fmt.Sprintf("app.static(%q, %q): sandbox: %v", m.prefix, m.dir, err)}
		}
	}
	d, err := fileserver.NewDir(dir, m.opts)
	if err != nil {
		return nil, &LoadError{m.where, fmt.Sprintf("app.static(%q, %q): %v", m.prefix, m.dir, err)}
	}
	return &mountSpec{prefix: m.prefix, where: m.where, dir: d}, nil
}

// serveMount answers GET and HEAD under a mount's prefix. A missing file
// falls through to the routes (and the not-found hook).
func (e *Engine) serveMount(w *httpcore.ResponseWriter, r *httpcore.Request) bool {
	if len(e.mounts) == 0 {
		return false
	}
	method := string(r.Method)
	if method != "GET" && method != "HEAD" {
		return false
	}
	for _, m := range e.mounts {
		var err error
		switch {
		case len(r.Path) >= len(m.prefix) && string(r.Path[:len(m.prefix)]) == m.prefix:
			err = m.dir.ServeMount(w, r, r.Path[len(m.prefix):])
		case len(r.Path) == len(m.prefix)-1 && string(r.Path) == m.prefix[:len(r.Path)]:
			// "/files" for a mount at "/files/": the root folder named
			// without its slash, redirected like any other folder.
			err = m.dir.RedirectRoot(w, r)
		default:
			continue
		}
		r.Route = m.prefix + "*"
		switch {
		case err == nil:
			return true
		case errors.Is(err, fileserver.ErrForbidden):
			writeStatus(w, 403, "")
			return true
		case errors.Is(err, fileserver.ErrNotFound):
			return false
		case w.Committed():
			// The body broke off (a read failure): only closing the
			// connection tells the client.
			e.log.Error("luaserve: static file failed", "path", string(r.Path), "err", err)
			panic(httpcore.ErrAbortHandler)
		default:
			e.log.Error("luaserve: static file failed", "path", string(r.Path), "err", err)
			w.Header().Reset()
			writeStatus(w, 500, "")
			return true
		}
	}
	return false
}

// closeFiles releases the mounts' folders and the file root (each holds a
// descriptor and, once it caches a file, an inotify watcher). Engine.Close
// should call it.
func (e *Engine) closeFiles() {
	for _, m := range e.mounts {
		m.dir.Close()
	}
	if e.files != nil {
		e.files.Close()
	}
}

// initFiles prepares the folder (or tree) the file helper serves from.
func (e *Engine) initFiles() error {
	switch {
	case e.cfg.Files != nil:
		e.files = fileserver.NewFS(e.cfg.Files, fileserver.Options{Compress: true})
	default:
		root := e.cfg.Root
		if root == "" {
			root = e.scriptDir
		}
		d, err := fileserver.NewDir(root, fileserver.Options{Compress: true})
		if err != nil {
			return fmt.Errorf("file root: %w", err)
		}
		e.files = d
	}
	return nil
}

// fileSend is a file response decided by a route and sent after its Lua
// state is back in the pool: a slow download must not hold a state.
type fileSend struct {
	o  *fileserver.Opened
	fo fileserver.FileOptions
}

// openFile handles a response table's file field: it opens the file below
// the root while the state is held (a missing file is the not-found hook's,
// or a 404; an unreadable one a 403) and leaves the sending to ServeHTTP.
func (e *Engine) openFile(st *state, x *exchange, path, download string, status int) error {
	o, err := e.files.OpenFile(path)
	switch {
	case err == nil:
		x.send = fileSend{o: o, fo: fileserver.FileOptions{Download: download, Status: statusOrZero(status)}}
		return nil
	case errors.Is(err, fileserver.ErrForbidden):
		x.w.Header().Reset()
		writeStatus(x.w, 403, "")
		return nil
	case errors.Is(err, fileserver.ErrNotFound):
		x.w.Header().Reset()
		if st.notFound != nil {
			res, err := e.call(st, x, st.notFound, st.req.table(), "not_found hook")
			if err != nil {
				return err
			}
			return e.respond(st, x, res)
		}
		writeStatus(x.w, 404, "")
		return nil
	}
	return err
}

// close drops a file that will not be sent.
func (s *fileSend) close() {
	if s.o != nil {
		s.o.Close()
		*s = fileSend{}
	}
}

func statusOrZero(s int) int {
	if s == 200 {
		return 0
	}
	return s
}
