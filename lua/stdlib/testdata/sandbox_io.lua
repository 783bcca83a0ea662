-- The sandbox, run by TestLuaSandbox in a state whose only root is
-- testdata. Paths are relative to the working folder, lua/stdlib.

local function refused(pattern, f, ...)
  local ok, err = pcall(f, ...)
  assert(not ok, "expected a refusal")
  assert(err:find(pattern, 1, true), err)
end

-- Running programs is gone.
refused("os.execute is not available in the sandbox", os.execute, "echo hi")
refused("io.popen is not available in the sandbox", io.popen, "echo hi")
refused("os.tmpname is not available in the sandbox", os.tmpname)

-- Files inside the root.
local f = assert(io.open("testdata/helper.lua"))
assert(f:read("*l") == "-- required by TestNewState")
f:close()
assert(dofile("testdata/helper.lua").answer == 42)
assert(loadfile("testdata/helper.lua")().answer == 42)
local n = 0
for _ in io.lines("testdata/helper.lua") do n = n + 1 end
assert(n == 2)
assert(io.input("testdata/helper.lua") and io.read() == "-- required by TestNewState")
io.close(io.input())
io.input(io.stdin)
local ok, err = os.remove("testdata/no-such-file")
assert(ok == nil and err:find("no-such-file", 1, true), "inside the root, the usual failure")

-- Files outside it.
refused('io.open: sandbox: "/etc/passwd"', io.open, "/etc/passwd")
refused("outside the allowed folders", io.open, "/etc/passwd")
refused('io.open: sandbox: "state.go"', io.open, "state.go")
refused('io.open: sandbox: "testdata/../state.go"', io.open, "testdata/../state.go")
refused("io.lines: sandbox:", io.lines, "state.go")
refused("io.open: sandbox:", io.output, "out.txt")
refused("io.open: sandbox:", io.input, "state.go")
refused("dofile: sandbox:", dofile, "/etc/passwd")
refused("loadfile: sandbox:", loadfile, "state.go")
refused("os.remove: sandbox:", os.remove, "state.go")
refused("os.remove: sandbox:", os.remove, "testdata")
refused("os.rename: sandbox:", os.rename, "testdata/helper.lua", "helper.lua")
refused("os.rename: sandbox:", os.rename, "state.go", "testdata/state.go")
refused("io.open: sandbox: empty file name", io.open, "")

-- What reads nothing still reads nothing.
assert(dofile() == nil and io.read() == nil)
