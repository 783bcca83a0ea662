package httpcore

// Header is an ordered list of header fields. Lookups fold ASCII case;
// repeated fields are kept in arrival order. It is a slice, not a map, so
// that parsing and reuse allocate nothing: in a Request the names and values
// point into the connection's read buffer; in a response they are copies
// whose storage is reused from one response to the next.
type Header struct {
	fields []field
	n      int // fields[:n] are live; the rest keep their storage for reuse
}

type field struct {
	name, value []byte
}

// Len reports the number of fields.
func (h *Header) Len() int { return h.n }

// At returns the i-th field, 0 <= i < Len.
func (h *Header) At(i int) (name, value []byte) {
	f := &h.fields[i]
	return f.name, f.value
}

// Get returns the value of the first field named name (any case), or nil.
func (h *Header) Get(name string) []byte {
	for i := 0; i < h.n; i++ {
		if EqualFold(h.fields[i].name, name) {
			return h.fields[i].value
		}
	}
	return nil
}

// Has reports whether a field named name is present.
func (h *Header) Has(name string) bool {
	for i := 0; i < h.n; i++ {
		if EqualFold(h.fields[i].name, name) {
			return true
		}
	}
	return false
}

// Count reports how many fields are named name.
func (h *Header) Count(name string) int {
	c := 0
	for i := 0; i < h.n; i++ {
		if EqualFold(h.fields[i].name, name) {
			c++
		}
	}
	return c
}

// Values calls fn with the value of every field named name, in order.
func (h *Header) Values(name string, fn func(value []byte)) {
	for i := 0; i < h.n; i++ {
		if EqualFold(h.fields[i].name, name) {
			fn(h.fields[i].value)
		}
	}
}

// Add appends a field, copying name and value into reused storage.
func (h *Header) Add(name, value string) {
	f := h.next()
	f.name = append(f.name[:0], name...)
	f.value = append(f.value[:0], value...)
}

// AddBytes is Add for byte slices.
func (h *Header) AddBytes(name, value []byte) {
	f := h.next()
	f.name = append(f.name[:0], name...)
	f.value = append(f.value[:0], value...)
}

// Set replaces every field named name with one field holding value.
func (h *Header) Set(name, value string) {
	for i := 0; i < h.n; i++ {
		if EqualFold(h.fields[i].name, name) {
			h.fields[i].value = append(h.fields[i].value[:0], value...)
			h.delFrom(name, i+1)
			return
		}
	}
	h.Add(name, value)
}

// Del removes every field named name.
func (h *Header) Del(name string) { h.delFrom(name, 0) }

// Reset empties the header, keeping storage.
func (h *Header) Reset() { h.n = 0 }

func (h *Header) delFrom(name string, from int) {
	j := from
	for i := from; i < h.n; i++ {
		if EqualFold(h.fields[i].name, name) {
			continue
		}
		if i != j {
			// Swap so that the removed field's storage stays in the list.
			h.fields[i], h.fields[j] = h.fields[j], h.fields[i]
		}
		j++
	}
	h.n = j
}

// next returns a reused slot at the end of the list.
func (h *Header) next() *field {
	if h.n == len(h.fields) {
		h.fields = append(h.fields, field{})
	}
	h.n++
	return &h.fields[h.n-1]
}

// addRef appends a field whose slices alias the caller's memory (the read
// buffer); the parser uses it.
func (h *Header) addRef(name, value []byte) {
	f := h.next()
	f.name, f.value = name, value
}

// EqualFold reports whether b and s are equal under ASCII case folding:
// 'A'-'Z' match 'a'-'z' and every other byte matches only itself. Unlike
// strings.EqualFold there is no Unicode folding (the Kelvin sign is not
// 'k'), which is how field names, tokens and schemes compare (RFC 9110,
// section 5.1). It does not allocate.
func EqualFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		x, y := b[i], s[i]
		if x == y {
			continue
		}
		// Only a letter's case bit (0x20) may differ.
		if l := x | 0x20; l != y|0x20 || l < 'a' || l > 'z' {
			return false
		}
	}
	return true
}
