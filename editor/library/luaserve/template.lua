---@meta luaserve.template

---HTML pages from template files below the script's folder, with Go's
---html/template: every value is escaped for where it lands (text,
---attribute, URL, script); only template.raw values are inserted as is.
---Names are paths relative to the script's folder; "..", absolute paths
---and links leaving the folder are refused. {{template "partials/x.html" .}}
---loads that file. Parsed sets are cached and parsed again when a file
---changes.
---@class luaserve.template
local template = {}

---@class luaserve.template.Options
---@field layout? string a template executed instead of name; name's {{define}}s fill its {{block}}s

---Renders name with data (tables with string keys become maps, sequences
---lists, json.null nil). Raises on error, naming the template file and line.
---@param name string
---@param data? any
---@param options? luaserve.template.Options
---@return string html
function template.render(name, data, options) end

---Marks s as trusted HTML, inserted without escaping.
---@param s string
---@return userdata
function template.raw(s) end

return template
