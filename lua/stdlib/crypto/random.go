package crypto

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// maxRandom bounds crypto.random_bytes and random_token: keys and tokens
// are tens of bytes.
const maxRandom = 64 << 10

// randomBytes implements crypto.random_bytes(n) -> n bytes from the
// operating system's secure generator (crypto/rand).
func randomBytes(L *lua.LState) int {
	b := make([]byte, checkCount(L, 1, -1))
	rand.Read(b) // never fails (Go 1.24)
	L.Push(lua.LString(b))
	return 1
}

// randomToken implements crypto.random_token([n=32]): n random bytes (256
// bits by default) as unpadded base64url, fit for URLs, cookies and keys.
func randomToken(L *lua.LState) int {
	b := make([]byte, checkCount(L, 1, 32))
	rand.Read(b)
	L.Push(lua.LString(base64.RawURLEncoding.EncodeToString(b)))
	return 1
}

// checkCount reads argument i as a count of bytes, 1..maxRandom (def when
// absent and def >= 0).
func checkCount(L *lua.LState, i int, def int) int {
	if def >= 0 && L.Get(i) == lua.LNil {
		return def
	}
	n := L.CheckNumber(i)
	if n < 1 || n > maxRandom || n != lua.LNumber(int(n)) {
		L.ArgError(i, "count must be an integer from 1 to 65536")
	}
	return int(n)
}

// uuidV4 implements crypto.uuid_v4(): 122 random bits (RFC 9562 section 5.4).
func uuidV4(L *lua.LState) int {
	var u [16]byte
	rand.Read(u[:])
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	L.Push(lua.LString(formatUUID(u)))
	return 1
}

// uuidV7 implements crypto.uuid_v7() (RFC 9562 section 5.7): the Unix time
// in milliseconds, then 12 bits of sub-millisecond time (section 6.2,
// method 3) so ids made in one process sort by time to about 250 ns, then
// 62 random bits.
func uuidV7(L *lua.LState) int {
	var u [16]byte
	rand.Read(u[8:])
	now := time.Now().UnixNano()
	ms, frac := now/1e6, now%1e6
	sub := frac * 4096 / 1e6
	for i := range 6 {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | byte(sub>>8)
	u[7] = byte(sub)
	u[8] = u[8]&0x3f | 0x80
	L.Push(lua.LString(formatUUID(u)))
	return 1
}

// formatUUID writes u as 8-4-4-4-12 lowercase hex digits.
func formatUUID(u [16]byte) string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}
