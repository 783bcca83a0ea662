package template

import (
	"errors"
	"fmt"
	htmltemplate "html/template"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"text/template/parse"
)

// Limits on one set of templates: the files it loads and each file's size.
const (
	MaxFiles    = 64
	MaxFileSize = 1 << 20
)

// CheckName returns name as a path below the template folder, or why it is
// refused: absolute paths, ".." and anything else leaving the folder.
func CheckName(name string) (string, error) {
	switch {
	case name == "":
		return "", errors.New("empty template name")
	case strings.ContainsAny(name, "\\\x00"):
		return "", fmt.Errorf("template name %q has a backslash or NUL", name)
	case path.IsAbs(name) || filepath.IsAbs(name):
		return "", fmt.Errorf("template name %q is absolute; names are relative to the script's folder", name)
	case !filepath.IsLocal(name):
		return "", fmt.Errorf("template name %q leaves the script's folder", name)
	}
	return path.Clean(name), nil
}

// stamp is what a cached set checks to notice a file changed.
type stamp struct {
	path    string // absolute
	modTime int64
	size    int64
}

func stampOf(file string) (stamp, error) {
	fi, err := os.Stat(file)
	if err != nil {
		return stamp{}, err
	}
	return stamp{file, fi.ModTime().UnixNano(), fi.Size()}, nil
}

// source is one template file read.
type source struct {
	name, text string
	refs       []string // template names it calls and does not define
}

// parseSet reads roots and the files they reference, each once, and parses
// them into one set, a file after those it references, so that a file's
// {{define}}s win over the {{block}} defaults of the files it calls (and
// name's over the layout's, as the layout is the first root). It returns
// the template roots[0] of the set and the stamps of the files read.
func parseSet(dir string, roots []string) (*htmltemplate.Template, []stamp, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, nil, err
	}
	defer root.Close()
	l := &loader{dir: dir, root: root, seen: map[string]bool{}}
	for _, r := range roots {
		if err := l.visit(r, ""); err != nil {
			return nil, nil, err
		}
	}
	var set *htmltemplate.Template
	for _, s := range l.order {
		t := htmltemplate.New(s.name)
		if set != nil {
			t = set.New(s.name)
		}
		if _, err := t.Parse(s.text); err != nil {
			return nil, nil, err
		}
		if set == nil {
			set = t
		}
	}
	return set.Lookup(roots[0]), l.stamps, nil
}

// loader walks the files of one set depth first.
type loader struct {
	dir    string
	root   *os.Root
	seen   map[string]bool
	order  []source // each after the files it references
	stamps []stamp
}

// visit loads name, then the files it references, appending them to
// l.order before it. from is the file that referenced name ("" for a root).
func (l *loader) visit(name, from string) error {
	if l.seen[name] {
		return nil
	}
	l.seen[name] = true
	if len(l.seen) > MaxFiles {
		return fmt.Errorf("%s: more than %d template files in one page", name, MaxFiles)
	}
	s, err := l.read(name, from)
	if err != nil {
		return err
	}
	for _, r := range s.refs {
		if n, err := CheckName(r); err == nil && l.isFile(n) {
			if err := l.visit(n, name); err != nil {
				return err
			}
		}
	}
	l.order = append(l.order, s)
	return nil
}

func (l *loader) isFile(name string) bool {
	fi, err := l.root.Stat(name)
	return err == nil && fi.Mode().IsRegular()
}

// read reads and pre-parses one file, to find what it references.
func (l *loader) read(name, from string) (source, error) {
	fi, err := l.root.Stat(name)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) && from == "" {
			return source{}, fmt.Errorf("template %s not found in %s", name, l.dir)
		}
		return source{}, fmt.Errorf("template %s: %w", name, err)
	}
	if fi.Size() > MaxFileSize {
		return source{}, fmt.Errorf("template %s is over %d bytes", name, MaxFileSize)
	}
	b, err := l.root.ReadFile(name)
	if err != nil {
		return source{}, fmt.Errorf("template %s: %w", name, err)
	}
	l.stamps = append(l.stamps, stamp{filepath.Join(l.dir, name), fi.ModTime().UnixNano(), fi.Size()})
	t, err := htmltemplate.New(name).Parse(string(b))
	if err != nil {
		return source{}, err
	}
	return source{name: name, text: string(b), refs: references(t)}, nil
}

// references lists the names t's templates call and do not define.
func references(t *htmltemplate.Template) []string {
	var refs []string
	for _, d := range t.Templates() {
		if d.Tree != nil {
			walk(d.Tree.Root, func(n string) {
				if t.Lookup(n) == nil {
					refs = append(refs, n)
				}
			})
		}
	}
	return refs
}

// walk calls f with the name of every {{template}} below n.
func walk(n parse.Node, f func(string)) {
	switch n := n.(type) {
	case *parse.ListNode:
		if n != nil {
			for _, c := range n.Nodes {
				walk(c, f)
			}
		}
	case *parse.TemplateNode:
		f(n.Name)
	case *parse.IfNode:
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.RangeNode:
		walk(n.List, f)
		walk(n.ElseList, f)
	case *parse.WithNode:
		walk(n.List, f)
		walk(n.ElseList, f)
	}
}
