package fileserver

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestListing pins a listing's HTML: folders first, then files, by name;
// names escaped in text and links, "./" before a link that could read as a
// scheme or a dot segment; dotfiles left out unless allowed; "../" below
// the top.
func TestListing(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	fsys := fstest.MapFS{
		"b.txt":         {Data: []byte("bb"), ModTime: mod},
		"a b.txt":       {Data: []byte("a"), ModTime: mod.Add(time.Hour)},
		"<x>&.txt":      {Data: []byte("xyz"), ModTime: mod},
		"c:d":           {Data: []byte("cd"), ModTime: mod},
		".env":          {Data: []byte("secret"), ModTime: mod},
		"zdir/one.txt":  {Data: []byte("1"), ModTime: mod},
		"adir/two.txt":  {Data: []byte("22"), ModTime: mod},
		"adir/.hidden":  {Data: []byte("h"), ModTime: mod},
		"adir/..weird":  {Data: []byte("w"), ModTime: mod},
		"adir/back\\sl": {Data: []byte("w"), ModTime: mod},
	}
	const top = `<tbody>
<tr><td class="name"><a href="adir/">adir/</a></td><td class="size">-</td><td class="mod"><time datetime="0001-01-01T00:00:00Z">0001-01-01 00:00</time></td></tr>
<tr><td class="name"><a href="zdir/">zdir/</a></td><td class="size">-</td><td class="mod"><time datetime="0001-01-01T00:00:00Z">0001-01-01 00:00</time></td></tr>
<tr><td class="name"><a href="%3Cx%3E&amp;.txt">&lt;x&gt;&amp;.txt</a></td><td class="size" title="3 bytes">3 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
<tr><td class="name"><a href="a%20b.txt">a b.txt</a></td><td class="size" title="1 bytes">1 B</td><td class="mod"><time datetime="2024-05-06T08:08:09Z">2024-05-06 08:08</time></td></tr>
<tr><td class="name"><a href="b.txt">b.txt</a></td><td class="size" title="2 bytes">2 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
<tr><td class="name"><a href="./c:d">c:d</a></td><td class="size" title="2 bytes">2 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
</tbody>`
	const up = `<tr><td class="name"><a href="../">../</a></td><td class="size"></td><td class="mod"></td></tr>
`
	const sub = `<tbody>
` + up + `<tr><td class="name"><a href="two.txt">two.txt</a></td><td class="size" title="2 bytes">2 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
</tbody>`
	const subDot = `<tbody>
` + up + `<tr><td class="name"><a href="./..weird">..weird</a></td><td class="size" title="1 bytes">1 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
<tr><td class="name"><a href="./.hidden">.hidden</a></td><td class="size" title="1 bytes">1 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
<tr><td class="name"><a href="two.txt">two.txt</a></td><td class="size" title="2 bytes">2 B</td><td class="mod"><time datetime="2024-05-06T07:08:09Z">2024-05-06 07:08</time></td></tr>
</tbody>`
	for _, c := range []struct {
		name     string
		dotfiles bool
		path     string
		want     string
	}{
		{"top", false, "/static/", top},
		{"sub", false, "/static/adir/", sub},
		{"sub_dotfiles", true, "/static/adir/", subDot},
	} {
		addr := serveDir(t, NewFS(fsys, Options{Listing: true, Dotfiles: c.dotfiles, CacheControl: "no-cache"}))
		res, err := http.Get("http://" + addr + c.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		page := string(b)
		body := page[strings.Index(page, "<tbody>") : strings.Index(page, "</tbody>")+len("</tbody>")]
		title := "<title>Index of " + c.path + "</title>"
		head := `<thead><tr><th class="name"><a href="?sort=name&amp;order=desc">Name ▲</a></th>` +
			`<th class="size"><a href="?sort=size">Size</a></th><th class="mod"><a href="?sort=modified">Modified</a></th></tr></thead>`
		if res.StatusCode != 200 || body != c.want || !strings.Contains(page, title) || !strings.Contains(page, head) ||
			res.Header.Get("Content-Type") != "text/html; charset=utf-8" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %v\n%s\nwant\n%s\n%s", c.name, res.StatusCode, res.Header, b, head, c.want)
		}
	}
}

// TestListingSort orders by each column both ways, folders always first,
// ties by name; the current column's header links to the reverse order.
func TestListingSort(t *testing.T) {
	t.Parallel()
	mod := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	fsys := fstest.MapFS{
		"big.bin":   {Data: make([]byte, 3000), ModTime: mod},
		"small.txt": {Data: []byte("s"), ModTime: mod.Add(2 * time.Hour)},
		"mid.txt":   {Data: make([]byte, 100), ModTime: mod.Add(time.Hour)},
		"same.txt":  {Data: make([]byte, 100), ModTime: mod.Add(time.Hour)},
		"dir/x":     {Data: []byte("x"), ModTime: mod},
	}
	addr := serveDir(t, NewFS(fsys, Options{Listing: true}))
	for _, c := range []struct {
		query string
		want  string // names in order
		head  string // the current column's header link
	}{
		{"", "dir/ big.bin mid.txt same.txt small.txt", `href="?sort=name&amp;order=desc">Name ▲`},
		{"?sort=name&order=desc", "dir/ small.txt same.txt mid.txt big.bin", `href="?sort=name">Name ▼`},
		{"?sort=size", "dir/ small.txt mid.txt same.txt big.bin", `href="?sort=size&amp;order=desc">Size ▲`},
		{"?sort=size&order=desc", "dir/ big.bin same.txt mid.txt small.txt", `href="?sort=size">Size ▼`},
		{"?sort=modified", "dir/ big.bin mid.txt same.txt small.txt", `href="?sort=modified&amp;order=desc">Modified ▲`},
		{"?order=desc&sort=modified", "dir/ small.txt same.txt mid.txt big.bin", `href="?sort=modified">Modified ▼`},
		{"?sort=%3Cscript%3E&x=1", "dir/ big.bin mid.txt same.txt small.txt", `href="?sort=name&amp;order=desc">Name ▲`},
	} {
		res, err := http.Get("http://" + addr + "/static/" + c.query)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		var names []string
		for _, part := range strings.Split(string(b), `<td class="name"><a href="`)[1:] {
			_, rest, _ := strings.Cut(part, ">")
			names = append(names, rest[:strings.Index(rest, "<")])
		}
		if got := strings.Join(names, " "); got != c.want || !strings.Contains(string(b), c.head) {
			t.Errorf("%q: %s, want %s (and %s)\n%s", c.query, got, c.want, c.head, b)
		}
	}
}

func TestHumanSize(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {1, "1 B"}, {1023, "1023 B"}, {1024, "1.0 KiB"}, {1536, "1.5 KiB"}, {10 * 1024, "10.0 KiB"},
		{100 * 1024, "100 KiB"}, {1024*1024 - 1, "1.0 MiB"}, {5 << 30, "5.0 GiB"}, {1 << 62, "4.0 EiB"},
		{1<<63 - 1, "8.0 EiB"},
	} {
		if got := humanSize(c.n); got != c.want {
			t.Errorf("humanSize(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}
