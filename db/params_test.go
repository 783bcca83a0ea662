package db

import (
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, in, sqlite string
		nargs            int
		readOnly, multi  bool
	}{
		{"positional", "SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = ?1 AND b = ?2", 2, true, false},
		{"named_repeat", "UPDATE t SET a = :a WHERE id = :id OR a = :a", "UPDATE t SET a = ?1 WHERE id = ?2 OR a = ?1", 2, false, false},
		{"in_string", "SELECT '?', ':x', \"a?\" FROM t WHERE a = ?", "SELECT '?', ':x', \"a?\" FROM t WHERE a = ?1", 1, true, false},
		{"doubled_quote", "SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , ?1", 1, true, false},
		{"comments", "SELECT ? -- what?\n/* :no */ , 1", "SELECT ?1 -- what?\n/* :no */ , 1", 1, true, false},
		{"cast", "SELECT x::text FROM t WHERE y = :y", "SELECT x::text FROM t WHERE y = ?1", 1, true, false},
		{"with_insert", "WITH a AS (SELECT 1) INSERT INTO t SELECT * FROM a", "", 0, false, false},
		{"with_select", "with a as (select 1) select * from a", "", 0, true, false},
		{"multi", "CREATE TABLE a(x); CREATE TABLE b(y);", "", 0, false, true},
		{"trailing_semicolon", "SELECT 1;  \n", "", 0, true, false},
		{"insert_returning", "INSERT INTO t(a) VALUES (?) RETURNING id", "INSERT INTO t(a) VALUES (?1) RETURNING id", 1, false, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			st, err := Parse(c.in)
			if err != nil {
				t.Fatal(err)
			}
			want := c.sqlite
			if want == "" {
				want = c.in
			}
			if got := st.Render(SQLiteDialect.Placeholder); got != want {
				t.Errorf("rendered %q, want %q", got, want)
			}
			if st.NumArgs() != c.nargs || st.ReadOnly != c.readOnly || st.Multi != c.multi {
				t.Errorf("args %d readOnly %v multi %v; want %d %v %v", st.NumArgs(), st.ReadOnly, st.Multi, c.nargs, c.readOnly, c.multi)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		"SELECT ? , :a",
		"SELECT ?1",
		"INSERT INTO a VALUES (?); INSERT INTO b VALUES (?)",
	} {
		if _, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = nil error", in)
		}
	}
}

func TestBind(t *testing.T) {
	t.Parallel()
	st, _ := Parse("SELECT :b, :a, :b")
	got, err := st.Bind(nil, Args{Named: map[string]any{"a": int64(1), "b": "x"}})
	if err != nil || len(got) != 2 || got[0] != "x" || got[1] != int64(1) {
		t.Fatalf("Bind = %v, %v", got, err)
	}
	for name, args := range map[string]Args{
		"missing": {Named: map[string]any{"a": 1}},
		"extra":   {Named: map[string]any{"a": 1, "b": 2, "c": 3}},
		"list":    {List: []any{1, 2}},
	} {
		if _, err := st.Bind(nil, args); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
	pos, _ := Parse("SELECT ?, ?")
	if _, err := pos.Bind(nil, Args{List: []any{1}}); err == nil || !strings.Contains(err.Error(), "2 ? parameters but 1") {
		t.Errorf("count mismatch: %v", err)
	}
}
