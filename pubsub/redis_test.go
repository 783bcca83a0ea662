package pubsub

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"
)

// openRedis opens two hubs (two instances) on the test server, with a
// prefix of this run's own: $LUASERVE_TEST_REDIS, by default the local
// server. Without one the test skips, or fails when LUASERVE_REQUIRE_REDIS
// is set.
func openRedis(t *testing.T) (*Redis, *Redis) {
	url := os.Getenv("LUASERVE_TEST_REDIS")
	if url == "" {
		url = "redis://127.0.0.1:6379/15"
	}
	prefix := fmt.Sprintf("luaserve-test:%d:%d:", os.Getpid(), time.Now().UnixNano())
	a, err := OpenRedis(context.Background(), url, prefix)
	if err != nil {
		if os.Getenv("LUASERVE_REQUIRE_REDIS") != "" {
			t.Fatalf("LUASERVE_REQUIRE_REDIS is set: %v", err)
		}
		t.Skipf("no Redis: %v", err)
	}
	b, err := OpenRedis(context.Background(), url, prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b
}

// chanInbox hands deliveries to the test.
type chanInbox chan string

func (c chanInbox) Deliver(topic string, msg []byte) { c <- topic + ":" + string(msg) }

func next(t *testing.T, c chanInbox) string {
	t.Helper()
	select {
	case m := <-c:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message")
	}
	return ""
}

// waitSubscribed waits until Redis counts n subscribers of topic: a
// SUBSCRIBE is asynchronous, and a message published before it took
// effect is not delivered.
func waitSubscribed(t *testing.T, r *Redis, topic string, n int64) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		counts, err := r.c.PubSubNumSub(context.Background(), r.prefix+topic).Result()
		if err == nil && counts[r.prefix+topic] == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("Redis counts %v subscribers of %s, want %d", counts, topic, n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestRedisAcrossInstances: a message published on one hub reaches the
// subscribers of both, once each; unsubscribing the last local
// subscriber leaves the Redis channel.
func TestRedisAcrossInstances(t *testing.T) {
	a, b := openRedis(t)
	ctx := context.Background()
	inA, inA2, inB := make(chanInbox, 8), make(chanInbox, 8), make(chanInbox, 8)
	a.Subscribe(ctx, "room", inA)
	a.Subscribe(ctx, "room", inA2)
	b.Subscribe(ctx, "room", inB)
	waitSubscribed(t, a, "room", 2) // one connection per instance
	if err := b.Publish(ctx, "room", []byte("hi")); err != nil {
		t.Fatal(err)
	}
	for _, in := range []chanInbox{inA, inA2, inB} {
		if m := next(t, in); m != "room:hi" {
			t.Fatalf("got %q", m)
		}
	}
	a.Unsubscribe("room", inA)
	a.Unsubscribe("room", inA2)
	waitSubscribed(t, a, "room", 1)
	a.Publish(ctx, "room", []byte("again"))
	if m := next(t, inB); m != "room:again" {
		t.Fatalf("got %q", m)
	}
	if len(inA) != 0 || len(inA2) != 0 {
		t.Fatal("an unsubscribed inbox got a message")
	}
}
