package stdlib_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"
)

// sandboxTree makes a root and an outside folder with links from one to
// the other:
//
//	root/ok.txt, root/ok.lua
//	root/out      -> outside/secret.txt
//	root/outdir   -> outside
//	root/dangle   -> outside/new.txt (not there yet)
//	rootlink      -> root
//	outside/secret.txt, outside/secret.lua
func sandboxTree(t *testing.T) (root, rootlink, outside string) {
	t.Helper()
	base := t.TempDir()
	root, outside, rootlink = filepath.Join(base, "root"), filepath.Join(base, "outside"), filepath.Join(base, "rootlink")
	for _, d := range []string{root, outside} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, text := range map[string]string{
		filepath.Join(root, "ok.txt"): "ok\n", filepath.Join(root, "ok.lua"): "return 'ok'",
		filepath.Join(outside, "secret.txt"): "secret\n", filepath.Join(outside, "secret.lua"): "return 'secret'",
	} {
		if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for link, target := range map[string]string{
		filepath.Join(root, "out"): filepath.Join(outside, "secret.txt"), filepath.Join(root, "outdir"): outside,
		filepath.Join(root, "dangle"): filepath.Join(outside, "new.txt"), rootlink: root,
	} {
		if err := os.Symlink(target, link); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	return root, rootlink, outside
}

// TestSandboxLinks: a path is checked where its links lead, and the
// function works on that path.
func TestSandboxLinks(t *testing.T) {
	root, rootlink, outside := sandboxTree(t)
	var logs bytes.Buffer
	L := newSandboxState(t, &logs, "", filepath.Join(root, "missing"), rootlink)
	L.SetGlobal("root", lua.LString(root))
	L.SetGlobal("rootlink", lua.LString(rootlink))
	L.SetGlobal("outside", lua.LString(outside))
	L.SetGlobal("sep", lua.LString(string(filepath.Separator)))
	err := L.DoString(`
local function p(dir, ...) return table.concat({ dir, ... }, sep) end
local function refused(f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok and err:find("sandbox: ", 1, true), tostring(err))
  return err
end
assert(assert(io.open(p(root, "ok.txt"))):read("*a") == "ok\n", "inside the root")
assert(assert(io.open(p(rootlink, "ok.txt"))):read("*a") == "ok\n", "a root given as a link")
assert(dofile(p(root, "ok.lua")) == "ok")
local err = refused(io.open, p(root, "out"))
assert(err:find(p(outside, "secret.txt"), 1, true), "the refusal names where the link leads: " .. err)
refused(io.open, p(root, "outdir", "secret.txt"))
refused(io.lines, p(root, "outdir", "secret.txt"))
refused(io.open, p(root, "dangle"), "w")
refused(io.output, p(root, "dangle"))
assert(io.open(p(root, "outdir", "..", "outside", "secret.txt")) == nil, "cleaned first: root/outside/secret.txt")
refused(dofile, p(outside, "secret.lua"))
refused(dofile, p(root, "outdir", "secret.lua"))
refused(loadfile, p(root, "outdir", "secret.lua"))
refused(os.rename, p(root, "ok.txt"), p(root, "outdir", "moved.txt"))
refused(os.remove, p(root, "outdir", "secret.txt"))
local f = assert(io.open(p(root, "new.txt"), "w"))
f:write("new")
f:close()
assert(os.rename(p(root, "new.txt"), p(root, "renamed.txt")))
assert(os.remove(p(root, "out")), "a link inside the root is removed, not its target")
`)
	if err != nil {
		t.Fatalf("%v\nlog:\n%s", err, logs.String())
	}
	if _, err := os.Stat(filepath.Join(outside, "new.txt")); !os.IsNotExist(err) {
		t.Errorf("the dangling link let a file be created outside: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(outside, "secret.txt")); err != nil || string(b) != "secret\n" {
		t.Errorf("outside/secret.txt: %q, %v", b, err)
	}
	if _, err := os.Lstat(filepath.Join(root, "out")); !os.IsNotExist(err) {
		t.Errorf("root/out was not removed: %v", err)
	}
	if b, err := os.ReadFile(filepath.Join(root, "renamed.txt")); err != nil || string(b) != "new" {
		t.Errorf("root/renamed.txt: %q, %v", b, err)
	}
}

// TestSandboxOff: without Sandbox, the same state reaches outside files
// and programs (so the sandbox tests test the sandbox).
func TestSandboxOff(t *testing.T) {
	root, _, outside := sandboxTree(t)
	L := newState(t, &bytes.Buffer{})
	L.SetGlobal("secret", lua.LString(filepath.Join(root, "out")))
	L.SetGlobal("secret_lua", lua.LString(filepath.Join(outside, "secret.lua")))
	err := L.DoString(`
assert(assert(io.open(secret)):read("*a") == "secret\n")
assert(dofile(secret_lua) == "secret")
assert(type(os.tmpname()) == "string")`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestSandboxNoRoots: with no usable root, every file is refused.
func TestSandboxNoRoots(t *testing.T) {
	L := newSandboxState(t, &bytes.Buffer{}, "", filepath.Join(t.TempDir(), "missing"))
	err := L.DoString(`local ok, err = pcall(io.open, "testdata/helper.lua") assert(not ok, "refused")`)
	if err != nil {
		t.Fatal(err)
	}
	if err := L.DoString(`io.open("testdata/helper.lua")`); err == nil ||
		!strings.Contains(err.Error(), `io.open: sandbox: "testdata/helper.lua" (`) {
		t.Fatalf("got %v", err)
	}
}
