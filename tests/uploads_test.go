package tests

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"os"
	"strings"
	"testing"

	"github.com/luaserve/luaserve/engine"
	"github.com/luaserve/luaserve/httpcore"
	"github.com/luaserve/luaserve/upload"
)

const uploadScript = `
local app = require("luaserve")
local json = require("luaserve.json")
local function describe(f)
  local data = f.content
  if f.path then
    local h = assert(io.open(f.path, "rb"))
    data = h:read("*a")
    h:close()
  end
  return { field = f.field, filename = f.filename, content_type = f.content_type, size = f.size,
    on_disk = f.path ~= nil, data = data }
end
app.post("/form", function(req)
  local fields, files = req:form()
  local out = { fields = fields, tags = req:form_values("tag"), files = {}, body_len = #req.body }
  for _, f in ipairs(req:form_files("doc")) do out.files[#out.files + 1] = describe(f) end
  if files.avatar then out.avatar = describe(files.avatar) end
  return { json = out }
end)
app.post("/catch", function(req)
  local ok, err = pcall(req.form, req)
  return { status = 422, text = "caught: " .. tostring(err) }
end)
app.get("/ok", function() return "ok" end)
app.on_status(function(req, status, reason)
  return { json = { status = status, reason = reason } }
end)
`

type uploadReply struct {
	Fields  map[string]string `json:"fields"`
	Tags    []string          `json:"tags"`
	BodyLen int               `json:"body_len"`
	Files   []uploadedFile    `json:"files"`
	Avatar  *uploadedFile     `json:"avatar"`
}

type uploadedFile struct {
	Field       string `json:"field"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Size        int    `json:"size"`
	OnDisk      bool   `json:"on_disk"`
	Data        string `json:"data"`
}

// startUploads serves uploadScript with small limits, every temporary
// file (the core's and the form's) in the returned folder.
func startUploads(t *testing.T) (*server, string) {
	tmp := t.TempDir()
	s := startSource(t, uploadScript, engine.Config{Uploads: upload.Limits{FileMemory: 1024, MaxParts: 100,
		MaxField: 4096, TempDir: tmp}}, func(srv *httpcore.Server) {
		srv.BodyTempDir, srv.BodyMemory, srv.MaxBodyBytes = tmp, 2048, 1<<20
	})
	return s, tmp
}

func checkNoTempFiles(t *testing.T, dir, when string) {
	t.Helper()
	if ents, err := os.ReadDir(dir); err != nil || len(ents) > 0 {
		t.Errorf("%s: temporary files left: %v %v", when, ents, err)
	}
}

func TestUploadMultipart(t *testing.T) {
	t.Parallel()
	s, tmp := startUploads(t)
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("title", "héllo")
	mw.WriteField("tag", "a")
	mw.WriteField("tag", "b")
	big := strings.Repeat("0123456789", 500) // 5000 bytes: on disk
	for _, f := range []struct{ field, name, data string }{
		{"doc", "small.txt", "tiny"}, {"doc", "big.bin", big}, {"avatar", `C:\Users\ada\me.png`, "PNG!"}} {
		w, _ := mw.CreateFormFile(f.field, f.name)
		w.Write([]byte(f.data))
	}
	mw.Close()
	res, body := do(t, client(t), "POST", s.url+"/form", buf.String(), "Content-Type", mw.FormDataContentType())
	var got uploadReply
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &got) != nil {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	if got.Fields["title"] != "héllo" || strings.Join(got.Tags, ",") != "a,b" || got.BodyLen != buf.Len() {
		t.Errorf("fields: %+v", got)
	}
	if len(got.Files) != 2 || got.Files[0].Data != "tiny" || got.Files[0].OnDisk || got.Files[1].Data != big ||
		!got.Files[1].OnDisk || got.Files[1].Size != len(big) || got.Files[1].Filename != "big.bin" {
		t.Errorf("files: %+v", got.Files)
	}
	if a := got.Avatar; a == nil || a.Filename != "me.png" || a.ContentType != "application/octet-stream" || a.Data != "PNG!" {
		t.Errorf("avatar: %+v", a)
	}
	checkNoTempFiles(t, tmp, "after an upload")
	// The same call reads urlencoded forms.
	res, body = do(t, client(t), "POST", s.url+"/form", "title=x+y&tag=1&tag=2",
		"Content-Type", "application/x-www-form-urlencoded")
	if res.StatusCode != 200 || json.Unmarshal([]byte(body), &got) != nil || got.Fields["title"] != "x y" ||
		strings.Join(got.Tags, ",") != "1,2" {
		t.Errorf("urlencoded: %d %s", res.StatusCode, body)
	}
}

// hostileForm builds a multipart body by hand: parts are raw header
// lines and content.
func hostileForm(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteString("--XB\r\n" + p + "\r\n")
	}
	b.WriteString("--XB--\r\n")
	return b.String()
}

func filePart(name, filename, content string) string {
	return fmt.Sprintf("Content-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n\r\n%s", name, filename, content)
}

func TestUploadHostile(t *testing.T) {
	t.Parallel()
	s, tmp := startUploads(t)
	c := client(t)
	bigFile := filePart("doc", "big.bin", strings.Repeat("x", 5000))
	tiny := make([]string, 10000)
	for i := range tiny {
		tiny[i] = "Content-Disposition: form-data; name=\"f\"\r\n\r\nx"
	}
	for _, tc := range []struct {
		name, ctype, body string
		status            int
	}{
		{"truncated after a spooled file", "multipart/form-data; boundary=XB", "--XB\r\n" + bigFile + "\r\n--XB\r\nContent-Disp", 400},
		{"truncated in a file", "multipart/form-data; boundary=XB", "--XB\r\n" + bigFile[:3000], 400},
		{"no closing boundary", "multipart/form-data; boundary=XB", "--XB\r\n" + filePart("doc", "a.txt", "abc"), 400},
		{"field over its limit", "multipart/form-data; boundary=XB",
			hostileForm("Content-Disposition: form-data; name=\"f\"\r\n\r\n" + strings.Repeat("y", 5000)), 413},
		{"10000 tiny parts", "multipart/form-data; boundary=XB", hostileForm(tiny...), 413},
		{"part header too large", "multipart/form-data; boundary=XB",
			hostileForm("X-Junk: " + strings.Repeat("j", 9000) + "\r\n" + filePart("doc", "a", "b")), 413},
		{"dot-dot filename", "multipart/form-data; boundary=XB", hostileForm(bigFile, filePart("doc", "../../etc/passwd", "x")), 400},
		{"NUL in filename", "multipart/form-data; boundary=XB", hostileForm(filePart("doc", "a\x00.txt", "x")), 400},
		{"no name", "multipart/form-data; boundary=XB", hostileForm("Content-Disposition: form-data\r\n\r\nx"), 400},
		{"no boundary", "multipart/form-data", hostileForm(filePart("doc", "a", "b")), 400},
		{"garbage", "multipart/form-data; boundary=XB", "\x00\x01garbage", 400},
	} {
		res, body := do(t, c, "POST", s.url+"/form", tc.body, "Content-Type", tc.ctype)
		var got statusJSON
		if res.StatusCode != tc.status || json.Unmarshal([]byte(body), &got) != nil || got.Status != tc.status || got.Reason == "" {
			t.Errorf("%s: %d %q, want %d from on_status", tc.name, res.StatusCode, body, tc.status)
		}
		checkNoTempFiles(t, tmp, tc.name)
	}
	// A route can catch the refusal itself.
	res, body := do(t, c, "POST", s.url+"/catch", "--XB\r\nbroken", "Content-Type", "multipart/form-data; boundary=XB")
	if res.StatusCode != 422 || !strings.Contains(body, "caught: 400 Bad Request: malformed multipart body") {
		t.Errorf("pcall: %d %q", res.StatusCode, body)
	}
	if res, body := do(t, c, "GET", s.url+"/ok", ""); res.StatusCode != 200 || body != "ok" {
		t.Fatalf("after the hostile forms: %d %q", res.StatusCode, body)
	}
	checkNoTempFiles(t, tmp, "at the end")
}

// TestUploadWithoutHooks: without on_status the refusals are plain text.
func TestUploadWithoutHooks(t *testing.T) {
	t.Parallel()
	s := startSource(t, `
local app = require("luaserve")
app.post("/", function(req) local f = req:form() return "ok" end)
`, engine.Config{})
	res, body := do(t, client(t), "POST", s.url+"/", hostileForm(filePart("d", "../x", "y")),
		"Content-Type", "multipart/form-data; boundary=XB")
	if res.StatusCode != 400 || body != "400 Bad Request: a filename has a path in it\n" {
		t.Errorf("%d %q", res.StatusCode, body)
	}
}
