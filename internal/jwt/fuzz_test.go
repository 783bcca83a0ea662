package jwt

import (
	"crypto/hmac"
	"errors"
	"strings"
	"testing"
)

// FuzzVerify: any text given as a token is refused or accepted without a
// panic; accepted only with a signature made with the key; and refusals
// wrap one of the package's errors.
func FuzzVerify(f *testing.F) {
	good, _ := Sign("HS256", secret, "", []byte(`{"sub":"ann"}`))
	kid, _ := Sign("HS256", secret, "k\"1", []byte(`{}`))
	for _, s := range []string{good, kid, "", ".", "..", "a.b.c", good + ".", strings.Replace(good, ".", "..", 1),
		"eyJhbGciOiJub25lIn0.e30.", "eyJhbGciOiJIUzI1NiIsImNyaXQiOlsiZXhwIl19.e30.AAAA"} {
		f.Add(s)
	}
	v := hmacVerifier(secret, "HS256", "HS512")
	f.Fuzz(func(t *testing.T, tok string) {
		_, payload, err := v.Verify(tok)
		if err != nil {
			for _, want := range []error{ErrSize, ErrMalformed, ErrAlg, ErrKey, ErrSignature} {
				if errors.Is(err, want) {
					return
				}
			}
			t.Fatalf("%q: unexpected error %v", tok, err)
		}
		// Accepted: checked again, independently, it is signed with the
		// secret by an algorithm the verifier lists.
		i := strings.LastIndexByte(tok, '.')
		h, err := v.header(tok[:strings.IndexByte(tok, '.')])
		if err != nil {
			t.Fatalf("%q accepted with a bad header: %v", tok, err)
		}
		m := hmac.New(hmacHash(h.Alg), []byte(secret))
		m.Write([]byte(tok[:i]))
		sig, err := b64.DecodeString(tok[i+1:])
		if err != nil || !hmac.Equal(m.Sum(nil), sig) || (h.Alg != "HS256" && h.Alg != "HS512") {
			t.Fatalf("%q accepted, payload %q, without a valid signature", tok, payload)
		}
	})
}
