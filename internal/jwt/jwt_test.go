package jwt

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	gojwt "github.com/golang-jwt/jwt/v5"
)

const secret = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

func hmacVerifier(key string, algs ...string) *Verifier {
	return &Verifier{Algs: algs, Key: func(string) (string, bool) { return key, true }}
}

// TestRFC7515Example: the HS256 example of RFC 7515 appendix A.1 verifies
// byte for byte; one flipped character does not.
func TestRFC7515Example(t *testing.T) {
	key, _ := base64.RawURLEncoding.DecodeString("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
	tok := "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" +
		".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" +
		".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
	v := hmacVerifier(string(key), "HS256")
	_, payload, err := v.Verify(tok)
	if err != nil || payload != "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}" {
		t.Fatalf("got %q %v", payload, err)
	}
	if _, _, err := v.Verify(tok[:len(tok)-1] + "Y"); !errors.Is(err, ErrSignature) {
		t.Fatalf("tampered signature: %v", err)
	}
}

// TestRFC8037Example: the EdDSA example of RFC 8037 appendix A.4, signed
// and verified.
func TestRFC8037Example(t *testing.T) {
	d, _ := base64.RawURLEncoding.DecodeString("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
	x, _ := base64.RawURLEncoding.DecodeString("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
	want := "eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc" +
		".hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg"
	v := &Verifier{Algs: []string{"EdDSA"}, Key: func(string) (string, bool) { return string(x), true }}
	if _, p, err := v.Verify(want); err != nil || p != "Example of Ed25519 signing" {
		t.Fatalf("got %q %v", p, err)
	}
	priv, err := ParseEd25519Private(string(d))
	if err != nil || !ed25519.PublicKey(x).Equal(ed25519.PrivateKey(priv).Public()) {
		t.Fatalf("seed: %v", err)
	}
}

// TestInterop: tokens made by golang-jwt verify here, and tokens made here
// verify there, for every algorithm.
func TestInterop(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	ecPriv, ecPrivPEM, ecPubPEM := ecKey(t)
	exp := time.Now().Add(time.Hour).Unix()
	for _, tc := range []struct {
		alg        string
		m          gojwt.SigningMethod
		sign, ver  any
		mine, mPub string
	}{
		{"HS256", gojwt.SigningMethodHS256, []byte(secret), []byte(secret), secret, secret},
		{"HS384", gojwt.SigningMethodHS384, []byte(secret), []byte(secret), secret, secret},
		{"HS512", gojwt.SigningMethodHS512, []byte(secret), []byte(secret), secret, secret},
		{"EdDSA", gojwt.SigningMethodEdDSA, priv, pub, string(priv), string(pub)},
		{"ES256", gojwt.SigningMethodES256, ecPriv, &ecPriv.PublicKey, ecPrivPEM, ecPubPEM},
	} {
		theirs, err := gojwt.NewWithClaims(tc.m, gojwt.MapClaims{"sub": "ann", "exp": exp}).SignedString(tc.sign)
		if err != nil {
			t.Fatal(err)
		}
		v := &Verifier{Algs: []string{tc.alg}, Key: func(string) (string, bool) { return tc.mPub, true }}
		if _, p, err := v.Verify(theirs); err != nil || !strings.Contains(p, `"sub":"ann"`) {
			t.Errorf("%s: theirs: %q %v", tc.alg, p, err)
		}
		mine, err := Sign(tc.alg, tc.mine, "k1", []byte(`{"sub":"bob","exp":9999999999}`))
		if err != nil {
			t.Fatal(err)
		}
		parsed, err := gojwt.Parse(mine, func(tk *gojwt.Token) (any, error) { return tc.ver, nil },
			gojwt.WithValidMethods([]string{tc.alg}))
		if err != nil || parsed.Claims.(gojwt.MapClaims)["sub"] != "bob" || parsed.Header["kid"] != "k1" {
			t.Errorf("%s: mine with golang-jwt: %v", tc.alg, err)
		}
	}
}

// ecKey returns a fresh P-256 key, and it and its public key in PEM.
func ecKey(t testing.TB) (*ecdsa.PrivateKey, string, string) {
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(k)
	pubDER, _ := x509.MarshalPKIXPublicKey(&k.PublicKey)
	return k, string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})),
		string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}))
}

// TestES256Refused: the wrong key, a tampered token, a PEM public key
// taken as an HMAC secret, and malformed keys.
func TestES256Refused(t *testing.T) {
	_, privPEM, pubPEM := ecKey(t)
	_, _, otherPub := ecKey(t)
	tok, err := Sign("ES256", privPEM, "", []byte(`{"sub":"ann"}`))
	if err != nil {
		t.Fatal(err)
	}
	es := func(key string) *Verifier {
		return &Verifier{Algs: []string{"ES256"}, Key: func(string) (string, bool) { return key, true }}
	}
	if _, p, err := es(pubPEM).Verify(tok); err != nil || p != `{"sub":"ann"}` {
		t.Fatalf("good: %q %v", p, err)
	}
	confused, _ := gojwt.NewWithClaims(gojwt.SigningMethodHS256, gojwt.MapClaims{"sub": "root"}).SignedString([]byte(pubPEM))
	parts := strings.Split(tok, ".")
	for _, tc := range []struct {
		name, tok string
		v         *Verifier
		want      error
	}{
		{"wrong_key", tok, es(otherPub), ErrSignature},
		{"tampered", parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"root"}`)) + "." + parts[2], es(pubPEM), ErrSignature},
		{"confusion", confused, es(pubPEM), ErrAlg},
		{"bad_key", tok, es("not a key"), ErrSignature},
		{"short_signature", parts[0] + "." + parts[1] + ".AAAA", es(pubPEM), ErrSignature},
	} {
		if _, _, err := tc.v.Verify(tc.tok); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if _, err := Sign("ES256", pubPEM, "", []byte("{}")); err == nil {
		t.Error("signed with a public key")
	}
	if _, err := (&Verifier{}).ECPublic(privPEM); err == nil {
		t.Error("a private key read as a public one")
	}
}

// TestRefused: tokens a verifier must refuse, each for its reason.
func TestRefused(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(nil)
	good, _ := Sign("HS256", secret, "", []byte(`{"sub":"ann"}`))
	parts := strings.Split(good, ".")
	none, _ := gojwt.NewWithClaims(gojwt.SigningMethodNone, gojwt.MapClaims{"sub": "ann"}).SignedString(gojwt.UnsafeAllowNoneSignatureType)
	// Algorithm confusion: an HS256 token keyed with the EdDSA verifier's
	// public key, as if the public key were a shared secret.
	confused, _ := gojwt.NewWithClaims(gojwt.SigningMethodHS256, gojwt.MapClaims{"sub": "ann"}).SignedString([]byte(pub))
	hs512, _ := Sign("HS512", secret, "", []byte(`{"sub":"ann"}`))
	edTok, _ := Sign("EdDSA", string(priv), "", []byte(`{"sub":"ann"}`))
	other := strings.Repeat("k", 64)
	enc := base64.RawURLEncoding.EncodeToString
	for _, tc := range []struct {
		name, tok string
		v         *Verifier
		want      error
	}{
		{"tampered_payload", parts[0] + "." + enc([]byte(`{"sub":"root"}`)) + "." + parts[2], hmacVerifier(secret, "HS256"), ErrSignature},
		{"wrong_key", good, hmacVerifier(other, "HS256"), ErrSignature},
		{"none", none, hmacVerifier(secret, "HS256"), ErrAlg},
		{"none_unsigned_anyway", enc([]byte(`{"alg":"NONE"}`)) + "." + parts[1] + ".", hmacVerifier(secret, "HS256"), ErrAlg},
		{"alg_not_listed", hs512, hmacVerifier(secret, "HS256"), ErrAlg},
		{"confusion", confused, &Verifier{Algs: []string{"EdDSA"}, Key: func(string) (string, bool) { return string(pub), true }}, ErrAlg},
		{"eddsa_wrong_key", edTok, &Verifier{Algs: []string{"EdDSA"}, Key: func(string) (string, bool) { return other[:32], true }}, ErrSignature},
		{"huge_header", enc([]byte(`{"alg":"HS256","x":"`+strings.Repeat("a", 2000)+`"}`)) + "." + parts[1] + "." + parts[2], hmacVerifier(secret, "HS256"), ErrSize},
		{"huge_token", good + strings.Repeat("A", DefaultMaxSize), hmacVerifier(secret, "HS256"), ErrSize},
		{"two_parts", parts[0] + "." + parts[1], hmacVerifier(secret, "HS256"), ErrMalformed},
		{"four_parts", good + ".x", hmacVerifier(secret, "HS256"), ErrMalformed},
		{"header_not_json", enc([]byte(`{"alg":`)) + "." + parts[1] + "." + parts[2], hmacVerifier(secret, "HS256"), ErrMalformed},
		{"padded_signature", good + "=", hmacVerifier(secret, "HS256"), ErrMalformed},
		{"crit", enc([]byte(`{"alg":"HS256","crit":["exp"]}`)) + "." + parts[1] + "." + parts[2], hmacVerifier(secret, "HS256"), ErrMalformed},
		{"unknown_kid", good, &Verifier{Algs: []string{"HS256"}, Key: func(string) (string, bool) { return "", false }}, ErrKey},
		{"short_key", good, hmacVerifier(secret[:16], "HS256"), ErrSignature},
	} {
		if _, _, err := tc.v.Verify(tc.tok); !errors.Is(err, tc.want) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
}

// TestSeenTokens: a token verified before skips the signature check only
// while its algorithm is accepted and its key id gives the same key.
func TestSeenTokens(t *testing.T) {
	tok, _ := Sign("HS256", secret, "k1", []byte(`{"sub":"ann"}`))
	keys := map[string]string{"k1": secret}
	v := &Verifier{Algs: []string{"HS256"}, Key: func(kid string) (string, bool) { k, ok := keys[kid]; return k, ok }}
	for range 2 {
		if _, p, err := v.Verify(tok); err != nil || p != `{"sub":"ann"}` {
			t.Fatalf("got %q %v", p, err)
		}
	}
	if len(v.seen) != 1 {
		t.Fatalf("%d tokens cached, want 1", len(v.seen))
	}
	keys["k1"] = strings.Repeat("r", 32) // rotated
	if _, _, err := v.Verify(tok); !errors.Is(err, ErrSignature) {
		t.Errorf("after the key changed: %v", err)
	}
	keys["k1"] = secret
	v.Algs = []string{"HS512"}
	if _, _, err := v.Verify(tok); !errors.Is(err, ErrAlg) {
		t.Errorf("after HS256 was dropped: %v", err)
	}
	v.Algs = []string{"HS256"}
	for i := range 2 * maxSeen {
		other, _ := Sign("HS256", secret, "k1", []byte(`{"n":`+strings.Repeat("1", i+1)+`}`))
		v.Verify(other)
	}
	if len(v.seen) > maxSeen {
		t.Errorf("cache grew to %d", len(v.seen))
	}
}

func TestVerifierCheck(t *testing.T) {
	for _, algs := range [][]string{nil, {"none"}, {"HS256", "EdDSA"}, {"RS256"}} {
		if err := (&Verifier{Algs: algs}).Check(); !errors.Is(err, ErrAlg) {
			t.Errorf("%v: got %v", algs, err)
		}
	}
	if err := (&Verifier{Algs: []string{"HS256", "HS512"}}).Check(); err != nil {
		t.Error(err)
	}
}

func TestSignRefusesWeakKeys(t *testing.T) {
	if _, err := Sign("HS256", "secret", "", []byte("{}")); err == nil {
		t.Error("a 6-byte HS256 key was accepted")
	}
	if _, err := Sign("HS512", secret[:32], "", []byte("{}")); err == nil {
		t.Error("a 32-byte HS512 key was accepted")
	}
	if _, err := Sign("HS256", "-----BEGIN PUBLIC KEY-----\n"+strings.Repeat("A", 64), "", []byte("{}")); err == nil {
		t.Error("a PEM key was accepted as a secret")
	}
	if _, err := Sign("none", secret, "", []byte("{}")); !errors.Is(err, ErrAlg) {
		t.Errorf("none: %v", err)
	}
}

func TestCheckTimes(t *testing.T) {
	now := 1_000_000.0
	exp := func(v float64) Times { return Times{Exp: v, HasExp: true} }
	for _, tc := range []struct {
		name string
		t    Times
		want error
	}{
		{"fresh", Times{Exp: now + 60, HasExp: true, Iat: now, HasIat: true}, nil},
		{"expired", exp(now - 31), ErrExpired},
		{"expired_within_leeway", exp(now - 29), nil},
		{"exp_now_minus_leeway", exp(now - 30), ErrExpired},
		{"nbf_ahead", Times{Exp: now + 60, HasExp: true, Nbf: now + 31, HasNbf: true}, ErrNotYet},
		{"nbf_within_leeway", Times{Exp: now + 60, HasExp: true, Nbf: now + 30, HasNbf: true}, nil},
		{"iat_ahead", Times{Exp: now + 600, HasExp: true, Iat: now + 300, HasIat: true}, ErrNotYet},
		{"no_exp", Times{}, ErrClaims},
		{"nan", Times{Exp: math.NaN(), HasExp: true}, ErrClaims},
	} {
		if err := CheckTimes(tc.t, now, 30, true); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("%s: got %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := CheckTimes(Times{}, now, 30, false); err != nil {
		t.Errorf("exp not required: %v", err)
	}
}

func BenchmarkVerifyHS256(b *testing.B) {
	tok, _ := Sign("HS256", secret, "", []byte(`{"sub":"42","name":"user-42","exp":9999999999,"iat":1700000000}`))
	v := hmacVerifier(secret, "HS256")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.Verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyHS256Uncached: the signature check itself, as for a
// token seen for the first time.
func BenchmarkVerifyHS256Uncached(b *testing.B) {
	tok, _ := Sign("HS256", secret, "", []byte(`{"sub":"42","name":"user-42","exp":9999999999,"iat":1700000000}`))
	v := hmacVerifier(secret, "HS256")
	b.ReportAllocs()
	for b.Loop() {
		if _, _, _, err := v.verify(tok); err != nil {
			b.Fatal(err)
		}
	}
}
