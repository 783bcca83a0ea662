package tests

import (
	"strings"
	"testing"

	"github.com/luaserve/luaserve/luatest"
)

// TestExampleLuaTests runs examples/routes_test.lua, the example API's own
// Lua tests, as "luaserve test examples" would.
func TestExampleLuaTests(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	sum, err := luatest.Run(luatest.Config{Out: &out}, []string{"../examples/routes_test.lua"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 || sum.Passed < 10 {
		t.Fatalf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
	}
}

// TestExampleTodoDBLuaTests runs examples/todo_db_test.lua, the SQLite
// todo API's tests: each starts from a fresh in-memory database with the
// script's migrations applied.
func TestExampleTodoDBLuaTests(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	sum, err := luatest.Run(luatest.Config{Out: &out}, []string{"../examples/todo_db_test.lua"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 || sum.Passed < 9 {
		t.Fatalf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
	}
}

// TestExampleAccountsLuaTests runs examples/accounts/routes_test.lua: the
// accounts example's sign-up, log-in, token, CORS, avatar and page tests.
func TestExampleAccountsLuaTests(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	sum, err := luatest.Run(luatest.Config{Out: &out}, []string{"../examples/accounts/routes_test.lua"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 || sum.Passed < 11 {
		t.Fatalf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
	}
}

// TestExampleChatLuaTests runs examples/chat/routes_test.lua: the chat
// example's HTTP parts (page, history, posting, the handshake refusals).
func TestExampleChatLuaTests(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	sum, err := luatest.Run(luatest.Config{Out: &out}, []string{"../examples/chat/routes_test.lua"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 || sum.Passed < 5 {
		t.Fatalf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
	}
}
