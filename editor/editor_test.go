package editor

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/luatest"
)

// lockedBuffer is a log destination safe for the engine's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// moduleFields opens each module in a server state (a script that
// requires them and prints their fields) and returns module -> fields.
func moduleFields(t *testing.T) map[string][]string {
	t.Helper()
	names := []string{"luaserve"}
	for _, m := range engine.Modules(nil) {
		names = append(names, m.Name)
	}
	script := filepath.Join(t.TempDir(), "routes.lua")
	src := `require("luaserve")
for _, name in ipairs({ "` + strings.Join(names, `", "`) + `" }) do
  local keys = {}
  for k in pairs(require(name)) do keys[#keys + 1] = k end
  print("fields " .. name .. " " .. table.concat(keys, " "))
end
`
	if err := os.WriteFile(script, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	eng, err := engine.New(engine.Config{Script: script, Workers: 1, Log: slog.New(slog.NewTextHandler(&logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	eng.Close()
	out := map[string][]string{}
	for _, m := range regexp.MustCompile(`msg="fields (\S+) ([^"]*)"`).FindAllStringSubmatch(logs.b.String(), -1) {
		out[m[1]] = strings.Fields(m[2])
	}
	if len(out) != len(names) {
		t.Fatalf("listed %d modules of %d:\n%s", len(out), len(names), logs.b.String())
	}
	return out
}

// defined reports whether a definition file declares field name: as a
// function (function mod.name(), function mod:name()), an assignment
// (mod.name = ...) or a ---@field.
func defined(src, name string) bool {
	q := regexp.QuoteMeta(name)
	return regexp.MustCompile(`(?m)^(function \w+[.:]` + q + `\(|\w+\.` + q + `\s*=|---@field ` + q + `\b)`).MatchString(src)
}

// TestEveryModuleDefined fails when a field of a luaserve module's table
// (every module engine.Modules lists, and "luaserve") has no definition in
// its file, or a module has no file.
func TestEveryModuleDefined(t *testing.T) {
	for name, fields := range moduleFields(t) {
		file := ModuleFile(name)
		src, err := fs.ReadFile(Library(), file)
		if err != nil {
			t.Errorf("module %s has no definition file library/%s: %v", name, file, err)
			continue
		}
		if !bytes.HasPrefix(src, []byte("---@meta "+name+"\n")) {
			t.Errorf("library/%s should start with \"---@meta %s\"", file, name)
		}
		for _, f := range fields {
			if !defined(string(src), f) {
				t.Errorf("%s.%s has no definition in library/%s", name, f, file)
			}
		}
	}
}

// TestTestGlobalsDefined: every global of a test file has a definition.
func TestTestGlobalsDefined(t *testing.T) {
	src, err := fs.ReadFile(Library(), "luaserve-test.lua")
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range luatest.Globals() {
		if !regexp.MustCompile(`(?m)^(function ` + g + `\(|` + g + ` = )`).Match(src) {
			t.Errorf("test global %s has no definition in library/luaserve-test.lua", g)
		}
	}
}

func TestWriteLibrary(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "types")
	written, err := WriteLibrary(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(written) < 8 {
		t.Errorf("wrote %v", written)
	}
	if _, err := os.Stat(filepath.Join(dir, "luaserve", "init.lua")); err != nil {
		t.Error(err)
	}
}
