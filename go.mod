module github.com/luaserve/luaserve

go 1.26

require (
	github.com/yuin/gopher-lua v1.1.2 // indirect
	layeh.com/gopher-luar v1.0.11 // indirect
)
