package scenarios

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strings"
	"testing"
)

// TestJUnitRoundTrip writes checks as JUnit XML and parses them back with
// a reader that knows only the JUnit element names.
func TestJUnitRoundTrip(t *testing.T) {
	checks := []Check{
		{Group: "thresholds", Expr: "p99 < 50ms", Passed: true, Measured: "45.0ms"},
		{Group: "thresholds", Expr: "status.5xx < 0.1%", Measured: "0.80% (80 of 10000)", Reason: "measured 0.80% (80 of 10000); want status.5xx < 0.10%"},
		{Group: "baseline", Expr: "p99 vs baseline", Measured: "54.5ms vs 45.0ms: +21%", Reason: "p99 54.5ms vs 45.0ms: +21% > 10%"},
		{Group: "baseline", Expr: "rps vs baseline <&>", Passed: true, Measured: `"quoted"`},
	}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "checkout", 3.5, 2.0034, checks, nil); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(buf.String(), `<?xml version="1.0" encoding="UTF-8"?>`) {
		t.Errorf("no XML header:\n%s", buf.String())
	}
	var doc struct {
		XMLName  xml.Name `xml:"testsuites"`
		Tests    int      `xml:"tests,attr"`
		Failures int      `xml:"failures,attr"`
		Suites   []struct {
			Name     string `xml:"name,attr"`
			Tests    int    `xml:"tests,attr"`
			Failures int    `xml:"failures,attr"`
			Cases    []struct {
				Name      string `xml:"name,attr"`
				ClassName string `xml:"classname,attr"`
				Failure   *struct {
					Message string `xml:"message,attr"`
					Text    string `xml:",chardata"`
				} `xml:"failure"`
				SystemOut string `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	if doc.Tests != 4 || doc.Failures != 2 || len(doc.Suites) != 1 {
		t.Fatalf("totals: %+v", doc)
	}
	s := doc.Suites[0]
	if s.Name != "checkout" || s.Tests != 4 || s.Failures != 2 || len(s.Cases) != 4 {
		t.Fatalf("suite: %+v", s)
	}
	for i, c := range s.Cases {
		want := checks[i]
		if c.Name != want.Expr || c.ClassName != "checkout."+want.Group || c.SystemOut != "measured "+want.Measured {
			t.Errorf("case %d: %+v", i, c)
		}
		if (c.Failure == nil) != want.Passed {
			t.Errorf("case %d: failure %v, passed %v", i, c.Failure, want.Passed)
		}
		if c.Failure != nil && (c.Failure.Message != want.Reason || !strings.Contains(c.Failure.Text, want.Measured)) {
			t.Errorf("case %d failure: %+v", i, c.Failure)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestJUnitWriteError(t *testing.T) {
	if err := WriteJUnit(failWriter{}, "s", 0, 0, nil, nil); err == nil {
		t.Error("a failed write was not reported")
	}
}

// The JUnit times are the run's (the suite, warm-up included) and the
// measured part's (each case), not "0"; a check that measured nothing
// has no "measured:" line.
func TestJUnitTimesAndNothingMeasured(t *testing.T) {
	checks := []Check{{Group: "thresholds", Expr: "p99 < 50ms", Reason: "nothing was measured: no response arrived"}}
	var buf bytes.Buffer
	if err := WriteJUnit(&buf, "s", 3.5, 2.0034, checks, nil); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	for _, want := range []string{`<testsuite name="s" tests="1" failures="1" errors="0" time="3.500">`, `classname="s.thresholds" time="2.003">`,
		"p99 &lt; 50ms&#xA;reason: nothing was measured: no response arrived&#xA;</failure>"} {
		if !strings.Contains(out, want) {
			t.Errorf("JUnit lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "&#xA;measured:") || strings.Contains(out, "system-out") {
		t.Errorf("JUnit quotes a measurement that was not made:\n%s", out)
	}
}
