package main

import "testing"

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
