package httpcore

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// TestParseFiles runs the cases in testdata/parse/*.txt. Each file holds a
// free-form comment, then sections that start with a "-- name --" line:
//
//	-- request --   a fixture (see fixture), sent as is after conversion
//	-- want --      "key: value" lines:
//	                status: N        0 (accepted) or the error status
//	                method, target, path, rawpath, query, host: exact values
//	                proto: HTTP/1.0 or HTTP/1.1
//	                header: Name: value   one expected value of Name, in order
//	                count: Name N    how many fields are named Name
//	                absent: Name     no field is named Name
//	                content-length: N
//	                body: "quoted"   the body, as a Go string literal
//	                body-len: N      the body's length, for large ones
//	                rest: N          input bytes left unconsumed
//	                max-line, max-header, max-fields, max-body: N
//	                                 the Server's limits for this case
func TestParseFiles(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob(filepath.Join("testdata", "parse", "*.txt"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no testdata/parse/*.txt: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			t.Parallel()
			fc, err := loadParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			fc.run(t)
		})
	}
}

type fileCase struct {
	raw  []byte
	srv  *Server
	want [][2]string // key, value in file order
}

func loadParseFile(path string) (*fileCase, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sections := splitSections(string(data))
	req, ok := sections["request"]
	if !ok {
		return nil, fmt.Errorf("%s: no -- request -- section", path)
	}
	fc := &fileCase{raw: []byte(fixture(req)), srv: &Server{}}
	sc := bufio.NewScanner(strings.NewReader(sections["want"]))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			return nil, fmt.Errorf("%s: want line %q has no colon", path, line)
		}
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch k {
		case "max-line", "max-header", "max-fields", "max-body":
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %v", path, k, err)
			}
			switch k {
			case "max-line":
				fc.srv.MaxRequestLineBytes = n
			case "max-header":
				fc.srv.MaxHeaderBytes = n
			case "max-fields":
				fc.srv.MaxHeaderFields = n
			case "max-body":
				fc.srv.MaxBodyBytes = int64(n)
			}
			continue
		}
		fc.want = append(fc.want, [2]string{k, v})
	}
	return fc, sc.Err()
}

// splitSections splits txtar-like text into its "-- name --" sections.
func splitSections(s string) map[string]string {
	out := make(map[string]string)
	name := ""
	var cur strings.Builder
	for line := range strings.SplitAfterSeq(s, "\n") {
		trimmed := strings.TrimRight(line, "\n")
		if strings.HasPrefix(trimmed, "-- ") && strings.HasSuffix(trimmed, " --") && len(trimmed) > 6 {
			if name != "" {
				out[name] = cur.String()
			}
			name = strings.TrimSpace(trimmed[3 : len(trimmed)-3])
			cur.Reset()
			continue
		}
		cur.WriteString(line)
	}
	if name != "" {
		out[name] = cur.String()
	}
	return out
}

func (fc *fileCase) run(t *testing.T) {
	req, body, consumed, err := parseRaw(fc.srv, fc.raw)
	status := StatusOf(err)
	if err != nil && status == 0 {
		t.Fatalf("parse: %v, not a ParseError", err)
	}
	var values map[string][]string // header name -> expected values
	for _, kv := range fc.want {
		k, v := kv[0], kv[1]
		if k == "status" {
			want, _ := strconv.Atoi(v)
			if status != want {
				t.Fatalf("status %d (%v), want %d", status, err, want)
			}
			continue
		}
		if err != nil {
			t.Fatalf("parse: %v, want success", err)
		}
		var got string
		switch k {
		case "method":
			got = string(req.Method)
		case "target":
			got = string(req.Target)
		case "path":
			got = string(req.Path)
		case "rawpath":
			got = string(req.RawPath)
		case "query":
			got = string(req.Query)
		case "host":
			got = string(req.Host)
		case "proto":
			got = req.Proto()
		case "content-length":
			got = strconv.FormatInt(req.ContentLength, 10)
		case "body":
			uq, uerr := strconv.Unquote(v)
			if uerr != nil {
				t.Fatalf("body: %v", uerr)
			}
			got, v = strconv.Quote(string(body)), strconv.Quote(uq)
		case "body-len":
			got = strconv.Itoa(len(body))
		case "rest":
			got = strconv.Itoa(len(fc.raw) - consumed)
		case "header":
			name, value, _ := strings.Cut(v, ":")
			if values == nil {
				values = make(map[string][]string)
			}
			values[name] = append(values[name], strings.TrimSpace(value))
			continue
		case "count":
			name, n, _ := strings.Cut(v, " ")
			got, k, v = strconv.Itoa(req.Header.Count(name)), "count "+name, n
		case "absent":
			got, k, v = strconv.FormatBool(req.Header.Has(v)), "has "+v, "false"
		default:
			t.Fatalf("unknown want key %q", k)
		}
		if got != v {
			t.Errorf("%s = %s, want %s", k, got, v)
		}
	}
	for name, want := range values {
		var got []string
		req.Header.Values(name, func(v []byte) { got = append(got, string(v)) })
		if !slices.Equal(got, want) {
			t.Errorf("Header.Values(%q) = %q, want %q", name, got, want)
		}
	}
}
