// Package pubsub delivers messages published on a topic to the topic's
// subscribers: in process (Memory), or across processes through Redis
// (Redis). It knows nothing of Lua or WebSockets: a subscriber is anything
// that can take a message without blocking.
package pubsub

import (
	"context"
	"sync"
)

// Subscriber receives messages. Deliver must not block (queue the message
// or drop it): the hub calls it on the publisher's goroutine, or on the
// hub's own, and a slow subscriber must not hold up the others.
type Subscriber interface {
	Deliver(topic string, msg []byte)
}

// Hub is a publish/subscribe broker.
type Hub interface {
	// Publish sends msg to every subscriber of topic (on every instance,
	// for a shared hub). The subscribers may not change msg.
	Publish(ctx context.Context, topic string, msg []byte) error
	// Subscribe adds s to topic; subscribing twice is subscribing once.
	Subscribe(ctx context.Context, topic string, s Subscriber) error
	// Unsubscribe removes s from topic.
	Unsubscribe(topic string, s Subscriber)
	// Subscribers reports how many local subscribers topic has.
	Subscribers(topic string) int
	Close() error
}

// Memory is the in-process hub. A topic's subscribers are kept in an
// immutable slice replaced on change, so that publishing (the frequent
// operation) takes a read lock only to load it, then delivers with no
// lock held: a subscriber may unsubscribe from inside Deliver.
type Memory struct {
	mu     sync.RWMutex
	topics map[string][]Subscriber
}

// NewMemory returns an empty in-process hub.
func NewMemory() *Memory { return &Memory{topics: map[string][]Subscriber{}} }

// Publish delivers msg to topic's subscribers in this process.
func (m *Memory) Publish(_ context.Context, topic string, msg []byte) error {
	m.deliver(topic, msg)
	return nil
}

func (m *Memory) deliver(topic string, msg []byte) {
	m.mu.RLock()
	subs := m.topics[topic]
	m.mu.RUnlock()
	for _, s := range subs {
		s.Deliver(topic, msg)
	}
}

// Subscribe adds s to topic.
func (m *Memory) Subscribe(_ context.Context, topic string, s Subscriber) error {
	m.add(topic, s)
	return nil
}

// add adds s and reports whether it is the topic's first subscriber.
func (m *Memory) add(topic string, s Subscriber) (first bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	subs := m.topics[topic]
	for _, x := range subs {
		if x == s {
			return false
		}
	}
	next := make([]Subscriber, len(subs)+1)
	copy(next, subs)
	next[len(subs)] = s
	m.topics[topic] = next
	return len(subs) == 0
}

// Unsubscribe removes s from topic.
func (m *Memory) Unsubscribe(topic string, s Subscriber) { m.remove(topic, s) }

// remove removes s and reports whether the topic has no subscriber left.
func (m *Memory) remove(topic string, s Subscriber) (last bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	subs := m.topics[topic]
	for i, x := range subs {
		if x != s {
			continue
		}
		if len(subs) == 1 {
			delete(m.topics, topic)
			return true
		}
		next := make([]Subscriber, 0, len(subs)-1)
		next = append(append(next, subs[:i]...), subs[i+1:]...)
		m.topics[topic] = next
		return false
	}
	return false
}

// Subscribers reports how many subscribers topic has.
func (m *Memory) Subscribers(topic string) int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.topics[topic])
}

// Close does nothing: an in-process hub holds no resources.
func (m *Memory) Close() error { return nil }
