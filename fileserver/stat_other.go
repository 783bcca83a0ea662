//go:build !linux

package fileserver

import (
	"io/fs"
	"os"
)

// statPath stats path (following symbolic links) and returns the identity
// of the regular file there: size and modification time only.
func statPath(path string) (fileID, bool) {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return fileID{}, false
	}
	return idOf(fi), true
}

// idOf is the identity of an opened file.
func idOf(fi fs.FileInfo) fileID {
	return fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
