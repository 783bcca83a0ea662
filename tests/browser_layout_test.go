package tests

import (
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
)

// rowBox is one row of a page as laid out: its label (a line number, a
// file name) and the rest of the row (the code, the size and date).
type rowBox struct {
	Text        string  `json:"text"`
	Label       string  `json:"label"`
	Missing     bool    `json:"missing"`
	LabelTop    float64 `json:"labelTop"`
	LabelBottom float64 `json:"labelBottom"`
	LabelRight  float64 `json:"labelRight"`
	RestTop     float64 `json:"restTop"`
	RestLeft    float64 `json:"restLeft"`
}

// measureRows is a script that measures, for every element matching the
// row selector, its first element matching the label selector and a range
// over everything after the label in the row. It assumes nothing else of
// the markup, so that it measures the old page (text after the number)
// as well as the new one.
const measureRows = `((rowSel, labelSel) => [...document.querySelectorAll(rowSel)].map(row => {
  const label = row.querySelector(labelSel);
  if (!label || label.parentNode !== row) return { text: row.textContent, missing: true };
  const rest = document.createRange();
  rest.setStartAfter(label);
  rest.setEnd(row, row.childNodes.length);
  const a = label.getBoundingClientRect(), b = rest.getBoundingClientRect();
  return { text: row.textContent, label: label.textContent.trim(), labelTop: a.top, labelBottom: a.bottom,
    labelRight: a.right, restTop: b.top, restLeft: b.left };
}))(%q, %q)`

// rows measures the page's rows; see measureRows.
func (b *browser) rows(t *testing.T, rowSel, labelSel string) []rowBox {
	t.Helper()
	var rows []rowBox
	b.eval(t, fmt.Sprintf(measureRows, rowSel, labelSel), &rows)
	return rows
}

// misaligned lists the rows whose label is not on the same visual row as
// the rest, or not to its left.
func misaligned(rows []rowBox) []string {
	var bad []string
	for _, r := range rows {
		switch {
		case r.Missing:
			bad = append(bad, fmt.Sprintf("%q: no label", r.Text))
		case math.Abs(r.LabelTop-r.RestTop) > 1 || r.RestTop >= r.LabelBottom:
			bad = append(bad, fmt.Sprintf("%q: label top %.1f, rest top %.1f", r.Text, r.LabelTop, r.RestTop))
		case r.LabelRight > r.RestLeft+0.5:
			bad = append(bad, fmt.Sprintf("%q: label ends at x %.1f, right of the rest at %.1f", r.Text, r.LabelRight, r.RestLeft))
		}
	}
	return bad
}

// browserRoutes fails on line 8, with a blank line and a line far wider
// than a phone's screen in view.
var browserRoutes = `local app = require("luaserve")

local function helper(x)
  -- ` + strings.Repeat("a long comment that does not fit ", 8) + `
  local t = {}

  local y = x .. "!"
  error("custom failure " .. y)
end
app.get("/boom/*rest", function(req)
  helper(req.params.rest)
end)
`

// oldDevPage is the error page's markup and style before the fix: "pre
// span { display: block }" also caught the number's span, which then sat
// on a row of its own above its code. The checker must see that.
const oldDevPage = `<!doctype html><meta charset="utf-8"><style>
pre span { display: block; padding: 0 1rem }
.no { color: #888 }
</style><pre><span><span class="no">   1 </span>local app = require("luaserve")</span><span><span class="no">   2 </span>local x = 1</span></pre>`

// TestBrowser drives one headless Chromium through the pages meant for a
// person. Long: subtests share the browser, which takes a second to start.
func TestBrowser(t *testing.T) {
	t.Parallel()
	b := startBrowser(t, 1000, 800)

	t.Run("checker_sees_the_old_bug", func(t *testing.T) {
		b.open(t, "data:text/html;charset=utf-8,"+url.PathEscape(oldDevPage))
		rows := b.rows(t, "pre > span", ".no")
		if len(rows) != 2 || len(misaligned(rows)) != 2 {
			t.Fatalf("the checker passes the old layout: %+v", rows)
		}
	})

	s := startSource(t, browserRoutes, engine.Config{Dev: true})
	for _, width := range []int{1000, 360} {
		t.Run(fmt.Sprintf("dev_page_%dpx", width), func(t *testing.T) {
			b.call(t, b.session, "Emulation.setDeviceMetricsOverride",
				map[string]any{"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": false}, nil)
			b.open(t, s.url+"/boom/7?page=2")
			b.screenshot(t, fmt.Sprintf("devpage-%d", width))
			rows := b.rows(t, ".src .line", ".no")
			if len(rows) != 10 { // lines 3 to 12: five either side of 8, up to the file's last
				t.Fatalf("%d source rows, want 10: %+v", len(rows), rows)
			}
			if bad := misaligned(rows); len(bad) > 0 {
				t.Fatalf("line numbers off their code's row:\n%s", strings.Join(bad, "\n"))
			}
			var overflow float64
			b.eval(t, `document.documentElement.scrollWidth - window.innerWidth`, &overflow)
			if overflow > 0 {
				t.Errorf("the page is %.0f px wider than the window (only the source box may scroll)", overflow)
			}
			var marked []string
			b.eval(t, `[...document.querySelectorAll(".line.hl .no")].map(e => e.textContent)`, &marked)
			if len(marked) != 1 || marked[0] != "8" {
				t.Errorf("marked lines %v, want [8]", marked)
			}
			var page struct {
				Route, Text string
			}
			b.eval(t, `({ route: document.querySelector("code.route").textContent, text: document.body.innerText })`, &page)
			if page.Route != "GET /boom/*rest" || !strings.Contains(page.Text, "in route GET /boom/*rest") ||
				!strings.Contains(page.Text, "/boom/7") || !strings.Contains(page.Text, "page") {
				t.Errorf("route %q; page:\n%s", page.Route, page.Text)
			}
		})
	}

	t.Run("dev_page_hostile_request", func(t *testing.T) {
		b.open(t, s.url+`/boom/<img src=x onerror="document.title='pwned'">?<script>document.title='pwned'</script>=1`)
		var got struct {
			Title    string
			Elements int
			Path     string
		}
		b.eval(t, `({ title: document.title, elements: document.querySelectorAll("img, script, svg").length,
			path: document.querySelectorAll("table.req tr")[1].cells[1].textContent })`, &got)
		if got.Title == "pwned" || got.Elements != 0 || !strings.Contains(got.Path, `<img src=x onerror=`) {
			t.Errorf("the request's markup was not shown as text: %+v", got)
		}
	})

	t.Run("listing", func(t *testing.T) { browseListing(t, b) })
}

// browseListing opens a folder listing by its mount's bare name, checks
// its header row, sizes and row layout, and sorts it by clicking a header.
func browseListing(t *testing.T, b *browser) {
	dir := t.TempDir()
	files := map[string]int{
		"small.txt": 12, "medium.bin": 5 * 1024, "large.bin": 3 << 20,
		"a name long enough to wrap on a narrow phone screen, and then some more words.txt": 1,
		`<b onmouseover="x">.txt`: 2,
	}
	for name, size := range files {
		writeFile(t, filepath.Join(dir, name), strings.Repeat("x", size))
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	s := startSource(t, fmt.Sprintf(`require("luaserve").static("/files", %q, { listing = true })`, dir), engine.Config{})
	for _, width := range []int{1000, 360} {
		b.call(t, b.session, "Emulation.setDeviceMetricsOverride",
			map[string]any{"width": width, "height": 800, "deviceScaleFactor": 1, "mobile": false}, nil)
		b.open(t, s.url+"/files")
		b.screenshot(t, fmt.Sprintf("listing-%d", width))
		var page struct {
			Overflow float64
			Path     string
			Head     []string
			Sizes    []string
			Elements int
		}
		b.eval(t, `({ overflow: document.documentElement.scrollWidth - window.innerWidth, path: location.pathname, head: [...document.querySelectorAll("thead th")].map(e => e.textContent),
			sizes: [...document.querySelectorAll("tbody td.size")].map(e => e.textContent),
			elements: document.querySelectorAll("tbody b").length })`, &page)
		if page.Overflow > 0 || page.Path != "/files/" || strings.Join(page.Head, "|") != "Name ▲|Size|Modified" || page.Elements != 0 {
			t.Errorf("%dpx: %+v", width, page)
		}
		if got := strings.Join(page.Sizes, "|"); got != "-|2 B|1 B|3.0 MiB|5.0 KiB|12 B" {
			t.Errorf("%dpx: sizes %s", width, got)
		}
		for _, sel := range []string{"thead tr", "tbody tr"} {
			rows := b.rows(t, sel, ":scope > :first-child")
			if bad := misaligned(rows); len(rows) == 0 || len(bad) > 0 {
				t.Errorf("%dpx: %s cells off their row:\n%s", width, sel, strings.Join(bad, "\n"))
			}
		}
	}
	// Clicking "Size" sorts by size, folders first; clicking again reverses.
	for _, want := range []struct{ search, first, last string }{
		{"?sort=size", "a name long", "large.bin"},
		{"?sort=size&order=desc", "large.bin", "a name long"},
	} {
		b.events = b.events[:0]
		b.call(t, b.session, "Runtime.evaluate", map[string]any{"expression": `document.querySelector("th.size a").click()`}, nil)
		b.waitEvent(t, "Page.loadEventFired")
		var got struct {
			Search string
			Names  []string
		}
		b.eval(t, `({ search: location.search, names: [...document.querySelectorAll("tbody td.name")].map(e => e.textContent) })`, &got)
		n := len(got.Names)
		if got.Search != want.search || n != 6 || got.Names[0] != "sub/" ||
			!strings.HasPrefix(got.Names[1], want.first) || !strings.HasPrefix(got.Names[n-1], want.last) {
			t.Errorf("after a click on Size: %+v, want %+v", got, want)
		}
	}
}
