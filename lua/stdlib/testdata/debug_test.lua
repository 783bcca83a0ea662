-- the debug subset (lua/stdlib/debug.go) and the call-stack limit
-- (stack.go); run by TestLuaModules.
assert(require("debug") == debug, "require('debug') is the global")
for _, name in ipairs({ "getlocal", "setlocal", "getupvalue", "setupvalue", "upvaluejoin", "getregistry", "debug" }) do
  assert(debug[name] == nil, "debug." .. name .. " is left out")
end

-- traceback: a message, then the frames; the idiom xpcall(f, debug.traceback).
local function inner() error("boom") end
local function outer() inner() end
local ok, msg = xpcall(outer, debug.traceback)
assert(not ok)
assert(msg:find("debug_test.lua:9: boom\nstack traceback:", 1, true), msg)
assert(msg:find("in function 'inner'", 1, true) and msg:find("debug_test.lua:10:", 1, true), msg)
local t = debug.traceback("here")
assert(t:match("^here\nstack traceback:\n\t[^\n]*debug_test.lua:15: in main chunk"), t)
assert(debug.traceback():match("^stack traceback:"))
local err = { code = 42 }
local ok2, e2 = xpcall(function() error(err) end, debug.traceback)
assert(not ok2 and e2 == err, "an error table passes through traceback unchanged")
assert(debug.traceback(nil, 1):match("^stack traceback:"))

-- getinfo: by level and by function, with Lua 5.1's fields.
local function where() return debug.getinfo(2, "Sl") end
local info = where()
assert(info.currentline == 25, info.currentline)
assert(info.source:match("^@.*debug_test.lua$"), info.source)
assert(info.short_src:match("debug_test.lua$") and info.short_src:sub(1, 1) ~= "@")
assert(info.what == "main")
local function named() return debug.getinfo(1, "nSf") end
local ni = named()
assert(ni.name == "named" and ni.what == "Lua" and ni.func == named)
local fi = debug.getinfo(where)
assert(fi.linedefined == 24 and fi.lastlinedefined == 24 and fi.what == "Lua" and fi.nups == 0)
assert(debug.getinfo(print, "S").what == "C", "a Go function is C, as Lua says")
assert(debug.getinfo(1000) == nil, "a level past the stack")
assert(not pcall(debug.getinfo, 1, "z"), "an unknown option")

-- metatables: protection holds; the string metatable can be taken away
-- and given back (pl.pretty does), nothing else.
local prot = setmetatable({}, { __metatable = "locked" })
assert(debug.getmetatable(prot) == "locked")
assert(not pcall(debug.setmetatable, prot, {}))
local plain = debug.setmetatable({}, { __index = { x = 1 } })
assert(plain.x == 1)
local smt = debug.getmetatable("")
debug.setmetatable("", nil)
assert(not pcall(function() return ("x"):upper() end), "no string methods")
debug.setmetatable("", smt)
assert(("x"):upper() == "X", "restored")
assert(not pcall(debug.setmetatable, "", {}), "another string metatable")
assert(not pcall(debug.setmetatable, print, {}), "functions' metatable")
assert(not pcall(debug.setmetatable, 1, {}), "numbers' metatable")

-- hooks: none is set, clearing is allowed, setting is not.
local hook, mask, count = debug.gethook()
assert(hook == nil and mask == "" and count == 0)
debug.sethook()
debug.sethook(nil, "", 0)
assert(not pcall(debug.sethook, function() end, "l"))

-- the call stack: thousands of nested calls work; past the limit, a
-- clean "stack overflow", through pcall as well, and the state goes on.
local function depth(n) if n == 0 then return 0 end return 1 + depth(n - 1) end
assert(depth(4500) == 4500)
local function forever(n) return 1 + forever(n + 1) end
local okf, ef = pcall(forever, 1)
assert(not okf and ef:find("stack overflow", 1, true), ef)
local function nested(n)
  local okn, en = pcall(nested, n + 1)
  if not okn then error(en, 0) end
  return en
end
local okn, en = pcall(nested, 1)
assert(not okn and en:find("stack overflow", 1, true), en)
local okx, ex = xpcall(function() return forever(1) end, debug.traceback)
assert(not okx and ex:find("stack overflow", 1, true), ex)
assert(depth(100) == 100, "the state still works")

-- a tail call shows as Lua 5.1 shows it, and no frame twice.
local function tc() return debug.traceback("t", 1) end
local function caller() return tc() end
local tt = caller()
assert(tt:find("(tail call): ?", 1, true), tt)
local _, mains = tt:gsub("in main chunk", "")
assert(mains == 1, tt)

-- a function with ten locals recursing 4,900 deep fits the registry.
local function locals10(n)
  local a, b, c, d, e, f, g, h, i, j = 1, 2, 3, 4, 5, 6, 7, 8, 9, 10
  if n == 0 then return a + b + c + d + e + f + g + h + i + j end
  return locals10(n - 1) + 0
end
assert(locals10(4900) == 55)

-- a coroutine has a stack of its own, of 200 frames.
local function cdepth(n) if n == 0 then return 0 end return 1 + cdepth(n - 1) end
local co = coroutine.wrap(function() return cdepth(150) end)
assert(co() == 150)
local okc, ec = coroutine.resume(coroutine.create(function() return cdepth(1000) end))
assert(not okc and ec:find("stack overflow", 1, true), ec)
local kept = {}
for k = 1, 1000 do kept[k] = coroutine.create(function() end) end
assert(#kept == 1000)
