package websocket

import (
	"sync"
	"time"
)

// sendQueue holds the messages Send accepted and not yet written. A writer
// goroutine runs while it is not empty, so that an idle connection has
// none and a sender never waits for a slow peer.
type sendQueue struct {
	qmu     sync.Mutex
	pending []queued // not yet taken by the writer
	bytes   int      // queued and in flight
	writing bool     // a writer goroutine runs
	stopped bool     // closing: nothing more is accepted
}

type queued struct {
	op   byte
	data []byte
	end  *CloseError // for a close frame: what it says
}

// ErrSlowReader is Send's error when the peer let too much pile up; the
// connection is being closed with 1008.
var ErrSlowReader = &CloseError{Code: ClosePolicy, Reason: "send queue full"}

// Send queues a message for the peer and returns without waiting for it
// to be written. Past Options.SendQueue bytes queued the peer is too slow:
// the queue is dropped, the connection closed with 1008 and ErrSlowReader
// returned. The data must not change afterwards.
func (c *Conn) Send(k Kind, data []byte) error {
	op := byte(k)
	if c.deflate && len(data) >= compressMin {
		data, op = compress(data), op|rsv1
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.stopped {
		return ErrClosed
	}
	if c.bytes > 0 && c.bytes+len(data) > c.opt.SendQueue {
		c.pending = nil
		c.queueCloseLocked(ErrSlowReader)
		// A write blocked on the slow peer ends soon; the close follows.
		c.nc.SetWriteDeadline(time.Now().Add(time.Second))
		return ErrSlowReader
	}
	if !c.writing && c.raw != nil && len(data) <= maxWriteNow {
		c.writing = true // the socket is ours: later Sends queue behind us
		c.qmu.Unlock()
		rest := c.writeNow(op, data)
		c.qmu.Lock()
		c.writing = false
		if len(rest) > 0 {
			c.pending = append([]queued{{op: opRaw, data: rest}}, c.pending...)
			c.bytes += len(rest)
		}
		if len(c.pending) > 0 {
			c.startWriterLocked()
		}
		return nil
	}
	c.pending = append(c.pending, queued{op: op, data: data})
	c.bytes += len(data)
	c.startWriterLocked()
	return nil
}

// compressMin is the smallest message sent compressed: below it the
// saving does not pay for the work.
const compressMin = 128

// maxWriteNow bounds the messages Send tries to write at once (copied
// with their header into one buffer); larger ones go to the writer.
const maxWriteNow = 16 << 10

// opRaw marks queued bytes that are already framed: the rest of a frame
// the socket took only part of.
const opRaw = 0xFF

// writeNow writes a frame as far as the socket takes it without waiting,
// and returns what is left (nil when all went out or the socket failed).
// Most messages go out here, on the sender's goroutine: a writer
// goroutine starts only for a peer that reads slower than we write.
func (c *Conn) writeNow(op byte, data []byte) []byte {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.werr != nil {
		return nil
	}
	buf := append(appendHeader(make([]byte, 0, 14+len(data)), op, true, len(data)), data...)
	n := tryWrite(c.raw, buf)
	if n < 0 {
		c.werr = ErrClosed
		c.closeSocket()
		return nil
	}
	return buf[n:]
}

// Close starts the close handshake: the close frame goes after what is
// queued, and the reader ends when the peer answers (or after a few
// seconds). A code that may not be sent becomes 1000. Later calls do
// nothing.
func (c *Conn) Close(code int, reason string) error {
	if !ValidSendCode(code) {
		code = CloseNormal
	}
	c.qmu.Lock()
	defer c.qmu.Unlock()
	if c.stopped {
		return ErrClosed
	}
	c.queueCloseLocked(&CloseError{Code: code, Reason: reason})
	return nil
}

func (c *Conn) queueCloseLocked(ce *CloseError) {
	c.stopped = true
	c.pending = append(c.pending, queued{op: opClose, end: ce})
	c.startWriterLocked()
}

func (c *Conn) startWriterLocked() {
	if !c.writing {
		c.writing = true
		go c.drain()
	}
}

// drain is the writer goroutine: it writes what is queued, in order, and
// returns when the queue is empty.
func (c *Conn) drain() {
	for {
		c.qmu.Lock()
		batch := c.pending
		c.pending = nil
		if len(batch) == 0 {
			c.writing = false
			c.qmu.Unlock()
			return
		}
		c.qmu.Unlock()
		n := 0
		for _, m := range batch {
			if m.op == opClose {
				c.sendClose(m.end)
				// Whoever reads gets the answer; should nobody, the socket
				// closes anyway.
				time.AfterFunc(closeWait, c.closeSocket)
				continue
			}
			c.writeFrame(m.op, m.data)
			n += len(m.data)
		}
		c.qmu.Lock()
		c.bytes -= n
		c.qmu.Unlock()
	}
}

// stopQueue refuses further sends and drops what is queued.
func (c *Conn) stopQueue() {
	c.qmu.Lock()
	c.stopped = true
	c.pending = nil
	c.qmu.Unlock()
}
