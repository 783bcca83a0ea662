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

func TestEnvelope(t *testing.T) {
	for _, m := range []Message{
		{Data: []byte("plain")},
		{Data: []byte{}},
		{Data: []byte("\x00starts with zero")},
		{ID: "42", Data: []byte("x")},
		{ID: "1", Event: "chat", Data: []byte("hello\x00")},
		{Event: "e"},
	} {
		b := Encode(m)
		got, err := Decode(b)
		if err != nil || got.ID != m.ID || got.Event != m.Event || string(got.Data) != string(m.Data) {
			t.Errorf("%+v -> %q -> %+v, %v", m, b, got, err)
		}
		if m.ID == "" && m.Event == "" && len(m.Data) > 0 && m.Data[0] != 0 && string(b) != string(m.Data) {
			t.Errorf("plain message %q encoded as %q", m.Data, b)
		}
	}
	for _, bad := range []string{"\x00", "\x00\x05ab", "\x00\x01a\x09"} {
		if _, err := Decode([]byte(bad)); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}
