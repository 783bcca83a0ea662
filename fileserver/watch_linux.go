package fileserver

import (
	"io/fs"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"github.com/fsnotify/fsnotify"
)

// watcher tells the cache when files change, so that a cached small file
// needs no stat per request. It watches, with fsnotify (inotify on Linux),
// every folder on the way from the root to a cached file; any event for a
// name drops the entries it may concern (the file, what lies below it, the
// file a .br or .gz sibling belongs to). Entries it cannot vouch for (see
// prepare) stay revalidated by a stat per request, and so does everything
// once an event may have been lost (the kernel's queue overflowed, or
// fsnotify reported any other error).
//
// The kernel queues an event before the write that caused it returns; the
// watcher applies it as soon as fsnotify's goroutine and then this one
// run, typically within microseconds. A request served in between sees
// the previous version, as it would have an instant earlier. Not seen:
// stores through a shared memory mapping (inotify reports write(2) and the
// like; IN_CLOSE_WRITE, which would see such a file once closed, is not
// among the events fsnotify offers).
//
// Locks: mu, then the cache's lock or fsnotify's (never both at once).
// fsnotify may hold its own lock while it sends on Errors, so the errors
// goroutine takes only the cache's lock, and nothing calls fsnotify while
// holding the cache's lock.
type watcher struct {
	fs      *fsnotify.Watcher // its Close ends both goroutines
	root    string            // absolute root path, as fsnotify names it
	cache   *cache
	stopped chan struct{} // closed when both goroutines have returned

	mu    sync.Mutex
	byDir map[string]dirID // watched folder below the root ("" is the root) -> its identity
	byID  map[dirID]string // the reverse, to refuse a folder met under a second name

	broken atomic.Bool // an event may have been lost: trust nothing
}

// dirID identifies a folder: device and inode.
type dirID struct{ dev, ino uint64 }

// newWatcher starts a watcher for root, or returns nil when fsnotify cannot
// start (too many inotify instances, say; the cache then stats per
// request).
func newWatcher(root string, c *cache) *watcher {
	fw, err := fsnotify.NewWatcher()
	if err != nil {
		return nil
	}
	w := &watcher{fs: fw, root: root, cache: c, stopped: make(chan struct{}),
		byDir: map[string]dirID{}, byID: map[dirID]string{}}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		for ev := range fw.Events {
			w.apply(ev)
		}
	}()
	go func() {
		defer wg.Done()
		for range fw.Errors {
			w.fail()
		}
	}()
	go func() {
		wg.Wait()
		close(w.stopped)
	}()
	return w
}

// close stops the watcher and returns once its goroutines have. It may be
// called more than once.
func (w *watcher) close() {
	w.fs.Close() // closes Events and Errors, which ends both goroutines
	<-w.stopped
}

// trusted reports whether entries marked watched may skip their stat.
func (w *watcher) trusted() bool { return !w.broken.Load() }

// prepare makes sure the folders leading to name are watched, before the
// file is opened, and returns the cache generation to check at insertion
// (cache.put). ok is false when the watcher cannot vouch for name: a
// watch could not be added, a folder on the way is a symbolic link, is on
// another device or was met under another name, or name itself is not a
// regular file with one name (see watchLocked and onlyName). lstat is the
// Dir's os.Root.Lstat.
func (w *watcher) prepare(name string, lstat func(string) (fs.FileInfo, error)) (gen uint64, ok bool) {
	if w.broken.Load() {
		return 0, false
	}
	gen = w.cache.generation()
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.watchLocked("", lstat) {
		return 0, false
	}
	for i := 0; i < len(name); i++ {
		if name[i] == '/' && !w.watchLocked(name[:i], lstat) {
			return 0, false
		}
	}
	fi, err := lstat(name)
	return gen, err == nil && onlyName(fi)
}

// watchLocked makes sure the folder dir ("" for the root) is watched and
// reports whether its events can be trusted to name every change below it.
//
// fsnotify keys watches by path and hides inotify's watch descriptors: a
// folder added under a second name (through a symbolic link, say) keeps
// its first watch and its events the first name, so entries cached under
// the second would never be dropped. Hence every folder below the root
// must be a real folder, not a symbolic link, when it is first watched
// (Lstat); that holds until an event about the name forgets it, since the
// folder above is already watched. Linux has no hard links to folders, so
// the path is then the folder's only name below the root, except through
// a bind mount, which Lstat cannot tell from a folder: the device and
// inode of each watched folder are kept, and a folder met under a second
// name is refused, as a repeated watch descriptor would have told. A
// folder on another device than the root (a mount point) is refused too:
// fsnotify swallows the unmount event (IN_UNMOUNT) that would forget it.
// Given up: a case-insensitive folder (vfat, ext4 casefold), where "A.txt"
// and "a.txt" open one file while events carry one spelling.
func (w *watcher) watchLocked(dir string, lstat func(string) (fs.FileInfo, error)) bool {
	if _, ok := w.byDir[dir]; ok {
		return true
	}
	if dir == "" {
		return w.watchRootLocked(lstat)
	}
	fi, err := lstat(dir)
	if err != nil || !fi.IsDir() { // a symbolic link is not IsDir under Lstat
		return false
	}
	id, ok := idOfDir(fi)
	if !ok || id.dev != w.byDir[""].dev {
		return false
	}
	if _, dup := w.byID[id]; dup {
		return false
	}
	if w.fs.Add(w.path(dir)) != nil {
		return false
	}
	w.byDir[dir], w.byID[id] = id, dir
	return true
}

// watchRootLocked watches the root by its path. Files are opened through
// the Dir's os.Root, so the path must still name that folder: checked
// after the watch is added, so that a later swap is an event.
func (w *watcher) watchRootLocked(lstat func(string) (fs.FileInfo, error)) bool {
	opened, err := lstat(".")
	if err != nil {
		return false
	}
	id, ok := idOfDir(opened)
	if !ok || w.fs.Add(w.root) != nil {
		return false
	}
	if now, err := os.Stat(w.root); err != nil || !os.SameFile(opened, now) {
		w.fs.Remove(w.root)
		return false
	}
	w.byDir[""], w.byID[id] = id, ""
	return true
}

// onlyName reports whether fi (from Lstat) is a regular file with a single
// name. A symbolic link's target sends its events under another name, and
// so does a file with hard links written through another of its names.
func onlyName(fi fs.FileInfo) bool {
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && fi.Mode().IsRegular() && st.Nlink == 1
}

func idOfDir(fi fs.FileInfo) (dirID, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return dirID{}, false
	}
	return dirID{dev: uint64(st.Dev), ino: st.Ino}, true
}

// path is the absolute path of dir ("" for the root), as fsnotify cleans it.
func (w *watcher) path(dir string) string {
	if dir == "" {
		return w.root
	}
	return strings.TrimSuffix(w.root, "/") + "/" + dir
}

// relative returns the name below the root of an event's path ("" for the
// root itself); ok is false for a path outside it. fsnotify joins a
// watch's path and a name with a slash, so with "/" as the root a name
// comes as "//x".
func (w *watcher) relative(path string) (name string, ok bool) {
	rest, ok := strings.CutPrefix(path, w.root)
	if !ok || rest != "" && rest[0] != '/' && w.root != "/" {
		return "", false
	}
	return strings.TrimLeft(rest, "/"), true
}

// apply handles one event. It holds mu throughout, so that no prepare can
// watch a folder again between its being forgotten and its watch removed.
func (w *watcher) apply(ev fsnotify.Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, p := range w.dropLocked(ev) {
		w.fs.Remove(p) // fails when fsnotify already dropped it: fine
	}
}

// dropLocked bumps the generation and drops the entries ev may concern; it
// returns the paths of the folders forgotten, whose watches the caller
// removes once the cache's lock is released.
func (w *watcher) dropLocked(ev fsnotify.Event) (unwatch []string) {
	c := w.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++ // a load that began before this event may have read either version
	name, ok := w.relative(ev.Name)
	switch {
	case !ok:
		return nil
	case name == "":
		if !ev.Has(fsnotify.Remove) && !ev.Has(fsnotify.Rename) {
			return nil // the root's own attributes: nothing cached depends on them
		}
		return w.forgetLocked("")
	}
	c.dropLocked(name)
	for _, ext := range [...]string{".gz", ".br"} {
		if base, ok := strings.CutSuffix(name, ext); ok {
			c.dropLocked(base) // its sibling check is stale
		}
	}
	if _, isDir := w.byDir[name]; isDir {
		// A watched folder was removed, renamed, replaced or changed its
		// attributes (the event may come from the folder's own watch or
		// its parent's; fsnotify does not say which): forget all below.
		return w.forgetLocked(name)
	}
	return nil
}

// forgetLocked drops the entries below dir and forgets dir and the folders
// below it, so that they are watched afresh (by identity) when next
// needed; it returns their paths. The cache's lock must be held too.
func (w *watcher) forgetLocked(dir string) (unwatch []string) {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	w.cache.dropPrefixLocked(prefix)
	for d, id := range w.byDir {
		if d == dir || strings.HasPrefix(d, prefix) {
			delete(w.byDir, d)
			delete(w.byID, id)
			unwatch = append(unwatch, w.path(d))
		}
	}
	return unwatch
}

// fail marks the watcher broken: an event may have been lost, so from now
// on every entry is revalidated by a stat, and the cache starts over. It
// takes only the cache's lock (see watcher).
func (w *watcher) fail() {
	w.broken.Store(true)
	c := w.cache
	c.mu.Lock()
	c.gen++
	c.clearLocked()
	c.mu.Unlock()
}
