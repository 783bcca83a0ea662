package pattern

// set is a set of bytes, one bit each: every single-character class of a
// pattern (a literal, '.', %a, [...]) compiles to one, so that matching a
// character is one bit test.
type set [4]uint64

func (t *set) has(c byte) bool { return t[c>>6]&(1<<(c&63)) != 0 }

func (t *set) add(c byte) { t[c>>6] |= 1 << (c & 63) }

func (t *set) addRange(lo, hi byte) {
	for c := int(lo); c <= int(hi); c++ {
		t.add(byte(c))
	}
}

func (t *set) union(u *set) {
	for i := range t {
		t[i] |= u[i]
	}
}

func (t *set) invert() {
	for i := range t {
		t[i] = ^t[i]
	}
}

// anySet is '.'.
var anySet = set{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)}

// letterSets are the classes %a, %c, %d, %l, %p, %s, %u, %w, %x and %z
// ([0], indexed by letter-'a') and their complements %A ... %Z ([1]), as
// the C locale has them (Lua 5.1's match_class calls isalpha and
// friends); knownLetters says which letters are classes.
var letterSets, knownLetters = makeLetterSets()

func makeLetterSets() (sets [2][26]set, known [26]bool) {
	ranges := map[byte][]byte{ // pairs of inclusive bounds
		'a': {'A', 'Z', 'a', 'z'},
		'c': {0x00, 0x1f, 0x7f, 0x7f},
		'd': {'0', '9'},
		'l': {'a', 'z'},
		'p': {0x21, 0x2f, 0x3a, 0x40, 0x5b, 0x60, 0x7b, 0x7e},
		's': {'\t', '\r', ' ', ' '},
		'u': {'A', 'Z'},
		'w': {'0', '9', 'A', 'Z', 'a', 'z'},
		'x': {'0', '9', 'A', 'F', 'a', 'f'},
		'z': {0, 0},
	}
	for letter, r := range ranges {
		t := &sets[0][letter-'a']
		for i := 0; i < len(r); i += 2 {
			t.addRange(r[i], r[i+1])
		}
		sets[1][letter-'a'] = *t
		sets[1][letter-'a'].invert()
		known[letter-'a'] = true
	}
	return sets, known
}

// classSet is the class %c stands for: a shared set for a class letter
// (the complement for the upper-case letter), or nil when c is not one:
// %c is then c itself, so that %. is a literal dot and %G a literal G.
func classSet(c byte) *set {
	lower := c | 0x20
	if 'a' <= lower && lower <= 'z' && knownLetters[lower-'a'] {
		upper := 0
		if c != lower {
			upper = 1
		}
		return &letterSets[upper][lower-'a']
	}
	return nil
}

// parseSet reads the set "[...]" starting at p[i] == '[' and returns it
// and the index after its ']'. The syntax is Lua 5.1's: a ']' right after
// the '[' (or "[^") is a member, %x is an escape or a class, and "a-z" is
// a range unless the '-' is last; "[%a-z]" is %a, '-' and 'z'.
func parseSet(p string, i int) (set, int, error) {
	i++ // '['
	neg := i < len(p) && p[i] == '^'
	if neg {
		i++
	}
	// Find the closing ']' first, as Lua's classEnd does.
	end := i
	for {
		if end >= len(p) {
			return set{}, 0, errMissingBracket
		}
		c := p[end]
		end++
		if c == '%' && end < len(p) {
			end++
		}
		if end < len(p) && p[end] == ']' {
			break
		}
	}
	var t set
	for j := i; j < end; j++ {
		switch {
		case p[j] == '%':
			j++
			if cl := classSet(p[j]); cl != nil {
				t.union(cl)
			} else {
				t.add(p[j])
			}
		case j+2 < end && p[j+1] == '-':
			t.addRange(p[j], p[j+2]) // empty when p[j] > p[j+2]
			j += 2
		default:
			t.add(p[j])
		}
	}
	if neg {
		t.invert()
	}
	return t, end + 1, nil
}
