package pattern

import (
	"errors"
	"strings"
)

// MaxCaptures is the most captures a pattern may have (Lua's
// LUA_MAXCAPTURES).
const MaxCaptures = 32

// The errors of malformed patterns, worded as Lua 5.1 words them.
var (
	errEndsWithPercent = errors.New("malformed pattern (ends with '%')")
	errMissingBracket  = errors.New("malformed pattern (missing ']')")
	errFrontier        = errors.New("missing '[' after '%f' in pattern")
	errUnbalanced      = errors.New("unbalanced pattern") // %b without its two characters
	errCaptureIndex    = errors.New("invalid capture index")
	errPatternCapture  = errors.New("invalid pattern capture") // a ')' that closes nothing
	errUnfinished      = errors.New("unfinished capture")
	errTooMany         = errors.New("too many captures")
)

type op uint8

const (
	opChar     op = iota // one character of set, repeated as quant says
	opOpen               // '(': capture k starts here
	opClose              // ')': capture k ends here
	opPosition           // '()': capture k is this position
	opBackref            // %1-%9: the text of capture k again
	opBalance            // %bxy: a balanced run from x to y
	opFrontier           // %f[set]: between a character not in set and one in it
	opEnd                // '$' at the pattern's end
)

// item is one step of a compiled pattern.
type item struct {
	op    op
	quant byte // opChar: 0, '*', '+', '-' or '?'
	k     byte // capture index: opOpen, opClose, opPosition, opBackref
	x, y  byte // opChar: the character when set is nil; opBalance's pair
	set   *set // opChar, opFrontier; shared, never written once compiled
}

// matches reports whether c matches the single-character class of an
// opChar item.
func (it *item) matches(c byte) bool {
	if it.set == nil {
		return c == it.x
	}
	return it.set.has(c)
}

// Pattern is a compiled pattern. It is immutable, and safe for
// concurrent use.
type Pattern struct {
	items  []item
	anchor bool // a leading '^'
	ncap   int
}

// Captures is the number of captures in p.
func (p *Pattern) Captures() int { return p.ncap }

// Anchored reports whether p began with '^', so that Find tries only init.
func (p *Pattern) Anchored() bool { return p.anchor }

// Compile parses a Lua pattern. A leading '^' anchors the match (see
// Find); elsewhere '^' is an ordinary character. The error of a malformed
// pattern is Lua's message ("malformed pattern (missing ']')").
func Compile(p string) (*Pattern, error) {
	c := compiler{p: p, pat: &Pattern{items: make([]item, 0, min(len(p), 32))}}
	i := 0
	if strings.HasPrefix(p, "^") {
		c.pat.anchor = true
		i = 1
	}
	for i < len(p) {
		var err error
		if i, err = c.next(i); err != nil {
			return nil, err
		}
	}
	if c.nopen > 0 {
		return nil, errUnfinished
	}
	return c.pat, nil
}

type compiler struct {
	p     string
	pat   *Pattern
	open  [MaxCaptures]byte // the captures opened and not yet closed, innermost last
	nopen int
}

func (c *compiler) add(it item) { c.pat.items = append(c.pat.items, it) }

// next compiles the item at p[i] and returns the index after it.
func (c *compiler) next(i int) (int, error) {
	p := c.p
	switch p[i] {
	case '(':
		if c.pat.ncap == MaxCaptures {
			return 0, errTooMany
		}
		k := byte(c.pat.ncap)
		c.pat.ncap++
		if i+1 < len(p) && p[i+1] == ')' {
			c.add(item{op: opPosition, k: k})
			return i + 2, nil
		}
		c.open[c.nopen] = k
		c.nopen++
		c.add(item{op: opOpen, k: k})
		return i + 1, nil
	case ')':
		if c.nopen == 0 {
			return 0, errPatternCapture
		}
		c.nopen--
		k := c.open[c.nopen]
		c.add(item{op: opClose, k: k})
		return i + 1, nil
	case '$':
		if i+1 == len(p) {
			c.add(item{op: opEnd})
			return i + 1, nil
		}
	case '%':
		if i+1 == len(p) {
			return 0, errEndsWithPercent
		}
		switch e := p[i+1]; {
		case e == 'b':
			return c.balance(i)
		case e == 'f':
			return c.frontier(i)
		case '0' <= e && e <= '9':
			return c.backref(i)
		}
	}
	return c.single(i)
}

// single compiles a single-character class at p[i] ('x', '.', %x, [set])
// and the quantifier that may follow it.
func (c *compiler) single(i int) (int, error) {
	p := c.p
	it := item{op: opChar}
	switch p[i] {
	case '.':
		it.set, i = &anySet, i+1
	case '%':
		if i+1 == len(p) {
			return 0, errEndsWithPercent
		}
		it.set, it.x, i = classSet(p[i+1]), p[i+1], i+2
	case '[':
		t, end, err := parseSet(p, i)
		if err != nil {
			return 0, err
		}
		it.set, i = &t, end
	default:
		it.x = p[i]
		i++
	}
	if i < len(p) && strings.IndexByte("*+-?", p[i]) >= 0 {
		it.quant = p[i]
		i++
	}
	c.add(it)
	return i, nil
}

// balance compiles %bxy at p[i].
func (c *compiler) balance(i int) (int, error) {
	if i+3 >= len(c.p) {
		return 0, errUnbalanced
	}
	c.add(item{op: opBalance, x: c.p[i+2], y: c.p[i+3]})
	return i + 4, nil
}

// frontier compiles %f[set] at p[i].
func (c *compiler) frontier(i int) (int, error) {
	i += 2
	if i >= len(c.p) || c.p[i] != '[' {
		return 0, errFrontier
	}
	t, end, err := parseSet(c.p, i)
	if err != nil {
		return 0, err
	}
	c.add(item{op: opFrontier, set: &t})
	return end, nil
}

// backref compiles %1-%9 at p[i]: the capture must be closed by then, as
// Lua checks when the matcher reaches it (%0 is never valid).
func (c *compiler) backref(i int) (int, error) {
	k := int(c.p[i+1]) - '1'
	if k < 0 || k >= c.pat.ncap || c.isOpen(byte(k)) {
		return 0, errCaptureIndex
	}
	c.add(item{op: opBackref, k: byte(k)})
	return i + 2, nil
}

func (c *compiler) isOpen(k byte) bool {
	for _, o := range c.open[:c.nopen] {
		if o == k {
			return true
		}
	}
	return false
}
