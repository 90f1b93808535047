package target

import (
	"math/rand/v2"
	"strings"
	"time"

	"github.com/nowait/nowait/internal/errmsg"
)

// DelayDist is how the target draws each response's delay around
// Config.Delay, for latency tests that want a known distribution.
type DelayDist string

// The delay distributions; each has mean Config.Delay.
const (
	DelayFixed       DelayDist = "fixed"       // always Delay (the default)
	DelayUniform     DelayDist = "uniform"     // uniform in [0, 2×Delay)
	DelayExponential DelayDist = "exponential" // exponential: median ln 2 × Delay, a long tail
)

// ParseDelayDist parses a distribution's name; "" means fixed.
func ParseDelayDist(s string) (DelayDist, error) {
	switch d := DelayDist(strings.ToLower(strings.TrimSpace(s))); d {
	case "", DelayFixed:
		return DelayFixed, nil
	case DelayUniform, DelayExponential:
		return d, nil
	}
	return "", errmsg.Errorf(ErrConfig, "delay distribution %q: want fixed, uniform or exponential", s)
}

// draw returns one delay of distribution d with mean mean.
func (d DelayDist) draw(mean time.Duration) time.Duration {
	if mean <= 0 {
		return 0
	}
	switch d {
	case DelayUniform:
		return time.Duration(rand.Int64N(2 * int64(mean)))
	case DelayExponential:
		return time.Duration(rand.ExpFloat64() * float64(mean))
	}
	return mean
}
