-- examples/accounts/routes.lua: an API with accounts, for a browser front
-- end on another origin. Run it with
--
--   JWT_SECRET=$(openssl rand -hex 32) go run ./cmd/luaserve examples/accounts/routes.lua
--
-- then try:
--
--   curl -X POST localhost:8080/signup -d '{"user":"ann","password":"correct horse"}'
--   TOKEN=$(curl -s -X POST localhost:8080/login -d '{"user":"ann","password":"correct horse"}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
--   curl -H "Authorization: Bearer $TOKEN" localhost:8080/api/me
--   curl -X PUT -H "Authorization: Bearer $TOKEN" localhost:8080/api/me -d '{"bio":"<b>hi</b>"}'
--   curl -H "Authorization: Bearer $TOKEN" -F avatar=@face.png localhost:8080/api/avatar
--   open http://localhost:8080/users/ann      (an HTML page from templates/)
--
-- Tests: luaserve test examples/accounts
local app = require("luaserve")
local crypto = require("luaserve.crypto")
local jwt = require("luaserve.jwt")
local log = require("luaserve.log")
local res = require("luaserve.response")
local store = require("luaserve.store")
local time = require("luaserve.time")
local validate = require("luaserve.validate")

-- The key that signs tokens: 32 random bytes or more, from the environment.
-- Without one (a first try, the tests) a fixed key stands in, loudly.
local secret = os.getenv("JWT_SECRET")
if not secret or #secret < 32 then
  log.warn("JWT_SECRET is unset or short: using a development key; never do this in production")
  secret = "accounts-example-development-key!"
end

-- The browser front end lives on another origin and sends the token in
-- Authorization (not a cookie), so no credentials are needed.
app.cors({
  origins = { os.getenv("FRONTEND_ORIGIN") or "http://localhost:5173" },
  methods = { "GET", "POST", "PUT" },
  headers = { "Content-Type", "Authorization" },
  max_age = 600,
})

local account = validate.shape({
  user = { type = "string", required = true, min = 3, max = 32, pattern = "^[%w_.-]+$" },
  password = { type = "string", required = true, min = 8, max = 1024 },
})

local profile = validate.shape({
  bio = { type = "string", required = true, max = 500 },
})

app.post("/signup", function(req)
  local body, problems = account:check(req:json())
  if not body then
    return res.json({ errors = problems }, 422)
  end
  local user = { hash = crypto.hash_password(body.password), id = crypto.uuid_v7(), joined = time.now(), bio = "" }
  -- store.add stores only if the key is absent: of two sign-ups of one
  -- name, however close, exactly one wins.
  if not store.add("user:" .. body.user, user) then
    return res.json({ error = "name taken" }, 409)
  end
  return res.json({ user = body.user }, 201, { location = "/users/" .. body.user })
end)

-- A hash of the default cost to verify against for unknown names, so that
-- timing does not tell which names exist.
local decoy = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$" .. string.rep("A", 43)

app.post("/login", function(req)
  local body = req:json() or {}
  local name = type(body.user) == "string" and body.user or ""
  local user = name ~= "" and store.get("user:" .. name)
  local ok = crypto.verify_password(tostring(body.password), user and user.hash or decoy)
  if not (user and ok) then
    return res.json({ error = "wrong user or password" }, 401)
  end
  local token = jwt.sign({ sub = user.id, name = name }, secret, { expires_in = 3600 })
  return res.json({ token = token, expires_in = 3600 })
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
  local user = store.get("user:" .. req.user.name)
  if not user then
    return res.json({ error = "account deleted" }, 404)
  end
  return res.json({ id = user.id, name = req.user.name, bio = user.bio, joined = time.format_rfc3339(user.joined) })
end)

-- The bio is shown on the profile page: any text, escaped there.
app.put("/api/me", function(req)
  local body, problems = profile:check(req:json())
  if not body then
    return res.json({ errors = problems }, 422)
  end
  local key = "user:" .. req.user.name
  local user = store.get(key)
  if not user then
    return res.json({ error = "account deleted" }, 404)
  end
  user.bio = body.bio
  store.set(key, user)
  return res.json({ bio = user.bio })
end)

-- Avatars: a PNG or JPEG up to 256 KiB, checked by its first bytes (not by
-- the type the browser claims), kept base64-encoded in the store.
local magic = { ["image/png"] = "^\137PNG\r\n\26\n", ["image/jpeg"] = "^\255\216\255" }

app.post("/api/avatar", function(req)
  local _, files = req:form()
  local f = files.avatar
  if not f then
    return res.json({ error = "send the image as the form field avatar" }, 422)
  end
  if not f.content then -- over 256 KiB: the server put it in a temporary file
    return res.json({ error = "avatar over 256 KiB" }, 413)
  end
  local kind
  for ct, pattern in pairs(magic) do
    if f.content:find(pattern) then
      kind = ct
    end
  end
  if not kind then
    return res.json({ error = "avatar must be a PNG or JPEG image" }, 415)
  end
  store.set("avatar:" .. req.user.name, { type = kind, data = crypto.base64_encode(f.content) })
  return res.json({ url = "/avatars/" .. req.user.name, bytes = f.size }, 201)
end)

app.get("/avatars/:name", function(req)
  local a = store.get("avatar:" .. req.params.name)
  if not a then
    return 404
  end
  return {
    body = crypto.base64_decode(a.data),
    headers = { ["content-type"] = a.type, ["x-content-type-options"] = "nosniff", ["cache-control"] = "no-cache" },
  }
end)

-- The public profile: an HTML page from templates/profile.html in the
-- layout templates/layout.html. Every value is escaped by the template.
app.get("/users/:name", function(req)
  local name = req.params.name
  local user = store.get("user:" .. name)
  if not user then
    return res.render("templates/missing.html", { name = name }, 404, { layout = "templates/layout.html" })
  end
  return res.render("templates/profile.html", {
    name = name,
    bio = user.bio,
    joined = time.format_rfc3339(user.joined),
    avatar = store.get("avatar:" .. name) and ("/avatars/" .. name) or nil,
  }, 200, { layout = "templates/layout.html" })
end)
