package tests

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestCLIMemoryGivenBack: after a burst of large bodies the server held
// their memory for minutes (500 MB for 50 bodies of 10 MiB); it gives it
// back within seconds now.
func TestCLIMemoryGivenBack(t *testing.T) {
	dir := scriptDir(t, "routes.lua", `local app = require("luaserve")
app.post("/echo", function(req) return tostring(#req.body) end)
`)
	s := startCLI(t, dir, "-quiet", "routes.lua")
	pid := s.cmd.Process.Pid
	before := rssKB(t, pid)
	body := strings.Repeat("B", 10<<20)
	c := client(t)
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for range 20 {
		wg.Go(func() {
			res, text, err := doErr(c, "POST", s.url+"/echo", body)
			if err == nil && (res.StatusCode != 200 || text != "10485760") {
				err = fmt.Errorf("%d %q", res.StatusCode, text)
			}
			if err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	peak := rssKB(t, pid)
	if peak < before+100_000 {
		t.Skipf("the burst took little memory (%d kB -> %d kB): nothing to give back", before, peak)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		now := rssKB(t, pid)
		if now < before+64_000 {
			t.Logf("RSS %d kB before, %d kB after the burst, %d kB now", before, peak, now)
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("RSS still %d kB 20 s after the burst (before: %d kB, peak: %d kB)", now, before, peak)
		}
		time.Sleep(100 * time.Millisecond) // polling, with the deadline above
	}
}

func rssKB(t *testing.T, pid int) int {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
	}
	t.Fatal("no VmRSS")
	return 0
}
