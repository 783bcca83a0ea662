-- The state's standard files and what reached the process, run by
-- TestLuaModules. Go tests check what reaches the log (stdio_test.go).

-- Process-wide changes are gone.
assert(os.setenv == nil and os.exit == nil and os.setlocale == nil)
assert(_printregs == nil, "_printregs prints to the process's stderr")
assert(os.getenv and os.remove and os.rename and os.tmpname and os.execute and io.popen)

-- io.stdout and io.stderr write and cannot be closed.
assert(io.type(io.stdout) == "file" and io.type(io.stderr) == "file" and io.type(io.stdin) == "file")
assert(tostring(io.stdout) == "file (stdout)")
assert(io.write("a", 1, "\n") == true)
assert(io.stdout:write("b\n") == true and io.stderr:write("c\n") == true)
local ok, err = io.stdout:close()
assert(ok == nil and err == "cannot close standard file", err)
ok, err = io.stderr:close()
assert(ok == nil and err == "cannot close standard file")
ok, err = io.close()
assert(ok == nil and err == "cannot close standard file")
ok, err = io.close(io.stdout)
assert(ok == nil and err == "cannot close standard file")
assert(io.type(io.stdout) == "file", "still open")
assert(io.write("still writing\n") == true)
assert(io.stdout:flush() == true and io.flush() == true and io.stdout:setvbuf("no") == true)
assert(io.stdout:seek() == nil)
assert(not pcall(io.write, {}), "io.write takes strings and numbers")
assert(io.stdout:read() == nil, "stdout is for writing")

-- io.stdin is empty: it never waits on the process's input.
assert(io.read() == nil and io.read("*l") == nil and io.read("*n") == nil and io.read(5) == nil)
local a, b = io.read("*a", "*l")
assert(a == "" and b == nil)
assert(io.stdin:read("*a") == "")
for _ in io.lines() do error("io.lines() yields nothing") end
for _ in io.stdin:lines() do error("io.stdin:lines() yields nothing") end
assert(io.stdin:write("x") == nil, "stdin is for reading")
assert(not pcall(io.read, "*x"), "bad formats are errors")
assert(dofile() == nil, "dofile() runs the empty chunk of stdin")
assert(loadfile()() == nil, "loadfile() compiles the empty chunk of stdin")

-- io.output and io.input take file names and files, and give them back.
local name = os.tmpname()
assert(io.output(name) ~= io.stdout)
assert(io.type(io.output()) == "file")
io.write("first\n", "second\n")
assert(io.close() == true, "closing a file works")
assert(io.output(io.stdout) == io.stdout)
assert(io.input(name) ~= io.stdin)
assert(io.read() == "first")
local lines = {}
for line in io.lines() do lines[#lines + 1] = line end
assert(#lines == 1 and lines[1] == "second")
io.close(io.input())
assert(io.input(io.stdin) == io.stdin and io.read() == nil)
for line in io.lines(name) do lines[#lines + 1] = line end
assert(#lines == 3, "io.lines(name) reads a file")
local f = assert(io.open(name))
assert(f:read("*a") == "first\nsecond\n")
f:close()
assert(io.type(f) == "closed file")
assert(os.remove(name))
assert(not pcall(io.input, name), "io.input raises when the file cannot be opened")
assert(not pcall(io.output, 42 == 42), "io.output takes a file or a name")
assert(not pcall(io.close, "x"), "io.close takes a file")
assert(io.type("x") == nil and io.type({}) == nil)
