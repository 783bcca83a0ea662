//go:build unix

package tests

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// Unix file modes (Windows does not refuse a read for a mode of 0) and a
// switch of user.

// TestFilesForbidden: a file or folder the server may not read is a 403
// that shows no path. Root reads everything whatever the modes, so as root
// the test reruns itself as nobody, from a copy of the test binary.
func TestFilesForbidden(t *testing.T) {
	if os.Geteuid() == 0 {
		asNobody(t, "TestFilesForbidden")
		return
	}
	t.Parallel()
	dir := t.TempDir()
	for name, content := range map[string]string{"ok.txt": "fine", "locked.txt": "no", "closed/index.html": "no"} {
		os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755)
		writeFile(t, filepath.Join(dir, name), content)
	}
	os.Chmod(filepath.Join(dir, "locked.txt"), 0)
	os.Chmod(filepath.Join(dir, "closed"), 0)
	t.Cleanup(func() { os.Chmod(filepath.Join(dir, "closed"), 0o755) })
	s := startSource(t, fmt.Sprintf(`local app = require("luaserve")
app.static("/s", %q)
app.get("/f/*p", function(req) return { file = req.params.p } end)`, dir), engine.Config{Root: dir})
	for target, want := range map[string]int{
		"/s/ok.txt": 200, "/s/locked.txt": 403, "/s/closed/": 403, "/s/closed/index.html": 403,
		"/f/ok.txt": 200, "/f/locked.txt": 403,
	} {
		r := rawGet(t, s.addr, "GET", target)
		if r.status != want || strings.Contains(r.body, dir) {
			t.Errorf("%s: %d %q, want %d", target, r.status, r.body, want)
		}
	}
}

// asNobody runs the test named test in a copy of this test binary as the
// user nobody, and fails if it fails.
func asNobody(t *testing.T, test string) {
	t.Helper()
	if os.Getenv("LUASERVE_TEST_AS_NOBODY") != "" {
		t.Fatal("still root after switching users")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The binary and the temporary folders must be reachable by nobody;
	// go test's own folders are private to root.
	shared, err := os.MkdirTemp("", "luaserve-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(shared) })
	os.Chmod(shared, 0o777)
	bin := filepath.Join(shared, "tests.test")
	data, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^"+test+"$", "-test.count=1", "-test.v")
	cmd.Dir = shared
	cmd.Env = append(os.Environ(), "LUASERVE_TEST_AS_NOBODY=1", "TMPDIR="+shared, "HOME="+shared)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+test) {
		t.Fatalf("%s as nobody: %v\n%s", test, err, out)
	}
	t.Logf("ran as nobody:\n%s", out)
}
