-- The script of tests/files_test.go. The test copies it into a temporary
-- folder beside the tree it builds (site/, reports/, secret.txt), so that
-- mounts and file responses resolve against that folder.
local app = require("luaserve")
local res = require("luaserve.response")

-- Defaults: index.html, no listing, compression, no dotfiles.
app.static("/assets", "site")

-- Every option turned the other way.
app.static("/open", "site", {
  listing = true,
  index = false,
  dotfiles = true,
  compress = false,
  cache_control = "public, max-age=60",
  fallback_type = "text/plain",
})

-- Listings that still hide dotfiles: after the index file, or instead.
app.static("/list", "site", { listing = true })
app.static("/browse", "site", { listing = true, index = false })

-- Nothing to show for a folder: no index file, no listing.
app.static("/plain", "site/docs", { index = false })

-- File responses, with a name built from the request.
app.get("/report/:id", function(req)
  return res.file("reports/" .. req.params.id .. ".pdf", { download = "report " .. req.params.id .. ".pdf" })
end)

app.get("/raw/*path", function(req)
  return { file = req.params.path }
end)

app.get("/page", function()
  return res.file("site/index.html", { content_type = "text/x-custom", cache_control = "no-store" })
end)

app.get("/error-page", function()
  return res.file("site/index.html", { status = 503 })
end)

app.not_found(function(req)
  return { status = 404, text = "custom 404 for " .. req.path .. "\n" }
end)
