-- luaserve.jwt, run by TestLuaModules. Interoperation with golang-jwt is
-- tested in Go (lua/stdlib/jwt/jwt_test.go).
local jwt = require("luaserve.jwt")
local crypto = require("luaserve.crypto")

local key = string.rep("k", 32)
local function refused(tok, k, opts, want)
  local claims, err = jwt.verify(tok, k, opts)
  assert(claims == nil, "accepted: " .. tostring(tok))
  assert(err:find(want, 1, true), "want '" .. want .. "', got '" .. err .. "'")
end

-- RFC 7515 appendix A.1, checked at a time before its exp.
local rfcKey = crypto.base64url_decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
local rfc = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9" ..
  ".eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ" ..
  ".dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
local c = assert(jwt.verify(rfc, rfcKey, { now = 1300819370 }))
assert(c.iss == "joe" and c.exp == 1300819380 and c["http://example.com/is_root"] == true)
refused(rfc, rfcKey, nil, "jwt: token expired")
refused(rfc, rfcKey, { now = 1300819380 + 31 }, "jwt: token expired 31 seconds ago")
assert(jwt.verify(rfc, rfcKey, { now = 1300819380 + 29 }), "within the leeway")
refused(rfc, rfcKey, { now = 1300819380 + 2, leeway = 0 }, "jwt: token expired")

-- Round trip, with the defaults: HS256, iat now, exp in an hour.
local tok = assert(jwt.sign({ sub = "ann", roles = { "admin" } }, key))
local claims = assert(jwt.verify(tok, key))
assert(claims.sub == "ann" and claims.roles[1] == "admin")
assert(math.abs(claims.iat - os.time()) <= 2 and claims.exp - claims.iat == 3600, "iat and exp")
local h = assert(jwt.decode_header(tok))
assert(h.alg == "HS256" and h.typ == "JWT" and h.kid == nil)
-- The caller's table is left as it was.
local mine = { sub = "bob" }
jwt.sign(mine, key)
assert(mine.iat == nil and mine.exp == nil)
-- The caller's exp wins; expires_in = false signs none.
local fixed = assert(jwt.verify(jwt.sign({ exp = os.time() + 60 }, key), key))
assert(fixed.exp - os.time() <= 60)
local forever = jwt.sign({ sub = "x" }, key, { expires_in = false })
refused(forever, key, nil, "no exp claim")
assert(jwt.verify(forever, key, { require_exp = false }).sub == "x")
assert(jwt.verify(jwt.sign({}, key), key), "empty claims are {}")
local _, err = jwt.sign({ 1, 2 }, key)
assert(err:find("JSON object"), err)

-- Other algorithms, and the verifier decides which it accepts.
local long = string.rep("s", 64)
for _, alg in ipairs({ "HS384", "HS512" }) do
  local t = jwt.sign({ sub = alg }, long, { alg = alg })
  assert(jwt.decode_header(t).alg == alg)
  refused(t, long, nil, "jwt: algorithm not accepted: alg \"" .. alg .. "\" (accepted: HS256)")
  assert(jwt.verify(t, long, { algs = alg }).sub == alg)
  assert(jwt.verify(t, long, { algs = { "HS256", "HS384", "HS512" } }).sub == alg)
end

-- Refused: tampered, wrong key, none, expired, not yet valid.
local head, body, sig = tok:match("^([^.]+)%.([^.]+)%.([^.]+)$")
local evil = crypto.base64url_encode('{"sub":"root","exp":9999999999}')
refused(head .. "." .. evil .. "." .. sig, key, nil, "jwt: signature does not match")
refused(tok, string.rep("K", 32), nil, "jwt: signature does not match")
-- A changed signature character: the first, whose six bits are all data
-- (the last one's low bits must be zero, so changing it may make the text
-- non-canonical base64url instead; the token's iat makes that vary by run).
refused(head .. "." .. body .. "." .. (sig:sub(1, 1) == "A" and "B" or "A") .. sig:sub(2), key, nil, "jwt: signature does not match")
local none = crypto.base64url_encode('{"alg":"none","typ":"JWT"}') .. "." .. body .. "."
refused(none, key, nil, "unsigned tokens are never accepted")
refused(none, key, { algs = { "HS256" } }, "unsigned tokens are never accepted")
assert(not pcall(jwt.verify, tok, key, { algs = "none" }), "listing none is an error")
assert(not pcall(jwt.verify, tok, key, { algs = { "HS256", "EdDSA" } }), "two kinds of key is an error")
refused(jwt.sign({ sub = "a" }, key, { expires_in = 10 }), key, { now = os.time() + 100 }, "jwt: token expired")
refused(jwt.sign({ nbf = os.time() + 300 }, key), key, nil, "jwt: token not valid yet: nbf")
refused(jwt.sign({ iat = os.time() + 300 }, key), key, nil, "jwt: token not valid yet: iat")
refused(jwt.sign({ exp = "tomorrow" }, key), key, nil, "jwt: bad claims: exp is not a number")
refused("abc", key, nil, "jwt: malformed token")
refused(tok .. string.rep("A", 9000), key, nil, "jwt: token too large: 9")
refused(crypto.base64url_encode('{"alg":"HS256","pad":"' .. string.rep("x", 2000) .. '"}') .. "." .. body .. "." .. sig,
  key, nil, "jwt: token too large: header over 1024 bytes")
refused(tok, key, { max_size = 16 }, "jwt: token too large")

-- Issuer and audience.
local aud = jwt.sign({ iss = "me", aud = { "api", "web" } }, key)
assert(jwt.verify(aud, key, { issuer = "me", audience = "web" }))
refused(aud, key, { issuer = "you" }, "jwt: iss is not you")
refused(aud, key, { audience = "admin" }, "jwt: aud does not include admin")

-- Keys by id, for rotation.
local keys = { old = string.rep("o", 32), new = string.rep("n", 32) }
local byOld = jwt.sign({ sub = "r" }, keys.old, { kid = "old" })
assert(jwt.decode_header(byOld).kid == "old")
assert(jwt.verify(byOld, keys).sub == "r")
refused(byOld, { new = keys.new }, nil, "jwt: no key for token: unknown key id \"old\"")
refused(tok, keys, nil, "unknown key id \"\"")

-- Misuse: weak or PEM HMAC keys, unknown options.
assert(not pcall(jwt.sign, { sub = "a" }, "secret"), "a 6-byte key is an error")
assert(not pcall(jwt.verify, tok, "secret"), "a 6-byte key is an error when verifying too")
assert(not pcall(jwt.sign, { sub = "a" }, long, { alg = "none" }), "signing with none is an error")
assert(not pcall(jwt.sign, { sub = "a" }, "-----BEGIN PUBLIC KEY-----" .. long), "a PEM key is not a secret")
assert(not pcall(jwt.verify, tok, key, { leway = 5 }), "unknown option")

-- EdDSA: RFC 8037 appendix A keys; the private key signs, the public verifies.
local seed = crypto.base64url_decode("nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A")
local pub = crypto.base64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo")
local ed = assert(jwt.sign({ sub = "ed" }, seed, { alg = "EdDSA" }))
refused(ed, pub, nil, "alg \"EdDSA\" (accepted: HS256)")
assert(jwt.verify(ed, pub, { algs = "EdDSA" }).sub == "ed")
-- Algorithm confusion: an HS256 token keyed with the public key.
local confused = jwt.sign({ sub = "root" }, pub, { alg = "HS256" })
refused(confused, pub, { algs = "EdDSA" }, "alg \"HS256\" (accepted: EdDSA)")

-- An Authorization header's value can be passed as it is.
assert(jwt.verify("Bearer " .. tok, key).sub == "ann")
assert(jwt.verify("bearer  " .. tok, key).sub == "ann")
refused("Basic " .. tok, key, nil, "jwt: malformed token")
refused("Bearer", key, nil, "jwt: malformed token")

-- ES256, with a P-256 key made for this test (PKCS #8 and PKIX PEM).
local ecPriv = [[
-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg86wSjzrzcfT1LCOX
ECYsl3zpGfAw9se+w1XOFE4nEQahRANCAAT/4ROVPB/M4+oQh/UVE3gul+bvt6Jl
dx5EJL7hvxGq+KFZVkBCOR+8bcE/NEWbZKNIbuwXSdrCRocMwG+cGZ1p
-----END PRIVATE KEY-----
]]
local ecPub = [[
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE/+ETlTwfzOPqEIf1FRN4Lpfm77ei
ZXceRCS+4b8RqvihWVZAQjkfvG3BPzRFm2SjSG7sF0nawkaHDMBvnBmdaQ==
-----END PUBLIC KEY-----
]]
local es = assert(jwt.sign({ sub = "ec" }, ecPriv, { alg = "ES256" }))
assert(jwt.decode_header(es).alg == "ES256")
assert(jwt.verify(es, ecPub, { algs = "ES256" }).sub == "ec")
assert(jwt.verify(es, { k = ecPub }, { algs = "ES256" }) == nil, "no kid, keys by id")
refused(es, string.rep("s", 32), nil, "alg \"ES256\" (accepted: HS256)")
assert(not pcall(jwt.verify, es, ecPub), "the ES256 public key given to an HS256 verifier is an error")
assert(not pcall(jwt.verify, es, ecPriv, { algs = "ES256" }), "a private key is not a public key")
assert(not pcall(jwt.sign, { sub = "x" }, ecPub, { alg = "ES256" }), "a public key cannot sign")
assert(not pcall(jwt.verify, es, "-----BEGIN PUBLIC KEY-----" .. string.rep("A", 64), { algs = "HS256" }),
  "a PEM key is not an HMAC secret")
-- Algorithm confusion: an HS256 token whose secret is the PEM public key.
refused(jwt.sign({ sub = "root" }, string.rep("p", 32), { alg = "HS256" }), ecPub, { algs = "ES256" }, "(accepted: ES256)")
