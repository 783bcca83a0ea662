package luatest

// Globals lists the globals a test file has beyond a script's (see the
// package documentation), for "luaserve check" on a test file and for
// editor and luacheck configurations. TestGlobalsListed keeps it in step
// with what a test file's state gets.
func Globals() []string {
	return []string{"test", "expect", "fail", "json", "http",
		"get", "head", "options", "delete", "post", "put", "patch", "request"}
}
