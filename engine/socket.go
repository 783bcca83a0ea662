package engine

import (
	"context"
	"errors"
	"sync"
	"unicode/utf8"

	"github.com/luaserve/luaserve/pubsub"
	"github.com/luaserve/luaserve/websocket"
)

// socket is one WebSocket or event stream as scripts see it (a conn
// handle): it can be sent to, closed, subscribed to topics, and keeps a
// little data of its own, all from any state and any later request. It
// is the pubsub.Subscriber of its topics.
type socket struct {
	id      string
	rt      *Realtime
	pattern string // the route it was opened on: its handlers in whichever engine serves it
	sse     bool
	key     string // rtKey(sse, pattern), made once rather than per event
	// lastEventID is an event stream's Last-Event-ID: where a reconnecting
	// client left off.
	lastEventID string
	protocol    string // the WebSocket subprotocol chosen, "" for none

	mu     sync.Mutex
	ws     *websocket.Conn // nil until the upgrade; nil for a stream
	stream *eventStream    // an event stream's queue (sse.go)
	early  []earlyMsg      // sent before the upgrade
	size   int             // bytes in early
	ended  bool            // closed, or closing
	end    *websocket.CloseError
	data   map[string]any  // conn:set's values: string, float64, bool
	dsize  int             // bytes of keys and strings in data
	topics map[string]bool // subscribed
}

type earlyMsg struct {
	kind websocket.Kind
	msg  []byte
}

// Bounds of a socket's own data and subscriptions.
const (
	maxSocketData   = 64 << 10
	maxSocketTopics = 64
)

var (
	errSocketClosed = errors.New("connection closed")
	errTooMuchData  = errors.New("connection data over 64 KiB")
	errTooManyTopic = errors.New("more than 64 topics on one connection")
)

// Deliver is a published message (pubsub.Subscriber): to a WebSocket, its
// data as text when it is UTF-8, else as binary; to an event stream, an
// event with its id and name.
func (s *socket) Deliver(topic string, raw []byte) {
	m, err := pubsub.Decode(raw)
	if err != nil {
		return
	}
	if s.sse {
		var id *string
		if m.ID != "" {
			id = &m.ID
		}
		s.push(formatEvent(id, m.Event, m.Data, 0))
		return
	}
	kind := websocket.Text
	if !utf8.Valid(m.Data) {
		kind = websocket.Binary
	}
	s.send(kind, m.Data)
}

// send queues msg for the client; it never waits for the network.
func (s *socket) send(kind websocket.Kind, msg []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.ended:
		return errSocketClosed
	case s.stream != nil:
		return s.stream.push(formatEvent(nil, "", msg, 0))
	case s.ws != nil:
		return s.ws.Send(kind, msg)
	}
	if s.size+len(msg) > s.rt.sendQueue() {
		return websocket.ErrSlowReader
	}
	s.early = append(s.early, earlyMsg{kind, msg})
	s.size += len(msg)
	return nil
}

// close closes the connection (WebSocket: the close handshake with code;
// stream: its end), once.
func (s *socket) close(code int, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	s.ended = true
	s.end = &websocket.CloseError{Code: code, Reason: reason}
	switch {
	case s.ws != nil:
		s.ws.Close(code, reason)
	case s.stream != nil:
		s.stream.finish()
	}
}

// attach gives the socket its connection after the upgrade: what was sent
// before goes out first, and a close asked for before is done now.
func (s *socket) attach(c *websocket.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ws = c
	for _, m := range s.early {
		c.Send(m.kind, m.msg)
	}
	s.early, s.size = nil, 0
	if s.ended {
		c.Close(s.end.Code, s.end.Reason)
	}
}

// subscribe adds the socket to topic.
func (s *socket) subscribe(ctx context.Context, topic string) error {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return errSocketClosed
	}
	if s.topics[topic] {
		s.mu.Unlock()
		return nil
	}
	if len(s.topics) >= maxSocketTopics {
		s.mu.Unlock()
		return errTooManyTopic
	}
	if s.topics == nil {
		s.topics = map[string]bool{}
	}
	s.topics[topic] = true
	s.mu.Unlock()
	return s.rt.hub.Subscribe(ctx, topic, s)
}

func (s *socket) unsubscribe(topic string) {
	s.mu.Lock()
	had := s.topics[topic]
	delete(s.topics, topic)
	s.mu.Unlock()
	if had {
		s.rt.hub.Unsubscribe(topic, s)
	}
}

// leave ends the socket's subscriptions and registration: it is gone.
func (s *socket) leave() {
	s.mu.Lock()
	s.ended = true
	topics := s.topics
	s.topics = nil
	s.mu.Unlock()
	for t := range topics {
		s.rt.hub.Unsubscribe(t, s)
	}
	s.rt.remove(s)
}

// set stores one value of the socket's data (nil deletes), within
// maxSocketData.
func (s *socket) set(key string, v any) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, had := s.data[key]
	size := s.dsize - valueSize(key, old, had) + valueSize(key, v, v != nil)
	if size > maxSocketData {
		return errTooMuchData
	}
	if s.data == nil {
		s.data = map[string]any{}
	}
	if v == nil {
		delete(s.data, key)
	} else {
		s.data[key] = v
	}
	s.dsize = size
	return nil
}

func (s *socket) get(key string) any {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.data[key]
}

// valueSize is what a data entry counts against maxSocketData.
func valueSize(key string, v any, present bool) int {
	if !present {
		return 0
	}
	if str, ok := v.(string); ok {
		return len(key) + len(str) + 16
	}
	return len(key) + 16
}
