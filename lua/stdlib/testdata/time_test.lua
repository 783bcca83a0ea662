-- luaserve.time, run by TestLuaModules.
local time = require("luaserve.time")

assert(time.now() > 1700000000, "seconds since the epoch")
local t0 = time.monotonic()
time.sleep(0.01)
assert(time.monotonic() - t0 >= 0.01, "sleep waits")
time.sleep(0)
time.sleep(-1)
assert(not pcall(time.sleep, "soon"), "sleep needs a number")
