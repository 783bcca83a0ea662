package main

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"testing"
)

func TestByteSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
	}{
		{"0", 0}, {"1024", 1024}, {"512MiB", 512 << 20}, {"1.5GiB", 3 << 29}, {"800M", 800 << 20},
		{"64KB", 64000}, {"2 GiB", 2 << 30}, {"10B", 10},
	} {
		var b byteSize
		if err := b.Set(tc.in); err != nil || int64(b) != tc.want {
			t.Errorf("%q: %d, %v; want %d", tc.in, b, err, tc.want)
		}
	}
	for _, bad := range []string{"", "lots", "-1GiB", "1XB", "99999999TB"} {
		var b byteSize
		if err := b.Set(bad); err == nil {
			t.Errorf("%q accepted as %d", bad, b)
		}
	}
	for n, want := range map[int64]string{3 << 30: "3GiB", 1536 << 20: "1.5GiB", 4096: "4KiB", 100: "100"} {
		b := byteSize(n)
		if s := b.String(); s != want {
			t.Errorf("String(%d) = %s, want %s", n, s, want)
		}
	}
	if defaultMaxMemory() <= 0 {
		t.Error("no default memory limit")
	}
}

// gogc reads the collector's current GOGC.
func gogc() uint64 {
	s := []metrics.Sample{{Name: "/gc/gogc:percent"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// TestMinHeapPacesCollector: -min-heap raises GOGC above the default while
// the live heap is small, bounded by an eighth of -max-memory; GOGC in the
// environment, or -min-heap 0, leaves GOGC alone.
func TestMinHeapPacesCollector(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(defaultGOGC))
	if v, set := os.LookupEnv("GOGC"); set {
		os.Unsetenv("GOGC")
		defer os.Setenv("GOGC", v)
	}
	check := func(o memoryOptions, want func(uint64) bool, what string) {
		t.Helper()
		stop := o.startPacer()
		runtime.GC()
		got := gogc()
		stop()
		if !want(got) {
			t.Errorf("%s: GOGC %d", what, got)
		}
	}
	check(memoryOptions{max: 1 << 30, minHeap: 64 << 20}, func(g uint64) bool { return g > defaultGOGC }, "64 MiB floor, want above 400")
	// An eighth of 64 MiB is 8 MiB, below what GOGC=400 allows already.
	check(memoryOptions{max: 64 << 20, minHeap: 64 << 20}, func(g uint64) bool { return g == defaultGOGC }, "floor below 5x live, want 400")
	check(memoryOptions{max: 1 << 30, minHeap: 0}, func(g uint64) bool { return g == defaultGOGC }, "-min-heap 0, want 400")
	os.Setenv("GOGC", "150")
	defer os.Unsetenv("GOGC")
	debug.SetGCPercent(150)
	check(memoryOptions{max: 1 << 30, minHeap: 64 << 20}, func(g uint64) bool { return g == 150 }, "GOGC=150 set, want 150")
}
