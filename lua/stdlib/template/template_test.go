package template

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestReloadOnChange: a cached set is parsed again when one of its files,
// a partial included, changes; an unchanged set is not.
func TestReloadOnChange(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "page.html"), `<p>{{template "part.html" .}}</p>`)
	part := filepath.Join(dir, "part.html")
	write(t, part, `one`)
	render := func() string {
		t.Helper()
		out, err := Render(context.Background(), dir, "page.html", "", lua.LNil)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	if out := render(); out != "<p>one</p>" {
		t.Fatalf("got %q", out)
	}
	first, _ := load(dir, "page.html", "")
	if again, _ := load(dir, "page.html", ""); again != first {
		t.Error("an unchanged set was parsed again")
	}
	write(t, part, `two!`) // another size: seen even within the clock's resolution
	if out := render(); out != "<p>two!</p>" {
		t.Fatalf("after the partial changed: %q", out)
	}
	if err := os.Remove(part); err != nil {
		t.Fatal(err)
	}
	if _, err := Render(context.Background(), dir, "page.html", "", lua.LNil); err == nil || !strings.Contains(err.Error(), `no such template "part.html"`) {
		t.Fatalf("after the partial went: %v", err)
	}
}

// TestSymlinkOut: a link below the folder to a file outside it is refused.
func TestSymlinkOut(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	write(t, filepath.Join(outside, "secret.html"), "secret")
	if err := os.Symlink(filepath.Join(outside, "secret.html"), filepath.Join(dir, "link.html")); err != nil {
		t.Skip(err)
	}
	out, err := Render(context.Background(), dir, "link.html", "", lua.LNil)
	if err == nil || strings.Contains(out, "secret") {
		t.Fatalf("got %q, %v", out, err)
	}
}

// TestOutputBounds: a page past MaxOutput, or a run past its request's
// end, stops at the next write with a clear error.
func TestOutputBounds(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "big.html"), `{{range .}}{{.}}{{end}}`)
	L := lua.NewState()
	defer L.Close()
	chunk := lua.LString(strings.Repeat("x", 1<<20))
	list := L.NewTable()
	for range MaxOutput/(1<<20) + 1 {
		list.Append(chunk)
	}
	_, err := Render(context.Background(), dir, "big.html", "", list)
	if !errors.Is(err, errTooLarge) || !strings.Contains(err.Error(), "big.html: output over") {
		t.Errorf("too large: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	if _, err := Render(ctx, dir, "big.html", "", list); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("past the deadline: %v", err)
	}
}

// TestBudget: converting data and writing output charge the request.
func TestBudget(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "p.html"), `{{.}}`)
	L := lua.NewState()
	defer L.Close()
	list := L.NewTable()
	for range 1000 {
		list.Append(lua.LString("x"))
	}
	b := &budget{left: 10_000}
	ctx := stdlib.WithBudget(context.Background(), b)
	if _, err := Render(ctx, dir, "p.html", "", list); !errors.Is(err, errBudget) {
		t.Errorf("over budget: %v", err)
	}
}

var errBudget = errors.New("over budget")

type budget struct{ left int }

func (b *budget) Charge(n int) error {
	if b.left -= n; b.left < 0 {
		return errBudget
	}
	return nil
}

// BenchmarkRender: a cached page with a layout and a partial, ten rows.
func BenchmarkRender(b *testing.B) {
	dir := b.TempDir()
	for name, text := range map[string]string{
		"layout.html": `<title>{{block "title" .}}x{{end}}</title>{{template "nav.html" .}}<main>{{block "main" .}}{{end}}</main>`,
		"nav.html":    `<nav>{{range .rows}}<a href="/u/{{.id}}">{{.name}}</a>{{end}}</nav>`,
		"page.html":   `{{define "title"}}{{.title}}{{end}}{{define "main"}}{{range .rows}}<p title="{{.name}}">{{.id}} {{.name}}</p>{{end}}{{end}}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	L := lua.NewState()
	defer L.Close()
	if err := L.DoString(`data = { title = "<t>", rows = {} }
for i = 1, 10 do data.rows[i] = { id = i, name = "user <" .. i .. ">" } end`); err != nil {
		b.Fatal(err)
	}
	data := L.GetGlobal("data")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Render(context.Background(), dir, "page.html", "layout.html", data); err != nil {
			b.Fatal(err)
		}
	}
}
