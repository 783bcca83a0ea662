package password

import (
	"errors"
	"testing"
)

// FuzzParse: any stored text is read or refused without a panic, refusals
// wrap ErrFormat or ErrParams, and what is read is within the bounds.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"", "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$" + "AAAAAAAAAAAAAAAAAAAAAA",
		"$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga", "$argon2id$v=19$m=1,t=1,p=1$$", "$$$$$"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		h, err := Parse(s)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrParams) {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if h.bcrypt == nil && (h.Memory > MaxMemory || h.Time > MaxTime || h.Threads > MaxThreads || h.Threads == 0 ||
			h.Memory < 8*uint32(h.Threads)) {
			t.Fatalf("%q read out of bounds: %+v", s, h.Params)
		}
	})
}
