package template

import (
	htmltemplate "html/template"
	"path/filepath"
	"sync"
)

// maxCached bounds the cache: a script choosing names from input cannot
// grow it without end. When full it is emptied, and refills with use.
const maxCached = 1024

// cache holds parsed sets for every engine of the process, keyed by
// folder, layout and name. An entry is valid while every file it read
// has the same modification time and size: a changed template is parsed
// again on its next use, with or without a reload of the script, and an
// unchanged one survives reloads. A stat per file per render is the price.
var cache = struct {
	sync.Mutex
	m map[cacheKey]*cached
}{m: map[cacheKey]*cached{}}

type cacheKey struct{ dir, layout, name string }

type cached struct {
	set    *htmltemplate.Template // safe for concurrent Execute
	stamps []stamp
}

// load returns the template to execute for name (and layout) below dir,
// from the cache or parsed.
func load(dir, name, layout string) (*htmltemplate.Template, error) {
	name, err := CheckName(name)
	if err != nil {
		return nil, err
	}
	roots := []string{name}
	if layout != "" {
		if layout, err = CheckName(layout); err != nil {
			return nil, err
		}
		roots = []string{layout, name}
	}
	dir, err = filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	key := cacheKey{dir, layout, name}
	cache.Lock()
	c := cache.m[key]
	cache.Unlock()
	if c != nil && fresh(c.stamps) {
		return c.set, nil
	}
	set, stamps, err := parseSet(dir, roots)
	if err != nil {
		return nil, err
	}
	cache.Lock()
	if len(cache.m) >= maxCached {
		clear(cache.m)
	}
	cache.m[key] = &cached{set, stamps}
	cache.Unlock()
	return set, nil
}

// fresh reports whether no file of a cached set changed.
func fresh(stamps []stamp) bool {
	for _, s := range stamps {
		if now, err := stampOf(s.path); err != nil || now != s {
			return false
		}
	}
	return true
}
