package pubsub

import (
	"context"
	"sync"
	"testing"
)

type inbox struct {
	mu  sync.Mutex
	got []string
	hub Hub
	// leave, when set, unsubscribes from inside Deliver.
	leave bool
}

func (b *inbox) Deliver(topic string, msg []byte) {
	b.mu.Lock()
	b.got = append(b.got, topic+":"+string(msg))
	b.mu.Unlock()
	if b.leave {
		b.hub.Unsubscribe(topic, b)
	}
}

func (b *inbox) all() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.got...)
}

func TestMemory(t *testing.T) {
	ctx := context.Background()
	m := NewMemory()
	a, b := &inbox{}, &inbox{hub: m, leave: true}
	m.Subscribe(ctx, "t", a)
	m.Subscribe(ctx, "t", a) // twice is once
	m.Subscribe(ctx, "t", b)
	m.Subscribe(ctx, "u", a)
	if n := m.Subscribers("t"); n != 2 {
		t.Fatalf("%d subscribers, want 2", n)
	}
	m.Publish(ctx, "t", []byte("1")) // b leaves as it receives
	m.Publish(ctx, "t", []byte("2"))
	m.Publish(ctx, "u", []byte("3"))
	m.Publish(ctx, "none", []byte("4"))
	m.Unsubscribe("t", a)
	m.Publish(ctx, "t", []byte("5"))
	if got := a.all(); len(got) != 3 || got[0] != "t:1" || got[1] != "t:2" || got[2] != "u:3" {
		t.Fatalf("a got %v", got)
	}
	if got := b.all(); len(got) != 1 || got[0] != "t:1" {
		t.Fatalf("b got %v", got)
	}
	if m.Subscribers("t") != 0 {
		t.Fatal("topic t kept subscribers")
	}
}
