//go:build !linux

package fileserver

// watcher is Linux-only (inotify); elsewhere cached files are revalidated
// with a stat per request.
type watcher struct{}

func newWatcher(string, *cache) *watcher                            { return nil }
func (w *watcher) close()                                           {}
func (w *watcher) trusted() bool                                    { return false }
func (w *watcher) prepare(string, func(string) bool) (uint64, bool) { return 0, false }
