package db

import (
	"fmt"
	"strconv"
	"strings"
)

// Statement is a statement's text parsed once for every engine: where its
// parameters are, and whether it only reads.
type Statement struct {
	Text string // as written
	// parts are the text between parameters: len(parts) == len(params)+1.
	parts  []string
	params []int    // each parameter's slot, from 0
	names  []string // slot -> name ("" for a ?); len(names) is the slot count
	named  bool     // parameters are :name (else ?, or none)
	// ReadOnly is a single SELECT, VALUES or EXPLAIN (or a WITH that names
	// no INSERT, UPDATE, DELETE or REPLACE): it may run on a reader.
	ReadOnly bool
	// Multi is more than one statement (a migration step): it runs
	// unprepared, as written, and takes no parameters.
	Multi bool
}

// Parse finds the ? and :name parameters of text outside string literals,
// quoted names and comments. A statement uses one kind: ? with a list of
// values, or :name with named values; :name may repeat. "::" (a
// PostgreSQL cast) is not a parameter.
func Parse(text string) (*Statement, error) {
	st := &Statement{Text: text}
	p := parser{s: text, st: st, slots: map[string]int{}}
	if err := p.run(); err != nil {
		return nil, err
	}
	st.parts = append(st.parts, text[p.from:])
	st.ReadOnly = p.reads && !p.writes && !st.Multi
	if st.Multi && len(st.params) > 0 {
		return nil, fmt.Errorf("parameters in a text of several statements; run them one at a time")
	}
	return st, nil
}

// parser is one Parse: a scan of s with what it found so far.
type parser struct {
	s          string
	st         *Statement
	i, from    int // position; start of the current part
	slots      map[string]int
	positional bool
	first      bool // the first word was seen
	reads      bool // it starts with a reading keyword
	writes     bool // a writing keyword appears
	ended      bool // a ';' was seen
}

func (p *parser) run() error {
	s := p.s
	for p.i < len(s) {
		c := s[p.i]
		switch {
		case c == '\'' || c == '"' || c == '`':
			p.skipQuoted(c)
		case c == '-' && strings.HasPrefix(s[p.i:], "--"):
			p.skipTo("\n")
		case c == '/' && strings.HasPrefix(s[p.i:], "/*"):
			p.skipTo("*/")
		case c == ';':
			p.ended = true
			p.i++
		case c == '?':
			if p.i+1 < len(s) && isDigit(s[p.i+1]) {
				return fmt.Errorf("?NNN parameters are not supported; use ? or :name")
			}
			if err := p.param(p.i, p.i+1, ""); err != nil {
				return err
			}
		case c == ':' && p.i+1 < len(s) && s[p.i+1] == ':':
			p.i += 2
		case c == ':' && p.i+1 < len(s) && isNameStart(s[p.i+1]):
			end := p.i + 1
			for end < len(s) && isNameByte(s[end]) {
				end++
			}
			if err := p.param(p.i, end, s[p.i+1:end]); err != nil {
				return err
			}
		case isNameStart(c):
			p.word()
		default:
			if c > ' ' && p.ended {
				p.st.Multi = true
			}
			p.i++
		}
	}
	return nil
}

// param records the parameter s[start:end], named name ("" for ?).
func (p *parser) param(start, end int, name string) error {
	if p.ended {
		p.st.Multi = true
	}
	st := p.st
	if name == "" {
		p.positional = true
	} else {
		st.named = true
	}
	if p.positional && st.named {
		return fmt.Errorf("both ? and :name parameters; use one kind")
	}
	slot, ok := p.slots[name]
	if name == "" || !ok {
		slot = len(st.names)
		st.names = append(st.names, name)
		if name != "" {
			p.slots[name] = slot
		}
	}
	st.parts = append(st.parts, p.s[p.from:start])
	st.params = append(st.params, slot)
	p.i, p.from = end, end
	return nil
}

// word reads a keyword or name and notes what it says about reading and
// writing.
func (p *parser) word() {
	start := p.i
	for p.i < len(p.s) && isNameByte(p.s[p.i]) {
		p.i++
	}
	w := strings.ToUpper(p.s[start:p.i])
	if p.ended {
		p.st.Multi = true
	}
	if !p.first {
		p.first = true
		p.reads = w == "SELECT" || w == "VALUES" || w == "EXPLAIN" || w == "WITH"
	}
	switch w {
	case "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP", "ALTER", "PRAGMA", "ATTACH":
		p.writes = true
	}
}

// skipQuoted passes a literal or quoted name; a doubled quote stays inside.
func (p *parser) skipQuoted(q byte) {
	p.i++
	for p.i < len(p.s) {
		if p.s[p.i] == q {
			if p.i+1 < len(p.s) && p.s[p.i+1] == q {
				p.i += 2
				continue
			}
			p.i++
			return
		}
		p.i++
	}
}

func (p *parser) skipTo(end string) {
	if j := strings.Index(p.s[p.i+2:], end); j >= 0 {
		p.i += 2 + j + len(end)
		return
	}
	p.i = len(p.s)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isNameStart(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}
func isNameByte(c byte) bool { return isNameStart(c) || isDigit(c) }

// Render writes the statement with placeholders made by ph, which gets the
// slot number from 1: "?1" for SQLite, "$1" for PostgreSQL.
func (st *Statement) Render(ph func(b []byte, n int) []byte) string {
	if len(st.params) == 0 {
		return st.Text
	}
	b := make([]byte, 0, len(st.Text)+2*len(st.params))
	for i, slot := range st.params {
		b = append(b, st.parts[i]...)
		b = ph(b, slot+1)
	}
	b = append(b, st.parts[len(st.parts)-1]...)
	return string(b)
}

// NumArgs is how many values Bind produces.
func (st *Statement) NumArgs() int { return len(st.names) }

// Bind orders args by slot into dst[:0]. The values must match the
// statement's parameters: as many as its ? for a list, every :name for
// named values (extra names are an error too, as they are likely typos).
func (st *Statement) Bind(dst []any, args Args) ([]any, error) {
	dst = dst[:0]
	if st.named {
		if args.List != nil {
			return dst, fmt.Errorf("the statement has :name parameters; give a table of values")
		}
		for _, name := range st.names {
			v, ok := args.Named[name]
			if !ok {
				return dst, fmt.Errorf("no value for :%s", name)
			}
			dst = append(dst, v)
		}
		if len(args.Named) > len(st.names) {
			return dst, fmt.Errorf("values for parameters the statement does not have: %s", st.extraNames(args.Named))
		}
		return dst, nil
	}
	if args.Named != nil {
		return dst, fmt.Errorf("named values given but the statement has no :name parameters")
	}
	if len(args.List) != len(st.names) {
		return dst, fmt.Errorf("the statement has %d ? parameters but %d values were given", len(st.names), len(args.List))
	}
	return append(dst, args.List...), nil
}

func (st *Statement) extraNames(named map[string]any) string {
	var extra []string
	for k := range named {
		if _, ok := indexOf(st.names, k); !ok {
			extra = append(extra, ":"+k)
		}
	}
	return strings.Join(extra, ", ")
}

func indexOf(list []string, s string) (int, bool) {
	for i, x := range list {
		if x == s {
			return i, true
		}
	}
	return 0, false
}

// sqlitePlaceholder is SQLite's numbered parameter, ?N.
func sqlitePlaceholder(b []byte, n int) []byte {
	return strconv.AppendInt(append(b, '?'), int64(n), 10)
}
