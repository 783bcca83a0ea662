// Package session seals and opens session cookies: the session's bytes
// are encrypted and authenticated with AES-256-GCM (standard library),
// under a key derived with HKDF-SHA256 from a server secret, with the
// cookie's name and an expiry time inside the authenticated data. Several
// secrets make rotation possible: the first seals, every one opens. It
// knows no Lua and no HTTP.
package session

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// MinSecret is the shortest secret accepted, in bytes: 32 random bytes,
// or 64 hex digits, are what "openssl rand -hex 32" gives.
const MinSecret = 32

// version prefixes every sealed value, so that the format can change.
const version = 1

var b64 = base64.RawURLEncoding

// Codec seals and opens values; it is safe for concurrent use.
type Codec struct {
	aeads []cipher.AEAD // [0] seals; all open
}

// ErrNoSecret is NewCodec's error when no secret is given.
var ErrNoSecret = errors.New("session: no secret")

// NewCodec derives a key from each secret; the first is the current one.
func NewCodec(secrets []string) (*Codec, error) {
	if len(secrets) == 0 || secrets[0] == "" {
		return nil, ErrNoSecret
	}
	c := &Codec{}
	for i, s := range secrets {
		if len(s) < MinSecret {
			return nil, fmt.Errorf("session: secret %d is %d bytes; use at least %d random bytes (openssl rand -hex 32)", i+1, len(s), MinSecret)
		}
		key, err := hkdf.Key(sha256.New, []byte(s), nil, "luaserve session cookie v1", 32)
		if err != nil {
			return nil, err
		}
		block, err := aes.NewCipher(key)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		c.aeads = append(c.aeads, aead)
	}
	return c, nil
}

// Seal encrypts payload for the cookie called name, valid until expires;
// the result is cookie-safe text (base64url).
func (c *Codec) Seal(name string, payload []byte, expires time.Time) string {
	a := c.aeads[0]
	out := make([]byte, 1+a.NonceSize(), 1+a.NonceSize()+8+len(payload)+a.Overhead())
	out[0] = version
	rand.Read(out[1:]) // never fails (crypto/rand, Go 1.24+)
	plain := binary.BigEndian.AppendUint64(make([]byte, 0, 8+len(payload)), uint64(expires.Unix()))
	plain = append(plain, payload...)
	out = a.Seal(out, out[1:1+a.NonceSize()], plain, aad(name))
	return b64.EncodeToString(out)
}

// Open returns the payload of a value Seal made for name with one of the
// codec's secrets, unless it is malformed, tampered with, sealed for
// another name or expired at now.
func (c *Codec) Open(name, value string, now time.Time) ([]byte, bool) {
	raw, err := b64.DecodeString(value)
	if err != nil || len(raw) < 1 || raw[0] != version {
		return nil, false
	}
	for _, a := range c.aeads {
		if len(raw) < 1+a.NonceSize()+a.Overhead()+8 {
			return nil, false
		}
		plain, err := a.Open(nil, raw[1:1+a.NonceSize()], raw[1+a.NonceSize():], aad(name))
		if err != nil {
			continue
		}
		if exp := int64(binary.BigEndian.Uint64(plain)); now.Unix() >= exp {
			return nil, false
		}
		return plain[8:], true
	}
	return nil, false
}

func aad(name string) []byte { return append([]byte{version}, name...) }

// Token returns 32 random bytes as base64url text: a CSRF token.
func Token() string {
	b := make([]byte, 32)
	rand.Read(b)
	return b64.EncodeToString(b)
}

// Equal compares two tokens in constant time.
func Equal(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// RandomSecret is a secret for engines that never serve (luaserve check,
// routes, test), so that a script with sessions loads there.
func RandomSecret() string { return Token() + Token() }
