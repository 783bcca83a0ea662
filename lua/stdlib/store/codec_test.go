package store

import (
	"context"
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
	gostore "github.com/luaserve/luaserve/store"
)

// TestDecodeCorrupt: a stored value that this codec did not write (another
// Redis client's, a truncated one) is an error, never a panic or a hang.
func TestDecodeCorrupt(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	nan := binary.BigEndian.AppendUint64([]byte("T-d"), math.Float64bits(math.NaN()))
	for _, in := range []string{
		"", "hello", "12abc", "T", "Ta", "T-", "T-s\x05ab", "T-i", "T-d123", "T-it",
		"T-s\x01at", "T-s\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01a" + "te", "T-tte" + "x",
		string(nan) + "te", strings.Repeat("T-", 5000),
	} {
		if v, err := decode(context.Background(), L, []byte(in)); err == nil {
			t.Errorf("decode(%q) = %v, want an error", in, v)
		}
	}
}

// TestCodecRoundTrip: strings byte for byte, numbers, booleans and nested
// tables come back as they went in.
func TestCodecRoundTrip(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`v = { "\255\0", n = -2^53, f = 0.1, [1.5] = true, t = { s = "\200" } }`); err != nil {
		t.Fatal(err)
	}
	b, err := encode(context.Background(), L.GetGlobal("v"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := decode(context.Background(), L, b)
	if err != nil {
		t.Fatal(err)
	}
	L.SetGlobal("w", v)
	if err := L.DoString(`assert(w[1] == "\255\0" and w.n == -2^53 and w.f == 0.1 and w[1.5] == true and w.t.s == "\200")`); err != nil {
		t.Fatal(err)
	}
}

// TestDecodeCharges: strings inside a stored table count against the
// request's memory budget as they are made.
func TestDecodeCharges(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	big := strings.Repeat("x", 2<<20)
	stored := binary.AppendUvarint([]byte("T-i\x02s"), uint64(len(big)))
	stored = append(append(stored, big...), 'e')
	ctx := stdlib.WithBudget(context.Background(), &limit{max: 1 << 20})
	if _, err := decode(ctx, L, stored); !errors.Is(err, stdlib.ErrMemoryLimit) {
		t.Fatalf("a 2 MiB string under a 1 MiB budget: %v", err)
	}
}

// limit is a stdlib.Budget of max bytes.
type limit struct{ used, max int }

func (l *limit) Charge(n int) error {
	if l.used += n; l.used > l.max {
		return stdlib.ErrMemoryLimit
	}
	return nil
}

// TestKeysCharged: the list store.keys builds counts against the request's
// memory budget.
func TestKeysCharged(t *testing.T) {
	L := lua.NewState()
	defer L.Close()
	s := gostore.NewMemory(0)
	for i := range 2000 {
		s.Set(context.Background(), strings.Repeat("k", 1000)+strconv.Itoa(i), []byte("1"), 0)
	}
	h := &budgetHost{BasicHost: stdlib.BasicHost{Shared: s}, ctx: stdlib.WithBudget(context.Background(), &limit{max: 1 << 20})}
	L.SetGlobal("store", open(L, h))
	err := L.DoString(`return store.keys()`)
	if err == nil || !strings.Contains(err.Error(), "request memory limit exceeded") {
		t.Fatalf("2 MB of keys under a 1 MiB budget: %v", err)
	}
}

// budgetHost is a BasicHost whose requests charge a budget.
type budgetHost struct {
	stdlib.BasicHost
	ctx context.Context
}

func (h *budgetHost) Context() context.Context { return h.ctx }
