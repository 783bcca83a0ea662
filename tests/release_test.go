package tests

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"debug/elf"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// TestReleaseScript runs scripts/release.sh for this machine's platform
// only (a full run builds eight binaries) and checks what it made: an
// archive with the binary, README and LICENSE, its checksum, and a binary
// that is static and says its stamped version and commit.
func TestReleaseScript(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	out := t.TempDir()
	target := runtime.GOOS + "/" + runtime.GOARCH
	cmd := exec.Command("bash", "scripts/release.sh", "9.8.7-rc.1")
	cmd.Dir = ".."
	cmd.Env = append(os.Environ(), "TARGETS="+target, "OUT="+out)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("release.sh: %v\n%s", err, b)
	}
	name := fmt.Sprintf("luaserve-9.8.7-rc.1-%s-%s", runtime.GOOS, runtime.GOARCH)
	sums, err := os.ReadFile(filepath.Join(out, "SHA256SUMS"))
	if err != nil || !regexp.MustCompile(`^[0-9a-f]{64}  `+regexp.QuoteMeta(name)+`\.tar\.gz\n$`).Match(sums) {
		t.Errorf("SHA256SUMS: %v %q", err, sums)
	}
	files := untar(t, filepath.Join(out, name+".tar.gz"), filepath.Join(out, "x"))
	for _, f := range []string{"luaserve", "README.md", "LICENSE"} {
		if !files[name+"/"+f] {
			t.Errorf("archive lacks %s: %v", f, files)
		}
	}
	bin := filepath.Join(out, "x", name, "luaserve")
	if runtime.GOOS == "linux" {
		f, err := elf.Open(bin)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("the binary is dynamically linked (has an interpreter)")
			}
		}
		f.Close()
	}
	commit, _ := exec.Command("git", "rev-parse", "--short=12", "HEAD").Output()
	got, err := exec.Command(bin, "--version").Output()
	want := "luaserve 9.8.7-rc.1 (commit " + strings.TrimSpace(string(commit))
	if err != nil || !strings.HasPrefix(string(got), want) || !strings.Contains(string(got), ", built 20") ||
		!strings.HasSuffix(string(got), target+")\n") {
		t.Errorf("--version: %v %q, want %q...", err, got, want)
	}
}

// untar extracts a .tar.gz into dir and returns the names it held.
func untar(t *testing.T, archive, dir string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return names
		}
		if err != nil {
			t.Fatal(err)
		}
		names[strings.TrimSuffix(h.Name, "/")] = true
		p := filepath.Join(dir, filepath.FromSlash(h.Name))
		if h.Typeflag == tar.TypeDir {
			os.MkdirAll(p, 0o755)
			continue
		}
		os.MkdirAll(filepath.Dir(p), 0o755)
		data, _ := io.ReadAll(tr)
		if err := os.WriteFile(p, data, 0o755); err != nil {
			t.Fatal(err)
		}
	}
}
