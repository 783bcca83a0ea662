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
)

// FileSystem is a tree of files to serve instead of a folder on disk (the
// embedded example uses one).
type FileSystem = fs.FS

// mount is an app.static registration, as the script made it.
type mount struct {
	prefix, dir, where string
	opts               fileserver.Options
}

// mountSpec is a mount ready to serve, shared by all states: static files
// are answered in Go, before any Lua state is taken.
type mountSpec struct {
	prefix, where string
	dir           *fileserver.Dir
}

// registerMount implements app.static(prefix, dir [, options]): GET and
// HEAD requests under prefix are answered with files from dir (relative to
// the script's folder). options: cache_control (string).
func (st *state) registerMount(L *lua.LState) int {
	st.mustBeLoading(L, "static")
	prefix := L.CheckString(1)
	dir := L.CheckString(2)
	if !strings.HasPrefix(prefix, "/") {
		L.ArgError(1, "prefix must start with /")
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	m := mount{prefix: prefix, dir: dir, where: where(L)}
	if o, ok := L.Get(3).(*lua.LTable); ok {
		if v, ok := o.RawGetString("cache_control").(lua.LString); ok {
			m.opts.CacheControl = string(v)
		}
	}
	st.reg.mounts = append(st.reg.mounts, m)
	return 0
}

func (e *Engine) newMount(m mount) (*mountSpec, error) {
	dir := m.dir
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(e.scriptDir, dir)
	}
	d, err := fileserver.NewDir(dir, m.opts)
	if err != nil {
		le := parseWhere(m.where + ": x")
		msg := fmt.Sprintf("app.static(%q, %q): %v", m.prefix, m.dir, err)
		if le != nil {
			return nil, &LoadError{File: le.File, Line: le.Line, Msg: msg}
		}
		return nil, &LoadError{Msg: msg}
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
		if len(r.Path) < len(m.prefix) || string(r.Path[:len(m.prefix)]) != m.prefix {
			continue
		}
		err := m.dir.Serve(w, r, string(r.Path[len(m.prefix):]), nil)
		switch {
		case err == nil:
			return true
		case errors.Is(err, fileserver.ErrForbidden):
			writeStatus(w, 403, "")
			return true
		case errors.Is(err, fileserver.ErrNotFound):
			return false
		default:
			return true // a write error: the connection is done
		}
	}
	return false
}

// initFiles prepares the folder (or tree) the file helper serves from.
func (e *Engine) initFiles() error {
	switch {
	case e.cfg.Files != nil:
		e.files = fileserver.NewFS(e.cfg.Files, fileserver.Options{})
	default:
		root := e.cfg.Root
		if root == "" {
			root = e.scriptDir
		}
		d, err := fileserver.NewDir(root, fileserver.Options{})
		if err != nil {
			return fmt.Errorf("file root: %w", err)
		}
		e.files = d
	}
	return nil
}

// sendFile answers with one file below the root, for a response table's
// file field. A missing file is the not-found hook's (or a 404).
func (st *state) sendFile(path, download string, status int) error {
	x := st.x
	err := st.e.files.Serve(x.w, x.r, path, &fileserver.FileOptions{Download: download, Status: statusOrZero(status)})
	switch {
	case err == nil:
		return nil
	case errors.Is(err, fileserver.ErrForbidden):
		x.w.Header().Reset()
		writeStatus(x.w, 403, "")
		return nil
	case errors.Is(err, fileserver.ErrNotFound):
		x.w.Header().Reset()
		if st.reg.notFound != nil {
			res, err := st.call(st.reg.notFound, x.tbl)
			if err != nil {
				return err
			}
			return st.respond(res)
		}
		writeStatus(x.w, 404, "")
		return nil
	}
	return err
}

func statusOrZero(s int) int {
	if s == 200 {
		return 0
	}
	return s
}
