-- luaserve.response: helpers that build response tables.
--
--   local res = require("luaserve.response")
--   return res.json({ id = 1 }, 201)
--
-- Each returns a plain table ({ status=, headers=, json=|html=|text=|body=
-- |redirect=|file= }) that a route returns as is, or changes first.

local M = {}

-- res.json(value [, status [, headers]]) -> response (application/json)
function M.json(value, status, headers)
  return { status = status or 200, json = value, headers = headers }
end

-- res.html(text [, status [, headers]]) -> response (text/html; charset=utf-8)
function M.html(text, status, headers)
  return { status = status or 200, html = text, headers = headers }
end

-- res.text(text [, status [, headers]]) -> response (text/plain; charset=utf-8)
function M.text(text, status, headers)
  return { status = status or 200, text = text, headers = headers }
end

-- res.render(name, data [, status [, options]]) -> response (text/html;
-- charset=utf-8): luaserve.template's render(name, data, options) as the
-- body, options.headers as the headers. A template error is raised, naming
-- the caller's line.
function M.render(name, data, status, options)
  local ok, html = pcall(require("luaserve.template").render, name, data, options)
  if not ok then
    -- Without a position: a route's "return res.render(...)" is a tail
    -- call, whose line is gone; the message names the template's.
    error((tostring(html):gsub("^luaserve/response%.lua:%d+: ", "")), 0)
  end
  return { status = status or 200, html = html, headers = options and options.headers }
end

-- res.redirect(location [, status]) -> response; status defaults to 302
function M.redirect(location, status)
  return { status = status or 302, redirect = location }
end

-- res.file(path [, options]) -> response sending one file below the root.
-- options: download (string: attachment file name), content_type (string),
-- cache_control (string), status (number).
function M.file(path, options)
  options = options or {}
  return {
    status = options.status,
    file = path,
    download = options.download,
    headers = {
      ["content-type"] = options.content_type,
      ["cache-control"] = options.cache_control,
    },
  }
end

-- res.status(code [, body]) -> response with a plain-text body that
-- defaults to the reason phrase
function M.status(code, body)
  return { status = code, text = body }
end

-- res.no_content() -> 204
function M.no_content()
  return { status = 204 }
end

return M
