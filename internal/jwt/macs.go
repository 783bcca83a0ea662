package jwt

import (
	"crypto/hmac"
	"hash"
)

// macs caches keyed HMACs: keying one hashes the key's two pads, which
// costs as much as the MAC of a token, and a server verifies many tokens
// with few keys. Not safe for concurrent use.
type macs struct {
	m map[macKey]hash.Hash
}

type macKey struct{ alg, key string }

// maxMACs bounds the cache; past it, it starts over.
const maxMACs = 16

// sum returns alg's HMAC of input with key, appended to dst.
func (c *macs) sum(dst []byte, alg, key string, input []byte) []byte {
	k := macKey{alg, key}
	m, ok := c.m[k]
	if ok {
		m.Reset()
	} else {
		if c.m == nil || len(c.m) >= maxMACs {
			c.m = make(map[macKey]hash.Hash, maxMACs)
		}
		m = hmac.New(hmacHash(alg), []byte(key))
		c.m[k] = m
	}
	m.Write(input)
	return m.Sum(dst)
}
