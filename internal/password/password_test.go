package password

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// cheap keeps the tests fast; Default is tested once.
var cheap = Params{Memory: MinMemory, Time: 1, Threads: 1}

// TestKnownAnswer: a PHC string built from the argon2 reference CLI's
// output (password "password", salt "somesalt", as golang.org/x/crypto's
// own tests use) verifies, and so does bcrypt's known answer.
func TestKnownAnswer(t *testing.T) {
	key, _ := hex.DecodeString("145db9733a9f4ee43edf33c509be96b934d505a4efb33c5a")
	phc := "$argon2id$v=19$m=4096,t=4,p=4$c29tZXNhbHQ$" + base64.RawStdEncoding.EncodeToString(key)
	for _, tc := range []struct {
		hash, pw string
		ok       bool
	}{
		{phc, "password", true},
		{phc, "Password", false},
		{"$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga", "allmine", true},
		{"$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga", "allmine ", false},
	} {
		h, err := Parse(tc.hash)
		if err != nil {
			t.Fatalf("%s: %v", tc.hash, err)
		}
		ok, err := Verify(context.Background(), []byte(tc.pw), h)
		if err != nil || ok != tc.ok {
			t.Errorf("%s with %q: got %v %v, want %v", tc.hash, tc.pw, ok, err, tc.ok)
		}
		if !NeedsRehash(h, Default) {
			t.Errorf("%s: a weaker hash needs a rehash", tc.hash)
		}
	}
}

func TestHashVerify(t *testing.T) {
	ctx := context.Background()
	s, err := Hash(ctx, []byte("correct horse\x00battery"), Default)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "$argon2id$v=19$m=19456,t=2,p=1$") || len(s) != len("$argon2id$v=19$m=19456,t=2,p=1$")+22+1+43 {
		t.Fatalf("hash %q", s)
	}
	h, err := Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	if NeedsRehash(h, Default) || !NeedsRehash(h, cheap) {
		t.Errorf("NeedsRehash compares the parameters")
	}
	for pw, want := range map[string]bool{"correct horse\x00battery": true, "correct horse": false, "": false} {
		if ok, err := Verify(ctx, []byte(pw), h); ok != want || err != nil {
			t.Errorf("%q: got %v %v", pw, ok, err)
		}
	}
	s2, _ := Hash(ctx, []byte("correct horse\x00battery"), cheap)
	if s2[len(s2)-66:] == s[len(s)-66:] {
		t.Errorf("two hashes share a salt")
	}
}

func TestParseRefuses(t *testing.T) {
	for _, tc := range []struct {
		name, hash string
		want       error
	}{
		{"empty", "", ErrFormat},
		{"argon2i", "$argon2i$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrFormat},
		{"old_version", "$argon2id$v=16$m=4096,t=3,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrFormat},
		{"huge_memory", "$argon2id$v=19$m=4194304,t=3,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrParams},
		{"many_passes", "$argon2id$v=19$m=4096,t=1000,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrParams},
		{"zero_threads", "$argon2id$v=19$m=4096,t=3,p=0$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrParams},
		{"many_threads", "$argon2id$v=19$m=4096,t=3,p=255$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrParams},
		{"param_order", "$argon2id$v=19$t=3,m=4096,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrFormat},
		{"leading_zero", "$argon2id$v=19$m=04096,t=3,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43), ErrFormat},
		{"short_salt", "$argon2id$v=19$m=4096,t=3,p=1$c29t$" + strings.Repeat("A", 43), ErrFormat},
		{"padded_key", "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43) + "=", ErrFormat},
		{"extra_part", "$argon2id$v=19$m=4096,t=3,p=1$c29tZXNhbHQ$" + strings.Repeat("A", 43) + "$", ErrFormat},
		{"short_bcrypt", "$2a$10$XajjQvNhvvRt5GSeFk1xFe", ErrFormat},
		{"bcrypt_cost_99", "$2a$99$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga", ErrFormat},
	} {
		if _, err := Parse(tc.hash); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

func TestHashRefusesBadParams(t *testing.T) {
	for _, p := range []Params{{Memory: 1024, Time: 1, Threads: 1}, {Memory: MaxMemory + 1, Time: 1, Threads: 1},
		{Memory: MinMemory, Time: 0, Threads: 1}, {Memory: MinMemory, Time: 1, Threads: 0}} {
		if _, err := Hash(context.Background(), []byte("x"), p); !errors.Is(err, ErrParams) {
			t.Errorf("%+v: got %v", p, err)
		}
	}
}

// TestWaitingHashGivesUp: with every slot taken, a hash waits, and its
// request's end (here a cancelled context) lets it go with the cause.
func TestWaitingHashGivesUp(t *testing.T) {
	all := cap(slots.slots)
	if err := slots.acquire(context.Background(), all); err != nil {
		t.Fatal(err)
	}
	defer slots.release(all)
	cause := errors.New("request time limit")
	ctx, cancel := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := Hash(ctx, []byte("pw"), cheap)
		done <- err
	}()
	cancel(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("got %v, want the context's cause", err)
	}
	if len(slots.slots) != all {
		t.Fatalf("a hash that gave up holds slots: %d of %d", len(slots.slots), all)
	}
}

// TestLimiterNoDeadlock: acquirers of several slots each never hold part
// of what another waits for; all finish.
func TestLimiterNoDeadlock(t *testing.T) {
	l := newLimiter(2)
	done := make(chan struct{})
	for range 8 {
		go func() {
			for range 100 {
				if l.acquire(context.Background(), 2) == nil {
					l.release(2)
				}
			}
			done <- struct{}{}
		}()
	}
	for range 8 {
		<-done
	}
	if len(l.slots) != 0 {
		t.Fatalf("%d slots still held", len(l.slots))
	}
}

func BenchmarkHashDefault(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		Hash(context.Background(), []byte("correct horse battery staple"), Default)
	}
}

func BenchmarkVerifyDefault(b *testing.B) {
	s, _ := Hash(context.Background(), []byte("correct horse battery staple"), Default)
	h, _ := Parse(s)
	b.ReportAllocs()
	for b.Loop() {
		Verify(context.Background(), []byte("correct horse battery staple"), h)
	}
}
