-- luaserve.template, run by TestLuaModules; templates in testdata/templates.
local template = require("luaserve.template")
local res = require("luaserve.response")
local json = require("luaserve.json")

local function fails(pattern, ...)
  local ok, err = pcall(template.render, ...)
  assert(not ok, "expected an error matching " .. pattern)
  assert(tostring(err):find(pattern), err)
  return err
end

-- Escaping by context: text, attribute, URL, script; raw only when asked.
local out = template.render("templates/page.html", {
  title = '" onmouseover="alert(1)',
  body = "<script>alert(1)</script>",
  link = "javascript:alert(1)",
  js = "</script><script>alert(1)",
  html = template.raw("<em>trusted</em>"),
})
assert(out == '<p title="&#34; onmouseover=&#34;alert(1)">&lt;script&gt;alert(1)&lt;/script&gt;</p>'
  .. '<a href="#ZgotmplZ">x</a><script>var s = "\\u003c/script\\u003e\\u003cscript\\u003ealert(1)";</script>'
  .. "<em>trusted</em>\n", out)
assert(not template.render("templates/page.html", { html = "<em>x</em>" }):find("<em>", 1, true),
  "a plain string is escaped")

-- A layout whose blocks the page fills, with a partial found by its path.
local links = { { href = "/a?x=1&y=2", text = "A<" } }
out = template.render("templates/child.html", { name = "<Ann>", links = links }, { layout = "templates/layout.html" })
assert(out == '<html><title>Hello &lt;Ann&gt;</title><nav><a href="/a?x=1&amp;y=2">A&lt;</a></nav>\n'
  .. "<main><h1>&lt;Ann&gt;</h1></main></html>\n", out)
-- Without the page: the layout's defaults.
out = template.render("templates/layout.html", { links = {} })
assert(out == "<html><title>Default</title><nav></nav>\n<main>none</main></html>\n", out)
-- A page that calls its layout itself overrides the layout's block.
out = template.render("templates/self_layout.html", { name = "B", links = {} })
assert(out:find("<main><b>B</b></main>", 1, true), out)

-- Data: lists, integers and floats, booleans, nil and json.null, empty arrays.
out = template.render("templates/data.html", { items = { "a", 2, 2.5 }, n = 3, f = 0.25, yes = true,
  none = json.null, empty = json.array({}) })
assert(out == "a,2,2.5,|3|0.25|true||0\n", out)
fails("data.fn: a function cannot be passed to a template", "templates/data.html", { fn = print })
local loop = {}
loop.self = loop
fails("nested deeper than 64 tables", "templates/data.html", loop)
fails("a boolean key", "templates/data.html", { [true] = 1 })

-- Errors name the file and line.
fails("template: templates/broken.html:4: unclosed action started at templates/broken.html:3", "templates/broken.html", {})
fails("template: templates/exec_error.html:2:", "templates/exec_error.html", { user = { name = "x" } })
fails('no such template "nowhere.html"', "templates/missing_partial.html", {})
fails("template templates/nope.html not found", "templates/nope.html", {})
fails("template templates/nope.html not found", "templates/child.html", {}, { layout = "templates/nope.html" })

-- Names stay below the script's folder.
fails("leaves the script's folder", "../stdlib_test.go", {})
fails("leaves the script's folder", "templates/../../x.html", {})
fails("is absolute", "/etc/passwd", {})
fails("backslash or NUL", "templates\\page.html", {})
fails("empty template name", "", {})
assert(not pcall(template.render), "a name is required")
assert(not pcall(template.render, "templates/page.html", {}, { layout = 1 }), "layout must be a string")

-- res.render: the page as an HTML response; errors name the template's line.
local r = res.render("templates/layout.html", { links = {} }, 201, { headers = { ["x-a"] = "1" } })
assert(r.status == 201 and r.html:find("<title>Default</title>", 1, true) and r.headers["x-a"] == "1")
assert(res.render("templates/child.html", { links = {} }, nil, { layout = "templates/layout.html" }).status == 200)
local ok, err = pcall(function()
  local page = res.render("templates/broken.html", {})
  return page
end)
assert(not ok and err:find("^template.render: template: templates/broken.html:4:"), err)
