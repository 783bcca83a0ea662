//go:build !race

package httpcore

import "testing"

// typicalHeads are request heads as browsers and API clients send them.
var typicalHeads = []struct{ name, head string }{
	{"browser_get", "GET /static/app%20v2.js?v=3&lang=en HTTP/1.1\n" +
		"Host: www.example.com\n" +
		"Connection: keep-alive\n" +
		"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\n" +
		"sec-ch-ua-mobile: ?0\n" +
		"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\n" +
		"sec-ch-ua-platform: \"Linux\"\n" +
		"Accept: */*\n" +
		"Sec-Fetch-Site: same-origin\n" +
		"Sec-Fetch-Mode: no-cors\n" +
		"Sec-Fetch-Dest: script\n" +
		"Referer: https://www.example.com/account/settings?tab=profile\n" +
		"Accept-Encoding: gzip, deflate, br, zstd\n" +
		"Accept-Language: en-US,en;q=0.9,fr;q=0.8\n" +
		"Cookie: session=3f9a1c0e7b2d4a6f8e1c; theme=dark; _ga=GA1.2.1234567890.1700000000\n" +
		"If-None-Match: W/\"5e-18f2a\"\n" +
		"\n"},
	{"api_post", "POST /api/v1/items HTTP/1.1\n" +
		"Host: api.example.com:8443\n" +
		"Content-Type: application/json\n" +
		"Content-Length: 27\n" +
		"Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo\n" +
		"Expect: 100-continue\n" +
		"\n"},
	{"chunked_upload", "PUT /files/report.csv HTTP/1.1\n" +
		"Host: example.com\n" +
		"Transfer-Encoding: chunked\n" +
		"Connection: close\n" +
		"\n"},
}

// TestParseHeadAllocs: once a Request has grown its field list and path
// storage, parsing a head allocates nothing (STYLE.md, "Hot path").
func TestParseHeadAllocs(t *testing.T) {
	lim := &limits{maxLine: DefaultMaxRequestLineBytes, maxHeader: DefaultMaxHeaderBytes, maxFields: DefaultMaxHeaderFields}
	for _, tc := range typicalHeads {
		t.Run(tc.name, func(t *testing.T) {
			head := []byte(fixture(tc.head))
			var req Request
			var err error
			n := testing.AllocsPerRun(100, func() {
				req.reset()
				err = parseHead(&req, head, lim)
			})
			if err != nil {
				t.Fatal(err)
			}
			if n != 0 {
				t.Fatalf("parseHead: %v allocations per head, want 0", n)
			}
		})
	}
}
