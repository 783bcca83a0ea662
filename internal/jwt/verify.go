package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/hmac"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Verifier checks tokens' signatures. Set Algs and Key before each use
// (they may change between uses); the rest is scratch and caches, so a
// Verifier is not safe for concurrent use: keep one per goroutine (per Lua
// state).
type Verifier struct {
	// Algs are the algorithms accepted, all of one Kind.
	Algs []string
	// Key returns the key for a token's "kid" header ("" when it has none):
	// the HMAC secret or the Ed25519 public key; false when there is none.
	Key func(kid string) (string, bool)
	// MaxSize bounds the token's length; 0 means DefaultMaxSize.
	MaxSize int

	tok    []byte // scratch: the token's bytes
	buf    []byte // scratch for decoding
	macs   macs
	ecKeys map[string]*ecdsa.PublicKey // ES256 keys read, by their PEM text
	seen   map[string]seenToken        // tokens verified before, by their text
}

// seenToken is what a verified token's signature check found. A client
// sends the same token with every request until it expires; checking
// it again (base64, HMAC) would find the same, as long as the algorithm
// is still accepted and its key id still gives the same key.
type seenToken struct {
	h       Header
	key     string
	payload string
}

// Bounds of the verified-token cache: entries (then it starts over), and
// the longest token kept.
const (
	maxSeen      = 64
	maxSeenToken = 1 << 10
)

// Check returns an error when v's algorithms are empty, unknown, "none",
// or of two kinds.
func (v *Verifier) Check() error {
	if len(v.Algs) == 0 {
		return fmt.Errorf("%w: no algorithms listed", ErrAlg)
	}
	kind := KindOf(v.Algs[0])
	for _, a := range v.Algs {
		switch k := KindOf(a); {
		case k == Unknown:
			return fmt.Errorf("%w: %q is not supported", ErrAlg, a)
		case k != kind:
			return fmt.Errorf("%w: %s and %s need different kinds of key", ErrAlg, v.Algs[0], a)
		}
	}
	return nil
}

// Verify checks token and returns its header and its payload (the claims'
// JSON, still to be decoded and checked). The payload is decoded only once
// the signature matches. Errors wrap ErrSize, ErrMalformed, ErrAlg, ErrKey
// or ErrSignature and say why.
func (v *Verifier) Verify(token string) (Header, string, error) {
	max := v.MaxSize
	if max <= 0 {
		max = DefaultMaxSize
	}
	if len(token) > max {
		return Header{}, "", fmt.Errorf("%w: %d bytes, the limit is %d", ErrSize, len(token), max)
	}
	if e, ok := v.seen[token]; ok && slices.Contains(v.Algs, e.h.Alg) {
		if key, ok := v.Key(e.h.Kid); ok && key == e.key {
			return e.h, e.payload, nil
		}
	}
	h, payload, key, err := v.verify(token)
	if err == nil && len(token) <= maxSeenToken {
		if len(v.seen) >= maxSeen || v.seen == nil {
			v.seen = make(map[string]seenToken, maxSeen)
		}
		v.seen[token] = seenToken{h: h, key: key, payload: payload}
	}
	return h, payload, err
}

// verify is Verify without the cache; it also returns the key used.
func (v *Verifier) verify(token string) (Header, string, string, error) {
	dot1 := strings.IndexByte(token, '.')
	dot2 := strings.LastIndexByte(token, '.')
	if dot1 < 0 || dot1 == dot2 || strings.IndexByte(token[dot1+1:dot2], '.') >= 0 {
		return Header{}, "", "", fmt.Errorf("%w: want three parts separated by dots", ErrMalformed)
	}
	h, err := v.header(token[:dot1])
	if err != nil {
		return h, "", "", err
	}
	key, ok := v.Key(h.Kid)
	if !ok {
		return h, "", "", fmt.Errorf("%w: unknown key id %q", ErrKey, h.Kid)
	}
	v.tok = append(v.tok[:0], token...)
	v.buf, err = b64.AppendDecode(v.buf[:0], v.tok[dot2+1:])
	if err != nil {
		return h, "", "", fmt.Errorf("%w: signature is not base64url", ErrMalformed)
	}
	sigLen := len(v.buf)
	if !v.signed(h.Alg, key, v.tok[:dot2]) {
		return h, "", "", ErrSignature
	}
	v.buf, err = b64.AppendDecode(v.buf[:sigLen], v.tok[dot1+1:dot2])
	if err != nil {
		return h, "", "", fmt.Errorf("%w: payload is not base64url", ErrMalformed)
	}
	return h, string(v.buf[sigLen:]), key, nil
}

// common are the headers Sign and most libraries write, decoded ahead:
// a token with one of them skips the JSON decoder.
var common = func() map[string]Header {
	m := map[string]Header{}
	for _, alg := range []string{"HS256", "HS384", "HS512", "EdDSA", "ES256"} {
		m[b64.EncodeToString([]byte(`{"alg":"`+alg+`","typ":"JWT"}`))] = Header{Alg: alg}
		m[b64.EncodeToString([]byte(`{"alg":"`+alg+`"}`))] = Header{Alg: alg}
	}
	return m
}()

// header decodes and checks the encoded header seg.
func (v *Verifier) header(seg string) (Header, error) {
	h, ok := common[seg]
	if !ok {
		if len(seg) > maxHeader {
			return h, fmt.Errorf("%w: header over %d bytes", ErrSize, maxHeader)
		}
		head, err := b64.DecodeString(seg)
		var decoded Header // declared here: escaping, it is allocated only here
		if err != nil || json.Unmarshal(head, &decoded) != nil {
			return h, fmt.Errorf("%w: header is not base64url JSON", ErrMalformed)
		}
		h = decoded
	}
	switch {
	case h.Alg == "":
		return h, fmt.Errorf("%w: header has no alg", ErrMalformed)
	case strings.EqualFold(h.Alg, "none"):
		return h, fmt.Errorf("%w: alg %q: unsigned tokens are never accepted", ErrAlg, h.Alg)
	case !slices.Contains(v.Algs, h.Alg):
		return h, fmt.Errorf("%w: alg %q (accepted: %s)", ErrAlg, h.Alg, strings.Join(v.Algs, ", "))
	case h.Crit != nil:
		return h, fmt.Errorf("%w: crit header: no extensions are understood", ErrMalformed)
	}
	return h, nil
}

// signed reports whether v.buf holds alg's signature of input with key.
func (v *Verifier) signed(alg, key string, input []byte) bool {
	sig := v.buf
	switch KindOf(alg) {
	case HMAC:
		if CheckHMACKey(alg, key) != nil {
			return false
		}
		// The MAC goes after the signature in buf, to be compared with it.
		v.buf = v.macs.sum(v.buf, alg, key, input)
		ok := hmac.Equal(v.buf[len(sig):], sig)
		v.buf = v.buf[:len(sig)]
		return ok
	case EdDSA:
		return len(key) == ed25519.PublicKeySize && ed25519.Verify(ed25519.PublicKey(key), input, sig)
	case ECDSA:
		pub, err := v.ECPublic(key)
		return err == nil && verifyES256(pub, input, sig)
	}
	return false
}
