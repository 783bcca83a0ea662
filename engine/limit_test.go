package engine

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLoadTimeLimit: a script that never finishes loading fails start-up
// with a clear message instead of hanging it.
func TestLoadTimeLimit(t *testing.T) {
	old := loadTimeLimit
	loadTimeLimit = 100 * time.Millisecond
	defer func() { loadTimeLimit = old }()
	path := filepath.Join(t.TempDir(), "loop.lua")
	if err := os.WriteFile(path, []byte("while true do end\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err := New(Config{Script: path, Workers: 1, Timeout: -1})
	var le *LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), "loading took longer than 100ms") {
		t.Fatalf("got %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("took %v", d)
	}
}
