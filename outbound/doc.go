// Package outbound is the HTTP client behind luaserve.http: requests a
// script sends to other services. It knows nothing of Lua.
//
// One Client serves the whole server (every engine a reload builds): one
// net/http transport, so connections are pooled per host and kept alive,
// HTTP/2 is used when a server offers it, the system's CA roots are
// trusted (plus a configured CA file), and HTTP_PROXY, HTTPS_PROXY and
// NO_PROXY are honoured.
//
// Every call is bounded: a connect timeout, a total timeout that never
// outlasts the caller's context (the request that made the call), a
// response size limit, a redirect limit, a limit on calls in flight per
// host that fails fast rather than queueing, and an optional allow-list of
// hosts. A response is read whole into memory before Do returns; the
// caller keeps nothing of the client's.
//
// What it deliberately does not do: streaming bodies, cookies kept between
// calls, retries.
package outbound
