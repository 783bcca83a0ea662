package upload

import (
	"errors"
	"os"
	"strings"
	"testing"
)

func TestFilename(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		status   int
	}{
		{"a.txt", "a.txt", 0},
		{`C:\fakepath\photo.jpg`, "photo.jpg", 0},
		{"dir/sub/x.bin", "x.bin", 0},
		{"", "", 0},
		{".", "", 0},
		{"../../etc/passwd", "", 400},
		{`..\boot.ini`, "", 400},
		{"a\x00.txt", "", 400},
		{"a\r\nb", "", 400},
		{strings.Repeat("n", 256), "", 400},
	} {
		got, err := Filename(tc.in)
		var ue *Error
		switch {
		case tc.status == 0 && (err != nil || got != tc.want):
			t.Errorf("Filename(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		case tc.status != 0 && (!errors.As(err, &ue) || ue.Status != tc.status):
			t.Errorf("Filename(%q) = %q, %v; want a %d", tc.in, got, err, tc.status)
		}
	}
}

func TestParseRemovesFilesOnError(t *testing.T) {
	dir := t.TempDir()
	body := "--B\r\nContent-Disposition: form-data; name=\"a\"; filename=\"a\"\r\n\r\n" + strings.Repeat("x", 100) +
		"\r\n--B\r\nContent-Disposition: form-data; name=\"b\"; filename=\"../b\"\r\n\r\nx\r\n--B--\r\n"
	_, err := Parse(strings.NewReader(body), "B", Limits{FileMemory: 10, TempDir: dir})
	var ue *Error
	if !errors.As(err, &ue) || ue.Status != 400 {
		t.Fatalf("err %v, want a 400", err)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("left behind: %v", ents)
	}
	f, err := Parse(strings.NewReader(strings.Replace(body, "../b", "b", 1)), "B", Limits{FileMemory: 10, TempDir: dir})
	if err != nil || len(f.Files) != 2 || f.Files[0].Path == "" || f.Files[0].Size != 100 || string(f.Files[1].Content) != "x" {
		t.Fatalf("%+v %v", f, err)
	}
	f.RemoveAll()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("RemoveAll left: %v", ents)
	}
}

func TestBoundary(t *testing.T) {
	for ct, want := range map[string]string{
		"multipart/form-data; boundary=abc":     "abc",
		"Multipart/Form-Data; boundary=\"a b\"": "a b",
		"application/json":                      "",
	} {
		b, _, err := Boundary(ct)
		if err != nil || b != want {
			t.Errorf("Boundary(%q) = %q, %v", ct, b, err)
		}
	}
	for _, ct := range []string{"multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=" + strings.Repeat("b", 71)} {
		if _, mp, err := Boundary(ct); !mp || err == nil {
			t.Errorf("Boundary(%q): multipart %v, err %v", ct, mp, err)
		}
	}
}
