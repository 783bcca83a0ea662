package time

import (
	"testing"
	"time"
)

// TestFixTwoDigitYear: RFC 9110 section 5.6.7, at a fixed "now".
func TestFixTwoDigitYear(t *testing.T) {
	for _, tc := range []struct{ parsed, now, want int }{
		{1994, 2026, 1994},
		{1970, 2026, 2070}, // 44 years ahead: still the future
		{2077, 2026, 1977}, // 51 years ahead: the past
		{2026, 2026, 2026},
		{1999, 2080, 2099},
	} {
		in := time.Date(tc.parsed, 11, 6, 8, 49, 37, 0, time.UTC)
		if got := fixTwoDigitYear(in, tc.now).Year(); got != tc.want {
			t.Errorf("%d at %d: got %d, want %d", tc.parsed, tc.now, got, tc.want)
		}
	}
}
