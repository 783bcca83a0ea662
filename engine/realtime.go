package engine

import (
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/luaserve/luaserve/pubsub"
	"github.com/luaserve/luaserve/websocket"
)

// Realtime is what outlives one engine for WebSockets and event streams:
// the open connections, the publish/subscribe hub, and the engine that
// serves their next events. A reload builds a new engine on the same
// Realtime (engine.Config.Realtime), so open connections stay open and
// their next events run the new script. Its zero value is not usable:
// call NewRealtime.
type Realtime struct {
	hub       pubsub.Hub
	ws        websocket.Options
	heartbeat time.Duration // between SSE comment lines
	nextID    atomic.Uint64
	current   atomic.Pointer[Engine] // the engine events go to
	jobs      chan eventJob          // to the event workers (realtime_event.go)
	workers   atomic.Int32

	mu      sync.Mutex
	sockets map[string]*socket // open, by id
	closing chan struct{}      // closed by Shutdown
	once    sync.Once
}

// RealtimeOptions bound WebSockets and event streams; zero fields take
// websocket's defaults and a 15 s heartbeat.
type RealtimeOptions struct {
	WebSocket websocket.Options
	// Heartbeat is how often an idle event stream gets a comment line,
	// which keeps proxies from timing it out and notices a client gone.
	Heartbeat time.Duration
}

// DefaultHeartbeat is the event streams' heartbeat when none is set.
const DefaultHeartbeat = 15 * time.Second

// NewRealtime returns a Realtime publishing through hub (nil: a new
// in-process pubsub.Memory).
func NewRealtime(hub pubsub.Hub, o RealtimeOptions) *Realtime {
	if hub == nil {
		hub = pubsub.NewMemory()
	}
	if o.Heartbeat <= 0 {
		o.Heartbeat = DefaultHeartbeat
	}
	return &Realtime{hub: hub, ws: o.WebSocket, heartbeat: o.Heartbeat,
		sockets: map[string]*socket{}, closing: make(chan struct{}), jobs: make(chan eventJob)}
}

// Hub is the publish/subscribe hub.
func (rt *Realtime) Hub() pubsub.Hub { return rt.hub }

// Open reports how many WebSockets and event streams are open.
func (rt *Realtime) Open() int {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return len(rt.sockets)
}

// Shutdown closes every WebSocket with 1001 (going away) and ends every
// event stream; new ones are refused. Give it to
// httpcore.Server.RegisterOnShutdown: the server then waits for them.
func (rt *Realtime) Shutdown() {
	rt.once.Do(func() { close(rt.closing) })
	rt.mu.Lock()
	all := make([]*socket, 0, len(rt.sockets))
	for _, s := range rt.sockets {
		all = append(all, s)
	}
	rt.mu.Unlock()
	for _, s := range all {
		s.close(websocket.CloseGoingAway, "server shutting down")
	}
}

func (rt *Realtime) shuttingDown() bool {
	select {
	case <-rt.closing:
		return true
	default:
		return false
	}
}

// newSocket makes a socket for a handshake under way; it is registered
// (found by id) once the connection is open.
func (rt *Realtime) newSocket(pattern string, sse bool) *socket {
	id := strconv.FormatUint(rt.nextID.Add(1), 10)
	return &socket{id: id, rt: rt, pattern: pattern, sse: sse, key: rtKey(sse, pattern)}
}

func (rt *Realtime) add(s *socket) bool {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	if rt.shuttingDown() {
		return false
	}
	rt.sockets[s.id] = s
	return true
}

func (rt *Realtime) remove(s *socket) {
	rt.mu.Lock()
	delete(rt.sockets, s.id)
	rt.mu.Unlock()
}

func (rt *Realtime) get(id string) *socket {
	rt.mu.Lock()
	defer rt.mu.Unlock()
	return rt.sockets[id]
}

// sendQueue bounds what waits for one client: a WebSocket's messages
// before the upgrade, an event stream's events.
func (rt *Realtime) sendQueue() int {
	if rt.ws.SendQueue > 0 {
		return rt.ws.SendQueue
	}
	return websocket.DefaultSendQueue
}
