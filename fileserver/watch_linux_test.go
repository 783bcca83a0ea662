package fileserver

import (
	"bufio"
	"errors"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchTree writes files (name -> content) below a new folder and returns
// the folder and a Dir on it, closed when the test ends.
func watchTree(t *testing.T, files map[string]string) (string, *Dir) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		writeFile(t, dir, name, content)
	}
	d, err := NewDir(dir, Options{Compress: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return dir, d
}

func writeFile(t *testing.T, dir, name, content string) {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// rewriteSameStat writes content (as long as the old) over the file at p
// in place and puts its modification time back: a change that only the
// watcher can report, since a revalidating stat sees the same file.
func rewriteSameStat(t *testing.T, p, content string) {
	t.Helper()
	before, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, before.ModTime(), before.ModTime()); err != nil {
		t.Fatal(err)
	}
	if after, err := os.Stat(p); err != nil || idOf(after) != idOf(before) {
		t.Fatalf("rewrite of %s shows in a stat: %v", p, err)
	}
}

// client asks a server on d for /static/<name> over one keep-alive
// connection.
type client struct {
	t    *testing.T
	conn net.Conn
	br   *bufio.Reader
}

func newClient(t *testing.T, d *Dir) *client {
	conn, err := net.Dial("tcp", serveDir(t, d))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &client{t, conn, bufio.NewReader(conn)}
}

func (c *client) get(name string) string {
	c.t.Helper()
	io.WriteString(c.conn, "GET /static/"+name+" HTTP/1.1\r\nHost: x\r\n\r\n")
	res, err := http.ReadResponse(c.br, nil)
	if err != nil {
		c.t.Fatal(err)
	}
	b, err := io.ReadAll(res.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	if res.StatusCode != 200 {
		return res.Status
	}
	return string(b)
}

// now fails unless name is served as want, now: a stat, not an event,
// must have seen the change.
func (c *client) now(what, name, want string) {
	c.t.Helper()
	if got := c.get(name); got != want {
		c.t.Fatalf("%s: %s is %q, want %q", what, name, got, want)
	}
}

// eventually asks for name until it is served as want, for at most 5s:
// the watcher applies events asynchronously.
func (c *client) eventually(what, name, want string) {
	c.t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := c.get(name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("%s: %s still %q, want %q", what, name, got, want)
		}
	}
}

// watched reports whether name is cached and vouched for by the watcher.
func watched(d *Dir, name string) bool {
	e := d.cache.get([]byte(name))
	return e != nil && e.watched
}

// rewatched waits until name, loaded afresh, is vouched for again: a load
// that overlaps the events of a change is not, and stays on the stat.
func rewatched(t *testing.T, d *Dir, c *client, name string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c.get(name)
		e := d.cache.get([]byte(name))
		if e != nil && e.watched {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not watched again (cached %v)", name, e != nil)
		}
		if e != nil {
			d.cache.drop(e)
		}
	}
}

// TestWatchTwoNames: the watcher vouches only for names that are the only
// name of their file and folders. Through a symbolic link to a folder
// inside the root, or as a hard-linked file, an entry stays on the stat
// and is served fresh at once after a change, under either name.
func TestWatchTwoNames(t *testing.T) {
	t.Parallel()
	dir, d := watchTree(t, map[string]string{
		"real/x.txt": "one", "real/y.txt": "yy", "top.txt": "t", "hard.txt": "h1",
	})
	if err := os.Symlink("real", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(dir, "hard.txt"), filepath.Join(dir, "hard2.txt")); err != nil {
		t.Fatal(err)
	}
	c := newClient(t, d)
	// The link first: watched through it, the real folder's events would
	// come under "link/".
	names := []string{"link/x.txt", "link/y.txt", "real/x.txt", "real/y.txt", "top.txt", "hard.txt", "hard2.txt"}
	for range 2 {
		for _, n := range names {
			c.get(n)
		}
	}
	for _, n := range names {
		want := n == "real/x.txt" || n == "real/y.txt" || n == "top.txt"
		if watched(d, n) != want {
			t.Errorf("%s: watched %v, want %v", n, !want, want)
		}
	}
	if slices.Contains(d.w.fs.WatchList(), filepath.Join(dir, "link")) {
		t.Errorf("the link is watched: %q", d.w.fs.WatchList())
	}
	if t.Failed() {
		t.FailNow()
	}

	writeFile(t, dir, "real/x.txt", "two!")
	c.now("edit through the link", "link/x.txt", "two!")
	c.eventually("edit, real name", "real/x.txt", "two!")
	rewriteSameStat(t, filepath.Join(dir, "real/y.txt"), "zz")
	c.eventually("the real folder is watched", "real/y.txt", "zz")

	writeFile(t, dir, "hard2.txt", "h2!")
	c.now("write through the other hard link", "hard.txt", "h2!")
	c.now("write through this hard link", "hard2.txt", "h2!")
}

// forgotten waits until the watcher has forgotten the folder dir, so that
// the next load of a file below it watches it afresh.
func forgotten(t *testing.T, d *Dir, dir string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		d.w.mu.Lock()
		_, ok := d.w.byDir[dir]
		d.w.mu.Unlock()
		if !ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("folder %q not forgotten", dir)
		}
		runtime.Gosched()
	}
}

// TestWatchFolderReplaced: a watched folder that is removed, renamed or
// replaced by a symbolic link is forgotten with what lies below it; a new
// folder under the name is watched afresh (a change that no stat could see
// is then seen), and one behind a link is not watched.
func TestWatchFolderReplaced(t *testing.T) {
	t.Parallel()
	dir, d := watchTree(t, map[string]string{"sub/x.txt": "one", "sub/deep/y.txt": "y1", "other/x.txt": "via link"})
	c := newClient(t, d)
	for range 2 {
		c.get("sub/x.txt")
		c.get("sub/deep/y.txt")
	}
	if !watched(d, "sub/x.txt") || !watched(d, "sub/deep/y.txt") {
		t.Fatal("not watched at first")
	}

	if err := os.RemoveAll(filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	forgotten(t, d, "sub")
	if d.cache.get([]byte("sub/x.txt")) != nil || d.cache.get([]byte("sub/deep/y.txt")) != nil {
		t.Fatal("entries below a removed folder stay")
	}
	writeFile(t, dir, "sub/x.txt", "two!")
	c.now("removed and re-created", "sub/x.txt", "two!")
	rewatched(t, d, c, "sub/x.txt")
	rewriteSameStat(t, filepath.Join(dir, "sub/x.txt"), "TWO!")
	c.eventually("edit in the re-created folder", "sub/x.txt", "TWO!")

	if err := os.Rename(filepath.Join(dir, "sub"), filepath.Join(dir, "old")); err != nil {
		t.Fatal(err)
	}
	forgotten(t, d, "sub")
	rewatched(t, d, c, "old/x.txt") // the same folder, watched under its new name
	writeFile(t, dir, "sub/deep/y.txt", "y2!")
	c.now("renamed away", "sub/x.txt", "404 Not Found")
	c.now("renamed away and re-created", "sub/deep/y.txt", "y2!")
	rewatched(t, d, c, "sub/deep/y.txt")
	rewriteSameStat(t, filepath.Join(dir, "sub/deep/y.txt"), "Y2!")
	c.eventually("edit in the new inner folder", "sub/deep/y.txt", "Y2!")

	if err := os.Rename(filepath.Join(dir, "sub"), filepath.Join(dir, "new")); err != nil {
		t.Fatal(err)
	}
	forgotten(t, d, "sub")
	if err := os.Symlink("other", filepath.Join(dir, "sub")); err != nil {
		t.Fatal(err)
	}
	c.now("replaced by a link", "sub/x.txt", "via link")
	if watched(d, "sub/x.txt") {
		t.Fatal("an entry behind a link is watched")
	}
	writeFile(t, dir, "other/x.txt", "edited behind the link")
	c.now("edit behind the link", "sub/x.txt", "edited behind the link")
}

// TestWatchBroken: once fsnotify reports an error (here the overflow of
// the kernel's queue, sent on its Errors channel), no event can be
// trusted: the cache starts over and every entry, even one marked watched,
// is revalidated by a stat, while no event is applied at all.
func TestWatchBroken(t *testing.T) {
	t.Parallel()
	dir, d := watchTree(t, map[string]string{"a.txt": "one", "sub/b.txt": "bee"})
	c := newClient(t, d)
	for range 2 {
		c.get("a.txt")
		c.get("sub/b.txt")
	}
	old := d.cache.get([]byte("sub/b.txt"))
	if !watched(d, "a.txt") || old == nil || !old.watched {
		t.Fatal("not watched at first")
	}
	w := d.w
	w.fs.Errors <- fsnotify.ErrEventOverflow
	w.fs.Errors <- errors.New("second") // taken once the first is handled
	if w.trusted() {
		t.Fatal("still trusted after an overflow")
	}
	if d.cache.get([]byte("a.txt")) != nil {
		t.Fatal("the cache kept its entries")
	}
	d.cache.put(old, d.cache.generation(), true) // as if loaded before the error
	if !old.watched {
		t.Fatal("setup: old is not marked watched")
	}

	func() {
		w.mu.Lock() // from here on no event is applied
		defer w.mu.Unlock()
		writeFile(t, dir, "a.txt", "one!")
		c.now("after the overflow", "a.txt", "one!")
		if watched(d, "a.txt") {
			t.Error("an entry loaded after the overflow is watched")
		}
		c.now("hit", "a.txt", "one!")
		writeFile(t, dir, "a.txt", "uno")
		c.now("second edit", "a.txt", "uno")
		writeFile(t, dir, "sub/b.txt", "bees")
		c.now("an entry marked watched", "sub/b.txt", "bees")
	}()
}

// TestWatchGeneration: a load during which an event arrived is not marked
// watched (the event may have been about the file, before the load read
// it); one without is.
func TestWatchGeneration(t *testing.T) {
	t.Parallel()
	dir, d := watchTree(t, map[string]string{"a.txt": "one"})
	w := d.watcher()
	gen, ok := w.prepare("a.txt", d.root.Lstat)
	if !ok {
		t.Fatal("prepare: cannot vouch for a.txt")
	}
	quiet := &entry{name: "a.txt", cost: 1}
	d.cache.put(quiet, gen, true)
	if !quiet.watched {
		t.Fatal("a load without events is not watched")
	}

	writeFile(t, dir, "a.txt", "two")
	deadline := time.Now().Add(5 * time.Second)
	for d.cache.generation() == gen {
		if time.Now().After(deadline) {
			t.Fatal("no event for a write")
		}
		runtime.Gosched()
	}
	raced := &entry{name: "a.txt", cost: 1}
	d.cache.put(raced, gen, true)
	if raced.watched {
		t.Fatal("a load that raced with an event is watched")
	}
}

// TestWatchApply: which entries an event drops, which folders it forgets
// (and unwatches), and that it bumps the generation.
func TestWatchApply(t *testing.T) {
	t.Parallel()
	all := []string{"a.txt", "app.css", "sub/c.txt", "sub/deep/b.txt", "subway.txt"}
	files := map[string]string{}
	for _, n := range all {
		files[n] = "x"
	}
	dir, d := watchTree(t, files)
	cases := []struct {
		name    string
		path    string // below the root; absolute when it starts with "/"
		op      fsnotify.Op
		dropped []string
		forgot  []string
	}{
		{"file_written", "a.txt", fsnotify.Write, []string{"a.txt"}, nil},
		{"file_chmod", "a.txt", fsnotify.Chmod, []string{"a.txt"}, nil},
		{"br_sibling_created", "app.css.br", fsnotify.Create, []string{"app.css"}, nil},
		{"gz_sibling_removed", "app.css.gz", fsnotify.Remove, []string{"app.css"}, nil},
		{"unknown_name", "new.txt", fsnotify.Create, nil, nil},
		{"folder_renamed", "sub", fsnotify.Rename, []string{"sub/c.txt", "sub/deep/b.txt"}, []string{"sub", "sub/deep"}},
		{"folder_chmod", "sub", fsnotify.Chmod, []string{"sub/c.txt", "sub/deep/b.txt"}, []string{"sub", "sub/deep"}},
		{"inner_folder_removed", "sub/deep", fsnotify.Remove, []string{"sub/deep/b.txt"}, []string{"sub/deep"}},
		{"root_chmod", "", fsnotify.Chmod, nil, nil},
		{"root_removed", "", fsnotify.Remove, all, []string{"", "sub", "sub/deep"}},
		{"root_renamed", "", fsnotify.Rename | fsnotify.Chmod, all, []string{"", "sub", "sub/deep"}},
		{"outside_root", dir + "a.txt", fsnotify.Write, nil, nil}, // a sibling folder named like root+"a.txt"
	}
	w := d.watcher()
	for _, tc := range cases {
		d.cache.mu.Lock()
		d.cache.clearLocked()
		d.cache.mu.Unlock()
		for _, n := range all {
			if _, _, err := d.open([]byte(n)); err != nil || !watched(d, n) {
				t.Fatalf("%s: setup: %s: %v, watched %v", tc.name, n, err, watched(d, n))
			}
		}
		gen := d.cache.generation()
		ev := fsnotify.Event{Name: tc.path, Op: tc.op}
		if tc.path == "" || tc.path[0] != '/' {
			ev.Name = w.path(tc.path)
		}
		w.apply(ev)
		if d.cache.generation() == gen {
			t.Errorf("%s: the generation did not move", tc.name)
		}
		for _, n := range all {
			if cached := d.cache.get([]byte(n)) != nil; cached == slices.Contains(tc.dropped, n) {
				t.Errorf("%s: %s cached %v", tc.name, n, cached)
			}
		}
		list := w.fs.WatchList()
		for _, f := range []string{"", "sub", "sub/deep"} {
			_, ours := w.byDir[f]
			theirs := slices.Contains(list, w.path(f))
			if forgot := slices.Contains(tc.forgot, f); ours == forgot || theirs == forgot {
				t.Errorf("%s: folder %q: watched %v, in fsnotify %v; forgotten want %v", tc.name, f, ours, theirs, forgot)
			}
		}
	}
}

// TestWatcherStops: the watcher's goroutines end when the Dir is closed,
// and when a Dir is dropped without Close (the runtime.AddCleanup net).
func TestWatcherStops(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	writeFile(t, dir, "a.txt", "one")
	start := func() *watcher {
		d, err := NewDir(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := d.open([]byte("a.txt")); err != nil || d.w == nil {
			t.Fatalf("open: %v, watcher %v", err, d.w)
		}
		if d.w.fs.WatchList() == nil {
			t.Fatal("nothing watched")
		}
		return d.w
	}

	d, err := NewDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := d.open([]byte("a.txt")); err != nil {
		t.Fatal(err)
	}
	w := d.w
	closed := make(chan struct{})
	go func() {
		d.Close()
		close(closed)
	}()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close does not return")
	}
	select {
	case <-w.stopped:
	default:
		t.Fatal("Close returned with the watcher running")
	}
	if w.fs.WatchList() != nil {
		t.Fatal("fsnotify still watches after Close")
	}

	w = start() // its Dir is unreachable once start returns
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		select {
		case <-w.stopped:
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("a dropped Dir's watcher still runs")
		}
	}
}

// statAs is a FileInfo from Lstat with another device and inode.
type statAs struct {
	fs.FileInfo
	st *syscall.Stat_t
}

func (f statAs) Sys() any { return f.st }

// TestWatchVouches: the folders on the way must be real folders on the
// root's device, each met under one name; the file must be a regular file
// with one name. A fake Lstat shows a folder under a second name (as a
// bind mount would) and a mount point.
func TestWatchVouches(t *testing.T) {
	t.Parallel()
	dir, d := watchTree(t, map[string]string{
		"a/x.txt": "x", "bind/x.txt": "x", "mnt/x.txt": "x", "a/deep/y.txt": "y", "big.txt": "b",
	})
	if err := os.Symlink("a", filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("big.txt", filepath.Join(dir, "file-link")); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	lstat := func(name string) (fs.FileInfo, error) {
		switch name {
		case "bind": // the folder "a" under a second name
			return d.root.Lstat("a")
		case "mnt": // a folder on another device
			fi, err := d.root.Lstat(name)
			if err != nil {
				return nil, err
			}
			st := *fi.Sys().(*syscall.Stat_t)
			st.Dev++
			return statAs{fi, &st}, nil
		}
		return d.root.Lstat(name)
	}
	w := d.watcher()
	for _, c := range []struct {
		name string
		ok   bool
	}{
		{"big.txt", true},
		{"a/x.txt", true},
		{"a/deep/y.txt", true},
		{"bind/x.txt", false},
		{"mnt/x.txt", false},
		{"link/x.txt", false},
		{"file-link", false},
		{"fifo", false},
		{"a", false},
		{"missing.txt", false},
		{"nowhere/x.txt", false},
	} {
		if _, ok := w.prepare(c.name, lstat); ok != c.ok {
			t.Errorf("prepare(%q) = %v, want %v", c.name, ok, c.ok)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, f := range []string{"bind", "mnt", "link", "nowhere"} {
		if _, ok := w.byDir[f]; ok {
			t.Errorf("%s is watched", f)
		}
	}
}

// TestWatchRootReplaced: files are opened through the Dir's os.Root, which
// keeps the folder it opened; once the root's path names another folder,
// the watcher (which watches by path) vouches for nothing.
func TestWatchRootReplaced(t *testing.T) {
	t.Parallel()
	dir, d := watchTree(t, map[string]string{"a.txt": "one"})
	c := newClient(t, d)
	c.get("a.txt")
	if !watched(d, "a.txt") {
		t.Fatal("not watched at first")
	}
	if err := os.Rename(dir, dir+".old"); err != nil {
		t.Fatal(err)
	}
	forgotten(t, d, "")
	writeFile(t, dir, "a.txt", "new")
	c.now("root swapped", "a.txt", "one") // os.Root still has the old folder
	if watched(d, "a.txt") {
		t.Fatal("watched through a root path that names another folder")
	}
}

// TestWatchPaths: event paths to names below the root and back, "/"
// included (fsnotify names "//x" there).
func TestWatchPaths(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		root, path, name string
		ok               bool
	}{
		{"/srv/www", "/srv/www", "", true},
		{"/srv/www", "/srv/www/a.txt", "a.txt", true},
		{"/srv/www", "/srv/www/sub/a.txt", "sub/a.txt", true},
		{"/srv/www", "/srv/wwwa.txt", "", false},
		{"/srv/www", "/srv/ww", "", false},
		{"/srv/www", "/other/a.txt", "", false},
		{"/", "/", "", true},
		{"/", "//a.txt", "a.txt", true},
		{"/", "/sub", "sub", true},
		{"/", "/sub/a.txt", "sub/a.txt", true},
	} {
		w := &watcher{root: c.root}
		name, ok := w.relative(c.path)
		if name != c.name || ok != c.ok {
			t.Errorf("root %s: relative(%q) = %q, %v; want %q, %v", c.root, c.path, name, ok, c.name, c.ok)
		}
		if ok && filepath.Clean(w.path(name)) != filepath.Clean(c.path) {
			t.Errorf("root %s: path(%q) = %q, want %q", c.root, name, w.path(name), filepath.Clean(c.path))
		}
	}
}
