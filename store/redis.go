package store

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is a Store kept in a Redis server, shared by every luaserve
// process that names it. Each operation is one Redis command or one
// server-side script, so it stays atomic across processes; nothing is read,
// changed in Go and written back.
type Redis struct {
	c    *redis.Client
	addr string
}

// OpenRedis connects to the server a redis:// (or rediss://) URL names
// and checks that it answers, so that a wrong address is a start-up error.
// poolSize bounds the connections (0: go-redis's default).
func OpenRedis(ctx context.Context, url string, poolSize int) (*Redis, error) {
	opt, err := redis.ParseURL(url)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if poolSize > 0 {
		opt.PoolSize = poolSize
	}
	// go-redis retries a command after a network error, and INCR or a
	// script may then run twice; a request fails (503) instead, and the
	// pool drops the broken connection.
	if !strings.Contains(url, "max_retries=") {
		opt.MaxRetries = -1
	}
	r := &Redis{c: redis.NewClient(opt), addr: opt.Addr}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := r.c.Ping(ctx).Err(); err != nil {
		r.c.Close()
		return nil, fmt.Errorf("store: redis at %s: %w", opt.Addr, err)
	}
	return r, nil
}

// Ping checks that the server answers.
func (r *Redis) Ping(ctx context.Context) error {
	if err := r.c.Ping(ctx).Err(); err != nil {
		return r.fail("ping", err)
	}
	return nil
}

// Close closes the connections.
func (r *Redis) Close() error { return r.c.Close() }

// fail words err; one that is not Redis's own answer (a WRONGTYPE, a
// script error) nor the request's context ending means the server could
// not be reached, and wraps ErrUnavailable.
func (r *Redis) fail(op string, err error) error {
	var reply redis.Error
	if errors.As(err, &reply) && notServing(reply.Error()) {
		return fmt.Errorf("%w: %s: redis at %s: %w", ErrUnavailable, op, r.addr, err)
	}
	if errors.As(err, &reply) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("store: %s: redis at %s: %w", op, r.addr, err)
	}
	return fmt.Errorf("%w: %s: redis at %s: %w", ErrUnavailable, op, r.addr, err)
}

// notServing reports whether a reply from Redis means it cannot serve now
// (loading its data after a restart, a busy script, a replica cut off, no
// connection slots), rather than that the command was wrong.
func notServing(msg string) bool {
	for _, p := range []string{"LOADING ", "BUSY ", "MASTERDOWN ", "TRYAGAIN ", "CLUSTERDOWN ", "ERR max number of clients"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.c.Get(ctx, key).Bytes()
	switch {
	case errors.Is(err, redis.Nil):
		return nil, false, nil
	case err != nil:
		return nil, false, r.fail("get", err)
	}
	return v, true, nil
}

func (r *Redis) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if err := r.c.Set(ctx, key, value, ttl).Err(); err != nil {
		return r.fail("set", err)
	}
	return nil
}

func (r *Redis) Add(ctx context.Context, key string, value []byte, ttl time.Duration) (bool, error) {
	ok, err := r.c.SetNX(ctx, key, value, ttl).Result()
	if err != nil {
		return false, r.fail("add", err)
	}
	return ok, nil
}

// swapScript is Swap on the server: ARGV is old, whether old is absence,
// the new value, whether new is deletion, and the ttl in milliseconds.
var swapScript = redis.NewScript(`
local cur = redis.call('GET', KEYS[1])
if ARGV[2] == '1' then
	if cur then return 0 end
elseif cur ~= ARGV[1] then
	return 0
end
if ARGV[4] == '1' then
	redis.call('DEL', KEYS[1])
elseif tonumber(ARGV[5]) > 0 then
	redis.call('SET', KEYS[1], ARGV[3], 'PX', ARGV[5])
else
	redis.call('SET', KEYS[1], ARGV[3])
end
return 1`)

func (r *Redis) Swap(ctx context.Context, key string, old, value []byte, ttl time.Duration) (bool, error) {
	n, err := swapScript.Run(ctx, r.c, []string{key},
		old, flag(old == nil), value, flag(value == nil), ttl.Milliseconds()).Int()
	if err != nil {
		return false, r.fail("cas", err)
	}
	return n == 1, nil
}

func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}

func (r *Redis) Delete(ctx context.Context, key string) (bool, error) {
	n, err := r.c.Del(ctx, key).Result()
	if err != nil {
		return false, r.fail("delete", err)
	}
	return n == 1, nil
}

// incrScript is Incr on the server: the ttl (ARGV[2], milliseconds) is set
// only on a key INCRBY creates.
var incrScript = redis.NewScript(`
local existed = redis.call('EXISTS', KEYS[1])
local n = redis.call('INCRBY', KEYS[1], ARGV[1])
if existed == 0 and tonumber(ARGV[2]) > 0 then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return n`)

func (r *Redis) Incr(ctx context.Context, key string, by int64, ttl time.Duration) (int64, error) {
	n, err := incrScript.Run(ctx, r.c, []string{key}, by, ttl.Milliseconds()).Int64()
	switch {
	case err == nil:
		return n, nil
	case strings.Contains(err.Error(), "overflow"):
		return 0, ErrOverflow
	case strings.Contains(err.Error(), "not an integer"):
		return 0, ErrNotInteger
	}
	return 0, r.fail("incr", err)
}

func (r *Redis) TTL(ctx context.Context, key string) (time.Duration, bool, error) {
	ms, err := r.c.PTTL(ctx, key).Result()
	switch {
	case err != nil:
		return 0, false, r.fail("ttl", err)
	case ms == -2: // go-redis passes Redis's -2 (no key) and -1 (no expiry) unscaled
		return 0, false, nil
	case ms < 0:
		return 0, true, nil
	}
	return ms, true, nil
}

// Keys walks the keyspace with SCAN, which never blocks the server the
// way KEYS does.
func (r *Redis) Keys(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	it := r.c.Scan(ctx, 0, globEscape(prefix)+"*", 1000).Iterator()
	for it.Next(ctx) {
		keys = append(keys, it.Val())
	}
	if err := it.Err(); err != nil {
		return nil, r.fail("keys", err)
	}
	sort.Strings(keys)
	return keys, nil
}

// globEscape quotes the characters Redis's MATCH patterns give a meaning.
func globEscape(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if strings.IndexByte(`*?[]\`, s[i]) >= 0 {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// Stats is what the server says of itself: the counters cover every client
// of the server, not this process only.
func (r *Redis) Stats(ctx context.Context) (Stats, error) {
	info, err := r.c.Info(ctx, "memory", "stats").Result()
	if err != nil {
		return Stats{}, r.fail("stats", err)
	}
	keys, err := r.c.DBSize(ctx).Result()
	if err != nil {
		return Stats{}, r.fail("stats", err)
	}
	f := infoFields(info)
	return Stats{Keys: keys, Bytes: f["used_memory"], MaxBytes: f["maxmemory"], Hits: f["keyspace_hits"],
		Misses: f["keyspace_misses"], Evictions: f["evicted_keys"], Expired: f["expired_keys"]}, nil
}

// infoFields reads the integer fields of an INFO reply.
func infoFields(info string) map[string]int64 {
	f := map[string]int64{}
	sc := bufio.NewScanner(strings.NewReader(info))
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), ":")
		if n, err := strconv.ParseInt(v, 10, 64); ok && err == nil {
			f[k] = n
		}
	}
	return f
}
