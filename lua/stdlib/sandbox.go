package stdlib

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	lua "github.com/yuin/gopher-lua"
)

// The sandbox (Options.Sandbox) takes away what runs other programs
// (os.execute, io.popen) and limits the functions that take a file name
// (io.open, io.lines, io.input, io.output, os.remove, os.rename, dofile,
// loadfile) to files inside the roots (Options.Roots). A path is checked
// after it is made absolute (from the working folder, as the functions
// themselves do), cleaned and its symbolic links followed; the function
// then works on the resolved path, so what was checked is what is used
// (".." is cleaned away before links are followed, so "link/../x" is the
// x beside link, not beside its target). os.remove and os.rename follow
// links in the folders but not in the last name: they act on a link, not
// on its target. os.tmpname, whose names are in the system's temporary
// folder, is taken away too; io.tmpfile stays (it names no file, and its
// file is removed when the state closes).
//
// require (search.go) reads only files inside the roots and the folders of
// the search path the state was made with (Options.Path: the server's
// choice, not the script's); a folder the script adds to package.path is
// refused unless it lies inside those. The debug library is the read-only
// subset of debug.go in every state, sandboxed or not.
//
// It is not a boundary against another process changing the files meanwhile,
// nor against a bug in gopher-lua; CPU and memory are bounded elsewhere
// (the time limit, the memory budget).

// sandbox is the roots one state's file access is limited to.
type sandbox struct {
	roots []string // absolute, cleaned, links resolved
}

// newSandbox resolves roots; those that are empty or do not exist are
// left out.
func newSandbox(roots []string) *sandbox {
	s := &sandbox{}
	for _, r := range roots {
		if r == "" {
			continue
		}
		if abs, err := filepath.Abs(r); err == nil {
			if real, err := filepath.EvalSymlinks(abs); err == nil {
				s.roots = append(s.roots, real)
			}
		}
	}
	return s
}

// SandboxPath returns the real path of path (links followed) when it lies
// inside one of roots, as the sandbox checks a file a script opens, else
// an error naming it. The engine checks app.static's folders with it.
func SandboxPath(roots []string, path string) (string, error) {
	return newSandbox(roots).resolve(path, true)
}

// installSandbox limits L's file access to roots and takes away running
// programs. Roots that are empty or do not exist are left out.
func installSandbox(L *lua.LState, roots []string) {
	s := newSandbox(roots)
	iomod := L.GetGlobal("io").(*lua.LTable)
	osmod := L.GetGlobal("os").(*lua.LTable)
	for _, w := range []struct {
		lib        *lua.LTable
		prefix, fn string
		paths      int  // how many leading arguments are paths
		followLast bool // follow a link in the last name
	}{
		{iomod, "io.", "open", 1, true},
		{iomod, "io.", "lines", 1, true},
		{osmod, "os.", "remove", 1, false},
		{osmod, "os.", "rename", 2, false},
		{L.G.Global, "", "dofile", 1, true},
		{L.G.Global, "", "loadfile", 1, true},
	} {
		w.lib.RawSetString(w.fn, s.wrap(L, w.prefix+w.fn, w.lib.RawGetString(w.fn), w.paths, w.followLast))
	}
	for _, r := range []struct {
		lib        *lua.LTable
		prefix, fn string
	}{{osmod, "os.", "execute"}, {iomod, "io.", "popen"}, {osmod, "os.", "tmpname"}} {
		name := r.prefix + r.fn
		r.lib.RawSetString(r.fn, L.NewFunction(func(L *lua.LState) int {
			L.RaiseError("%s is not available in the sandbox", name)
			return 0
		}))
	}
}

// wrap returns fn with its first paths arguments checked and replaced by
// their resolved paths; a path outside the roots raises an error naming it.
func (s *sandbox) wrap(L *lua.LState, name string, fn lua.LValue, paths int, followLast bool) *lua.LFunction {
	return L.NewFunction(func(L *lua.LState) int {
		for i := 1; i <= paths; i++ {
			p := L.CheckString(i)
			real, err := s.resolve(p, followLast)
			if err != nil {
				L.RaiseError("%s: sandbox: %v", name, err)
			}
			L.Replace(i, lua.LString(real))
		}
		return callArgs(L, fn, 1)
	})
}

// resolve returns the real path of path, if it is inside a root: strictly
// inside for os.remove and os.rename (followLast false), which may not
// remove or move a root itself.
func (s *sandbox) resolve(path string, followLast bool) (string, error) {
	if path == "" {
		return "", errors.New("empty file name")
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("%q: %w", path, err)
	}
	var real string
	if followLast {
		real, err = realPath(abs)
	} else {
		real, err = realPath(filepath.Dir(abs))
		real = filepath.Join(real, filepath.Base(abs))
	}
	if err != nil {
		return "", fmt.Errorf("%q: %w", path, err)
	}
	if !s.inside(real, followLast) {
		if real != path {
			return "", fmt.Errorf("%q (%s) is outside the allowed folders", path, real)
		}
		return "", fmt.Errorf("%q is outside the allowed folders", path)
	}
	return real, nil
}

// inside reports whether real is in a root (or is one, with self).
func (s *sandbox) inside(real string, self bool) bool {
	for _, root := range s.roots {
		// filepath.Rel fails across Windows volumes and folds case there.
		rel, err := filepath.Rel(root, real)
		if err != nil || filepath.IsAbs(rel) || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		if rel != "." || self {
			return true
		}
	}
	return false
}

// realPath is filepath.EvalSymlinks for an absolute path whose last names
// need not exist yet (a file about to be created): the longest existing
// prefix is resolved and the rest appended. A name that exists but does
// not resolve (a link to nowhere, which creating the file would follow;
// a loop; a folder that cannot be read) is an error.
func realPath(p string) (string, error) {
	real, err := filepath.EvalSymlinks(p)
	if err == nil {
		return real, nil
	}
	if _, lerr := os.Lstat(p); !errors.Is(lerr, fs.ErrNotExist) {
		return "", err
	}
	parent := filepath.Dir(p)
	if parent == p {
		return "", err
	}
	rp, err := realPath(parent)
	if err != nil {
		return "", err
	}
	return filepath.Join(rp, filepath.Base(p)), nil
}
