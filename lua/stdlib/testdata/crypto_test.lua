-- luaserve.crypto, run by TestLuaModules: known answers from the RFCs and
-- NIST, then the properties of random values and password hashes.
local crypto = require("luaserve.crypto")

local function check(got, want, what)
  assert(got == want, what .. ": got " .. tostring(got) .. ", want " .. tostring(want))
end

-- FIPS 180 examples (NIST), RFC 1321 and RFC 3174.
local nist = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
check(crypto.sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "sha256 abc")
check(crypto.sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "sha256 empty")
check(crypto.sha256_hex(nist), "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "sha256 448 bits")
check(crypto.sha512_hex("abc"), "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a" ..
  "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f", "sha512 abc")
check(crypto.sha1_hex("abc"), "a9993e364706816aba3e25717850c26c9cd0d89d", "sha1 abc")
check(crypto.sha1_hex(nist), "84983e441c3bd26ebaae4aa1f95129e5e54670f1", "sha1 448 bits")
check(crypto.md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e", "md5 empty")
check(crypto.md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72", "md5 abc")
check(crypto.sha256("abc"), crypto.hex_decode(crypto.sha256_hex("abc")), "raw is the hex's bytes")
check(#crypto.sha512("x"), 64, "raw sha512 length")
check(crypto.sha256_hex("a\0b"), crypto.sha256_hex("a\0b"), "NUL bytes hash")
assert(crypto.sha256_hex("a\0b") ~= crypto.sha256_hex("a"), "hashing stops at no NUL")

-- RFC 4231 (HMAC-SHA256/512) test cases 1, 2 and 6; RFC 2202 (SHA-1, MD5) case 2.
local k1, k6 = string.rep(string.char(11), 20), string.rep(string.char(170), 131)
local jefe, what = "Jefe", "what do ya want for nothing?"
check(crypto.hmac_hex("sha256", k1, "Hi There"), "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", "4231 #1 sha256")
check(crypto.hmac_hex("sha512", k1, "Hi There"), "87aa7cdea5ef619d4ff0b4241a1d6cb02379f4e2ce4ec2787ad0b30545e17cde" ..
  "daa833b7d6b8a702038b274eaea3f4e4be9d914eeb61f1702e696c203a126854", "4231 #1 sha512")
check(crypto.hmac_hex("sha256", jefe, what), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", "4231 #2 sha256")
check(crypto.hmac_hex("sha512", jefe, what), "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea250554" ..
  "9758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737", "4231 #2 sha512")
check(crypto.hmac_hex("sha256", k6, "Test Using Larger Than Block-Size Key - Hash Key First"),
  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54", "4231 #6 sha256")
check(crypto.hmac_hex("sha1", jefe, what), "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79", "2202 #2 sha1")
check(crypto.hmac_hex("md5", jefe, what), "750c783e6ab0b503eaa86e310a5db738", "2202 #2 md5")
check(crypto.hmac("sha256", jefe, what), crypto.hex_decode(crypto.hmac_hex("sha256", jefe, what)), "raw hmac")
assert(not pcall(crypto.hmac, "sha3", "k", "d"), "unknown algorithm is an error")
assert(not pcall(crypto.sha256, {}), "a table is not data")

-- RFC 4648 section 10.
local vectors = { { "", "", "" }, { "f", "Zg==", "66" }, { "fo", "Zm8=", "666f" }, { "foo", "Zm9v", "666f6f" },
  { "foob", "Zm9vYg==", "666f6f62" }, { "fooba", "Zm9vYmE=", "666f6f6261" }, { "foobar", "Zm9vYmFy", "666f6f626172" } }
for _, v in ipairs(vectors) do
  local plain, b64, b16 = v[1], v[2], v[3]
  check(crypto.base64_encode(plain), b64, "base64 " .. plain)
  check(crypto.base64_decode(b64), plain, "base64 decode " .. b64)
  local raw = (b64:gsub("=", ""))
  check(crypto.base64_encode(plain, false), raw, "unpadded " .. plain)
  check(crypto.base64_decode(raw), plain, "unpadded decode " .. raw)
  check(crypto.base64url_encode(plain), raw, "base64url " .. plain)
  check(crypto.base64url_encode(plain, true), b64, "padded base64url " .. plain)
  check(crypto.hex_encode(plain), b16, "base16 " .. plain)
  check(crypto.hex_decode(b16:upper()), plain, "base16 decode " .. b16)
end
-- The two alphabets differ at 62 and 63.
local bytes = string.char(251, 255, 191)
check(crypto.base64_encode(bytes), "+/+/", "standard alphabet")
check(crypto.base64url_encode(bytes), "-_-_", "URL-safe alphabet")
check(crypto.base64url_decode("-_-_"), bytes, "URL-safe decode")
local all = {}
for i = 0, 255 do all[#all + 1] = string.char(i) end
all = table.concat(all)
check(crypto.base64_decode(crypto.base64_encode(all)), all, "all bytes round-trip")
check(crypto.base64url_decode(crypto.base64url_encode(all)), all, "all bytes round-trip, URL-safe")
check(crypto.hex_decode(crypto.hex_encode(all)), all, "all bytes round-trip, hex")
for _, bad in ipairs({ "Zg=", "Z===", "Zh==", "Zm9v!", "-_-_", "Zg==Zg==" }) do
  local v, err = crypto.base64_decode(bad)
  assert(v == nil and err:find("^crypto: malformed base64"), bad .. ": " .. tostring(err))
end
local v, err = crypto.base64url_decode("+/+/")
assert(v == nil and err == "crypto: malformed base64 at byte 1", err)
for _, bad in ipairs({ "abc", "zz", "0x00" }) do
  local v, err = crypto.hex_decode(bad)
  assert(v == nil and err:find("^crypto: malformed hex"), bad .. ": " .. tostring(err))
end

-- Constant-time comparison.
assert(crypto.equal("abc", "abc") and not crypto.equal("abc", "abd") and not crypto.equal("abc", "ab"))
assert(crypto.equal("", "") and crypto.equal("a\0b", "a\0b") and not crypto.equal("a\0b", "a\0c"))

-- Random values.
check(#crypto.random_bytes(16), 16, "random_bytes length")
assert(crypto.random_bytes(32) ~= crypto.random_bytes(32), "random bytes differ")
local token = crypto.random_token()
check(#token, 43, "32 bytes are 43 base64url characters")
assert(token:match("^[A-Za-z0-9_-]+$"), token)
check(#crypto.base64url_decode(crypto.random_token(12)), 12, "random_token(n) holds n bytes")
for _, n in ipairs({ 0, -1, 1.5, 65537 }) do
  assert(not pcall(crypto.random_bytes, n), "random_bytes(" .. n .. ") is an error")
end
local seen = {}
for _ = 1, 100 do
  local u4 = crypto.uuid_v4()
  assert(u4:match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"), u4)
  assert(not seen[u4], "v4 repeats")
  seen[u4] = true
end
local prev = ""
for _ = 1, 100 do
  local u7 = crypto.uuid_v7()
  assert(u7:match("^%x%x%x%x%x%x%x%x%-%x%x%x%x%-7%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"), u7)
  assert(u7 > prev, "v7 sorts by time: " .. prev .. " then " .. u7)
  prev = u7
end
-- The first 48 bits are the time in milliseconds.
local ms = tonumber(prev:sub(1, 8) .. prev:sub(10, 13), 16)
assert(math.abs(ms / 1000 - os.time()) < 5, "v7 carries the time: " .. ms)

-- Password hashing: argon2id, PHC strings, parameters in the hash.
local cheap = { memory = 8192, time = 1, threads = 1 }
local h = crypto.hash_password("s3cret\0pw", cheap)
assert(h:find("^%$argon2id%$v=19%$m=8192,t=1,p=1%$[A-Za-z0-9+/]+%$[A-Za-z0-9+/]+$"), h)
assert(crypto.verify_password("s3cret\0pw", h) == true)
assert(crypto.verify_password("s3cret", h) == false, "the NUL and what follows count")
assert(crypto.hash_password("s3cret\0pw", cheap) ~= h, "each hash has its own salt")
assert(crypto.password_needs_rehash(h), "cheaper than the default")
assert(not crypto.password_needs_rehash(h, cheap), "as asked")
local d = crypto.hash_password("pw")
assert(d:find("^%$argon2id%$v=19%$m=19456,t=2,p=1%$"), "the default: " .. d)
assert(not crypto.password_needs_rehash(d))
-- bcrypt hashes from elsewhere verify, and need a rehash.
local bc = "$2a$10$XajjQvNhvvRt5GSeFk1xFeyqRrsxkhBkUiQeg0dt.wU1qD4aFDcga"
assert(crypto.verify_password("allmine", bc) == true and crypto.verify_password("allmine!", bc) == false)
assert(crypto.password_needs_rehash(bc))
local ok, err = crypto.verify_password("pw", "$argon2id$v=19$m=4194304,t=1,p=1$c29tZXNhbHQ$" .. string.rep("A", 43))
assert(ok == nil and err:find("parameters out of bounds"), err)
ok, err = crypto.verify_password("pw", "plaintext")
assert(ok == nil and err:find("^crypto: password: malformed hash"), err)
assert(crypto.password_needs_rehash("plaintext"))
assert(not pcall(crypto.hash_password, "pw", { memory = 1024 }), "too little memory is an error")
assert(not pcall(crypto.hash_password, "pw", { memroy = 65536 }), "an unknown option is an error")
assert(not pcall(crypto.hash_password, "pw", { time = "2" }), "a string cost is an error")
