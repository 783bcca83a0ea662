---@meta luaserve.crypto

---Digests, HMACs, secure random values, hex and base64, constant-time
---comparison and argon2id password hashing. Strings are bytes.
---@class luaserve.crypto
local crypto = {}

---@param data string
---@return string raw 32 bytes
function crypto.sha256(data) end
---@param data string
---@return string hex 64 lowercase hex digits
function crypto.sha256_hex(data) end
---@param data string
---@return string raw 64 bytes
function crypto.sha512(data) end
---@param data string
---@return string hex
function crypto.sha512_hex(data) end
---For checksums and old protocols only.
---@param data string
---@return string raw 20 bytes
function crypto.sha1(data) end
---@param data string
---@return string hex
function crypto.sha1_hex(data) end
---For checksums and old protocols only.
---@param data string
---@return string raw 16 bytes
function crypto.md5(data) end
---@param data string
---@return string hex
function crypto.md5_hex(data) end

---@alias luaserve.crypto.Hash "sha256"|"sha512"|"sha1"|"md5"

---@param alg luaserve.crypto.Hash
---@param key string
---@param data string
---@return string raw
function crypto.hmac(alg, key, data) end
---@param alg luaserve.crypto.Hash
---@param key string
---@param data string
---@return string hex
function crypto.hmac_hex(alg, key, data) end

---Constant time for strings of equal length.
---@param a string
---@param b string
---@return boolean
function crypto.equal(a, b) end

---@param n integer 1 to 65536
---@return string
function crypto.random_bytes(n) end
---n random bytes (default 32) as unpadded base64url.
---@param n? integer
---@return string
function crypto.random_token(n) end
---@return string
function crypto.uuid_v4() end
---Time-ordered (RFC 9562 version 7).
---@return string
function crypto.uuid_v7() end

---@param s string
---@return string
function crypto.hex_encode(s) end
---@param s string
---@return string? bytes
---@return string? err
function crypto.hex_decode(s) end
---Standard alphabet; padded unless padding is false.
---@param s string
---@param padding? boolean
---@return string
function crypto.base64_encode(s, padding) end
---@param s string padded or not
---@return string? bytes
---@return string? err
function crypto.base64_decode(s) end
---URL-safe alphabet; unpadded unless padding is true.
---@param s string
---@param padding? boolean
---@return string
function crypto.base64url_encode(s, padding) end
---@param s string padded or not
---@return string? bytes
---@return string? err
function crypto.base64url_decode(s) end

---@class luaserve.crypto.PasswordOptions
---@field memory? integer KiB, 8192 to 262144 (default 19456)
---@field time? integer passes, 1 to 16 (default 2)
---@field threads? integer lanes, 1 to 16 (default 1)

---argon2id, a PHC string: "$argon2id$v=19$m=19456,t=2,p=1$salt$key".
---Waits for a free hashing slot (GOMAXPROCS at once).
---@param password string
---@param opts? luaserve.crypto.PasswordOptions
---@return string
function crypto.hash_password(password, opts) end

---Checks argon2id and bcrypt hashes.
---@param password string
---@param hash string
---@return boolean? ok
---@return string? err a hash that cannot be read
function crypto.verify_password(password, hash) end

---@param hash string
---@param opts? luaserve.crypto.PasswordOptions
---@return boolean
function crypto.password_needs_rehash(hash, opts) end

return crypto
