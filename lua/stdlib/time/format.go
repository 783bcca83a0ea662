package time

import (
	"math"
	"strconv"
	"strings"
	"time"

	lua "github.com/yuin/gopher-lua"
)

// dateFuncs format and parse dates: RFC 3339 (the ISO 8601 profile of
// the internet) and HTTP's (RFC 9110 section 5.6.7).
var dateFuncs = map[string]lua.LGFunction{
	"format_rfc3339": formatRFC3339,
	"parse_rfc3339":  parseRFC3339,
	"format_http":    formatHTTP,
	"parse_http":     parseHTTP,
}

// httpLayouts are the forms of an HTTP date a recipient must accept: the
// IMF-fixdate senders write, then the obsolete RFC 850 and asctime forms.
var httpLayouts = [...]string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// formatRFC3339 implements time.format_rfc3339(t [, offset]) -> string:
// "2026-12-01T09:30:00Z", fractions of a second to the microsecond when t
// has them, in UTC or at offset ("+02:00", "Z", or seconds east of UTC).
func formatRFC3339(L *lua.LState) int {
	t := checkTime(L, 1)
	if L.GetTop() >= 2 {
		t = t.In(time.FixedZone("", checkOffset(L, 2)))
	}
	L.Push(lua.LString(t.Format(time.RFC3339Nano)))
	return 1
}

// parseRFC3339 implements time.parse_rfc3339(s) -> t, offset | nil, err.
// It takes RFC 3339 date-times ("T" or a space between date and time,
// letters in either case, an offset or "Z" required) and ISO 8601
// calendar dates alone ("2026-12-01", midnight UTC). offset is in seconds
// east of UTC.
func parseRFC3339(L *lua.LState) int {
	s := L.CheckString(1)
	var t time.Time
	var err error
	if len(s) == len("2006-01-02") {
		t, err = time.Parse(time.DateOnly, s)
	} else {
		norm := []byte(s)
		if len(norm) > 10 && (norm[10] == 't' || norm[10] == ' ') {
			norm[10] = 'T'
		}
		if n := len(norm); n > 0 && norm[n-1] == 'z' {
			norm[n-1] = 'Z'
		}
		t, err = time.Parse(time.RFC3339Nano, string(norm))
	}
	if err != nil {
		L.Push(lua.LNil)
		L.Push(lua.LString("time: not an RFC 3339 date: " + strconv.Quote(s)))
		return 2
	}
	_, off := t.Zone()
	L.Push(lua.LNumber(float64(t.Unix()) + float64(t.Nanosecond())/1e9))
	L.Push(lua.LNumber(off))
	return 2
}

// formatHTTP implements time.format_http(t) -> IMF-fixdate, always GMT:
// "Tue, 01 Dec 2026 09:30:00 GMT". Fractions of a second are dropped.
func formatHTTP(L *lua.LState) int {
	L.Push(lua.LString(checkTime(L, 1).UTC().Format(httpLayouts[0])))
	return 1
}

// parseHTTP implements time.parse_http(s) -> t | nil, err.
func parseHTTP(L *lua.LState) int {
	s := L.CheckString(1)
	for i, layout := range httpLayouts {
		t, err := time.Parse(layout, s)
		if err != nil {
			continue
		}
		if i == 1 {
			t = fixTwoDigitYear(t, time.Now().Year())
		}
		L.Push(lua.LNumber(t.Unix()))
		return 1
	}
	L.Push(lua.LNil)
	L.Push(lua.LString("time: not an HTTP date: " + strconv.Quote(s)))
	return 2
}

// fixTwoDigitYear applies RFC 9110 section 5.6.7 to an RFC 850 date: a
// two-digit year that would be more than 50 years in the future is the
// most recent past year with those digits.
func fixTwoDigitYear(t time.Time, now int) time.Time {
	y := now - now%100 + t.Year()%100
	if y > now+50 {
		y -= 100
	}
	return t.AddDate(y-t.Year(), 0, 0)
}

// checkTime reads argument i as seconds since the epoch, in years 0 to 9999
// (what RFC 3339 can write).
func checkTime(L *lua.LState, i int) time.Time {
	f := float64(L.CheckNumber(i))
	const lo, hi = -62167219200, 253402300800 // 0000-01-01, 10000-01-01
	if math.IsNaN(f) || f < lo || f >= hi {
		L.ArgError(i, "time out of range (years 0 to 9999)")
	}
	sec := math.Floor(f)
	return time.Unix(int64(sec), int64((f-sec)*1e9)).Round(time.Microsecond).UTC()
}

// checkOffset reads an offset: "Z", "+hh:mm" / "-hh:mm", or a number of
// seconds east of UTC; less than a day, in whole minutes.
func checkOffset(L *lua.LState, i int) int {
	var off int
	switch v := L.Get(i).(type) {
	case lua.LNumber:
		off = int(v)
		if lua.LNumber(off) != v {
			off = 1 // not whole: refused below
		}
	case lua.LString:
		s := string(v)
		if s == "Z" || s == "z" {
			return 0
		}
		t, err := time.Parse("-07:00", s)
		if err != nil || !strings.Contains("+-", s[:1]) {
			L.ArgError(i, "offset must be \"Z\", \"+hh:mm\", \"-hh:mm\" or seconds")
		}
		_, off = t.Zone()
	default:
		L.TypeError(i, lua.LTString)
	}
	if off%60 != 0 || off <= -86400 || off >= 86400 {
		L.ArgError(i, "offset must be whole minutes, less than a day")
	}
	return off
}
