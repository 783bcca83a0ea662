package jwt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"math/big"
)

// ES256 (RFC 7518 section 3.4) is ECDSA on P-256 with SHA-256; the
// signature is r and s as two 32-byte big-endian numbers, not ASN.1.

var (
	errECPrivate = errors.New("jwt: ES256 needs a P-256 private key in PEM (PKCS #8 or SEC 1)")
	errECPublic  = errors.New("jwt: ES256 needs a P-256 public key in PEM (PKIX)")
)

// ParseECPrivate reads a P-256 private key from PEM: "PRIVATE KEY" (PKCS #8)
// or "EC PRIVATE KEY" (SEC 1).
func ParseECPrivate(s string) (*ecdsa.PrivateKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		return nil, errECPrivate
	}
	var k any
	var err error
	switch b.Type {
	case "PRIVATE KEY":
		k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
	case "EC PRIVATE KEY":
		k, err = x509.ParseECPrivateKey(b.Bytes)
	}
	if priv, ok := k.(*ecdsa.PrivateKey); ok && err == nil && priv.Curve == elliptic.P256() {
		return priv, nil
	}
	return nil, errECPrivate
}

// ParseECPublic reads a P-256 public key from PEM ("PUBLIC KEY", PKIX).
func ParseECPublic(s string) (*ecdsa.PublicKey, error) {
	b, _ := pem.Decode([]byte(s))
	if b == nil || b.Type != "PUBLIC KEY" {
		return nil, errECPublic
	}
	k, err := x509.ParsePKIXPublicKey(b.Bytes)
	if pub, ok := k.(*ecdsa.PublicKey); ok && err == nil && pub.Curve == elliptic.P256() {
		return pub, nil
	}
	return nil, errECPublic
}

// signES256 returns the ES256 signature of input with the PEM key.
func signES256(key string, input []byte) ([]byte, error) {
	priv, err := ParseECPrivate(key)
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(input)
	r, s, err := ecdsa.Sign(rand.Reader, priv, h[:])
	if err != nil {
		return nil, err
	}
	sig := make([]byte, 64)
	r.FillBytes(sig[:32])
	s.FillBytes(sig[32:])
	return sig, nil
}

// verifyES256 reports whether sig is pub's ES256 signature of input.
func verifyES256(pub *ecdsa.PublicKey, input, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	h := sha256.Sum256(input)
	return ecdsa.Verify(pub, h[:], new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:]))
}

// ECPublic returns the parsed public key for the PEM text key, from v's
// cache of the keys it has read (a server verifies with few keys).
func (v *Verifier) ECPublic(key string) (*ecdsa.PublicKey, error) {
	if pub, ok := v.ecKeys[key]; ok {
		return pub, nil
	}
	pub, err := ParseECPublic(key)
	if err != nil {
		return nil, err
	}
	if v.ecKeys == nil || len(v.ecKeys) >= maxMACs {
		v.ecKeys = make(map[string]*ecdsa.PublicKey, maxMACs)
	}
	v.ecKeys[key] = pub
	return pub, nil
}
