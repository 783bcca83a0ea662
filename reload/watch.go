package reload

import (
	"context"
	"fmt"
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
			rl.reloadIfChanged()
		case <-rl.changed:
			sync()
		}
	}
}
