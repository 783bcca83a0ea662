package fileserver

import (
	"bytes"
	"cmp"
	"html"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// A folder listing is one HTML page, readable without JavaScript: a table
// with a header row (Name, Size, Modified), folders first, sizes in
// binary units with the exact byte count as a tooltip, and times in UTC.
// Sorting is by query parameters, so that it works without scripts and a
// sorted view can be linked to: ?sort=name|size|modified and &order=desc.
// Each header links to its own sort, reversing it when it is the current
// one. Anything else in the query is ignored.

// listSort is the order a listing is shown in.
type listSort struct {
	key  string // "name", "size" or "modified"
	desc bool
}

// parseListSort reads ?sort= and &order= from a raw query; unknown values
// leave the default, by name ascending.
func parseListSort(q []byte) listSort {
	by := listSort{key: "name"}
	for len(q) > 0 {
		var kv []byte
		kv, q, _ = bytes.Cut(q, []byte("&"))
		k, v, _ := bytes.Cut(kv, []byte("="))
		switch string(k) {
		case "sort":
			if s := string(v); s == "name" || s == "size" || s == "modified" {
				by.key = s
			}
		case "order":
			by.desc = string(v) == "desc"
		}
	}
	return by
}

// sort orders items: folders first whatever the order, then by the key,
// then by name so that equal sizes or times keep a stable order.
func (by listSort) sort(items []listItem) {
	slices.SortFunc(items, func(a, b listItem) int {
		if a.dir != b.dir {
			if a.dir {
				return -1
			}
			return 1
		}
		c := 0
		switch by.key {
		case "size":
			c = cmp.Compare(a.size, b.size)
		case "modified":
			c = a.mod.Compare(b.mod)
		}
		if c == 0 {
			c = strings.Compare(a.name, b.name)
		}
		if by.desc {
			c = -c
		}
		return c
	})
}

// header is the link of one column's header: its sort, reversed when it
// is the current one, and an arrow on the current one.
func (by listSort) header(key, label, class string) string {
	order, arrow := "", ""
	if by.key == key {
		arrow = " ▲"
		if by.desc {
			arrow = " ▼"
		} else {
			order = "&amp;order=desc"
		}
	}
	return `<th class="` + class + `"><a href="?sort=` + key + order + `">` + label + arrow + `</a></th>`
}

// listingStyle makes the table readable at any width: names may wrap,
// sizes and dates do not, rows are striped.
const listingStyle = `<style>
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #222 }
h1 { font-size: 1.3rem; overflow-wrap: anywhere }
table { border-collapse: collapse; width: 100% }
th, td { padding: .3rem .6rem; text-align: left; vertical-align: baseline }
th { border-bottom: 2px solid #ccc; white-space: nowrap }
th a { color: inherit; text-decoration: none }
th a:hover { text-decoration: underline }
td { border-bottom: 1px solid #eee }
tbody tr:nth-child(even) { background: #f8f9fa }
tbody tr:hover { background: #eef4ff }
.name { overflow-wrap: anywhere; min-width: 7rem }
.size { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums }
.mod { white-space: nowrap; font-variant-numeric: tabular-nums; color: #555 }
a { color: #0b57d0 }
@media (max-width: 30rem) { body { margin: 1rem auto; padding: 0 .5rem } th, td { padding: .3rem } }
</style>
`

// listingHTML renders a listing of items for the URL path; up adds a link
// to the parent folder.
func listingHTML(path string, up bool, items []listItem, by listSort) string {
	title := html.EscapeString("Index of " + path)
	var b strings.Builder
	b.WriteString("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n" +
		"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>")
	b.WriteString(title)
	b.WriteString("</title>\n" + listingStyle + "</head>\n<body>\n<h1>")
	b.WriteString(title)
	b.WriteString("</h1>\n<table>\n<thead><tr>" + by.header("name", "Name", "name") + by.header("size", "Size", "size") +
		by.header("modified", "Modified", "mod") + "</tr></thead>\n<tbody>\n")
	if up {
		b.WriteString("<tr><td class=\"name\"><a href=\"../\">../</a></td><td class=\"size\"></td><td class=\"mod\"></td></tr>\n")
	}
	for _, it := range items {
		href := url.PathEscape(it.name)
		text := it.name
		size := `<td class="size">-</td>`
		if it.dir {
			href += "/"
			text += "/"
		} else {
			size = `<td class="size" title="` + strconv.FormatInt(it.size, 10) + ` bytes">` + humanSize(it.size) + `</td>`
		}
		if strings.HasPrefix(href, ".") || strings.Contains(it.name, ":") {
			href = "./" + href // never read as a scheme or a dot segment
		}
		mod := it.mod.UTC()
		b.WriteString("<tr><td class=\"name\"><a href=\"" + html.EscapeString(href) + "\">" + html.EscapeString(text) + "</a></td>" +
			size + "<td class=\"mod\"><time datetime=\"" + mod.Format("2006-01-02T15:04:05Z") + "\">" +
			mod.Format("2006-01-02 15:04") + "</time></td></tr>\n")
	}
	b.WriteString("</tbody>\n</table>\n</body>\n</html>\n")
	return b.String()
}

// humanSize words a byte count in binary units, with three significant
// figures: "0 B", "999 B", "1.5 KiB", "12.3 MiB", "420 GiB".
func humanSize(n int64) string {
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	const units = "KMGTPE"
	v := float64(n) / 1024
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	prec := 1
	if v >= 100 {
		prec = 0
	}
	s := strconv.FormatFloat(v, 'f', prec, 64)
	if s == "1024" && i < len(units)-1 { // 1023.6 KiB rounds up: say 1.0 MiB
		s, i = "1.0", i+1
	}
	return s + " " + units[i:i+1] + "iB"
}
