//go:build !linux

package fileserver

import "io/fs"

// watcher exists on Linux only; elsewhere every cached file is revalidated
// with a stat per request, where watching would be a bad trade:
//
//   - macOS and the BSDs: fsnotify's kqueue backend opens a descriptor for
//     every file in a watched folder, which a large static folder cannot
//     afford (and illumos's FEN associates every file too).
//   - Windows: ReadDirectoryChangesW costs a handle per folder, which would
//     be fine, but names are not unique there: NTFS compares names without
//     case and keeps 8.3 short names, so "Report.html", "REPORT.HTML" and
//     "REPORT~1.HTM" may open one file while its events carry one spelling;
//     the cache, keyed by the requested name, would miss the drop. And a watched
//     folder's open handle keeps its parent folders from being renamed
//     (fsnotify issue 356), which is how releases are often swapped in.
//     (macOS's default APFS is case-insensitive too.)
//
// The stat costs one system call per hit and sees every change that moves
// the size or the modification time.
type watcher struct{}

func newWatcher(string, *cache) *watcher { return nil }
func (w *watcher) close()                {}
func (w *watcher) trusted() bool         { return false }
func (w *watcher) prepare(string, func(string) (fs.FileInfo, error)) (uint64, bool) {
	return 0, false
}
