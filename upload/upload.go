package upload

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"os"
	"strings"
)

// Limits bound what Parse accepts beyond the body's own size (which the
// server bounds with -max-body). Zero fields take the defaults.
type Limits struct {
	MaxParts      int    // parts, fields and files together
	MaxPartHeader int    // bytes of one part's header fields
	MaxField      int64  // bytes of one field's value (not a file's)
	FileMemory    int64  // a file larger than this goes to a temporary file
	TempDir       string // where; "" means os.TempDir()
}

// Defaults of Limits.
const (
	DefaultMaxParts      = 1000
	DefaultMaxPartHeader = 8 << 10
	DefaultMaxField      = 1 << 20
	DefaultFileMemory    = 256 << 10
	MaxFilename          = 255 // bytes of a file's name
)

func (l Limits) withDefaults() Limits {
	if l.MaxParts <= 0 {
		l.MaxParts = DefaultMaxParts
	}
	if l.MaxPartHeader <= 0 {
		l.MaxPartHeader = DefaultMaxPartHeader
	}
	if l.MaxField <= 0 {
		l.MaxField = DefaultMaxField
	}
	if l.FileMemory <= 0 {
		l.FileMemory = DefaultFileMemory
	}
	return l
}

// Error is a body Parse refuses, with the status to answer: 400 when it
// is malformed, 413 when it passes a limit. Reason holds no body bytes.
type Error struct {
	Status int
	Reason string
}

func (e *Error) Error() string { return fmt.Sprintf("upload: %d %s", e.Status, e.Reason) }

func malformed(format string, args ...any) *Error {
	return &Error{400, fmt.Sprintf(format, args...)}
}

// Field is a part without a filename.
type Field struct{ Name, Value string }

// File is a part with a filename: its content in memory, or, past
// Limits.FileMemory, in the temporary file at Path.
type File struct {
	Field       string // the form field's name
	Filename    string // base name, sanitised; "" when the browser sent none
	ContentType string // as sent; application/octet-stream when absent
	Size        int64
	Content     []byte // nil when the file is at Path
	Path        string
}

// Form is a parsed multipart/form-data body, parts in order.
type Form struct {
	Fields []Field
	Files  []*File
}

// RemoveAll deletes the form's temporary files; it is safe to call twice.
func (f *Form) RemoveAll() error {
	var errs []error
	for _, fl := range f.Files {
		if fl.Path != "" {
			if err := os.Remove(fl.Path); err != nil && !errors.Is(err, os.ErrNotExist) {
				errs = append(errs, err)
			}
			fl.Path = ""
		}
	}
	return errors.Join(errs...)
}

// Boundary reads a Content-Type: isMultipart reports multipart/form-data;
// err is a multipart/form-data type without a usable boundary (400).
func Boundary(contentType string) (boundary string, isMultipart bool, err error) {
	mt, params, perr := mime.ParseMediaType(contentType)
	if perr != nil || mt != "multipart/form-data" {
		if perr != nil && strings.HasPrefix(strings.ToLower(strings.TrimSpace(contentType)), "multipart/form-data") {
			return "", true, malformed("malformed multipart Content-Type")
		}
		return "", false, nil
	}
	b := params["boundary"]
	if b == "" || len(b) > 70 { // RFC 2046, section 5.1.1
		return "", true, malformed("multipart body without a valid boundary")
	}
	return b, true, nil
}

// Parse reads a multipart/form-data body. On error it removes the
// temporary files it made; on success the caller does, with RemoveAll.
func Parse(r io.Reader, boundary string, lim Limits) (_ *Form, err error) {
	lim = lim.withDefaults()
	mr := multipart.NewReader(r, boundary)
	form := &Form{}
	defer func() {
		if err != nil {
			form.RemoveAll()
		}
	}()
	for n := 0; ; n++ {
		p, err := mr.NextRawPart()
		if err == io.EOF {
			return form, nil
		}
		if err != nil {
			return nil, malformed("malformed multipart body")
		}
		if n >= lim.MaxParts {
			return nil, &Error{413, fmt.Sprintf("more than %d parts in a form", lim.MaxParts)}
		}
		if err := form.add(p, lim); err != nil {
			return nil, err
		}
	}
}

// add reads one part into the form.
func (f *Form) add(p *multipart.Part, lim Limits) error {
	if headerSize(p.Header) > lim.MaxPartHeader {
		return &Error{413, fmt.Sprintf("a part's header is over %d bytes", lim.MaxPartHeader)}
	}
	disp, params, err := mime.ParseMediaType(p.Header.Get("Content-Disposition"))
	if err != nil || disp != "form-data" || params["name"] == "" {
		return malformed("a part without Content-Disposition: form-data; name=...")
	}
	name := params["name"]
	raw, isFile := params["filename"]
	if !isFile {
		v, err := readAtMost(p, lim.MaxField)
		if err != nil {
			return err
		}
		f.Fields = append(f.Fields, Field{name, string(v)})
		return nil
	}
	clean, err := Filename(raw)
	if err != nil {
		return err
	}
	fl := &File{Field: name, Filename: clean, ContentType: p.Header.Get("Content-Type")}
	if fl.ContentType == "" {
		fl.ContentType = "application/octet-stream"
	}
	f.Files = append(f.Files, fl) // before spooling: RemoveAll must see its file
	return fl.read(p, lim)
}

// read takes a file's content: in memory up to lim.FileMemory, then in a
// temporary file.
func (fl *File) read(p io.Reader, lim Limits) error {
	var buf bytes.Buffer
	n, err := io.Copy(&buf, io.LimitReader(p, lim.FileMemory+1))
	if err != nil {
		return malformed("multipart body ended early")
	}
	if n <= lim.FileMemory {
		fl.Content, fl.Size = buf.Bytes(), n
		return nil
	}
	tmp, err := os.CreateTemp(lim.TempDir, "luaserve-upload-*")
	if err != nil {
		return &Error{500, "an upload could not be stored"}
	}
	fl.Path = tmp.Name()
	written, werr := buf.WriteTo(tmp)
	chunk := make([]byte, 32<<10)
	for werr == nil {
		n, rerr := p.Read(chunk)
		if n > 0 {
			_, werr = tmp.Write(chunk[:n])
			written += int64(n)
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			tmp.Close()
			return malformed("multipart body ended early")
		}
	}
	if cerr := tmp.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return &Error{500, "an upload could not be stored"}
	}
	fl.Size = written
	return nil
}

// readAtMost reads a field's value, refusing one over max bytes.
func readAtMost(r io.Reader, max int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, max+1))
	if err != nil {
		return nil, malformed("multipart body ended early")
	}
	if int64(len(b)) > max {
		return nil, &Error{413, fmt.Sprintf("a form field is over %d bytes", max)}
	}
	return b, nil
}

func headerSize(h textproto.MIMEHeader) int {
	n := 0
	for k, vs := range h {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// Filename makes a sent filename safe to show and to build a path from:
// its base name (old browsers send C:\path\name). A name with a control
// character (NUL included) or a ".." element, or over MaxFilename bytes, is
// refused (400): no browser sends one.
func Filename(s string) (string, error) {
	if len(s) > MaxFilename {
		return "", malformed("a filename is over %d bytes", MaxFilename)
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == 0x7f {
			return "", malformed("a filename has a control character")
		}
	}
	elems := strings.FieldsFunc(s, func(r rune) bool { return r == '/' || r == '\\' })
	for _, e := range elems {
		if e == ".." {
			return "", malformed("a filename has a path in it")
		}
	}
	if len(elems) == 0 {
		return "", nil
	}
	base := elems[len(elems)-1]
	if base == "." {
		return "", nil
	}
	return base, nil
}
