package httpcore

import "testing"

func TestParseRawSmoke(t *testing.T) {
	srv := &Server{}
	req, body, n, err := parseRaw(srv, []byte("POST /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabcGET"))
	if err != nil {
		t.Fatal(err)
	}
	if string(req.Method) != "POST" || string(req.Path) != "/a b" || string(req.Query) != "x=1" || string(body) != "abc" || n != 59 {
		t.Fatalf("got %q %q %q %q %d", req.Method, req.Path, req.Query, body, n)
	}
}
