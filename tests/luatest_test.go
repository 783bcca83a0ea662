package tests

import (
	"os"
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

// TestExampleLuaTestsOnPostgresAndRedis runs every example's Lua tests,
// unchanged, with luaserve.db on PostgreSQL and luaserve.store on Redis,
// as "luaserve test -db postgres://... -store redis://... examples" would.
func TestExampleLuaTestsOnPostgresAndRedis(t *testing.T) {
	t.Parallel()
	pg, rd := serviceURL(t, "POSTGRES"), serviceURL(t, "REDIS")
	var out strings.Builder
	sum, err := luatest.Run(luatest.Config{Out: &out, DB: pg, Store: rd}, []string{"../examples"})
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != 0 || sum.Passed < 30 {
		t.Fatalf("%d passed, %d failed:\n%s", sum.Passed, sum.Failed, out.String())
	}
}

// serviceURL is $LUASERVE_<name>_URL, the server .ci/services.sh started.
// Without it the test skips, or fails when LUASERVE_REQUIRE_<name> is set.
func serviceURL(t *testing.T, name string) string {
	t.Helper()
	url := os.Getenv("LUASERVE_" + name + "_URL")
	if url == "" {
		if os.Getenv("LUASERVE_REQUIRE_"+name) != "" {
			t.Fatalf("LUASERVE_REQUIRE_%s is set but LUASERVE_%s_URL is not", name, name)
		}
		t.Skipf("no LUASERVE_%s_URL (source .ci/services.sh; services_start)", name)
	}
	return url
}
