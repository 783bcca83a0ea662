package fileserver

import (
	"encoding/binary"
	"errors"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
)

// watcher tells the cache when files change, so that a cached small file
// needs no stat per request. It watches, with inotify, every folder on the
// way from the root to a cached file; any event for a name drops the
// entries it may concern (the file, what lies below it, the file a .br or
// .gz sibling belongs to). Entries it cannot vouch for (see prepare) stay
// revalidated by a stat per request, and so does everything once the
// kernel's event queue overflows.
//
// The kernel queues an event before the write that caused it returns; the
// watcher applies it as soon as its goroutine runs, typically within
// microseconds. A request served in between sees the previous version, as
// it would have an instant earlier.
type watcher struct {
	file  *os.File // the inotify descriptor; closing it ends run
	fd    int      // file's descriptor (file.Fd would make it blocking)
	root  string   // absolute root path
	cache *cache

	mu    sync.Mutex
	byWD  map[int32]string // watch -> folder below the root ("" is the root)
	byDir map[string]int32

	broken atomic.Bool // the queue overflowed or reading failed: trust nothing
}

const watchMask = syscall.IN_MODIFY | syscall.IN_ATTRIB | syscall.IN_CLOSE_WRITE | syscall.IN_MOVED_FROM |
	syscall.IN_MOVED_TO | syscall.IN_CREATE | syscall.IN_DELETE | syscall.IN_DELETE_SELF |
	syscall.IN_MOVE_SELF | syscall.IN_ONLYDIR

// newWatcher starts a watcher for root, or returns nil when inotify is not
// available (the cache then stats per request).
func newWatcher(root string, c *cache) *watcher {
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		return nil
	}
	w := &watcher{file: os.NewFile(uintptr(fd), "inotify"), fd: fd, root: root, cache: c,
		byWD: map[int32]string{}, byDir: map[string]int32{}}
	go w.run()
	return w
}

func (w *watcher) close() { w.file.Close() }

// trusted reports whether entries marked watched may skip their stat.
func (w *watcher) trusted() bool { return !w.broken.Load() }

// prepare makes sure the folders leading to name are watched, before the
// file is opened, and returns the cache generation to check at insertion
// (cache.put). ok is false when the watcher cannot vouch for name: a
// folder is reachable under two names (a symbolic link), a watch could not
// be added, or name itself is a symbolic link (its target's events would
// carry another name).
func (w *watcher) prepare(name string, isLink func(string) bool) (gen uint64, ok bool) {
	if w.broken.Load() {
		return 0, false
	}
	gen = w.cache.generation()
	w.mu.Lock()
	defer w.mu.Unlock()
	for i := -1; ; {
		dir := ""
		if i >= 0 {
			dir = name[:i]
		}
		if _, seen := w.byDir[dir]; !seen {
			path := w.root
			if dir != "" {
				path += "/" + dir
			}
			wd, err := syscall.InotifyAddWatch(w.fd, path, watchMask)
			if err != nil {
				return 0, false
			}
			if other, dup := w.byWD[int32(wd)]; dup && other != dir {
				return 0, false // the same folder under two names
			}
			w.byWD[int32(wd)] = dir
			w.byDir[dir] = int32(wd)
		}
		j := strings.IndexByte(name[i+1:], '/')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return gen, !isLink(name)
}

// run reads events until the descriptor is closed.
func (w *watcher) run() {
	buf := make([]byte, 64<<10)
	for {
		n, err := w.file.Read(buf)
		if err != nil {
			if !errors.Is(err, os.ErrClosed) {
				w.broken.Store(true)
			}
			return
		}
		w.apply(buf[:n])
	}
}

// apply handles a batch of events.
func (w *watcher) apply(b []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	c := w.cache
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for len(b) >= syscall.SizeofInotifyEvent {
		wd := int32(binary.NativeEndian.Uint32(b[0:]))
		mask := binary.NativeEndian.Uint32(b[4:])
		nameLen := int(binary.NativeEndian.Uint32(b[12:]))
		end := syscall.SizeofInotifyEvent + nameLen
		if end > len(b) {
			break
		}
		name := strings.TrimRight(string(b[syscall.SizeofInotifyEvent:end]), "\x00")
		b = b[end:]

		if mask&syscall.IN_Q_OVERFLOW != 0 {
			w.broken.Store(true) // events were lost: stat from now on
			c.clearLocked()
			continue
		}
		dir, known := w.byWD[wd]
		if !known {
			continue
		}
		if mask&(syscall.IN_IGNORED|syscall.IN_DELETE_SELF|syscall.IN_MOVE_SELF|syscall.IN_UNMOUNT) != 0 {
			w.forgetLocked(dir)
			continue
		}
		if name == "" {
			continue // the folder's own attributes: nothing cached depends on them
		}
		full := name
		if dir != "" {
			full = dir + "/" + name
		}
		c.dropLocked(full)
		if _, isDir := w.byDir[full]; isDir {
			w.forgetLocked(full) // a folder (or a link to one) changed: all below
		}
		for _, ext := range [...]string{".gz", ".br"} {
			if base, ok := strings.CutSuffix(full, ext); ok {
				c.dropLocked(base) // its sibling check is stale
			}
		}
	}
}

// forgetLocked drops the entries below dir and stops watching dir and the
// folders below it, so that they are watched afresh (by inode) when next
// needed.
func (w *watcher) forgetLocked(dir string) {
	prefix := dir + "/"
	if dir == "" {
		prefix = ""
	}
	w.cache.dropPrefixLocked(prefix)
	for d, wd := range w.byDir {
		if d == dir || strings.HasPrefix(d, prefix) {
			delete(w.byDir, d)
			delete(w.byWD, wd)
			syscall.InotifyRmWatch(w.fd, uint32(wd))
		}
	}
}
