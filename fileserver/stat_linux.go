package fileserver

import (
	"io/fs"
	"syscall"
)

// statPath stats path (following symbolic links) and returns the identity
// of the regular file there. It allocates once, for the path's NUL byte.
func statPath(path string) (fileID, bool) {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil || st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		return fileID{}, false
	}
	return fileID{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano()}, true
}

// idOf is the identity of an opened file.
func idOf(fi fs.FileInfo) fileID {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fileID{dev: uint64(st.Dev), ino: st.Ino, size: st.Size, mtime: st.Mtim.Nano()}
	}
	return fileID{size: fi.Size(), mtime: fi.ModTime().UnixNano()}
}
