package jwt

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
	"strings"

	"github.com/luaserve/luaserve/internal/jsonstr"
)

// DefaultMaxSize bounds a token's length (Verifier.MaxSize): real tokens
// are a few hundred bytes; 8 KiB is what servers commonly allow for a
// whole header line.
const DefaultMaxSize = 8 << 10

// maxHeader bounds the encoded header: it holds an algorithm, a type and a
// key id.
const maxHeader = 1 << 10

var (
	ErrSize      = errors.New("jwt: token too large")
	ErrMalformed = errors.New("jwt: malformed token")
	ErrAlg       = errors.New("jwt: algorithm not accepted")
	ErrKey       = errors.New("jwt: no key for token")
	ErrSignature = errors.New("jwt: signature does not match")
)

var b64 = base64.RawURLEncoding.Strict()

// Kind tells the HMAC algorithms from EdDSA: a verifier accepts one kind.
type Kind int

const (
	Unknown Kind = iota
	HMAC
	EdDSA
	ECDSA
)

// KindOf returns alg's kind; "none" and unsupported names are Unknown.
func KindOf(alg string) Kind {
	switch alg {
	case "HS256", "HS384", "HS512":
		return HMAC
	case "EdDSA":
		return EdDSA
	case "ES256":
		return ECDSA
	}
	return Unknown
}

// hmacHash returns the hash of an HS algorithm.
func hmacHash(alg string) func() hash.Hash {
	switch alg {
	case "HS384":
		return sha512.New384
	case "HS512":
		return sha512.New
	}
	return sha256.New
}

// hmacSize returns the output size of an HS algorithm's hash.
func hmacSize(alg string) int {
	switch alg {
	case "HS384":
		return sha512.Size384
	case "HS512":
		return sha512.Size
	}
	return sha256.Size
}

// CheckHMACKey refuses HMAC keys that RFC 7518 section 3.2 forbids
// (shorter than the hash) and PEM keys, which are public keys mistaken
// for secrets.
func CheckHMACKey(alg, key string) error {
	if n := hmacSize(alg); len(key) < n {
		return fmt.Errorf("jwt: %s key must be at least %d bytes (RFC 7518 section 3.2)", alg, n)
	}
	if strings.HasPrefix(key, "-----BEGIN") {
		return fmt.Errorf("jwt: %s key is a PEM key; HMAC needs a secret", alg)
	}
	return nil
}

// Header is the part of a token's header verification reads.
type Header struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// Sign returns the token for payload (a JSON object) signed with alg and
// key: an HMAC secret, or an Ed25519 private key (ParseEd25519Private).
// kid, when not empty, goes in the header.
func Sign(alg, key, kid string, payload []byte) (string, error) {
	head := append(append(append([]byte(nil), `{"alg":"`...), alg...), `","typ":"JWT"`...)
	if kid != "" {
		head = jsonstr.Append(append(head, `,"kid":`...), kid)
	}
	head = append(head, '}')
	buf := make([]byte, 0, b64.EncodedLen(len(head))+b64.EncodedLen(len(payload))+90)
	buf = b64.AppendEncode(buf, head)
	buf = append(buf, '.')
	buf = b64.AppendEncode(buf, payload)
	var sig []byte
	switch KindOf(alg) {
	case HMAC:
		if err := CheckHMACKey(alg, key); err != nil {
			return "", err
		}
		m := hmac.New(hmacHash(alg), []byte(key))
		m.Write(buf)
		sig = m.Sum(nil)
	case EdDSA:
		if len(key) != ed25519.PrivateKeySize {
			return "", errors.New("jwt: EdDSA needs an Ed25519 private key")
		}
		sig = ed25519.Sign(ed25519.PrivateKey(key), buf)
	case ECDSA:
		var err error
		if sig, err = signES256(key, buf); err != nil {
			return "", err
		}
	default:
		return "", fmt.Errorf("%w: cannot sign with %q", ErrAlg, alg)
	}
	buf = append(buf, '.')
	return string(b64.AppendEncode(buf, sig)), nil
}

// ParseEd25519Private reads an Ed25519 private key: a 32-byte seed, the
// 64-byte key, or PEM ("PRIVATE KEY", PKCS #8).
func ParseEd25519Private(s string) (string, error) {
	switch len(s) {
	case ed25519.SeedSize:
		return string(ed25519.NewKeyFromSeed([]byte(s))), nil
	case ed25519.PrivateKeySize:
		return s, nil
	}
	if b, _ := pem.Decode([]byte(s)); b != nil && b.Type == "PRIVATE KEY" {
		if k, err := x509.ParsePKCS8PrivateKey(b.Bytes); err == nil {
			if k, ok := k.(ed25519.PrivateKey); ok {
				return string(k), nil
			}
		}
	}
	return "", errors.New("jwt: not an Ed25519 private key (32-byte seed, 64-byte key or PKCS #8 PEM)")
}

// ParseEd25519Public reads an Ed25519 public key: 32 bytes, or PEM
// ("PUBLIC KEY", PKIX).
func ParseEd25519Public(s string) (string, error) {
	if len(s) == ed25519.PublicKeySize {
		return s, nil
	}
	if b, _ := pem.Decode([]byte(s)); b != nil && b.Type == "PUBLIC KEY" {
		if k, err := x509.ParsePKIXPublicKey(b.Bytes); err == nil {
			if k, ok := k.(ed25519.PublicKey); ok {
				return string(k), nil
			}
		}
	}
	return "", errors.New("jwt: not an Ed25519 public key (32 bytes or PKIX PEM)")
}
