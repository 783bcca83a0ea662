-- examples/accounts/routes_test.lua: tests for the accounts API in
-- routes.lua. Run them with `luaserve test examples/accounts`. The store
-- starts empty for every test.
local store = require("luaserve.store")

local function signup(user, password)
  return post("/signup", { user = user, password = password or "correct horse" })
end

local function login(user, password)
  local res = post("/login", { user = user, password = password or "correct horse" })
  expect(res.status).to_be(200)
  return { authorization = "Bearer " .. res.json.token }
end

-- A multipart/form-data body with one file, as a browser sends it.
local function upload(auth, filename, content_type, content)
  local boundary = "----luaserve-test-boundary"
  local body = table.concat({
    "--" .. boundary,
    'Content-Disposition: form-data; name="avatar"; filename="' .. filename .. '"',
    "Content-Type: " .. content_type,
    "",
    content,
    "--" .. boundary .. "--",
    "",
  }, "\r\n")
  local headers = { ["content-type"] = "multipart/form-data; boundary=" .. boundary }
  for k, v in pairs(auth) do
    headers[k] = v
  end
  return post("/api/avatar", body, { headers = headers })
end

local png = "\137PNG\r\n\26\n\0\0\0\rIHDR" .. string.rep("\0", 17)

test("signs up with a hashed password", function()
  local res = signup("ann")
  expect(res.status).to_be(201)
  expect(res.json).to_equal({ user = "ann" })
  expect(res.headers["location"]).to_be("/users/ann")
  local user = store.get("user:ann")
  expect(user.hash).to_match("^%$argon2id%$")
  expect(user.hash).not_to_be("correct horse")
end)

test("a name is taken once", function()
  expect(signup("ann").status).to_be(201)
  local res = signup("ann", "another password")
  expect(res.status).to_be(409)
  expect(res.json.error).to_be("name taken")
end)

test("refuses a bad sign-up with every problem", function()
  local res = post("/signup", { user = "a b", password = "short" })
  expect(res.status).to_be(422)
  expect(#res.json.errors).to_be(2)
  expect(post("/signup", "not json", { headers = { ["content-type"] = "application/json" } }).status).to_be(422)
end)

test("logs in with a token for the api", function()
  signup("ann")
  local auth = login("ann")
  local me = get("/api/me", { headers = auth })
  expect(me.status).to_be(200)
  expect(me.json.name).to_be("ann")
  expect(me.json.joined).to_match("^%d%d%d%d%-%d%d%-%d%dT")
end)

test("refuses wrong passwords and unknown users alike", function()
  signup("ann")
  for _, body in ipairs({ { user = "ann", password = "wrong horse" }, { user = "bob", password = "correct horse" }, {} }) do
    local res = post("/login", body)
    expect(res.status).to_be(401)
    expect(res.json.error).to_be("wrong user or password")
  end
end)

test("api routes need a valid token", function()
  signup("ann")
  local res = get("/api/me")
  expect(res.status).to_be(401)
  expect(res.headers["www-authenticate"]).to_be("Bearer")
  local token = login("ann").authorization
  local i = #token - 10 -- inside the signature, whose every bit counts there
  local tampered = token:sub(1, i - 1) .. (token:sub(i, i) == "A" and "B" or "A") .. token:sub(i + 1)
  expect(get("/api/me", { headers = { authorization = tampered } }).status).to_be(401)
  expect(get("/api/me", { headers = { authorization = "Bearer x.y.z" } }).status).to_be(401)
end)

test("answers the front end's preflight", function()
  local res = options("/api/me", { headers = {
    origin = "http://localhost:5173",
    ["access-control-request-method"] = "PUT",
    ["access-control-request-headers"] = "authorization, content-type",
  } })
  expect(res.status).to_be(204)
  expect(res.headers["access-control-allow-origin"]).to_be("http://localhost:5173")
  expect(res.headers["access-control-allow-methods"]).to_contain("PUT")
  expect(res.headers["access-control-allow-headers"]).to_contain("Authorization")
  expect(res.headers["access-control-max-age"]).to_be("600")
  local other = options("/api/me", { headers = { origin = "https://evil.example", ["access-control-request-method"] = "PUT" } })
  expect(other.headers["access-control-allow-origin"]).to_be_nil()
  -- The real call carries the header too, even when refused.
  local call = get("/api/me", { headers = { origin = "http://localhost:5173" } })
  expect(call.status).to_be(401)
  expect(call.headers["access-control-allow-origin"]).to_be("http://localhost:5173")
end)

test("uploads an avatar and serves it", function()
  signup("ann")
  local auth = login("ann")
  local res = upload(auth, "face.png", "image/png", png)
  expect(res.status).to_be(201)
  expect(res.json).to_equal({ url = "/avatars/ann", bytes = #png })
  local img = get("/avatars/ann")
  expect(img.status).to_be(200)
  expect(img.headers["content-type"]).to_be("image/png")
  expect(img.headers["x-content-type-options"]).to_be("nosniff")
  expect(img.body).to_be(png)
  expect(get("/avatars/nobody").status).to_be(404)
end)

test("refuses an avatar that is not an image", function()
  signup("ann")
  local auth = login("ann")
  expect(upload(auth, "x.png", "image/png", "<script>alert(1)</script>").status).to_be(415)
  expect(upload({}, "face.png", "image/png", png).status).to_be(401)
  expect(post("/api/avatar", "", { headers = auth }).status).to_be(422)
  expect(upload(auth, "big.png", "image/png", png .. string.rep("\0", 300 * 1024)).status).to_be(413)
end)

test("the profile page escapes what users write", function()
  signup("ann")
  local auth = login("ann")
  local bio = '<script>alert("x")</script> & "quotes"'
  expect(put("/api/me", { bio = bio }, { headers = auth }).status).to_be(200)
  upload(auth, "face.png", "image/png", png)
  local page = get("/users/ann")
  expect(page.status).to_be(200)
  expect(page.headers["content-type"]).to_be("text/html; charset=utf-8")
  expect(page.body).to_contain("<title>ann - Accounts</title>")
  expect(page.body).to_contain("<header><a href=\"/\">Accounts example</a></header>")
  expect(page.body).to_contain('<p class="bio">&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; &#34;quotes&#34;</p>')
  expect(page.body).to_contain('<img src="/avatars/ann" alt="avatar of ann"')
  expect(page.body:find("<script>", 1, true)).to_be_nil()
  expect(put("/api/me", { bio = string.rep("x", 501) }, { headers = auth }).status).to_be(422)
end)

test("an unknown profile is a 404 page", function()
  local page = get("/users/nobody")
  expect(page.status).to_be(404)
  expect(page.body).to_contain("<h1>No user nobody</h1>")
  expect(get("/users/%3Cb%3E").body).to_contain("<h1>No user &lt;b&gt;</h1>")
end)
