// Package websocket is the server side of RFC 6455 over httpcore: the
// opening handshake (Upgrade), framing with masking and fragmentation,
// control frames (ping, pong, close) interleaved in fragmented messages,
// the close handshake with its codes, UTF-8 checks of text, a maximum
// message size, an idle ping and a bounded send queue.
//
// It knows nothing of Lua. permessage-deflate (RFC 7692) is accepted when
// Options.Compression is set, without context takeover either way, so that
// no compression window outlives a message (deflate.go). It does not dial:
// it is a server only.
//
// Memory: an idle connection holds its Conn (a few hundred bytes) and no
// read buffer: a frame's first two bytes are read into an array in the
// Conn, and only then is its payload allocated, at its exact size. The
// send queue holds the messages not yet written; a writer goroutine runs
// only while it is not empty.
//
// Concurrency: one goroutine reads (ReadMessage); any goroutine may Send
// or Close.
package websocket
