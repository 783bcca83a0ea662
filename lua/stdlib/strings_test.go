package stdlib_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// ctxHost is a Host whose requests run under ctx.
type ctxHost struct {
	stdlib.BasicHost
	ctx context.Context
}

func (h *ctxHost) Context() context.Context { return h.ctx }

// countdown is a context that ends after its Err has been asked n times:
// a deterministic "the time limit passed while it ran".
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// budget refuses past limit bytes, as the engine's does.
type budget struct{ used, limit int }

func (b *budget) Charge(n int) error {
	if b.used+n > b.limit {
		return fmt.Errorf("%w (%d bytes)", stdlib.ErrMemoryLimit, b.limit)
	}
	b.used += n
	return nil
}

// run runs code in a state whose requests run under ctx, and returns how
// long it took and its error.
func run(t *testing.T, ctx context.Context, code string) (time.Duration, error) {
	t.Helper()
	L := stdlib.NewState(&ctxHost{ctx: ctx}, stdlib.Options{})
	defer L.Close()
	start := time.Now()
	err := L.DoString(code)
	return time.Since(start), err
}

const catastrophic = `return string.match(("a"):rep(1e5) .. "b", "(.-)%w*c")`

// TestMatchStopsAtTimeLimit: the pattern of the security report, which
// gopher-lua's own string.match runs for hours, stops with the request's
// context.
func TestMatchStopsAtTimeLimit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	took, err := run(t, ctx, catastrophic)
	if err == nil || !strings.Contains(err.Error(), context.DeadlineExceeded.Error()) {
		t.Fatalf("got %v", err)
	}
	if took > 2*time.Second {
		t.Fatalf("stopped after %v", took)
	}
}

// TestPatternFunctionsCheckTheContext: each pattern function stops when
// the context ends part-way (after a few checks), gsub and gmatch between
// short matches too.
func TestPatternFunctionsCheckTheContext(t *testing.T) {
	t.Parallel()
	for name, code := range map[string]string{
		"find":   `return string.find(("a"):rep(1e5) .. "b", "(.-)%w*c")`,
		"match":  catastrophic,
		"gsub":   `return string.gsub(("a"):rep(1e6), "a", "b")`,
		"gmatch": `for _ in string.gmatch(("a"):rep(1e6), "a") do end`,
		"method": `local s = ("a"):rep(1e5) .. "b"; return s:match("(.-)%w*c")`,
	} {
		took, err := run(t, &countdown{Context: context.Background(), n: 5}, code)
		if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) || took > 2*time.Second {
			t.Errorf("%s: got %v after %v", name, err, took)
		}
	}
}

// TestRepBudget: string.rep charges its result before making it; past the
// budget it raises "request memory limit exceeded". gsub's result is
// charged too.
func TestRepBudget(t *testing.T) {
	t.Parallel()
	b := &budget{limit: 1 << 20}
	ctx := stdlib.WithBudget(context.Background(), b)
	if _, err := run(t, ctx, `assert(#string.rep("ab", 1000) == 2000)`); err != nil || b.used != 2000 {
		t.Fatalf("within the budget: %v, %d charged", err, b.used)
	}
	for name, code := range map[string]string{
		"rep":  `return string.rep("x", 2^21)`,
		"gsub": `return string.gsub(("x"):rep(1000), "x", ("y"):rep(2000))`,
		// one expansion of 200 times a 10 KB match (2 MB): charged before it is made
		"gsub_expand": `return string.gsub(("x"):rep(1e4), ".+", ("%0"):rep(200))`,
	} {
		// A budget of its own for each case: map order is random, and what
		// one case charged must not decide whether the next one fails.
		ctx := stdlib.WithBudget(context.Background(), &budget{limit: 1 << 20})
		_, err := run(t, ctx, code)
		if err == nil || !strings.Contains(err.Error(), "request memory limit exceeded") {
			t.Errorf("%s: got %v", name, err)
		}
	}
}

// TestRepStopsAtTimeLimit: a huge string.rep stops at once when the
// context has ended, and between chunks when it ends on the way.
func TestRepStopsAtTimeLimit(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	took, err := run(t, ctx, `return string.rep("x", 1e9)`)
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) || took > time.Second {
		t.Fatalf("cancelled: got %v after %v", err, took)
	}
	_, err = run(t, &countdown{Context: context.Background(), n: 3}, `return string.rep("x", 64 * 2^20)`)
	if err == nil || !strings.Contains(err.Error(), context.Canceled.Error()) {
		t.Fatalf("ended on the way: got %v", err)
	}
}
