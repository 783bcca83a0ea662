-- pcall (lua/stdlib/stack.go): as gopher-lua's, without building a
-- traceback for each error it catches; run by TestLuaModules.
local a, b, c = pcall(function(x, y) return x + y, x * y end, 2, 3)
assert(a == true and b == 5 and c == 6)
assert(select("#", pcall(function() end)) == 1)
local ok, e = pcall(error, { code = 1 })
assert(not ok and e.code == 1, "an error table comes back as it is")
ok, e = pcall(error, "plain", 0)
assert(not ok and e == "plain")
ok, e = pcall(function() error("where") end)
assert(not ok and e:match("pcall_test.lua:10: where$"), e)
ok, e = pcall(nil)
assert(not ok and e == "attempt to call a nil value")
ok, e = pcall(setmetatable({}, { __call = function(_, x) return x * 2 end }), 21)
assert(ok and e == 42, "a callable table")
assert(not pcall(pcall), "pcall without a function is an error")

-- A closure made inside a call that failed keeps its variables.
local f
assert(not pcall(function()
  local x = 1
  f = function() return x end
  error("e")
end))
local function reuse() local p, q, r = 100, 200, 300 return p + q + r end
reuse()
assert(f() == 1, "got " .. tostring(f()))

-- Nested and caught many times over, quickly.
local function nest(n) if n == 0 then error("bottom") end local okn, en = pcall(nest, n - 1) error(en, 0) end
local okn, en = pcall(nest, 1000)
assert(not okn and en:match("bottom$"), en)
for _ = 1, 2000 do pcall(error, "x") end
