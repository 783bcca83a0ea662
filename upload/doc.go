// Package upload parses multipart/form-data request bodies (RFC 7578)
// into fields and files, under limits: parts, part header size, field
// size; a file past a memory threshold goes to a temporary file, which
// Form.RemoveAll deletes. Failures are *Error values carrying the status
// to answer (400 malformed, 413 over a limit).
//
// It knows no Lua and no HTTP server: it reads an io.Reader. It does not
// decode Content-Transfer-Encoding (RFC 7578, section 4.7: senders do not
// use it) and keeps a file's name only as a sanitised base name.
package upload
