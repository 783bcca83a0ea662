package reload

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/fsnotify/fsnotify"
)

// Watch starts watching and returns once the watches are in place: a
// change made after it returns is seen. It reloads when a watched file
// changes, until ctx ends; done is closed then. The error is for a watch
// that cannot start.
//
// It watches the folders of the files, not the files: an editor that saves
// by renaming a temporary file over the original, or by deleting and
// re-creating it, replaces the inode a file watch would follow. Events are
// filtered by file name and debounced: a reload starts once no event has
// arrived for Config.Debounce, and is skipped when no file's contents
// changed. The watched set is re-read after each reload, so a module that a
// new version requires is watched from then on.
func (rl *Reloader) Watch(ctx context.Context) (done <-chan struct{}, err error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch: %w", err)
	}
	files := map[string]bool{}
	dirs := map[string]bool{}
	sync := func() {
		files = map[string]bool{}
		want := map[string]bool{}
		for _, f := range rl.Files() {
			files[f] = true
			want[filepath.Dir(f)] = true
		}
		for d := range want {
			if !dirs[d] {
				if err := w.Add(d); err != nil {
					rl.log.Warn("luaserve: cannot watch a folder", "dir", d, "err", err)
					continue
				}
				dirs[d] = true
			}
		}
		for d := range dirs {
			if !want[d] {
				w.Remove(d)
				delete(dirs, d)
			}
		}
	}
	sync()
	if len(dirs) == 0 {
		w.Close()
		return nil, fmt.Errorf("watch: no folder could be watched")
	}
	ch := make(chan struct{})
	go func() {
		defer close(ch)
		defer w.Close()
		rl.watchLoop(ctx, w, sync, func(name string) bool { return files[name] })
	}()
	return ch, nil
}

// watchLoop debounces events on watched files into reloads.
func (rl *Reloader) watchLoop(ctx context.Context, w *fsnotify.Watcher, sync func(), watched func(string) bool) {
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	var missingSince time.Time // when a reload first found a watched file missing
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-w.Events:
			if !ok {
				return
			}
			// A reload may have changed the set since: take it first.
			select {
			case <-rl.changed:
				sync()
			default:
			}
			// Chmod alone (a touch, an editor resetting attributes) changes
			// no code.
			if ev.Op == fsnotify.Chmod || !watched(filepath.Clean(ev.Name)) {
				continue
			}
			timer.Reset(rl.cfg.Debounce)
		case err, ok := <-w.Errors:
			if !ok {
				return
			}
			rl.log.Warn("luaserve: file watcher", "err", err)
		case <-timer.C:
			// An editor that saves by deleting the file and writing it
			// again may be caught between the two (a busy machine makes
			// that gap longer than the debounce): wait for the file to be
			// back, up to missingGrace, before calling it gone.
			if missingFile(rl.Files()) != "" {
				if missingSince.IsZero() {
					missingSince = time.Now()
				}
				if time.Since(missingSince) < missingGrace {
					timer.Reset(rl.cfg.Debounce)
					continue
				}
			}
			missingSince = time.Time{}
			rl.reloadIfChanged()
		case <-rl.changed:
			sync()
		}
	}
}

// missingGrace is how long a reload waits for a watched file that was
// deleted to be written again.
const missingGrace = time.Second

// missingFile returns the first of files that does not exist, or "".
func missingFile(files []string) string {
	for _, f := range files {
		if _, err := os.Stat(f); errors.Is(err, fs.ErrNotExist) {
			return f
		}
	}
	return ""
}
