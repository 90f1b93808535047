package scenarios

import (
	"encoding/xml"
	"fmt"
	"io"
)

// junitSuites is the root of a JUnit XML report.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
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
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the checks as a JUnit XML report: one test suite named
// suiteName, one test case per check (its class name is the check's group,
// "thresholds" or "baseline"), a failure element for each failed check
// carrying the reason and the measured value.
func WriteJUnit(w io.Writer, suiteName string, checks []Check) error {
	suite := junitSuite{Name: suiteName, Tests: len(checks), Time: "0"}
	for _, c := range checks {
		tc := junitCase{Name: c.Expr, ClassName: suiteName + "." + groupOr(c.Group), Time: "0"}
		if c.Measured != "" {
			tc.SystemOut = "measured " + c.Measured
		}
		if !c.Passed {
			suite.Failures++
			tc.Failure = &junitFailure{
				Message: c.Reason,
				Type:    groupOr(c.Group),
				Text:    fmt.Sprintf("%s\nmeasured: %s\nreason: %s\n", c.Expr, c.Measured, c.Reason),
			}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	doc := junitSuites{Name: suiteName, Tests: suite.Tests, Failures: suite.Failures, Suites: []junitSuite{suite}}
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

func groupOr(g string) string {
	if g == "" {
		return "checks"
	}
	return g
}
