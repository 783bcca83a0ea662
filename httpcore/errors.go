package httpcore

import (
	"errors"
	"strconv"
)

// ParseError is a request the core refuses. It carries the status to answer
// with; Reason is short, contains no request bytes and is safe to send.
type ParseError struct {
	Status int
	Reason string
}

func (e *ParseError) Error() string {
	return "httpcore: " + strconv.Itoa(e.Status) + " " + e.Reason
}

// StatusOf reports the HTTP status that err asks for: a *ParseError's own
// status, 0 for anything else.
func StatusOf(err error) int {
	// A loop rather than errors.As, whose target would be allocated on every
	// call: this runs once per request.
	for err != nil {
		if pe, ok := err.(*ParseError); ok {
			return pe.Status
		}
		err = errors.Unwrap(err)
	}
	return 0
}

// ErrServerClosed is returned by Serve after Shutdown or Close. It is also
// the cause of the request contexts that Close cancels.
var ErrServerClosed = errors.New("httpcore: server closed")

// ErrClientGone is the cause of a request context cancelled because the
// client closed the connection.
var ErrClientGone = errors.New("httpcore: client went away")

// ErrBodyTooLarge is the error a body read returns once the body passes the
// server's MaxBodyBytes; StatusOf reports 413 for it.
var ErrBodyTooLarge error = errBodyTooLarge

// Parse errors are preallocated: answering garbage must not cost garbage.
var (
	errBadRequestLine     = &ParseError{400, "malformed request line"}
	errBadMethod          = &ParseError{400, "malformed method"}
	errBadTarget          = &ParseError{400, "malformed request target"}
	errBadVersion         = &ParseError{400, "malformed HTTP version"}
	errVersion            = &ParseError{505, "HTTP version not supported"}
	errURITooLong         = &ParseError{414, "request line too long"}
	errHeaderTooLarge     = &ParseError{431, "header section too large"}
	errTooManyFields      = &ParseError{431, "too many header fields"}
	errBadHeaderName      = &ParseError{400, "malformed header field name"}
	errSpaceBeforeColon   = &ParseError{400, "whitespace before colon in header field"}
	errObsFold            = &ParseError{400, "obsolete line folding"}
	errBadHeaderValue     = &ParseError{400, "invalid character in header field value"}
	errBareCR             = &ParseError{400, "bare CR in header section"}
	errNoHost             = &ParseError{400, "missing Host header"}
	errManyHosts          = &ParseError{400, "more than one Host header"}
	errBadHost            = &ParseError{400, "malformed Host header"}
	errBadContentLength   = &ParseError{400, "malformed Content-Length"}
	errManyContentLengths = &ParseError{400, "conflicting Content-Length values"}
	errCLAndTE            = &ParseError{400, "both Content-Length and Transfer-Encoding"}
	errChunkedNotLast     = &ParseError{400, "chunked is not the final transfer coding"}
	errManyTE             = &ParseError{400, "more than one Transfer-Encoding field"}
	errUnknownCoding      = &ParseError{501, "transfer coding not implemented"}
	errTEInHTTP10         = &ParseError{400, "Transfer-Encoding in an HTTP/1.0 request"}
	errExpectation        = &ParseError{417, "expectation not supported"}
	errBadPath            = &ParseError{400, "malformed percent-encoding in path"}
	errConnect            = &ParseError{501, "CONNECT is not supported"}
	errBadChunk           = &ParseError{400, "malformed chunked body"}
	errChunkTooLarge      = &ParseError{400, "chunk size overflows"}
	errTrailerTooLarge    = &ParseError{431, "trailer section too large"}
	errBodyTooLarge       = &ParseError{413, "request body too large"}
	errTruncatedBody      = &ParseError{400, "request body ended early"}
)
