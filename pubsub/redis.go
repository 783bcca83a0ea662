package pubsub

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a hub shared by every process on one Redis server: Publish is
// a Redis PUBLISH, and one connection per process SUBSCRIBEs to the
// topics its local subscribers want, delivering what arrives to them. So a
// message published on one instance reaches subscribers on all, this one
// included (through Redis, in the order Redis saw them).
//
// Redis pub/sub is fire and forget: a process that is disconnected misses
// what was published meanwhile (go-redis reconnects and subscribes again).
type Redis struct {
	local  *Memory // this process's subscribers
	c      *redis.Client
	ps     *redis.PubSub
	prefix string     // of every channel: topics of other apps stay apart
	mu     sync.Mutex // orders SUBSCRIBE and UNSUBSCRIBE with the local lists
	done   chan struct{}
}

// DefaultRedisPrefix prefixes the Redis channel of every topic.
const DefaultRedisPrefix = "luaserve:pubsub:"

// OpenRedis connects to the server a redis:// URL names, checks that it
// answers and starts receiving. Channels are prefix + topic.
func OpenRedis(ctx context.Context, url, prefix string) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("pubsub: %w", err)
	}
	c := redis.NewClient(opt)
	pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.Ping(pctx).Err(); err != nil {
		c.Close()
		return nil, fmt.Errorf("pubsub: redis at %s: %w", opt.Addr, err)
	}
	r := &Redis{local: NewMemory(), c: c, ps: c.Subscribe(ctx), prefix: prefix, done: make(chan struct{})}
	go r.receive()
	return r, nil
}

// receive delivers what Redis sends to the local subscribers, until Close.
func (r *Redis) receive() {
	defer close(r.done)
	for m := range r.ps.Channel(redis.WithChannelSize(1024)) {
		topic, ok := strings.CutPrefix(m.Channel, r.prefix)
		if ok {
			r.local.deliver(topic, []byte(m.Payload))
		}
	}
}

// Publish sends msg to topic's subscribers on every instance.
func (r *Redis) Publish(ctx context.Context, topic string, msg []byte) error {
	if err := r.c.Publish(ctx, r.prefix+topic, msg).Err(); err != nil {
		return fmt.Errorf("publish %s: %w", topic, err)
	}
	return nil
}

// Subscribe adds s to topic, subscribing this process to it in Redis
// when s is its first local subscriber.
func (r *Redis) Subscribe(ctx context.Context, topic string, s Subscriber) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.local.add(topic, s) {
		return nil
	}
	if err := r.ps.Subscribe(ctx, r.prefix+topic); err != nil {
		r.local.remove(topic, s)
		return fmt.Errorf("subscribe %s: %w", topic, err)
	}
	return nil
}

// Unsubscribe removes s from topic, and this process from the Redis
// channel when s was its last local subscriber.
func (r *Redis) Unsubscribe(topic string, s Subscriber) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.local.remove(topic, s) {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		r.ps.Unsubscribe(ctx, r.prefix+topic)
	}
}

// Subscribers reports how many subscribers topic has in this process.
func (r *Redis) Subscribers(topic string) int { return r.local.Subscribers(topic) }

// Close stops receiving and closes the connections.
func (r *Redis) Close() error {
	r.ps.Close()
	<-r.done
	return r.c.Close()
}
