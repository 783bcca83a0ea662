// Package jwt signs and verifies JSON Web Tokens in the compact form
// (RFC 7519, RFC 7515) with HMAC (HS256, HS384, HS512), Ed25519 (EdDSA,
// RFC 8037) and ECDSA P-256 (ES256). It knows nothing of Lua: luaserve.jwt encodes and
// decodes the claims and calls it.
//
// Verification is told which algorithms it accepts and with which key;
// the token's header only picks among them. So "alg": "none" is never
// accepted, and neither is a token that names an algorithm the verifier
// did not list (algorithm confusion: an HMAC token "signed" with the
// verifier's public key). A verifier lists algorithms of one kind only,
// since a key is a secret or a public key, never both. Tokens are bounded
// in size before anything is decoded, and the payload is decoded only
// after the signature checks out.
//
// It does not encrypt (JWE), fetch keys (JWKS), or follow "jku"/"x5u"
// headers; a "crit" header is refused, as RFC 7515 section 4.1.11 asks of
// a verifier that understands no extensions.
package jwt
