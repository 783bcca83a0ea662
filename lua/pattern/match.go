package pattern

import (
	"errors"
	"slices"
	"strings"
)

// ErrTooComplex is the error of a match that nests more than maxDepth
// backtracking points (Lua 5.2's MAXCCALLS).
var ErrTooComplex = errors.New("pattern too complex")

const (
	// maxDepth bounds the recursion of the matcher: each pending
	// quantifier ('*', '+', '-', '?') whose alternatives are not yet
	// exhausted is one level.
	maxDepth = 200
	// checkEvery is how many steps a match takes between calls of its
	// check function. A step is one item of the pattern tried at one
	// position, or one character scanned by a quantifier, %b or a
	// back-reference: a few nanoseconds, so a check runs every few
	// microseconds.
	checkEvery = 1024
)

// Capture is one capture of a match: s[Start:End], or for a position
// capture "()" the position Start == End, with Position set.
type Capture struct {
	Start, End int
	Position   bool
}

// Match is where a pattern matched: s[Start:End], with its captures.
type Match struct {
	Start, End int
	Captures   []Capture // the caps slice given to MatchAt or Find, resized
}

// MatchAt tries p against s starting exactly at init (as if anchored
// there; a leading '^' changes nothing). caps is reused for the
// captures when it has room. Every checkEvery steps it calls check (when
// not nil), and stops with the error check returns; it also stops with
// ErrTooComplex. An init outside [0, len(s)] does not match.
func (p *Pattern) MatchAt(s string, init int, caps []Capture, check func() error) (Match, bool, error) {
	caps = slices.Grow(caps[:0], p.ncap)[:p.ncap]
	if init < 0 || init > len(s) {
		return Match{}, false, nil
	}
	var err error
	m := matcher{s: s, items: p.items, caps: caps, check: check, err: &err, left: checkEvery}
	if e := m.match(init, 0); e >= 0 {
		return Match{Start: init, End: e, Captures: caps}, true, nil
	}
	return Match{}, false, err
}

// Find returns the first match of p in s at or after init, trying each
// start from init to len(s); a pattern with a leading '^' tries init
// only. The rest is as MatchAt.
func (p *Pattern) Find(s string, init int, caps []Capture, check func() error) (Match, bool, error) {
	caps = slices.Grow(caps[:0], p.ncap)[:p.ncap]
	if init < 0 || init > len(s) {
		return Match{}, false, nil
	}
	var err error
	m := matcher{s: s, items: p.items, caps: caps, check: check, err: &err, left: checkEvery}
	if p.anchor {
		if e := m.match(init, 0); e >= 0 {
			return Match{Start: init, End: e, Captures: caps}, true, nil
		}
		return Match{}, false, err
	}
	for start := init; start <= len(s); start++ {
		if start = m.skip(start); start < 0 {
			break
		}
		if e := m.match(start, 0); e >= 0 {
			return Match{Start: start, End: e, Captures: caps}, true, nil
		}
		if err != nil {
			break
		}
	}
	return Match{}, false, err
}

// skip returns the first start at or after start where the pattern's
// first item can match, or -1 if none, when that item is a single
// character that must be there: a scan for it costs less than trying
// the pattern at each position.
func (m *matcher) skip(start int) int {
	if len(m.items) == 0 || m.items[0].op != opChar || m.items[0].quant != 0 && m.items[0].quant != '+' {
		return start
	}
	it, s := &m.items[0], m.s
	j := start
	if it.set == nil {
		if k := strings.IndexByte(s[start:], it.x); k >= 0 {
			j += k
		} else {
			j = len(s)
		}
	} else {
		for j < len(s) && !it.set.has(s[j]) {
			j++
		}
	}
	// The scan counts as steps, a quarter each: it is that much cheaper.
	if m.left -= (j - start) / 4; m.left <= 0 && !m.checkNow() {
		return -1
	}
	if j == len(s) {
		return -1
	}
	return j
}

// matcher is the state of one MatchAt or Find: a backtracking matcher in
// the manner of Lua's lstrlib.c. A match is the end index of the text
// matched, or -1 for none (err then says whether the match stopped).
//
// Lua patterns repeat only single characters, never groups, so a path
// through the pattern passes each item once: capture k is always the one
// set by the last opOpen and opClose on the current path, and
// backtracking need not undo captures.
type matcher struct {
	s     string
	items []item
	caps  []Capture
	check func() error
	err   *error // the caller's: kept apart, so that caps does not escape through it
	left  int    // steps until the next check
	depth int
}

// step counts one step; it reports false when the match must stop.
func (m *matcher) step() bool {
	m.left--
	if m.left > 0 {
		return true
	}
	return m.checkNow()
}

func (m *matcher) checkNow() bool {
	m.left = checkEvery
	if m.check != nil && *m.err == nil {
		*m.err = m.check()
	}
	return *m.err == nil
}

// match matches items[i:] at s[pos:], one recursion level deeper.
func (m *matcher) match(pos, i int) int {
	if m.depth == maxDepth {
		*m.err = ErrTooComplex
		return -1
	}
	m.depth++
	e := m.seq(pos, i)
	m.depth--
	return e
}

// seq matches items[i:] at s[pos:]: items that cannot backtrack in a
// loop, the others by recursion.
func (m *matcher) seq(pos, i int) int {
	s := m.s
	for ; i < len(m.items); i++ {
		if !m.step() {
			return -1
		}
		it := &m.items[i]
		switch it.op {
		case opChar:
			ok := pos < len(s) && it.matches(s[pos])
			switch it.quant {
			case 0:
				if !ok {
					return -1
				}
				pos++
			case '?':
				if ok {
					if e := m.match(pos+1, i+1); e >= 0 || *m.err != nil {
						return e
					}
				}
			case '*':
				return m.greedy(pos, i)
			case '+':
				if !ok {
					return -1
				}
				return m.greedy(pos+1, i)
			case '-':
				return m.lazy(pos, i)
			}
		case opOpen:
			m.caps[it.k] = Capture{Start: pos, End: pos}
		case opClose:
			m.caps[it.k].End = pos
		case opPosition:
			m.caps[it.k] = Capture{Start: pos, End: pos, Position: true}
		default:
			if pos = m.special(pos, it); pos < 0 {
				return -1
			}
		}
	}
	return pos
}

// special matches the items that match without backtracking and are not
// single characters: it returns the position after them, or -1.
func (m *matcher) special(pos int, it *item) int {
	s := m.s
	switch it.op {
	case opBackref:
		// Lua 5.1 takes a position capture's length as (size_t)-2: a
		// back-reference to one never matches.
		c := m.caps[it.k]
		n := c.End - c.Start
		if c.Position || len(s)-pos < n || s[pos:pos+n] != s[c.Start:c.End] {
			return -1
		}
		if m.left -= n; m.left <= 0 && !m.checkNow() {
			return -1
		}
		return pos + n
	case opBalance:
		return m.balance(pos, it.x, it.y)
	case opFrontier:
		// Before the subject and after it is '\0', as in Lua's C strings.
		var prev, cur byte
		if pos > 0 {
			prev = s[pos-1]
		}
		if pos < len(s) {
			cur = s[pos]
		}
		if it.set.has(prev) || !it.set.has(cur) {
			return -1
		}
		return pos
	case opEnd:
		if pos != len(s) {
			return -1
		}
		return pos
	}
	return -1 // not reached: seq handles the other ops
}

// balance matches %bxy at s[pos:]: x, then up to the y that balances it.
func (m *matcher) balance(pos int, x, y byte) int {
	s := m.s
	if pos >= len(s) || s[pos] != x {
		return -1
	}
	depth := 1
	for j := pos + 1; j < len(s); j++ {
		if !m.step() {
			return -1
		}
		switch s[j] {
		case y: // before x: in %bxx the second x closes
			if depth--; depth == 0 {
				return j + 1
			}
		case x:
			depth++
		}
	}
	return -1
}

// greedy matches items[i] ('*' or '+', its first character taken) as
// many times as it can from pos, then backs off one at a time until the
// rest matches (Lua's max_expand).
func (m *matcher) greedy(pos, i int) int {
	it := &m.items[i]
	n := 0
	for pos+n < len(m.s) && it.matches(m.s[pos+n]) {
		if !m.step() {
			return -1
		}
		n++
	}
	for ; n >= 0; n-- {
		if e := m.match(pos+n, i+1); e >= 0 || *m.err != nil {
			return e
		}
	}
	return -1
}

// lazy matches items[i] ('-') as few times as lets the rest match (Lua's
// min_expand).
func (m *matcher) lazy(pos, i int) int {
	it := &m.items[i]
	for {
		if e := m.match(pos, i+1); e >= 0 || *m.err != nil {
			return e
		}
		if pos >= len(m.s) || !it.matches(m.s[pos]) {
			return -1
		}
		pos++
	}
}
