package scenarios

import (
	"encoding/xml"
	"io"
	"strconv"
	"strings"
)

// junitSuites is the root of a JUnit XML report.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	ClassName string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Error     *junitFailure `xml:"error,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// RunError is why a run measured nothing, or less than it was to: no
// connection could be made, no response arrived, it was interrupted, or
// it failed. A JUnit report carries it as a test case of its own with an
// <error> element, because a CI system reads the report, not the exit
// code: a report of such a run must not read as a pass.
type RunError struct {
	Type    string // "no_connection", "no_response", "interrupted" or "run_failed"
	Message string // the line nowait printed, such as "no connection could be made to 127.0.0.1:1: connection refused"
}

// runCase is the test case that carries a RunError.
const runCase = "run"

// WriteJUnit writes the checks as a JUnit XML report: one test suite named
// suiteName, one test case per check (its class name is the check's group,
// "thresholds" or "baseline"), a failure element for each failed check
// carrying the reason and the measured value (none when nothing was
// measured); the measured value, and a note, go to the case's system-out.
// When runErr is not nil, a first test case "run" (class name
// suiteName.run) holds it as an error element, and the suite counts one
// error. The suite's time is the run's, runSec seconds (warm-up
// included); each case's is measuredSec, the part of the run a check
// judges.
func WriteJUnit(w io.Writer, suiteName string, runSec, measuredSec float64, checks []Check, runErr *RunError) error {
	suite := junitSuite{Name: suiteName, Tests: len(checks), Time: junitSeconds(runSec)}
	if runErr != nil {
		suite.Tests++
		suite.Errors++
		suite.Cases = append(suite.Cases, junitCase{
			Name: runCase, ClassName: suiteName + "." + runCase, Time: junitSeconds(measuredSec),
			Error: &junitFailure{Message: runErr.Message, Type: runErr.Type, Text: runErr.Message + "\n"},
		})
	}
	for _, c := range checks {
		tc := junitCase{Name: c.Expr, ClassName: suiteName + "." + groupOr(c.Group), Time: junitSeconds(measuredSec)}
		if c.Measured != "" {
			tc.SystemOut = "measured " + c.Measured
		}
		if c.Note != "" {
			tc.SystemOut = strings.TrimPrefix(tc.SystemOut+"\nnote: "+c.Note, "\n")
		}
		if !c.Passed {
			suite.Failures++
			text := c.Expr + "\n"
			if c.Measured != "" {
				text += "measured: " + c.Measured + "\n"
			}
			tc.Failure = &junitFailure{
				Message: c.Reason,
				Type:    groupOr(c.Group),
				Text:    text + "reason: " + c.Reason + "\n",
			}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: suiteName, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// junitSeconds writes seconds as JUnit's time attribute: "2.003".
func junitSeconds(sec float64) string {
	return strconv.FormatFloat(max(sec, 0), 'f', 3, 64)
}

func groupOr(g string) string {
	if g == "" {
		return "checks"
	}
	return g
}
