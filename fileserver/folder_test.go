package fileserver

import (
	"io"
	"net/http"
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
	const top = `<!doctype html>
<html><head><meta charset="utf-8"><title>Index of /static/</title></head>
<body>
<h1>Index of /static/</h1>
<table>
<tr><td><a href="adir/">adir/</a></td><td>0001-01-01 00:00</td><td align="right">-</td></tr>
<tr><td><a href="zdir/">zdir/</a></td><td>0001-01-01 00:00</td><td align="right">-</td></tr>
<tr><td><a href="%3Cx%3E&amp;.txt">&lt;x&gt;&amp;.txt</a></td><td>2024-05-06 07:08</td><td align="right">3</td></tr>
<tr><td><a href="a%20b.txt">a b.txt</a></td><td>2024-05-06 08:08</td><td align="right">1</td></tr>
<tr><td><a href="b.txt">b.txt</a></td><td>2024-05-06 07:08</td><td align="right">2</td></tr>
<tr><td><a href="./c:d">c:d</a></td><td>2024-05-06 07:08</td><td align="right">2</td></tr>
</table>
</body></html>
`
	const sub = `<!doctype html>
<html><head><meta charset="utf-8"><title>Index of /static/adir/</title></head>
<body>
<h1>Index of /static/adir/</h1>
<table>
<tr><td><a href="../">../</a></td><td></td><td></td></tr>
<tr><td><a href="two.txt">two.txt</a></td><td>2024-05-06 07:08</td><td align="right">2</td></tr>
</table>
</body></html>
`
	const subDot = `<!doctype html>
<html><head><meta charset="utf-8"><title>Index of /static/adir/</title></head>
<body>
<h1>Index of /static/adir/</h1>
<table>
<tr><td><a href="../">../</a></td><td></td><td></td></tr>
<tr><td><a href="./..weird">..weird</a></td><td>2024-05-06 07:08</td><td align="right">1</td></tr>
<tr><td><a href="./.hidden">.hidden</a></td><td>2024-05-06 07:08</td><td align="right">1</td></tr>
<tr><td><a href="two.txt">two.txt</a></td><td>2024-05-06 07:08</td><td align="right">2</td></tr>
</table>
</body></html>
`
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
		if res.StatusCode != 200 || string(b) != c.want ||
			res.Header.Get("Content-Type") != "text/html; charset=utf-8" || res.Header.Get("Cache-Control") != "no-cache" {
			t.Errorf("%s: %d %v\n%s\nwant\n%s", c.name, res.StatusCode, res.Header, b, c.want)
		}
	}
}
