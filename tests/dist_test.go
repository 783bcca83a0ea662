package tests

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The packaging files cannot all be run here (no Docker engine, no systemd
// as PID 1); these tests check what can be checked without them.

// TestSystemdUnit verifies dist/luaserve.service with systemd-analyze
// (when installed), pointing it at the binary built for the tests, and
// checks that its sandboxing stays in place.
func TestSystemdUnit(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../dist/luaserve.service")
	if err != nil {
		t.Fatal(err)
	}
	unit := string(b)
	for _, want := range []string{"DynamicUser=yes", "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes",
		"PrivateTmp=yes", "PrivateDevices=yes", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "RestrictAddressFamilies=",
		"SystemCallFilter=@system-service", "MemoryDenyWriteExecute=yes", "ExecReload=/bin/kill -HUP $MAINPID"} {
		if !strings.Contains(unit, "\n"+want) {
			t.Errorf("the unit lacks %s", want)
		}
	}
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("no systemd-analyze")
	}
	path := filepath.Join(t.TempDir(), "luaserve.service")
	writeFile(t, path, strings.ReplaceAll(unit, "/usr/local/bin/luaserve", luaserveBin(t)))
	out, err := exec.Command(analyze, "verify", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// TestDockerfile checks the Dockerfile's promises: a build stage on the
// Go version go.mod asks for, a static binary, a final image without the
// toolchain, a non-root user and a health check that needs no shell.
func TestDockerfile(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	df := string(b)
	mod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	froms := regexp.MustCompile(`(?m)^FROM (\S+)`).FindAllStringSubmatch(df, -1)
	if len(goVersion) < 2 || len(froms) != 2 || !strings.HasPrefix(froms[0][1], "golang:"+string(goVersion[1])) {
		t.Errorf("stages %v; go.mod wants go %s", froms, goVersion)
	}
	if len(froms) == 2 && strings.Contains(froms[1][1], "golang") {
		t.Errorf("the final image carries the toolchain: %s", froms[1][1])
	}
	for _, re := range []string{`CGO_ENABLED=0 go build`, `(?m)^USER [1-9]\d*:[1-9]\d*$`,
		`(?m)^HEALTHCHECK .*\n\s+CMD \["/usr/local/bin/luaserve", "health"`, `(?m)^ENTRYPOINT \["/usr/local/bin/luaserve"\]$`,
		`engine\.Version=\$\{VERSION\}`} {
		if !regexp.MustCompile(re).MatchString(df) {
			t.Errorf("the Dockerfile lacks %s", re)
		}
	}
}
