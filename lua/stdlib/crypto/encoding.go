package crypto

import (
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strconv"
	"strings"

	lua "github.com/yuin/gopher-lua"

	"github.com/luaserve/luaserve/lua/stdlib"
)

// encodings by (URL-safe, padded). Decoding is strict: no characters
// outside the alphabet, no set bits after the last byte (so one text
// decodes from exactly one encoding), line breaks ignored as RFC 2045
// texts have them.
var encodings = [2][2]*base64.Encoding{
	{base64.RawStdEncoding.Strict(), base64.StdEncoding.Strict()},
	{base64.RawURLEncoding.Strict(), base64.URLEncoding.Strict()},
}

// hexEncode implements crypto.hex_encode(s) -> lowercase hex.
func hexEncode(L *lua.LState, h stdlib.Host) int {
	s := L.CheckString(1)
	charge(L, h, 2*len(s))
	L.Push(lua.LString(hex.EncodeToString([]byte(s))))
	return 1
}

// hexDecode implements crypto.hex_decode(s) -> string | nil, err; either
// case of letters is accepted.
func hexDecode(L *lua.LState) int {
	b, err := hex.DecodeString(L.CheckString(1))
	if err != nil {
		return fail(L, "crypto: malformed hex: "+strings.TrimPrefix(err.Error(), "encoding/hex: "))
	}
	L.Push(lua.LString(b))
	return 1
}

// base64Encode implements crypto.base64_encode(s [, padding=true]) and
// crypto.base64url_encode(s [, padding=false]): URL-safe text goes in URLs
// and tokens, where "=" would need escaping.
func base64Encode(L *lua.LState, h stdlib.Host, url bool) int {
	s := L.CheckString(1)
	pad := !url
	if L.GetTop() >= 2 {
		pad = L.CheckBool(2)
	}
	enc := encodings[b2i(url)][b2i(pad)]
	charge(L, h, enc.EncodedLen(len(s)))
	L.Push(lua.LString(enc.EncodeToString([]byte(s))))
	return 1
}

// base64Decode implements crypto.base64_decode(s) and base64url_decode(s):
// padded or not, as the text is.
func base64Decode(L *lua.LState, url bool) int {
	s := L.CheckString(1)
	enc := encodings[b2i(url)][b2i(strings.HasSuffix(strings.TrimRight(s, "\r\n"), "="))]
	b, err := enc.DecodeString(s)
	if err != nil {
		var at base64.CorruptInputError
		if errors.As(err, &at) {
			return fail(L, "crypto: malformed base64 at byte "+strconv.FormatInt(int64(at)+1, 10))
		}
		return fail(L, "crypto: malformed base64")
	}
	L.Push(lua.LString(b))
	return 1
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// charge charges n bytes to the request's memory budget, raising past it.
func charge(L *lua.LState, h stdlib.Host, n int) {
	if err := stdlib.Charge(h.Context(), n); err != nil {
		L.RaiseError("%v", err)
	}
}

// fail pushes nil and msg: the answer to bad data.
func fail(L *lua.LState, msg string) int {
	L.Push(lua.LNil)
	L.Push(lua.LString(msg))
	return 2
}
