package stats

// Check is the verdict on one threshold or one baseline comparison, as a
// run prints it and as summary.json keeps it under "checks".
type Check struct {
	Group    string  `json:"group"`              // "thresholds" or "baseline"; the JUnit class name
	Expr     string  `json:"expression"`         // what was checked, such as "p99 < 50ms"
	Passed   bool    `json:"passed"`             // whether the run passed it
	Measured string  `json:"measured,omitempty"` // the measured value for people, such as "12.1ms"
	Value    float64 `json:"value"`              // the measured number: ms, req/s, a fraction (shares, changes) or a count
	Limit    string  `json:"limit,omitempty"`    // the limit as written, such as "50ms", or the margin allowed
	Reason   string  `json:"reason,omitempty"`   // why it failed; "" when it passed
	// Note is what to know about a check that passed all the same, such
	// as a latency bound that holds although the schedule was not kept.
	Note string `json:"note,omitempty"`
}

// String is the check on one line: "PASS p99 < 50ms (45.0ms)" or
// "FAIL p99 < 50ms: measured 72.4ms; want p99 < 50ms"; a note follows a
// pass: "PASS p99 < 50ms (45.0ms); holds although ...".
func (c Check) String() string {
	if c.Passed {
		s := "PASS " + c.Expr
		if c.Measured != "" {
			s += " (" + c.Measured + ")"
		}
		if c.Note != "" {
			s += "; " + c.Note
		}
		return s
	}
	return "FAIL " + c.Expr + ": " + c.Reason
}
