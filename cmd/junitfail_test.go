package cmd

import (
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nowait/nowait/engine/enginetest"
	"github.com/nowait/nowait/target"
)

// junitDoc is a JUnit report as a CI system reads it.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Errors   int `xml:"errors,attr"`
		Cases    []struct {
			Name    string `xml:"name,attr"`
			Failure *struct {
				Message string `xml:"message,attr"`
			} `xml:"failure"`
			Error *struct {
				Message string `xml:"message,attr"`
				Type    string `xml:"type,attr"`
			} `xml:"error"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

func readJUnit(t *testing.T, path string) junitDoc {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc junitDoc
	if err := xml.Unmarshal(data, &doc); err != nil || len(doc.Suites) != 1 {
		t.Fatalf("junit %s: %v\n%s", path, err, data)
	}
	return doc
}

// A run that could make no connection exits 1, and its JUnit report is
// not green: the QA's `run http://127.0.0.1:1/ -n 10 --junit j.xml` wrote
// tests="0" failures="0" errors="0", which a CI system reads as a pass.
// Now one test case "run" carries the error, with the line nowait printed.
func TestJUnitOfARunWithNoConnectionIsAnError(t *testing.T) {
	addr := closedPort(t)
	junit := filepath.Join(t.TempDir(), "j.xml")
	_, stderr, code := runBin(t, "run", "http://"+addr+"/", "-n", "10", "-c", "2", "--connect-timeout", "500ms", "--junit", junit)
	if code != ExitRunFailed || !strings.Contains(stderr, "no connection could be made") {
		t.Fatalf("exit %d, stderr %q; want %d and no connection", code, stderr, ExitRunFailed)
	}
	doc := readJUnit(t, junit)
	s := doc.Suites[0]
	if doc.Errors != 1 || s.Errors != 1 || s.Tests != 1 || len(s.Cases) != 1 || s.Cases[0].Error == nil {
		t.Fatalf("junit: %+v; want one test case with an error", doc)
	}
	e := s.Cases[0].Error
	if e.Type != "no_connection" || !strings.Contains(e.Message, "no connection could be made to "+addr) {
		t.Fatalf("junit error %+v; want no_connection and the line printed", e)
	}
}

// A scenario interrupted by Ctrl-C exits 1, and its JUnit report says
// so with an error case beside its checks, which judged the part of the
// run before the interruption: the QA's Ctrl-C'd run wrote both
// thresholds as passing cases, and nothing else.
func TestJUnitOfAnInterruptedRunIsAnError(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	path := writeFile(t, "smoke.yaml", "name: smoke\ntarget: "+srv.URL()+
		"\nload:\n  connections: 2\n  duration: 30s\nthresholds:\n  - error_rate < 1%\n  - p99 < 10s\n")
	junit := filepath.Join(t.TempDir(), "j.xml")
	c := exec.Command(binPath, "run", path, "--junit", junit)
	if err := c.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	_ = c.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- c.Wait() }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = c.Process.Kill()
		t.Fatal("the run did not stop within 10 s of SIGINT")
	}
	if code := c.ProcessState.ExitCode(); code != ExitRunFailed {
		t.Fatalf("exit %d after Ctrl-C, want %d", code, ExitRunFailed)
	}
	if srv.Served() == 0 {
		t.Fatal("the target served nothing before the Ctrl-C")
	}
	doc := readJUnit(t, junit)
	s := doc.Suites[0]
	if doc.Errors != 1 || s.Errors != 1 || s.Tests != 3 || len(s.Cases) != 3 {
		t.Fatalf("junit: %+v; want the two checks and one error case", doc)
	}
	e := s.Cases[0].Error
	if e == nil || e.Type != "interrupted" || !strings.Contains(e.Message, "interrupted") {
		t.Fatalf("junit first case %+v; want the interruption as an error", s.Cases[0])
	}
	for _, tc := range s.Cases[1:] {
		if tc.Error != nil || tc.Failure != nil {
			t.Errorf("check %q: %+v; want it passed (the part before the Ctrl-C was clean)", tc.Name, tc)
		}
	}
}

// A run whose checks pass writes no error case.
func TestJUnitOfACleanRunHasNoError(t *testing.T) {
	srv := enginetest.StartTarget(t, target.Config{})
	junit := filepath.Join(t.TempDir(), "j.xml")
	_, stderr, code := runBin(t, "run", srv.URL(), "-n", "20", "-c", "2", "--junit", junit)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if doc := readJUnit(t, junit); doc.Errors != 0 || doc.Tests != 0 || srv.Served() != 20 {
		t.Fatalf("junit of a clean run: %+v, served %d; want no error case and 20 served", doc, srv.Served())
	}
}
