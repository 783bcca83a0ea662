package fileserver

import (
	"hash/fnv"
	"io"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fileID is what a stat must still show for a cached entry to stand:
// device and inode (zero for an fs.FS), size, modification time.
type fileID struct {
	dev, ino uint64
	size     int64
	mtime    int64 // Unix nanoseconds
}

// entry is what the server knows about one file: its validators and header
// values, computed once, and its bytes when the file is small. An entry
// is immutable once published, apart from its lazily built gzip form and
// sibling check; a changed file gets a new entry.
type entry struct {
	name     string // below the root, as requested
	path     string // absolute path for the revalidating stat; "" for an fs.FS
	id       fileID
	size     int64
	modTime  time.Time // zero when unknown (embedded files)
	etag     string    // strong, quoted
	weakETag string    // W/etag, for the gzipped-on-the-fly form
	lastMod  string    // IMF-fixdate; "" when modTime is zero
	ctype    string
	compress bool   // gzip on the fly is worth it: compressible type, large enough
	data     []byte // the whole file when it is small enough to cache; else nil
	cost     int64  // bytes charged to the cache
	watched  bool   // the watcher reports changes: no stat needed (set by cache.put)

	gzOnce sync.Once
	gz     []byte // data gzipped; nil when not smaller

	sib atomic.Pointer[siblings] // precompressed siblings, checked lazily
}

// siblings records which precompressed forms (name.br, name.gz) exist, as
// of checked. Absence is cached too, for siblingTTL.
type siblings struct {
	checked        int64 // Unix nanoseconds
	br, gz         bool
	brName, gzName []byte
}

// siblingTTL is how long a sibling check stands (when the file itself does
// not change): a .gz added next to an unchanged file is served after at
// most this long.
const siblingTTL = 2 * time.Second

// newEntry describes the file fi, opened as name. When the file is small
// enough, its bytes are read from r and kept; readData reports whether the
// caller must still send from r.
func (d *Dir) newEntry(name string, fi fs.FileInfo, r io.Reader) (*entry, error) {
	e := &entry{name: name, id: idOf(fi), size: fi.Size(), modTime: fi.ModTime()}
	if d.root != nil {
		e.path = d.path + "/" + name
	}
	e.ctype = ContentType(name, d.opts.FallbackType)
	e.compress = d.opts.Compress && e.size >= d.compressMin && isCompressible(e.ctype)
	if e.size <= d.cacheFileMax {
		e.data = make([]byte, e.size)
		if _, err := io.ReadFull(r, e.data); err != nil {
			return nil, err
		}
	}
	if e.modTime.IsZero() || e.modTime.Unix() <= 0 {
		// An embedded file has no time: the ETag is a digest instead.
		e.modTime = time.Time{}
		h := fnv.New64a()
		h.Write([]byte(name))
		switch f := r.(type) {
		case nil:
		case io.ReaderAt:
			if e.data != nil {
				h.Write(e.data)
			} else if _, err := io.Copy(h, io.NewSectionReader(f, 0, e.size)); err != nil {
				return nil, err
			}
		default:
			if e.data != nil {
				h.Write(e.data)
			} else if s, ok := r.(io.Seeker); ok {
				if _, err := io.Copy(h, r); err != nil {
					return nil, err
				}
				if _, err := s.Seek(0, io.SeekStart); err != nil {
					return nil, err
				}
			}
		}
		e.etag = `"` + strconv.FormatUint(h.Sum64(), 16) + "-" + strconv.FormatInt(e.size, 16) + `"`
	} else {
		e.etag = `"` + strconv.FormatInt(e.modTime.UnixNano(), 16) + "-" + strconv.FormatInt(e.size, 16) + `"`
		e.lastMod = e.modTime.UTC().Format(timeFormat)
	}
	e.weakETag = "W/" + e.etag
	e.cost = int64(len(e.data)) + int64(len(e.name)+len(e.path)+len(e.etag)+len(e.lastMod)) + 256
	return e, nil
}

// gzipped returns the entry's bytes gzipped (computed once), or nil when
// that is not smaller.
func (e *entry) gzipped(c *cache) []byte {
	e.gzOnce.Do(func() {
		e.gz = gzipBytes(e.data)
		c.charge(e, int64(len(e.gz)))
	})
	return e.gz
}

// cache holds entries by name, bounded in bytes. When full, arbitrary
// entries are dropped (map order) until a quarter of the room is free:
// cheaper than LRU bookkeeping on every hit, and a dropped file costs one
// open to come back.
type cache struct {
	mu    sync.RWMutex
	m     map[string]*entry
	bytes int64  // guarded by mu
	gen   uint64 // guarded by mu; bumped by every batch of change events
	max   int64
}

// generation returns the current event generation.
func (c *cache) generation() uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.gen
}

// get returns the entry for name, or nil. The lookup does not allocate.
func (c *cache) get(name []byte) *entry {
	c.mu.RLock()
	e := c.m[string(name)]
	c.mu.RUnlock()
	return e
}

// put caches e. watched says the watcher vouched for e's name when its
// load began at generation gen; e is then marked watched unless some
// change event arrived meanwhile (it might have been about e).
func (c *cache) put(e *entry, gen uint64, watched bool) {
	if c.max <= 0 || e.cost > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e.watched = watched && gen == c.gen
	if old := c.m[e.name]; old != nil {
		c.bytes -= old.cost
	}
	if c.bytes+e.cost > c.max {
		for name, old := range c.m {
			delete(c.m, name)
			c.bytes -= old.cost
			if c.bytes+e.cost <= c.max*3/4 {
				break
			}
		}
	}
	c.m[e.name] = e
	c.bytes += e.cost
}

// drop removes e if it is still the entry for its name.
func (c *cache) drop(e *entry) {
	c.mu.Lock()
	if c.m[e.name] == e {
		delete(c.m, e.name)
		c.bytes -= e.cost
	}
	c.mu.Unlock()
}

// dropLocked removes the entry for name.
func (c *cache) dropLocked(name string) {
	if e := c.m[name]; e != nil {
		delete(c.m, name)
		c.bytes -= e.cost
	}
}

// dropPrefixLocked removes the entries whose names start with prefix.
func (c *cache) dropPrefixLocked(prefix string) {
	for name, e := range c.m {
		if strings.HasPrefix(name, prefix) {
			delete(c.m, name)
			c.bytes -= e.cost
		}
	}
}

// clearLocked empties the cache.
func (c *cache) clearLocked() {
	clear(c.m)
	c.bytes = 0
}

// charge adds n bytes to e's cost, when e is still cached.
func (c *cache) charge(e *entry, n int64) {
	c.mu.Lock()
	if c.m[e.name] == e {
		c.bytes += n
	}
	e.cost += n
	c.mu.Unlock()
}
