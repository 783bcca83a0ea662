//go:build !linux

package main

// systemMemory is unknown outside Linux: -max-memory then defaults to
// fallbackMaxMemory.
func systemMemory() int64 { return 0 }
