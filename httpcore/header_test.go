package httpcore

import "testing"

func TestEqualFold(t *testing.T) {
	tests := []struct {
		name string
		b, s string
		want bool
	}{
		{"same", "host", "host", true},
		{"upper_lower", "Content-Length", "content-length", true},
		{"both_mixed", "CoNtEnT-tYpE", "cOnTeNt-TyPe", true},
		{"empty", "", "", true},
		{"shorter", "hos", "host", false},
		{"longer", "hosts", "host", false},
		{"other_letter", "hast", "host", false},
		{"at_backquote", "@", "`", false}, // 0x40 and 0x60 differ only in the case bit
		{"brackets", "[", "{", false},
		{"caret_tilde", "^", "~", false},
		{"digit", "1", "1", true},
		{"kelvin", "\u212a", "k", false}, // no Unicode folding
		{"obs_text", "\xc9", "\xe9", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := EqualFold([]byte(tt.b), tt.s); got != tt.want {
				t.Errorf("EqualFold(%q, %q) = %v, want %v", tt.b, tt.s, got, tt.want)
			}
			if got := EqualFold([]byte(tt.s), tt.b); got != tt.want {
				t.Errorf("EqualFold(%q, %q) = %v, want %v (swapped)", tt.s, tt.b, got, tt.want)
			}
		})
	}
}
