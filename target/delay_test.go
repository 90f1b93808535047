package target

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func TestDelayDistributionsHaveTheirShape(t *testing.T) {
	const mean = 10 * time.Millisecond
	const n = 20000
	sample := func(d DelayDist) (avg, median, top time.Duration) {
		xs := make([]time.Duration, n)
		var sum time.Duration
		for i := range xs {
			xs[i] = d.draw(mean)
			sum += xs[i]
		}
		slices.Sort(xs)
		return sum / n, xs[n/2], xs[n-1]
	}
	if avg, med, top := sample(DelayFixed); avg != mean || med != mean || top != mean {
		t.Errorf("fixed: mean %v median %v max %v, want all %v", avg, med, top, mean)
	}
	avg, med, top := sample(DelayUniform)
	if math.Abs(float64(avg-mean)) > 0.03*float64(mean) || math.Abs(float64(med-mean)) > 0.05*float64(mean) || top >= 2*mean {
		t.Errorf("uniform: mean %v median %v max %v, want about %v, %v and under %v", avg, med, top, mean, mean, 2*mean)
	}
	avg, med, top = sample(DelayExponential)
	ln2 := math.Ln2
	wantMed := time.Duration(ln2 * float64(mean))
	if math.Abs(float64(avg-mean)) > 0.05*float64(mean) || math.Abs(float64(med-wantMed)) > 0.05*float64(mean) || top < 5*mean {
		t.Errorf("exponential: mean %v median %v max %v, want about %v, %v and a tail past %v", avg, med, top, mean, wantMed, 5*mean)
	}
}

func TestParseDelayDist(t *testing.T) {
	for in, want := range map[string]DelayDist{"": DelayFixed, "Uniform": DelayUniform, "exponential": DelayExponential} {
		if got, err := ParseDelayDist(in); err != nil || got != want {
			t.Errorf("%q: %q %v, want %q", in, got, err, want)
		}
	}
	if _, err := ParseDelayDist("normal"); !errors.Is(err, ErrConfig) {
		t.Errorf("normal: %v, want ErrConfig", err)
	}
	if err := (Config{DelayDist: "pareto"}).Validate(); !errors.Is(err, ErrConfig) {
		t.Errorf("Validate with pareto: %v, want ErrConfig", err)
	}
}
