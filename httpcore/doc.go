// Package httpcore is luaserve's HTTP/1.1 server core: the TCP listener,
// the request parser, the keep-alive connection loop and the response
// writer. It uses the standard library only and knows nothing of Lua; a
// Handler plugs in behind it.
//
// The pipeline of one connection (conn.go) is: wait for bytes, parse a head
// (request.go, zero-copy over a pooled read buffer), set up the body reader
// (body.go: Content-Length or chunked, under limits), call the Handler,
// complete the response (response.go), and loop. Errors that refuse a
// request are *ParseError values carrying their status; conn.go is the one
// place they become bytes on the wire, always followed by closing the
// connection. A keep-alive request through the core allocates nothing.
//
// Lifetime: a Request's byte slices point into the connection's read
// buffer and are valid only until the Handler returns; the ResponseWriter
// and Request are reused for the connection's next request. An idle
// connection holds neither a read nor a write buffer (on unix; elsewhere
// an idle connection waits in a plain Read, holding its read buffer).
//
// A handler that wants the whole body before it starts calls
// Request.ReceiveBody (receive.go): the body arrives under a whole-body
// deadline (BodyTimeout plus time per MinBodyRate bytes), into memory up
// to BodyMemory and into a temporary file past it, removed when the
// request ends.
//
// A request's context (Request.Context, context.go) is made only when the
// handler asks, and is cancelled when the handler returns at the latest.
// Once such a handler's request body is read, a goroutine watches the
// connection so that the context ends when the client goes away; it is
// stopped before the connection reads again, and nothing it read is lost.
//
// A handler may take the connection over after an upgrade handshake
// (ResponseWriter.Hijack, hijack.go): it keeps its MaxConns slot, Shutdown
// runs the RegisterOnShutdown hooks and waits for it, Close closes it. A
// handler streams a body by calling Flush: chunked from then on.
//
// It deliberately does not: speak HTTP/2 or TLS (yet), act as a proxy
// (CONNECT is refused), merge or keep trailers (they are validated and
// dropped), or guess a Content-Type: the handler sets it.
package httpcore
