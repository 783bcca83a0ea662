package stdlib

import (
	"context"
	"errors"
)

// ErrMemoryLimit is the cause of a request stopped for asking for more
// memory than its budget: built-ins that build large values from input
// (string.rep, table.concat, string.format, JSON decoding, ...) charge
// what they are about to allocate before they allocate it.
var ErrMemoryLimit = errors.New("request memory limit exceeded")

// Budget bounds what one request may allocate through the built-ins that
// charge it. The engine gives each request a fresh one through the
// request's context.
type Budget interface {
	// Charge records n more bytes; past the budget it returns an error
	// wrapping ErrMemoryLimit, and the caller must not allocate.
	Charge(n int) error
}

type budgetKey struct{}

// BudgetKey is the context key under which a request's Budget is found;
// a context implementation returns its Budget for it from Value.
var BudgetKey any = budgetKey{}

// Charge charges n bytes to the budget of ctx's request; without one (a
// test runner's state, a tool's) it allows everything.
func Charge(ctx context.Context, n int) error {
	if b, ok := ctx.Value(BudgetKey).(Budget); ok {
		return b.Charge(n)
	}
	return nil
}

// WithBudget returns a context whose requests charge b.
func WithBudget(ctx context.Context, b Budget) context.Context {
	return context.WithValue(ctx, BudgetKey, b)
}

// Check is what a long-running built-in does now and then (every thousand
// values, say): it returns the cause when ctx's request has ended (its
// time limit, its client gone), and otherwise charges n more bytes.
func Check(ctx context.Context, n int) error {
	if ctx.Err() != nil {
		return context.Cause(ctx)
	}
	return Charge(ctx, n)
}
