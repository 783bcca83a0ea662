package suggest

import "testing"

func TestClosest(t *testing.T) {
	keys := []string{"body", "cookies", "download", "file", "headers", "html", "json", "redirect", "status", "text"}
	for _, c := range []struct{ word, want string }{
		{"stauts", "status"}, {"staus", "status"}, {"header", "headers"}, {"jsno", "json"}, {"redirct", "redirect"},
		{"bdy", "body"}, {"content", ""}, {"x", ""}, {"ok", ""}, {"status", "status"},
	} {
		if got := Closest(c.word, keys); got != c.want {
			t.Errorf("Closest(%q) = %q, want %q", c.word, got, c.want)
		}
	}
}

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"status", "stauts", 1}, {"kitten", "sitting", 3}, {"ab", "ba", 1},
	} {
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
