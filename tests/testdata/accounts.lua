-- Accounts: sign-up stores an argon2id hash, log-in returns a JWT, /api/*
-- requires it. The README's log-in example; tests/accounts_test.go drives it.
local app = require("luaserve")
local crypto = require("luaserve.crypto")
local jwt = require("luaserve.jwt")
local store = require("luaserve.store")
local validate = require("luaserve.validate")

-- In production: local secret = os.getenv("JWT_SECRET"), 32 random bytes or more.
local secret = "test-secret-of-at-least-32-bytes!"

local account = validate.shape({
  user = { type = "string", required = true, min = 3, max = 32, pattern = "^[%w_.-]+$" },
  password = { type = "string", required = true, min = 8, max = 1024 },
})

app.post("/signup", function(req)
  local body, problems = account:check(req:json())
  if not body then
    return { status = 422, json = { errors = problems } }
  end
  local user = { hash = crypto.hash_password(body.password), id = crypto.uuid_v7() }
  if not store.add("user:" .. body.user, user) then -- stores only if absent: no race between two sign-ups
    return { status = 409, json = { error = "taken" } }
  end
  return { status = 201, json = { user = body.user } }
end)

app.post("/login", function(req)
  local body = req:json() or {}
  local user = type(body.user) == "string" and store.get("user:" .. body.user)
  -- Verify even for an unknown user, so timing does not tell which names exist.
  local hash = user and user.hash or "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" .. string.rep("A", 43)
  local ok = crypto.verify_password(tostring(body.password), hash)
  if not (user and ok) then
    return { status = 401, json = { error = "wrong user or password" } }
  end
  if crypto.password_needs_rehash(user.hash) then
    user.hash = crypto.hash_password(body.password)
    store.set("user:" .. body.user, user)
  end
  local token = jwt.sign({ sub = user.id, name = body.user }, secret, { expires_in = 3600 })
  return { json = { token = token } }
end)

-- Every /api route needs "Authorization: Bearer <token>".
app.use("/api", function(req)
  local token = (req.headers.authorization or ""):match("^Bearer (.+)$")
  local claims, err = jwt.verify(token or "", secret)
  if not claims then
    return { status = 401, headers = { ["WWW-Authenticate"] = "Bearer" }, json = { error = err } }
  end
  req.user = claims
end)

app.get("/api/me", function(req)
  return { json = { id = req.user.sub, name = req.user.name } }
end)
