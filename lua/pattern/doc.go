// Package pattern implements Lua 5.1 patterns (the Lua 5.1 reference
// manual, section 5.4.1) for string.find, string.match, string.gmatch and
// string.gsub, with a bound on the work a match may do.
//
// It exists because gopher-lua's matcher is a Go function the VM cannot
// interrupt: a route that runs a backtracking pattern such as
// "(.-)%w*c" over a long client-supplied string would hold its CPU for
// hours, past any time limit. Here every match counts its steps and calls
// the caller's check function every checkEvery steps; when check returns
// an error, the match stops with it. Backtracking nests at most maxDepth
// quantifiers deep ("pattern too complex", as Lua 5.2 and later say).
//
// The package is plain Go: it knows no Lua state, and returns byte offsets
// counted from 0 (the binding adds 1). A Pattern is immutable once
// compiled and safe for concurrent use; matching allocates nothing when
// the caller passes a captures buffer of room enough.
//
// It follows Lua 5.1, with these deliberate departures:
//   - Malformed patterns fail when compiled, not when the matcher first
//     reaches the malformed part: string.match("b", "a)") is an error
//     here and nil in Lua 5.1, which only noticed the stray ')' after
//     matching the "a".
//   - A NUL byte in a pattern is an ordinary character (as in Lua 5.2
//     and later); Lua 5.1 ended the pattern there.
//   - Backtracking is bounded (maxDepth), as in Lua 5.2 and later.
//
// It does not do: Lua 5.2's %g class, or anything beyond 5.1 patterns;
// locales (the classes are those of the C locale, ASCII).
package pattern
