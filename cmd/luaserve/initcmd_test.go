package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestInitThenCheckAndTest: "luaserve init" into a new folder writes a
// project that "luaserve check" finds nothing in and whose tests pass;
// a second init keeps the user's files.
func TestInitThenCheckAndTest(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "myapi")
	var out, errs bytes.Buffer
	if err := run(context.Background(), []string{"init", dir}, &out, &errs); err != nil {
		t.Fatalf("init: %v\n%s", err, errs.String())
	}
	for _, f := range []string{"routes.lua", "routes_test.lua", ".luarc.json", ".luacheckrc", ".gitignore",
		"types/luaserve/init.lua", "types/luaserve/json.lua", "types/luaserve-test.lua"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	rc, _ := os.ReadFile(filepath.Join(dir, ".luacheckrc"))
	if !strings.Contains(string(rc), `read_globals = { "test", "expect"`) {
		t.Errorf(".luacheckrc lacks the test globals:\n%s", rc)
	}

	out.Reset()
	errs.Reset()
	if err := run(context.Background(), []string{"check", filepath.Join(dir, "routes.lua")}, &out, &errs); err != nil {
		t.Errorf("check: %v\n%s%s", err, out.String(), errs.String())
	}
	if err := run(context.Background(), []string{"check", filepath.Join(dir, "routes_test.lua")}, &out, &errs); err != nil {
		t.Errorf("check of the test file: %v\n%s%s", err, out.String(), errs.String())
	}
	out.Reset()
	if err := run(context.Background(), []string{"test", dir}, &out, &errs); err != nil {
		t.Errorf("test: %v\n%s%s", err, out.String(), errs.String())
	}
	if !strings.Contains(out.String(), "5 passed") || strings.Contains(out.String(), "FAIL") {
		t.Errorf("test output:\n%s", out.String())
	}

	// Again: the user's routes stay, the definitions are rewritten.
	if err := os.WriteFile(filepath.Join(dir, "routes.lua"), []byte("-- mine\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "types", "luaserve", "json.lua"))
	out.Reset()
	if err := run(context.Background(), []string{"init", dir}, &out, &errs); err != nil {
		t.Fatal(err)
	}
	if src, _ := os.ReadFile(filepath.Join(dir, "routes.lua")); string(src) != "-- mine\n" {
		t.Errorf("routes.lua was overwritten: %q", src)
	}
	if !strings.Contains(out.String(), "kept "+filepath.Join(dir, "routes.lua")) {
		t.Errorf("init output:\n%s", out.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "types", "luaserve", "json.lua")); err != nil {
		t.Errorf("definitions not rewritten: %v", err)
	}
}

// TestInitPassesLuacheck: luacheck, with the .luacheckrc init writes,
// finds nothing in the starter project (the test globals are declared).
// Skips without luacheck unless LUASERVE_REQUIRE_LUALIBS=1 (.ci/run
// installs lua-check).
func TestInitPassesLuacheck(t *testing.T) {
	luacheck, err := exec.LookPath("luacheck")
	if err != nil {
		if os.Getenv("LUASERVE_REQUIRE_LUALIBS") == "1" {
			t.Fatalf("LUASERVE_REQUIRE_LUALIBS=1 but %v", err)
		}
		t.Skip("luacheck is not installed (apt-get install lua-check)")
	}
	dir := t.TempDir()
	if err := run(context.Background(), []string{"init", dir}, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(luacheck, "--no-color", ".")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("luacheck: %v\n%s", err, out)
	}
	// Without the configuration the test globals would be reported.
	os.Remove(filepath.Join(dir, ".luacheckrc"))
	cmd = exec.Command(luacheck, "--no-color", "routes_test.lua")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err == nil || !strings.Contains(string(out), "accessing undefined variable 'expect'") {
		t.Errorf("luacheck without .luacheckrc: %v\n%s", err, out)
	}
}
