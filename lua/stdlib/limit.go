package stdlib

import "context"

type timeLimitKey struct{}

// TimeLimitKey is the context key under which a request's context gives
// its time-limit context (see TimeLimit); a context implementation returns
// it from Value.
var TimeLimitKey any = timeLimitKey{}

// TimeLimit returns the context that ends when ctx's route is stopped (its
// time limit, the memory watchdog, a module that saw the client leave),
// without starting the watch for a client that goes away, which costs a
// goroutine and a few wake-ups per request. For work that is CPU, as the
// route's Lua code is, and that the time limit bounds anyway: a SQLite
// query. Without one (a test runner's state), it returns ctx.
func TimeLimit(ctx context.Context) context.Context {
	if c, ok := ctx.Value(TimeLimitKey).(context.Context); ok {
		return c
	}
	return ctx
}
