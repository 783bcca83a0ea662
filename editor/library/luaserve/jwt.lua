---@meta luaserve.jwt

---JSON Web Tokens: HS256, HS384, HS512, EdDSA, ES256. Signed, not encrypted.
---@class luaserve.jwt
local jwt = {}

---@alias luaserve.jwt.Alg "HS256"|"HS384"|"HS512"|"EdDSA"|"ES256"

---@class luaserve.jwt.SignOptions
---@field alg? luaserve.jwt.Alg default "HS256"
---@field kid? string key id, written in the header
---@field expires_in? number|false seconds until exp (default 3600); false: no exp

---Adds iat (and exp) unless claims has them; claims itself is not changed.
---@param claims table a JSON object
---@param key string HMAC secret (at least the hash's size) or private key
---@param opts? luaserve.jwt.SignOptions
---@return string? token
---@return string? err
function jwt.sign(claims, key, opts) end

---@class luaserve.jwt.VerifyOptions
---@field algs? luaserve.jwt.Alg|luaserve.jwt.Alg[] accepted, one kind (default {"HS256"})
---@field leeway? number seconds of clock skew (default 30)
---@field require_exp? boolean default true
---@field issuer? string required iss
---@field audience? string required entry of aud
---@field max_size? integer bytes (default 8192)
---@field now? number the time to check against

---Never accepts alg "none" or an algorithm not listed.
---@param token string the token, or "Bearer <token>"
---@param key string|table<string, string> the key, or keys by kid
---@param opts? luaserve.jwt.VerifyOptions
---@return table? claims
---@return string? err why the token was refused
function jwt.verify(token, key, opts) end

---The header, NOT verified: only to pick a key.
---@param token string
---@return table? header
---@return string? err
function jwt.decode_header(token) end

return jwt
