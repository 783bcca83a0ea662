package password

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/crypto/argon2"
	"golang.org/x/crypto/bcrypt"
)

// Params are argon2id's cost parameters.
type Params struct {
	Memory  uint32 // KiB of memory one hash fills
	Time    uint32 // passes over that memory
	Threads uint8  // lanes, each on its own goroutine
}

// Default is OWASP's first recommended argon2id configuration (Password
// Storage Cheat Sheet): 19 MiB, 2 passes, 1 lane. One lane keeps a hash on
// one CPU, so the limit on concurrent hashes is a limit on CPUs.
var Default = Params{Memory: 19 * 1024, Time: 2, Threads: 1}

// Bounds on parameters, given or read from a stored hash: a hash in the
// store with m=4 GiB must not make a log-in take the server's memory.
const (
	MinMemory  = 8 * 1024   // KiB
	MaxMemory  = 256 * 1024 // KiB
	MaxTime    = 16
	MaxThreads = 16
	saltLen    = 16
	keyLen     = 32
)

var (
	// ErrFormat is wrapped by errors about a stored hash that cannot be read.
	ErrFormat = errors.New("password: malformed hash")
	// ErrParams is wrapped by errors about parameters out of bounds.
	ErrParams = errors.New("password: parameters out of bounds")
)

// Check returns an error wrapping ErrParams when p is outside the bounds.
func (p Params) Check() error {
	switch {
	case p.Memory < MinMemory || p.Memory > MaxMemory:
		return fmt.Errorf("%w: memory must be %d to %d KiB", ErrParams, MinMemory, MaxMemory)
	case p.Time < 1 || p.Time > MaxTime:
		return fmt.Errorf("%w: time must be 1 to %d", ErrParams, MaxTime)
	case p.Threads < 1 || p.Threads > MaxThreads:
		return fmt.Errorf("%w: threads must be 1 to %d", ErrParams, MaxThreads)
	}
	return nil
}

// Hashed is a stored hash, read by Parse.
type Hashed struct {
	Params        // argon2id's; zero for bcrypt
	Salt   []byte // argon2id's
	Key    []byte // argon2id's
	bcrypt []byte // the whole bcrypt hash; nil for argon2id
}

// MemoryBytes is what checking a password against h allocates, roughly.
func (h *Hashed) MemoryBytes() int {
	if h.bcrypt != nil {
		return 4 << 10
	}
	return int(h.Memory) << 10
}

// Hash returns the PHC string of password hashed with p and a fresh
// random salt. It waits for a free hashing slot (see the package comment).
func Hash(ctx context.Context, pw []byte, p Params) (string, error) {
	if err := p.Check(); err != nil {
		return "", err
	}
	salt := make([]byte, saltLen)
	rand.Read(salt) // never fails (crypto/rand, Go 1.24)
	if err := slots.acquire(ctx, int(p.Threads)); err != nil {
		return "", err
	}
	key := argon2.IDKey(pw, salt, p.Time, p.Memory, p.Threads, keyLen)
	slots.release(int(p.Threads))
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.Memory, p.Time, p.Threads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// Verify reports whether pw is the password h was made from, comparing in
// constant time. It waits for a free hashing slot as Hash does.
func Verify(ctx context.Context, pw []byte, h *Hashed) (bool, error) {
	n := int(h.Threads)
	if h.bcrypt != nil {
		n = 1
	}
	if err := slots.acquire(ctx, n); err != nil {
		return false, err
	}
	defer slots.release(n)
	if h.bcrypt != nil {
		return bcrypt.CompareHashAndPassword(h.bcrypt, pw) == nil, nil
	}
	key := argon2.IDKey(pw, h.Salt, h.Time, h.Memory, h.Threads, uint32(len(h.Key)))
	return subtle.ConstantTimeCompare(key, h.Key) == 1, nil
}

// NeedsRehash reports whether h was made otherwise than Hash(p) would make
// it now: bcrypt, other parameters, or another salt or key length.
func NeedsRehash(h *Hashed, p Params) bool {
	return h.bcrypt != nil || h.Params != p || len(h.Salt) != saltLen || len(h.Key) != keyLen
}

// Parse reads a stored hash: argon2id in the PHC format, or bcrypt. Errors
// wrap ErrFormat, or ErrParams for costs outside the bounds.
func Parse(s string) (*Hashed, error) {
	if strings.HasPrefix(s, "$2a$") || strings.HasPrefix(s, "$2b$") || strings.HasPrefix(s, "$2y$") {
		if _, err := bcrypt.Cost([]byte(s)); err != nil || len(s) != 60 {
			return nil, fmt.Errorf("%w: bad bcrypt hash", ErrFormat)
		}
		return &Hashed{bcrypt: []byte(s)}, nil
	}
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return nil, fmt.Errorf("%w: want $argon2id$v=19$m=...,t=...,p=...$salt$key or bcrypt", ErrFormat)
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return nil, fmt.Errorf("%w: unsupported argon2 version %q", ErrFormat, parts[2])
	}
	p, err := parseParams(parts[3])
	if err != nil {
		return nil, err
	}
	salt, err1 := base64.RawStdEncoding.Strict().DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.Strict().DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 {
		return nil, fmt.Errorf("%w: bad salt or key", ErrFormat)
	}
	return &Hashed{Params: p, Salt: salt, Key: key}, nil
}

// parseParams reads "m=19456,t=2,p=1", in that order, as the PHC format
// writes them.
func parseParams(s string) (Params, error) {
	var p Params
	var vals [3]uint64
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, fmt.Errorf("%w: bad parameters %q", ErrFormat, s)
	}
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || (len(v) > 1 && v[0] == '0') {
			return p, fmt.Errorf("%w: bad parameters %q", ErrFormat, s)
		}
		vals[i] = n
	}
	if vals[2] > 255 {
		return p, fmt.Errorf("%w: p=%d", ErrParams, vals[2])
	}
	p = Params{Memory: uint32(vals[0]), Time: uint32(vals[1]), Threads: uint8(vals[2])}
	// Stored hashes may be cheaper than Hash makes (they verify, and need
	// a rehash), never dearer than the bounds.
	switch {
	case p.Threads < 1 || p.Threads > MaxThreads, p.Time < 1 || p.Time > MaxTime,
		p.Memory < 8*uint32(p.Threads) || p.Memory > MaxMemory:
		return p, fmt.Errorf("%w: m=%d,t=%d,p=%d", ErrParams, p.Memory, p.Time, p.Threads)
	}
	return p, nil
}
