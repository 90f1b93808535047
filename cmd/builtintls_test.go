package cmd

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"regexp"
	"strings"
	"testing"
)

// demoCertFile is the certificate file demo's first line says the run
// trusts, or "" when it names none.
func demoCertFile(stdout string) string {
	m := regexp.MustCompile(`trusted as --cacert (\S+)`).FindStringSubmatch(stdout)
	if m == nil {
		return ""
	}
	return m[1]
}

// checkDemoTLSOutput checks what demo --tls printed: an https target whose
// certificate the run trusted, 200s and no errors, and the next steps
// over https.
func checkDemoTLSOutput(t *testing.T, stdout, stderr string) {
	t.Helper()
	for _, want := range []string{"Built-in target listening on https://127.0.0.1:", "against https://127.0.0.1:", "Status codes  200 × ", "Errors        none", "--cacert server.pem", "nowait compare --tls"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("demo --tls output lacks %q:\nstdout: %s\nstderr: %s", want, stdout, stderr)
		}
	}
	file := demoCertFile(stdout)
	if file == "" {
		t.Fatalf("demo --tls does not name the certificate it trusts:\n%s", stdout)
	}
	if _, err := os.Stat(file); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the certificate file %s is still there after demo (%v)", file, err)
	}
}

// TestDemoOverTLS: demo --tls runs over https against the built-in target
// (a child process), trusting its certificate without -k.
func TestDemoOverTLS(t *testing.T) {
	stdout, stderr, code := runBin(t, "demo", "--tls", "-d", "1s", "-c", "20")
	if code != ExitOK {
		t.Fatalf("exit code %d\nstdout: %s\nstderr: %s", code, stdout, stderr)
	}
	checkDemoTLSOutput(t, stdout, stderr)
}

// TestDemoOverTLSInProcess: when the target cannot run as a child, the
// in-process target serves https and the run trusts its certificate too.
func TestDemoOverTLSInProcess(t *testing.T) {
	var stdout, stderr bytes.Buffer
	a := &app{stdout: &stdout, stderr: &stderr, selfExe: func() (string, error) { return "", errors.New("no executable") }}
	root := newRootCmd(a)
	root.SetArgs([]string{"demo", "--tls", "--mode", "sync", "-d", "500ms", "-c", "4"})
	if err := root.ExecuteContext(context.Background()); err != nil {
		t.Fatalf("demo --tls: %v\nstdout: %s\nstderr: %s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stderr.String(), "the target runs in this process") {
		t.Fatalf("the target did not run in process: %s", stderr.String())
	}
	checkDemoTLSOutput(t, stdout.String(), stderr.String())
}

// TestDemoSuggestsTLS: a plain demo's next steps name demo --tls.
func TestDemoSuggestsTLS(t *testing.T) {
	if next := demoNext(false); !strings.Contains(next, "nowait demo --tls") || strings.Contains(next, "https") {
		t.Fatalf("next steps after a plain demo:\n%s", next)
	}
}

// TestCompareOverTLS: compare --tls, without a URL, runs its cell over
// https against the built-in target, trusting its certificate.
func TestCompareOverTLS(t *testing.T) {
	stdout, stderr, code := runBin(t, "compare", "--tls", "--modes", "async", "--connections", "2", "-d", "500ms", "--pause", "0s", "--json")
	var r CompareReport
	if err := json.Unmarshal([]byte(stdout), &r); err != nil || code != ExitOK || len(r.Cells) != 1 {
		t.Fatalf("exit %d, %v\nstdout: %s\nstderr: %s", code, err, stdout, stderr)
	}
	c := r.Cells[0]
	if !strings.HasPrefix(r.Target, "https://127.0.0.1:") || c.Error != "" || c.Summary == nil ||
		!strings.HasPrefix(c.Summary.Target, "https://") || c.Summary.Responses == 0 || c.Summary.ErrorTotal != 0 ||
		c.Summary.Status["200"] != c.Summary.Responses || c.Summary.Connects != 2 {
		t.Fatalf("target %q, cell error %q, summary %+v", r.Target, c.Error, c.Summary)
	}
	if !strings.Contains(stderr, "Built-in target listening on https://127.0.0.1:") {
		t.Fatalf("stderr does not say the target serves https: %s", stderr)
	}
}

// TestCompareTLSWantsNoURL: --tls is for the built-in target; with a URL
// it is refused, as is --cacert beside it.
func TestCompareTLSWantsNoURL(t *testing.T) {
	for _, tc := range []badInput{
		{name: "url", args: []string{"compare", "http://127.0.0.1:1/", "--tls"}, want: []string{"--tls serves the built-in target over HTTPS; with a URL, give an https:// URL instead"}},
		{name: "cacert", args: []string{"compare", "--tls", "--cacert", "x.pem"}, want: []string{"--cacert x.pem: with --tls the cells trust the built-in target's own certificate; drop --cacert"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.code = ExitUsage
			checkOneLine(t, tc)
		})
	}
}
