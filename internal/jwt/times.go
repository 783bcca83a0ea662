package jwt

import (
	"errors"
	"fmt"
	"math"
)

var (
	ErrExpired = errors.New("jwt: token expired")
	ErrNotYet  = errors.New("jwt: token not valid yet")
	ErrClaims  = errors.New("jwt: bad claims")
)

// Times are a token's time claims (RFC 7519 section 4.1: NumericDate,
// seconds since the epoch), each with whether the token has it.
type Times struct {
	Exp, Nbf, Iat          float64
	HasExp, HasNbf, HasIat bool
}

// CheckTimes checks t at now, allowing leeway seconds of clock skew:
// exp must be after now - leeway, nbf and iat no later than now + leeway.
// An absent exp is refused when requireExp is set.
func CheckTimes(t Times, now, leeway float64, requireExp bool) error {
	for i, v := range [...]float64{t.Exp, t.Nbf, t.Iat} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return fmt.Errorf("%w: %s is not a date", ErrClaims, [...]string{"exp", "nbf", "iat"}[i])
		}
	}
	switch {
	case !t.HasExp && requireExp:
		return fmt.Errorf("%w: no exp claim, and one is required", ErrClaims)
	case t.HasExp && now-leeway >= t.Exp:
		return fmt.Errorf("%w %.0f seconds ago", ErrExpired, now-t.Exp)
	case t.HasNbf && now+leeway < t.Nbf:
		return fmt.Errorf("%w: nbf is %.0f seconds ahead", ErrNotYet, t.Nbf-now)
	case t.HasIat && now+leeway < t.Iat:
		return fmt.Errorf("%w: iat is %.0f seconds ahead", ErrNotYet, t.Iat-now)
	}
	return nil
}
